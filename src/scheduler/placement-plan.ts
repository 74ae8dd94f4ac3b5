/**
 * From plan tasks to placement requests: resources, static ports, one dynamic port per generated TCP bind channel
 * plus a control port for `direct`/`fairmq` tasks, constraints, and same-host groups for tasks joined (directly or
 * through others) by IPC or shared-memory channels.
 */
import type { BindChannel, TaskDescriptor } from '../common/plan.ts';
import type { PlacementRequest } from './placement-types.ts';

/** Options of `requestsFromPlan`. */
export interface RequestOptions {
  /** Task id of a plan task; the role path by default. */
  readonly taskIdOf?: (t: TaskDescriptor) => string;
}

/**
 * One request per task, in plan order. A bind channel with an explicit `target` keeps its address and takes no
 * port. A connect channel resolved to a peer's bind channel joins the two tasks when the bind is IPC (by
 * `addressing` or an `ipc://` target) or either side uses transport `shmem`. The group key is the
 * lexicographically smallest path of the group; lone tasks have no `sameHostAs`.
 */
export function requestsFromPlan(
  tasks: readonly TaskDescriptor[],
  options: RequestOptions = {},
): PlacementRequest[] {
  const groups = sameHostGroups(tasks);
  const idOf = options.taskIdOf ?? ((t: TaskDescriptor) => t.path);
  return tasks.map((t) => {
    const tcp = t.bind.filter((b) => b.addressing === 'tcp' && b.target === undefined).map((b) => b.name);
    const control = t.control === 'direct' || t.control === 'fairmq';
    const group = groups.get(t.path);
    return {
      taskId: idOf(t),
      path: t.path,
      cpu: t.wants.cpu ?? 0,
      memoryMb: t.wants.memory ?? 0,
      staticPorts: t.wants.ports,
      dynamicPorts: tcp.length + (control ? 1 : 0),
      controlPort: control,
      tcpChannels: tcp,
      constraints: t.constraints,
      ...(group === undefined ? {} : { sameHostAs: group }),
    };
  });
}

/** Task path → group key, for tasks in groups of two or more. */
export function sameHostGroups(tasks: readonly TaskDescriptor[]): Map<string, string> {
  const byPath = new Map(tasks.map((t) => [t.path, t]));
  const parent = new Map<string, string>();
  const find = (p: string): string => {
    let root = p;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) ?? root;
    for (let q = p; q !== root;) {
      const next = parent.get(q) ?? root;
      parent.set(q, root);
      q = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const t of tasks)
    for (const c of t.connect) {
      const r = c.resolved;
      if (r?.kind !== 'channel') continue;
      const peer = byPath.get(r.taskPath);
      const bind = peer?.bind.find((b) => b.name === r.channel);
      if (
        peer !== undefined &&
        peer !== t &&
        bind !== undefined &&
        (isLocal(bind) || c.transport === 'shmem')
      )
        union(t.path, peer.path);
    }
  const members = new Map<string, number>();
  for (const t of tasks) members.set(find(t.path), (members.get(find(t.path)) ?? 0) + 1);
  const out = new Map<string, string>();
  for (const t of tasks) {
    const root = find(t.path);
    if ((members.get(root) ?? 0) > 1) out.set(t.path, root);
  }
  return out;
}

function isLocal(b: BindChannel): boolean {
  return b.addressing === 'ipc' || b.transport === 'shmem' || (b.target?.startsWith('ipc://') ?? false);
}
