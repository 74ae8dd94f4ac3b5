/**
 * Benchmark: placement of 20 tasks per host on 50, 100 and 200 hosts (1,000 / 2,000 / 4,000 tasks), all with
 * constraints: FLP tasks pinned by machine_id (with IPC same-host groups), detector-set tasks (`in`, `!=`), and EPN
 * tasks by role. A second environment is placed over the first's reservations. Prints the median of 15 runs.
 * Target: 4,000 tasks on 200 hosts in ≤ 50 ms, growing linearly.
 */
import { performance } from 'node:perf_hooks';
import { placeAll } from '../src/scheduler/placement.ts';
import { Ledger } from '../src/scheduler/placement-ledger.ts';
import type { HostOffer, PlacementRequest } from '../src/scheduler/placement-types.ts';

const DETECTORS = ['TPC', 'ITS', 'TOF', 'TRD', 'MFT', 'MCH', 'MID', 'FT0', 'EMC', 'PHS'];

function hostsFor(n: number): HostOffer[] {
  return Array.from({ length: n }, (_, i) => {
    const epn = i % 5 === 4;
    return {
      host: `${epn ? 'epn' : 'flp'}${String(i).padStart(3, '0')}`,
      cpu: 64,
      memoryMb: 256_000,
      ports: [
        { begin: 9000, end: 9999 },
        { begin: 30000, end: 30999 },
      ],
      attributes: epn
        ? { role: 'epn' }
        : {
            role: 'flp',
            detector: `${DETECTORS[i % 10] ?? ''},${DETECTORS[(i + 3) % 10] ?? ''}`,
            cards: String(1 + (i % 3)),
          },
    };
  });
}

function requestsFor(hosts: readonly HostOffer[], env: string): PlacementRequest[] {
  return hosts.flatMap((h, i) =>
    Array.from({ length: 20 }, (_, k): PlacementRequest => {
      const base = { taskId: `${env}.${h.host}.t${k}`, path: `${env}.${h.host}.t${k}`, staticPorts: [] };
      const ports = { dynamicPorts: 2, controlPort: true };
      if (h.attributes['role'] === 'epn')
        return {
          ...base,
          ...ports,
          cpu: 1,
          memoryMb: 4000,
          constraints: [{ attribute: 'role', operator: '=', value: 'epn' }],
        };
      if (k >= 18)
        return {
          ...base,
          ...ports,
          cpu: 0.5,
          memoryMb: 1000,
          constraints: [
            { attribute: 'detector', operator: 'in', value: `${DETECTORS[i % 10] ?? ''},TPC` },
            { attribute: 'cards', operator: '!=', value: '1' },
          ],
        };
      return {
        ...base,
        ...ports,
        cpu: 1,
        memoryMb: 2000,
        constraints: [{ attribute: 'machine_id', operator: '=', value: h.host }],
        ...(k < 3 ? { sameHostAs: `${env}.${h.host}.readout` } : {}),
      };
    }),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

console.log('hosts  tasks  cold ms  first env ms  second env ms  µs per task');
for (const n of (process.argv[2] ?? '50,100,200').split(',').map(Number)) {
  const hosts = hostsFor(n);
  const [a, b] = [requestsFor(hosts, 'envA'), requestsFor(hosts, 'envB')];
  const t0 = performance.now();
  placeAll(a, hosts, new Ledger());
  const cold = performance.now() - t0;
  const first: number[] = [];
  const second: number[] = [];
  for (let run = 0; run < 15; run++) {
    const ledger = new Ledger();
    let t = performance.now();
    const ra = placeAll(a, hosts, ledger, { envId: 'envA' });
    first.push(performance.now() - t);
    if (!ra.ok) throw new Error(`envA undeployable: ${ra.undeployable.length} tasks`);
    ledger.reserve('envA', ra.placements);
    t = performance.now();
    const rb = placeAll(b, hosts, ledger, { envId: 'envB' });
    second.push(performance.now() - t);
    if (!rb.ok) throw new Error(`envB undeployable: ${rb.undeployable.length} tasks`);
  }
  const [f, s] = [median(first), median(second)];
  console.log(
    [n, a.length, cold.toFixed(2), f.toFixed(2), s.toFixed(2), ((f * 1000) / a.length).toFixed(2)]
      .map((v, i) => String(v).padStart(i === 0 ? 5 : ([6, 8, 13, 14, 12][i - 1] ?? 8)))
      .join(' '),
  );
}
