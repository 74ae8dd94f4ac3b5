/**
 * Benchmark: the configuration stores (embedded and a real etcd on 127.0.0.1). Per store, over a store of 10,000
 * keys (~1.3 MB of values): NewRunNumber per call (3 runs of 500 sequential calls: min and median of the runs' means),
 * 4 processes × 1,000 concurrent NewRunNumber from a common start (wall time, uniqueness, gaps), NewRunNumber
 * throughput of one process (2,000 sequential, 1,000 concurrent), 10,000 inventory-style reads and the Apricot
 * service's figures. Prints `uptime` before and after. Run: `node --import tsx bench/config-stores.ts`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORE_CHILD_SCRIPT } from '../src/config/store-contract-support.ts';
import type { ChildStoreSpec } from '../src/config/store-contract-child.ts';
import { EmbeddedConfigStore } from '../src/config/embedded-store.ts';
import { EtcdConfigStore } from '../src/config/etcd-store.ts';
import { startEtcd } from '../src/config/etcd-store-server.ts';
import { newRunNumber } from '../src/config/store.ts';
import type { ConfigStore } from '../src/config/store.ts';
import { ApricotService } from '../src/config/apricot-service.ts';

const HOSTS = 2500;
const READS = 10_000;

/** 10,000 keys: per host its cards, a detector membership, aliases and a component payload. */
function inventory(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let h = 0; h < HOSTS; h++) {
    const host = `flp${String(h).padStart(4, '0')}`;
    const det = `D${h % 20}`;
    const card = (n: number): string =>
      `"${n}": {"type": "CRU", "pciAddress": "3b:00.${n}", "serial": "${1000 + h}", "endpoint": "${n}", "numa": "0"}`;
    entries[`o2/hardware/flps/${host}/cards`] = `{${card(0)}, ${card(1)}}`;
    entries[`o2/hardware/detectors/${det}/flps/${host}`] = '';
    entries[`o2/hardware/detectors/${det}/flps/${host}/aliases`] = `{"flp": {"alias": "${host}-a"}}`;
    entries[`o2/components/readoutcard/${host}/cru/${1000 + h}/0`] = `{"link0": {"enabled": "true"}}`.repeat(
      10,
    );
  }
  return entries;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** NewRunNumber per call (ms): the mean of `calls` sequential calls, in each of `runs` runs; min and median. */
async function perCall(store: ConfigStore, runs = 3, calls = 500): Promise<{ min: number; median: number }> {
  const means: number[] = [];
  for (let r = 0; r < runs; r++) {
    const ms = await time(async () => {
      for (let i = 0; i < calls; i++) await newRunNumber(store);
    });
    means.push(ms / calls);
  }
  means.sort((a, b) => a - b);
  return { min: means[0] ?? NaN, median: means[Math.floor(means.length / 2)] ?? NaN };
}

interface Burst {
  readonly numbers: number[];
  readonly start: number;
  readonly end: number;
}

/** Starts `processes` children on `spec`, each ready to ask for `count` run numbers; starts them together. */
async function processBurst(spec: ChildStoreSpec, processes: number, count: number): Promise<Burst[]> {
  const job = JSON.stringify({ ...spec, action: 'run-numbers-on-go', count });
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', STORE_CHILD_SCRIPT, job], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((c) => {
    let out = '';
    c.stdout.setEncoding('utf8');
    c.stdout.on('data', (chunk: string) => (out += chunk));
    return {
      ready: new Promise<void>((resolve) => {
        const check = (): void => void (out.includes('ready\n') && resolve());
        c.stdout.on('data', check);
      }),
      done: new Promise<Burst>((resolve, reject) =>
        c.once('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Burst)
            : reject(new Error(`run-number child exited with ${code}`)),
        ),
      ),
    };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const c of children) c.stdin.end('go\n');
  return await Promise.all(outputs.map((o) => o.done));
}

/**
 * The old implementation's figures (one data file rewritten per write; get + compare-and-swap per run number), as
 * recorded in bench/RESULTS.md (2026-12-03, this benchmark): median ms per call and 4 × 1,000 wall ms.
 */
const OLD: Record<string, { perCall: number; burst: number }> = {
  embedded: { perCall: 13.451, burst: 447_550 },
  etcd: { perCall: 8.158, burst: 60_971 },
};

/** NewRunNumber figures: per call, and 4 processes × 1,000 concurrent calls (wall time, uniqueness, gaps). */
async function runNumberFigures(name: string, store: ConfigStore, spec: ChildStoreSpec): Promise<void> {
  const call = await perCall(store);
  const before = Number((await store.get('o2/runtime/run_number')) ?? '0');
  const bursts = await processBurst(spec, 4, 1000);
  const all = bursts.flatMap((b) => b.numbers).sort((a, b) => a - b);
  const wall = Math.max(...bursts.map((b) => b.end)) - Math.min(...bursts.map((b) => b.start));
  const unique = new Set(all).size === all.length;
  const gapFree = all.every((n, i) => n === before + i + 1);
  console.log(
    `${name.padEnd(9)} NewRunNumber per call: min ${call.min.toFixed(3)} ms, median ${call.median.toFixed(3)} ms` +
      ` | 4 processes × 1,000 concurrent: ${wall} ms wall, ${all.length} numbers, ` +
      `${unique ? 'unique' : 'DUPLICATES'}, ${gapFree ? 'gap-free' : 'GAPS'} (${before + 1}..${all.at(-1) ?? '-'})`,
  );
  const old = OLD[name];
  if (old !== undefined) {
    console.log(
      `${' '.repeat(10)}vs the old implementation (recorded in RESULTS.md, not run here): per call ` +
        `×${(old.perCall / call.median).toFixed(1)} faster, 4 × 1,000 ×${(old.burst / wall).toFixed(0)} faster`,
    );
  }
}

async function bench(name: string, store: ConfigStore, spec: ChildStoreSpec): Promise<void> {
  const entries = inventory();
  const bytes = Object.values(entries).reduce((n, v) => n + Buffer.byteLength(v), 0);
  const loadMs = await time(() => store.putMany(entries));
  await runNumberFigures(name, store, spec);
  const seqMs = await time(async () => {
    for (let i = 0; i < 2000; i++) await newRunNumber(store);
  });
  const concMs = await time(() => Promise.all(Array.from({ length: 1000 }, () => newRunNumber(store))));
  const keys = Object.keys(entries).filter((k) => k.endsWith('/cards') || k.endsWith('/aliases'));
  const readMs = await time(async () => {
    for (let i = 0; i < READS; i++) await store.get(keys[i % keys.length] ?? '');
  });
  const service = await serviceFigures(store);
  const fmt = (v: number, d = 0): string => v.toFixed(d).padStart(10);
  console.log(HEADER);
  console.log(
    `${name.padEnd(9)}${fmt(Object.keys(entries).length)}${fmt(bytes / 1e6, 2)}${fmt(loadMs)}` +
      `${fmt(2000 / (seqMs / 1000))}${fmt(1000 / (concMs / 1000))}${fmt(readMs)}${fmt((readMs * 1000) / READS, 1)}` +
      `${fmt(service.lookupMs)}${fmt(service.p50, 2)}${fmt(service.p99, 2)}`,
  );
}

const HEADER =
  'store         keys  value MB   load ms  seq RN/s conc RN/s  10k get ms  µs/get  10k DetectorForHost ms  processed 20-line template p50 ms  p99 ms';
/** The disk's floor for a durable write: median time of 200 × (write 4 KB + fsync) in `dir` (ms). */
function fsyncFloor(dir: string): number {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    writeSync(fd, block, 0, block.length, 0);
    fsyncSync(fd);
    samples.push(performance.now() - t0);
  }
  closeSync(fd);
  rmSync(join(dir, 'fsync-probe'));
  return samples.sort((a, b) => a - b)[100] ?? NaN;
}

const uptime = (): string => execFileSync('uptime', { encoding: 'utf8' }).trim();

console.log(`before: ${uptime()}`);
const dir = mkdtempSync(join(tmpdir(), 'axle-bench-store-'));
console.log(`fsync floor (4 KB write + fsync, median of 200): ${fsyncFloor(dir).toFixed(3)} ms`);
const embedded = new EmbeddedConfigStore(dir);
const embeddedModule = new URL('../src/config/embedded-store.ts', import.meta.url).href;
await bench('embedded', embedded, { module: embeddedModule, exportName: 'EmbeddedConfigStore', arg: dir });
await embedded.close();
rmSync(dir, { recursive: true, force: true });

const server = await startEtcd();
try {
  const etcd = new EtcdConfigStore(server.uri);
  const etcdModule = new URL('../src/config/etcd-store.ts', import.meta.url).href;
  await bench('etcd', etcd, { module: etcdModule, exportName: 'EtcdConfigStore', arg: server.uri });
  await etcd.close();
} finally {
  await server.stop();
}
console.log(`after: ${uptime()}`);

/**
 * Through the Apricot service over `store`: 10,000 DetectorForHost look-ups, and the latency of a processed
 * GetComponentConfiguration of a 20-line template (1,000 calls with a varying var stack; p50 and p99).
 */
async function serviceFigures(store: ConfigStore): Promise<{ lookupMs: number; p50: number; p99: number }> {
  const service = new ApricotService(store);
  const lookupMs = await time(async () => {
    for (let i = 0; i < READS; i++)
      await service.getDetectorForHost(`flp${String(i % HOSTS).padStart(4, '0')}`);
  });
  const lines = Array.from({ length: 20 }, (_, i) => `key${i} = {{ host }}-{{ rate }}-${i}`).join('\n');
  await store.put('o2/components/readout/ANY/any/bench-template', lines);
  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    await service.getComponentConfiguration({ path: 'readout/ANY/any/bench-template' }, true, {
      host: `flp${i}`,
      rate: String(i),
    });
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  service.close();
  return { lookupMs, p50: samples[500] ?? NaN, p99: samples[990] ?? NaN };
}
