/**
 * Start-up of the programs (`npm run bench`, or `node --import tsx bench/cli-start.ts [runs]`): `axle --help` compiled
 * and through tsx, `axle env list` against a running core, and a core's time from process start to ready (gRPC health
 * SERVING), each as min/median of N runs and as a ratio to a bare `node -e 0`. Builds dist/ first (`npm run build`).
 */
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health, HealthCheckResponse_ServingStatus } from '../src/gen/grpc/health/v1/health_pb.ts';
import { buildProgram } from '../scripts/build.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'axle.js');
const RUNS = Math.max(5, Number(process.argv[2] ?? '7'));

interface Row {
  readonly label: string;
  readonly ms: number[];
}

function timed(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return ms;
}

function repeat(label: string, once: () => number): Row {
  return { label, ms: Array.from({ length: RUNS }, once) };
}

async function repeatAsync(label: string, once: () => Promise<number>): Promise<Row> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) ms.push(await once());
  return { label, ms };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Starts `axle core` (compiled; by default as the quick start: example repository, one local agent) in a fresh state dir. */
async function startCore(
  port: number,
  flags: string[] = [],
): Promise<{ ready: number; stop: () => Promise<void> }> {
  const state = mkdtempSync(join(tmpdir(), 'axle-bench-core-'));
  const t0 = performance.now();
  const core = spawn(
    process.execPath,
    [BIN, '--state-dir', state, 'core', '--port', String(port), ...flags],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  const exited = new Promise((r) => core.once('exit', r));
  const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await health.check({ service: '' }, { timeoutMs: 1000 });
      if (r.status === HealthCheckResponse_ServingStatus.SERVING) break;
    } catch {
      if (Date.now() > end || core.exitCode !== null) throw new Error('core: not SERVING within 60 s');
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ready = performance.now() - t0;
  const stop = async (): Promise<void> => {
    core.kill('SIGTERM');
    await exited;
    rmSync(state, { recursive: true, force: true });
  };
  return { ready, stop };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

process.stdout.write(`uptime before: ${execSync('uptime').toString().trim()}\n`);
const built = performance.now();
await buildProgram();
process.stdout.write(`npm run build: ${Math.round(performance.now() - built)} ms; ${RUNS} runs each\n`);

const rows: Row[] = [];
rows.push(repeat('node -e 0', () => timed(['-e', '0'])));
rows.push(repeat('axle --help (compiled)', () => timed([BIN, '--help'])));
rows.push(
  repeat('axle --help (tsx fallback, no build)', () =>
    timed([BIN, '--help'], { AXLE_DIST: join(ROOT, 'no-build') }),
  ),
);
const eager = "const { buildProgram } = await import('./src/cli/program.ts'); buildProgram().outputHelp();";
rows.push(
  repeat('axle --help (tsx, all commands loaded: before)', () =>
    timed(['--import', 'tsx', '--input-type=module', '-e', eager]),
  ),
);
const port = await freePort();
const core = await startCore(port);
try {
  const endpoint = `127.0.0.1:${port}`;
  rows.push(
    repeat('axle env list (compiled, running core)', () =>
      timed([BIN, '--endpoint', endpoint, 'env', 'list']),
    ),
  );
} finally {
  await core.stop();
}
for (const [label, flags] of [
  ['axle core: start to SERVING (compiled)', []],
  ['axle core --no-example: start to SERVING', ['--no-example']],
] as const) {
  rows.push(
    await repeatAsync(label, async () => {
      const c = await startCore(await freePort(), [...flags]);
      await c.stop();
      return c.ready;
    }),
  );
}

const base = median(rows[0]?.ms ?? []);
process.stdout.write(
  `${'what'.padEnd(48)} ${'min ms'.padStart(8)} ${'median ms'.padStart(10)}  × node -e 0\n`,
);
for (const r of rows) {
  const [min, med] = [Math.min(...r.ms), median(r.ms)];
  process.stdout.write(
    `${r.label.padEnd(48)} ${min.toFixed(0).padStart(8)} ${med.toFixed(0).padStart(10)}  ${(med / base).toFixed(1).padStart(5)}\n`,
  );
}
process.stdout.write(`uptime after: ${execSync('uptime').toString().trim()}\n`);
