/** Control API handlers for the framework, tasks, roles and integrated services; Teardown/Modify are Unimplemented. */
import { Code, ConnectError } from '@connectrpc/connect';
import type { ServiceImpl } from '@connectrpc/connect';
import type { Control } from '../gen/protos/o2control_pb.ts';
import type { RoleView } from '../environment/rollup.ts';
import type { TaskRecord } from '../environment/task-record.ts';
import type { CoreContext } from './core-context.ts';
import { nowMs, roleInfo, roleTree, shortTask, taskInfo } from './convert.ts';
import { inventoryDetectors } from './env-handlers.ts';
import { globOrInvalid } from './glob.ts';
import { checkEnvId, rpc } from './rpc-errors.ts';

type Handlers = Pick<
  ServiceImpl<typeof Control>,
  | 'getFrameworkInfo'
  | 'getTasks'
  | 'getTask'
  | 'cleanupTasks'
  | 'getRoles'
  | 'getIntegratedServices'
  | 'teardown'
  | 'modifyEnvironment'
>;

export function miscHandlers(ctx: CoreContext): Handlers {
  const m = ctx.manager;
  const allTasks = (): TaskRecord[] => m.list().flatMap((e) => e.tasks);
  const [major = 0, minor = 0, patch = 0] = ctx.version.split('.').map(Number);
  return {
    getFrameworkInfo: () =>
      rpc('GetFrameworkInfo', () => {
        const active = m.activeDetectors();
        const inventory = inventoryDetectors(ctx);
        return {
          frameworkId: ctx.coreId,
          environmentsCount: m.list().length,
          tasksCount: allTasks().length,
          state: 'CONNECTED',
          hostsCount: ctx.registry.hosts().length,
          instanceName: 'axle',
          version: { major, minor, patch, build: '', productName: 'Axle', versionStr: ctx.version },
          configurationEndpoint: configurationStatus(ctx),
          detectorsInInstance: inventory,
          activeDetectors: active,
          availableDetectors: inventory.filter((d) => !active.includes(d)),
          timestamp: nowMs(),
        };
      }),
    getTasks: () =>
      rpc('GetTasks', () => ({
        tasks: [
          ...allTasks().map(shortTask),
          ...m.releasedTasks().map(shortTask),
          ...orphans(ctx).map((id) => orphanInfo(ctx, id)),
        ],
        timestamp: nowMs(),
      })),
    getTask: (req) =>
      rpc('GetTask', () => {
        const t = allTasks().find((x) => x.taskId === req.taskId);
        if (t === undefined)
          throw new ConnectError(`GetTask: taskId: task ${req.taskId} not found`, Code.NotFound);
        return { task: taskInfo(t), timestamp: nowMs() };
      }),
    cleanupTasks: (req) =>
      rpc('CleanupTasks', async () => {
        const released = m.releasedTasks().map((t) => t.taskId);
        const free = [...released, ...orphans(ctx)];
        const asked = req.taskIds.length === 0 ? free : req.taskIds.filter((id) => free.includes(id));
        await m.cleanupReleased(asked.filter((id) => released.includes(id)));
        await ctx.registry.kill(asked.filter((id) => !released.includes(id)));
        return {
          killedTasks: asked.map((id) => ({ taskId: id, state: 'DONE' })),
          runningTasks: allTasks().map(shortTask),
          timestamp: nowMs(),
        };
      }),
    getRoles: (req) =>
      rpc('GetRoles', () => {
        const env = m.get(checkEnvId('GetRoles', 'envId', req.envId));
        const match = globOrInvalid('GetRoles', 'pathSpec', req.pathSpec === '' ? '**' : req.pathSpec);
        const found: RoleView[] = [];
        const walk = (r: RoleView): void => {
          if (match.test(r.path)) found.push(r);
          r.children.forEach(walk);
        };
        walk(roleTree(env));
        return { roles: found.map((r) => roleInfo(r, env)), timestamp: nowMs() };
      }),
    getIntegratedServices: () =>
      rpc('GetIntegratedServices', () => ({
        services: Object.fromEntries(
          ctx.integrations.services().map((s) => [
            s.id,
            {
              name: s.name,
              enabled: s.enabled,
              endpoint: s.endpoint,
              connectionState: s.connectionState,
              data: withReason(s.data, s.reason),
            },
          ]),
        ),
        timestamp: nowMs(),
      })),
    teardown: () => Promise.reject(new ConnectError('Teardown is not implemented', Code.Unimplemented)),
    modifyEnvironment: () =>
      Promise.reject(new ConnectError('ModifyEnvironment is not implemented', Code.Unimplemented)),
  };
}

/** A plugin's data JSON with `connectionError` (why its endpoint cannot be reached) added to it, when there is one. */
function withReason(data: string, reason: string | undefined): string {
  if (reason === undefined) return data;
  let parsed: unknown;
  try {
    parsed = data === '' ? {} : JSON.parse(data);
  } catch {
    return data;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return data;
  return JSON.stringify({ ...parsed, connectionError: reason });
}

/** Tasks on agents that the core knows nothing else about (e.g. still running from before a core restart). */
function orphans(ctx: CoreContext): string[] {
  const known = new Set([
    ...ctx.manager.list().flatMap((e) => e.tasks.map((t) => t.taskId)),
    ...ctx.manager.releasedTasks().map((t) => t.taskId),
  ]);
  return ctx.registry.deployedTasks().filter((id) => !known.has(id));
}

function orphanInfo(
  ctx: CoreContext,
  taskId: string,
): { taskId: string; locked: boolean; deploymentInfo: { hostname: string }; state: string; status: string } {
  return {
    taskId,
    locked: false,
    deploymentInfo: { hostname: ctx.registry.hostOfTask(taskId) ?? '' },
    state: 'UNKNOWN',
    status: 'ACTIVE',
  };
}

/** The configuration's URI, and when the core is serving a cached copy because the store is unreachable, why. */
function configurationStatus(ctx: CoreContext): string {
  const stale = (ctx.config as { readonly staleMessage?: string } | undefined)?.staleMessage;
  return `${ctx.config?.uri ?? 'none'}${stale !== undefined ? ` (${stale})` : ''}`;
}
