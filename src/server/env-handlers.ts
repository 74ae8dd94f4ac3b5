/** Control API handlers for environments: create (sync, async, auto), list, get, control, destroy, detectors. */
import type { ServiceImpl } from '@connectrpc/connect';
import { isRequestableEvent, REQUESTABLE_EVENTS } from '../common/environment-fsm.ts';
import type { RequestUser } from '../environment/events.ts';
import { ControlEnvironmentRequest_Optype } from '../gen/protos/o2control_pb.ts';
import type { Control } from '../gen/protos/o2control_pb.ts';
import type { User } from '../gen/protos/common_pb.ts';
import type { CoreContext } from './core-context.ts';
import { environmentInfo, nowMs, roleInfo, roleTree } from './convert.ts';
import { checkEnvId, invalid, rpc } from './rpc-errors.ts';
import type { Subscriptions } from './subscriptions.ts';

type Handlers = Pick<
  ServiceImpl<typeof Control>,
  | 'newEnvironment'
  | 'newEnvironmentAsync'
  | 'newAutoEnvironment'
  | 'getEnvironments'
  | 'getEnvironment'
  | 'controlEnvironment'
  | 'destroyEnvironment'
  | 'getActiveDetectors'
  | 'getAvailableDetectors'
  | 'subscribe'
>;

export function userOf(u: User | undefined): RequestUser | undefined {
  if (u === undefined) return undefined;
  return {
    name: u.name,
    ...(u.id !== undefined ? { id: u.id } : {}),
    ...(u.externalId !== undefined ? { externalId: u.externalId } : {}),
  };
}

export function envHandlers(ctx: CoreContext, subs: Subscriptions): Handlers {
  const m = ctx.manager;
  const requestUser = (u: User | undefined): { user?: RequestUser; vars: Record<string, string> } => {
    const user = userOf(u);
    return user === undefined ? { vars: {} } : { user, vars: { last_request_user: JSON.stringify(user) } };
  };
  return {
    newEnvironment: (req) =>
      rpc('NewEnvironment', async () => {
        if (req.workflowTemplate === '')
          throw invalid('NewEnvironment', 'workflowTemplate', 'must name a workflow');
        const u = requestUser(req.requestUser);
        const env = await m.create({
          workflow: req.workflowTemplate,
          vars: { ...req.vars, ...u.vars },
          autoTransition: req.autoTransition,
          ...(u.user ? { user: u.user } : {}),
        });
        return {
          environment: environmentInfo(env, true, ctx.integrations.environmentData(env.id)),
          public: env.isPublic,
          timestamp: nowMs(),
        };
      }),
    newEnvironmentAsync: (req) =>
      rpc('NewEnvironmentAsync', () => {
        if (req.workflowTemplate === '')
          throw invalid('NewEnvironmentAsync', 'workflowTemplate', 'must name a workflow');
        const u = requestUser(req.requestUser);
        const id = ctx.manager.newId();
        void m
          .create({
            id,
            workflow: req.workflowTemplate,
            vars: { ...req.vars, ...u.vars },
            autoTransition: req.autoTransition,
            ...(u.user ? { user: u.user } : {}),
          })
          .catch(() => undefined);
        return {
          environment: { id, state: 'PENDING', createdWhen: nowMs() },
          public: req.public,
          timestamp: nowMs(),
        };
      }),
    newAutoEnvironment: (req) =>
      rpc('NewAutoEnvironment', () => {
        if (req.workflowTemplate === '')
          throw invalid('NewAutoEnvironment', 'workflowTemplate', 'must name a workflow');
        if (req.id === '')
          throw invalid(
            'NewAutoEnvironment',
            'id',
            'a subscription id is required (call Subscribe with it first)',
          );
        const u = requestUser(req.requestUser);
        const envId = ctx.manager.newId();
        subs.bind(req.id, envId);
        void m
          .create({
            id: envId,
            workflow: req.workflowTemplate,
            vars: { ...req.vars, ...u.vars },
            autoTransition: true,
            skipDetectorCheck: true,
            ...(u.user ? { user: u.user } : {}),
          })
          .catch(() => subs.finish(req.id));
        return { timestamp: nowMs() };
      }),
    subscribe: (req, hctx) => subs.stream(req.id, hctx.signal, m.has(req.id)),
    getEnvironments: (req) =>
      rpc('GetEnvironments', () => ({
        frameworkId: ctx.coreId,
        environments: m
          .list()
          .filter((e) => req.showAll || e.isPublic)
          .map((e) => environmentInfo(e, req.showTaskInfos, ctx.integrations.environmentData(e.id))),
        timestamp: nowMs(),
      })),
    getEnvironment: (req) =>
      rpc('GetEnvironment', () => {
        const env = m.get(checkEnvId('GetEnvironment', 'id', req.id));
        return {
          environment: environmentInfo(env, true, ctx.integrations.environmentData(env.id)),
          ...(req.showWorkflowTree ? { workflow: roleInfo(roleTree(env), env) } : {}),
          public: env.isPublic,
          timestamp: nowMs(),
        };
      }),
    controlEnvironment: (req) =>
      rpc('ControlEnvironment', async () => {
        const id = checkEnvId('ControlEnvironment', 'id', req.id);
        const event = ControlEnvironmentRequest_Optype[req.type];
        if (event === undefined || !isRequestableEvent(event)) {
          throw invalid(
            'ControlEnvironment',
            'type',
            `${event ?? req.type} cannot be requested (use ${REQUESTABLE_EVENTS.join(', ')})`,
          );
        }
        const start = Date.now();
        const user = userOf(req.requestUser);
        const env = await m.control(id, event, user);
        const end = Date.now();
        return {
          id,
          state: env.state,
          currentRunNumber: env.runNumber,
          startOfTransition: BigInt(start),
          endOfTransition: BigInt(end),
          transitionDuration: BigInt(end - start),
          timestamp: nowMs(),
        };
      }),
    destroyEnvironment: (req) =>
      rpc('DestroyEnvironment', async () => {
        const id = checkEnvId('DestroyEnvironment', 'id', req.id);
        const env = m.get(id);
        const r = await m.destroy(id, {
          keepTasks: req.keepTasks,
          allowInRunningState: req.allowInRunningState,
          force: req.force,
        });
        const info = (taskId: string): { taskId: string; name: string; state: string } => ({
          taskId,
          name: env.tasks.find((t) => t.taskId === taskId)?.desc.path ?? taskId,
          state: 'DONE',
        });
        return {
          cleanupTasksReply: {
            killedTasks: r.killed.map(info),
            runningTasks: r.kept.map(info),
            timestamp: nowMs(),
          },
          timestamp: nowMs(),
        };
      }),
    getActiveDetectors: () =>
      rpc('GetActiveDetectors', () => ({ detectors: m.activeDetectors(), timestamp: nowMs() })),
    getAvailableDetectors: () =>
      rpc('GetAvailableDetectors', () => {
        const active = new Set(m.activeDetectors());
        return { detectors: inventoryDetectors(ctx).filter((d) => !active.has(d)), timestamp: nowMs() };
      }),
  };
}

/** Detectors of the configured inventory (empty without a configuration source that lists them). */
export function inventoryDetectors(ctx: CoreContext): string[] {
  try {
    return ctx.config?.listDetectors?.() ?? [];
  } catch {
    return [];
  }
}
