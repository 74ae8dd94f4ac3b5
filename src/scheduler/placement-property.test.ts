import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeAll } from './placement.ts';
import { Ledger, milli, portsOf } from './placement-ledger.ts';
import { satisfies } from './placement-match.ts';
import type { HostOffer, PlacementConstraint, PlacementRequest, PlacementResult } from './placement-types.ts';

/** mulberry32: a small seeded PRNG, so every run sees the same "random" inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DETECTORS = ['TPC', 'ITS', 'TOF', 'TRD'];

function randomHosts(rnd: () => number): HostOffer[] {
  return Array.from({ length: 3 + Math.floor(rnd() * 12) }, (_, i) => {
    const low = 9000 + Math.floor(rnd() * 5);
    return {
      host: `h${String(i).padStart(2, '0')}`,
      cpu: Math.floor(rnd() * 8) + 0.5,
      memoryMb: 500 + Math.floor(rnd() * 4000),
      ports: [
        { begin: low, end: low + Math.floor(rnd() * 8) },
        { begin: 30000, end: 30000 + Math.floor(rnd() * 4) },
      ],
      attributes: {
        detector: DETECTORS.filter(() => rnd() < 0.4).join(','),
        cards: String(Math.floor(rnd() * 3)),
      },
    };
  });
}

function randomConstraint(rnd: () => number, hosts: readonly HostOffer[]): PlacementConstraint {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) return { attribute: 'machine_id', operator: '=', value: pick(hosts).host };
  if (kind === 1)
    return { attribute: 'detector', operator: pick(['=', '!='] as const), value: pick(DETECTORS) };
  if (kind === 2)
    return { attribute: 'detector', operator: 'in', value: `${pick(DETECTORS)},${pick(DETECTORS)}` };
  return { attribute: 'cards', operator: pick(['=', '!='] as const), value: String(Math.floor(rnd() * 3)) };
}

function randomRequests(rnd: () => number, hosts: readonly HostOffer[], env: string): PlacementRequest[] {
  return Array.from({ length: 5 + Math.floor(rnd() * 30) }, (_, i) => ({
    taskId: `${env}-t${i}`,
    path: `${env}.t${i}`,
    cpu: Math.round(rnd() * 20) / 10,
    memoryMb: Math.floor(rnd() * 800),
    staticPorts: rnd() < 0.1 ? [{ begin: 9002, end: 9002 + Math.floor(rnd() * 2) }] : [],
    dynamicPorts: Math.floor(rnd() * 3),
    controlPort: rnd() < 0.7,
    constraints: rnd() < 0.5 ? [randomConstraint(rnd, hosts)] : [],
    ...(rnd() < 0.2 ? { sameHostAs: `${env}-g${Math.floor(rnd() * 3)}` } : {}),
  }));
}

function checkInvariants(
  hosts: readonly HostOffer[],
  ledger: Ledger,
  all: readonly PlacementRequest[],
): void {
  const byId = new Map(all.map((r) => [r.taskId, r]));
  const placements = ledger.environments().flatMap((e) => ledger.placementsOf(e));
  for (const h of hosts) {
    const here = placements.filter((p) => p.host === h.host);
    assert.ok(here.reduce((n, p) => n + milli(p.cpu), 0) <= milli(h.cpu), `cpu over-committed on ${h.host}`);
    assert.ok(here.reduce((n, p) => n + milli(p.memoryMb), 0) <= milli(h.memoryMb), `memory on ${h.host}`);
    const ports = here.flatMap(portsOf);
    assert.equal(new Set(ports).size, ports.length, `port double-booked on ${h.host}`);
    for (const port of ports)
      assert.ok(
        h.ports.some((r) => port >= r.begin && port <= r.end),
        `port ${port} not offered by ${h.host}`,
      );
    for (const p of here)
      for (const c of byId.get(p.taskId)?.constraints ?? [])
        assert.ok(satisfies(h, c), `${p.taskId} on ${h.host}`);
  }
  const groupHosts = new Map<string, Set<string>>();
  for (const p of placements) {
    const g = byId.get(p.taskId)?.sameHostAs;
    if (g !== undefined) groupHosts.set(g, (groupHosts.get(g) ?? new Set()).add(p.host));
  }
  for (const [g, hs] of groupHosts) assert.equal(hs.size, 1, `group ${g} split over ${[...hs].join(',')}`);
}

function scenario(seed: number): PlacementResult[] {
  const rnd = prng(seed);
  const hosts = randomHosts(rnd);
  const ledger = new Ledger();
  const all: PlacementRequest[] = [];
  const results: PlacementResult[] = [];
  for (let e = 0; e < 4; e++) {
    const env = `env${e}`;
    const reqs = randomRequests(rnd, hosts, env);
    all.push(...reqs);
    const r = placeAll(reqs, hosts, ledger, { envId: env });
    results.push(r);
    const accounted = r.placements.length + (r.ok ? 0 : r.undeployable.length);
    assert.equal(accounted, reqs.length, 'every task is placed or explained');
    if (!r.ok) for (const u of r.undeployable) assert.ok(u.reasons.length > 0, `${u.taskId} has reasons`);
    assert.deepEqual(ledger.reserve(env, r.placements), { ok: true });
    if (e === 2) ledger.release('env1');
    checkInvariants(hosts, ledger, all);
  }
  return results;
}

test('random scenarios: never over-commits, never double-books, constraints and groups hold, deterministic', () => {
  let placed = 0;
  let refused = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const first = scenario(seed);
    assert.deepEqual(scenario(seed), first, `seed ${seed} is deterministic`);
    for (const r of first) {
      placed += r.placements.length;
      refused += r.ok ? 0 : r.undeployable.length;
    }
  }
  assert.ok(
    placed > 5000 && refused > 1000,
    `the inputs exercise both outcomes (${placed} placed, ${refused} refused)`,
  );
});
