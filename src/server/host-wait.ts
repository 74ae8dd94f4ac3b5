/**
 * DEPLOY on agents that are not all there yet: when tasks cannot be placed because the hosts they expect are not
 * connected — no host at all, a host a task's `machine_id` constraint names, or a host the core's own engine runs
 * (an agent still starting or restarting) — placement is tried again each time an agent connects, until every task
 * is placed or the deadline (`deploy_timeout`) passes. Tasks that do not fit the connected hosts for other reasons
 * fail at once, as before.
 */
import type { LaunchRequest } from '../environment/task-controller.ts';
import type { Placement } from './launch-placement.ts';

export interface HostWaitOptions {
  readonly requests: readonly LaunchRequest[];
  /** One placement attempt over the hosts connected now. */
  readonly place: () => Map<string, Placement>;
  /** Hosts connected now. */
  readonly connected: () => ReadonlySet<string>;
  /** Hosts the core expects to connect (its local agents). */
  readonly expected: ReadonlySet<string>;
  /** Resolves when an agent connects or after `ms`, whichever first. */
  readonly nextAttach: (ms: number) => Promise<void>;
  readonly timeoutMs: number;
  /** True once the registry stops: waiting ends. */
  readonly stopped: () => boolean;
  readonly now?: () => number;
}

/** The placement once every task is placed, nothing more is awaited, or the time is up (reason says so). */
export async function placeWaitingForHosts(o: HostWaitOptions): Promise<Map<string, Placement>> {
  const now = o.now ?? Date.now;
  const start = now();
  for (;;) {
    const placement = o.place();
    const awaited = awaitedHosts(o.requests, placement, o.connected(), o.expected);
    const left = start + o.timeoutMs - now();
    if (awaited === undefined) return placement;
    if (left <= 0 || o.stopped()) return withWaitNote(placement, awaited, now() - start);
    await o.nextAttach(left);
  }
}

/**
 * The hosts worth waiting for (`[]` = any host, none being connected), or undefined when every task is placed or
 * the unplaced ones would not fit even if the awaited hosts came.
 */
function awaitedHosts(
  requests: readonly LaunchRequest[],
  placement: ReadonlyMap<string, Placement>,
  connected: ReadonlySet<string>,
  expected: ReadonlySet<string>,
): string[] | undefined {
  const unplaced = requests.filter((r) => placement.get(r.taskId)?.ok !== true);
  if (unplaced.length === 0) return undefined;
  if (connected.size === 0) return [];
  const named = unplaced.flatMap((r) =>
    r.constraints
      .filter((c) => c.attribute === 'machine_id' && c.operator === '=' && !connected.has(c.value))
      .map((c) => c.value),
  );
  const missing = new Set([...named, ...[...expected].filter((h) => !connected.has(h))]);
  return missing.size === 0 ? undefined : [...missing].sort();
}

function withWaitNote(
  placement: Map<string, Placement>,
  awaited: readonly string[],
  waitedMs: number,
): Map<string, Placement> {
  const what = awaited.length === 0 ? 'any host' : awaited.join(', ');
  const note = `; waited ${waitedMs} ms (deploy_timeout bounds the wait) for ${what} to connect`;
  for (const [id, p] of placement) if (!p.ok) placement.set(id, { ...p, reason: `${p.reason}${note}` });
  return placement;
}
