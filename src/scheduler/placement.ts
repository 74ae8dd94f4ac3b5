/**
 * Engine-independent placement: decides on which host each task of an environment runs, with AliECS's matching
 * semantics (attribute constraints, CPU, memory, static and dynamic ports) plus `!=`, `in` and same-host groups.
 * Deterministic: same requests, hosts and ledger give the same result. Pure: no I/O, nothing reserved here —
 * the caller records the result with `ledger.reserve(envId, placements)`.
 */
import { aggregate } from './placement-explain.ts';
import type { Ledger } from './placement-ledger.ts';
import { milli } from './placement-ledger.ts';
import { HostIndex } from './placement-match.ts';
import { CHANNEL_PORT_FLOOR, CONTROL_PORT_FLOOR } from './placement-ports.ts';
import type {
  HostOffer,
  PlaceOptions,
  PlacementRequest,
  PlacementResult,
  TaskPlacement,
  UndeployableTask,
} from './placement-types.ts';
import { HostState, unitsOf, type Unit } from './placement-unit.ts';

/**
 * Places every request on one of the hosts, minus what the ledger holds. Same-host groups are placed first, as
 * one unit, then single tasks in input order. Among the hosts that satisfy all constraints and have room, the
 * ones already holding this environment's tasks come first, then the least loaded (CPU share), ties by name.
 * Dynamic ports: channels get the lowest free offered port ≥ 9000, the control port the lowest ≥ 30000 (either
 * falls back to the lowest free offered port). Placements come back in request order; a task that fits nowhere
 * is listed in `undeployable` with the reason of every host, aggregated.
 */
export function placeAll(
  requests: readonly PlacementRequest[],
  hosts: readonly HostOffer[],
  ledger: Ledger,
  options: PlaceOptions = {},
): PlacementResult {
  const index = new HostIndex(hosts);
  const states = index.hosts.map((h) => new HostState(h, ledger, options.envId));
  const placements: TaskPlacement[] = [];
  const undeployable: UndeployableTask[] = [];
  for (const u of unitsOf(requests)) {
    const chosen = choose(u, index.candidates(u.constraints), states);
    if (chosen === undefined) undeployable.push(...explain(u, states));
    else placements.push(...commit(u, chosen));
  }
  const order = new Map(requests.map((r, i) => [r.taskId, i]));
  const byInput = (a: { taskId: string }, b: { taskId: string }): number =>
    (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0);
  placements.sort(byInput);
  if (undeployable.length === 0) return { ok: true, placements };
  return { ok: false, undeployable: undeployable.sort(byInput), placements };
}

function choose(u: Unit, candidates: readonly number[], states: readonly HostState[]): HostState | undefined {
  let best: HostState | undefined;
  let bestLoad = 0;
  for (const i of candidates) {
    const s = states[i];
    if (s === undefined || !s.fits(u)) continue;
    const load = s.load();
    if (best === undefined || (s.hasEnv && !best.hasEnv) || (s.hasEnv === best.hasEnv && load < bestLoad)) {
      best = s;
      bestLoad = load;
    }
  }
  return best;
}

function commit(u: Unit, s: HostState): TaskPlacement[] {
  for (const p of u.staticPorts) s.ports.mark(p);
  s.hasEnv = true;
  return u.members.map((m) => {
    s.cpuFree -= milli(m.cpu);
    s.memoryFree -= milli(m.memoryMb);
    const control = m.controlPort === true && m.dynamicPorts > 0;
    const channelPorts = Array.from({ length: m.dynamicPorts - (control ? 1 : 0) }, () =>
      take(s, CHANNEL_PORT_FLOOR),
    );
    return {
      taskId: m.taskId,
      path: m.path,
      host: s.offer.host,
      cpu: m.cpu,
      memoryMb: m.memoryMb,
      staticPorts: m.staticPorts,
      channelPorts,
      ...(control ? { controlPort: take(s, CONTROL_PORT_FLOOR) } : {}),
    };
  });
}

function take(s: HostState, floor: number): number {
  const p = s.ports.take(floor);
  // fits() counted the free ports before choosing this host
  if (p === undefined) throw new Error(`placement invariant broken: no free port on ${s.offer.host}`);
  return p;
}

function explain(u: Unit, states: readonly HostState[]): UndeployableTask[] {
  const refusals = states.flatMap((s) => {
    const failure = s.failure(u);
    return failure === undefined ? [] : [{ host: s.offer.host, failure }];
  });
  const reasons = aggregate(refusals, u.members.length > 1 ? u.members.length : undefined);
  return u.members.map((m) => ({ taskId: m.taskId, path: m.path, reasons }));
}
