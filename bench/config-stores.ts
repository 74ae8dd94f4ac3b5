/**
 * Benchmark: the configuration stores (embedded and a real etcd on 127.0.0.1). Per store: NewRunNumber throughput
 * (2,000 sequential calls; 1,000 concurrent calls of one process) and 10,000 inventory-style reads (get of
 * `o2/hardware/flps/<host>/cards` and detector keys) over a store of 10,000 keys (~2.3 MB of values).
 * Run: `node --import tsx bench/config-stores.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

async function bench(name: string, store: ConfigStore): Promise<void> {
  const entries = inventory();
  const bytes = Object.values(entries).reduce((n, v) => n + Buffer.byteLength(v), 0);
  const loadMs = await time(() => store.putMany(entries));
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
  console.log(
    `${name.padEnd(9)}${fmt(Object.keys(entries).length)}${fmt(bytes / 1e6, 2)}${fmt(loadMs)}` +
      `${fmt(2000 / (seqMs / 1000))}${fmt(1000 / (concMs / 1000))}${fmt(readMs)}${fmt((readMs * 1000) / READS, 1)}` +
      `${fmt(service.lookupMs)}${fmt(service.p50, 2)}${fmt(service.p99, 2)}`,
  );
}

console.log(
  'store         keys  value MB   load ms  seq RN/s conc RN/s  10k get ms  µs/get  10k DetectorForHost ms  processed 20-line template p50 ms  p99 ms',
);
const dir = mkdtempSync(join(tmpdir(), 'axle-bench-store-'));
const embedded = new EmbeddedConfigStore(dir);
await bench('embedded', embedded);
await embedded.close();
rmSync(dir, { recursive: true, force: true });

const server = await startEtcd();
try {
  const etcd = new EtcdConfigStore(server.uri);
  await bench('etcd', etcd);
  await etcd.close();
} finally {
  await server.stop();
}

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
