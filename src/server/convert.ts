/** Domain → wire conversions for the control API (o2control messages), one place for every mapping. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Environment } from '../environment/environment.ts';
import type { RoleView } from '../environment/rollup.ts';
import { rollUp } from '../environment/rollup.ts';
import type { TaskRecord } from '../environment/task-record.ts';
import type {
  EnvironmentInfoSchema,
  RoleInfoSchema,
  ShortTaskInfoSchema,
  TaskInfoSchema,
} from '../gen/protos/o2control_pb.ts';

type Init = MessageInitShape<typeof EnvironmentInfoSchema>;

export const nowMs = (): bigint => BigInt(Date.now());

export function shortTask(t: TaskRecord): MessageInitShape<typeof ShortTaskInfoSchema> {
  return {
    name: `${t.desc.taskTemplate}#${t.taskId}`,
    locked: t.locked,
    taskId: t.taskId,
    status: t.status,
    state: t.state,
    className: t.desc.taskTemplate,
    deploymentInfo: { hostname: t.host, agentId: t.host, offerId: '', executorId: t.host },
    pid: t.pid === 0 ? '' : String(t.pid),
    sandboxStdout: '',
    claimable: !t.locked && t.status === 'ACTIVE' && t.state === 'STANDBY',
    critical: t.desc.critical,
  };
}

export function taskInfo(t: TaskRecord): MessageInitShape<typeof TaskInfoSchema> {
  const c = t.desc.command;
  return {
    shortInfo: shortTask(t),
    inboundChannels: t.desc.bind.map((b) => ({
      name: b.name,
      type: b.type,
      target: t.endpoints[b.name] ?? b.target ?? '',
    })),
    outboundChannels: t.desc.connect.map((o) => ({ name: o.name, type: o.type, target: o.target })),
    commandInfo: {
      env: [...c.env],
      shell: c.shell,
      value: c.value,
      arguments: [...c.arguments],
      user: c.user,
    },
    taskPath: t.desc.path,
    envId: t.environmentId,
    properties: { ...t.desc.properties },
  };
}

/** `integratedServicesData`: plugin id → JSON for this environment (from the enabled plugins). */
export function environmentInfo(
  env: Environment,
  withTasks: boolean,
  integratedServicesData: Readonly<Record<string, string>> = {},
): Init {
  const hosts = new Set(env.tasks.map((t) => t.host).filter((h) => h !== ''));
  const active = env.tasks.filter((t) => t.status === 'ACTIVE').length;
  return {
    id: env.id,
    createdWhen: BigInt(env.createdAt),
    state: env.state,
    tasks: withTasks ? env.tasks.map(shortTask) : [],
    rootRole: env.plan.root.name,
    currentRunNumber: env.runNumber,
    defaults: { ...env.defaults },
    vars: { ...env.vars },
    userVars: { ...env.userVars },
    numberOfFlps: countHosts(env.variable('hosts')),
    includedDetectors: [...env.detectors],
    description: env.description,
    numberOfHosts: hosts.size,
    integratedServicesData: { ...integratedServicesData },
    numberOfTasks: env.tasks.length,
    currentTransition: env.currentTransition,
    numberOfActiveTasks: active,
    numberOfInactiveTasks: env.tasks.length - active,
    lastError: env.lastError,
  };
}

function countHosts(hosts: string | undefined): number {
  try {
    const v: unknown = JSON.parse(hosts ?? '[]');
    return Array.isArray(v) ? v.length : 0;
  } catch {
    return 0;
  }
}

/** The role tree with states for `GetEnvironment(showWorkflowTree)` and `GetRoles`. */
export function roleTree(env: Environment): RoleView {
  return rollUp(env.plan.root, env.taskByPath(), !['STANDBY', 'DONE'].includes(env.state));
}

export function roleInfo(
  r: RoleView,
  env: Environment,
  deep = true,
): MessageInitShape<typeof RoleInfoSchema> {
  const isRoot = r.path === env.plan.root.path;
  return {
    name: r.name,
    status: r.status,
    state: r.state,
    fullPath: r.path,
    taskIds: [...r.taskIds],
    roles: deep ? r.children.map((c) => roleInfo(c, env)) : [],
    defaults: isRoot ? { ...env.defaults } : {},
    vars: isRoot ? { ...env.vars } : {},
    userVars: isRoot ? { ...env.userVars } : {},
    consolidatedStack: isRoot ? { ...env.defaults, ...env.vars, ...env.userVars } : {},
    description: isRoot ? env.description : '',
  };
}
