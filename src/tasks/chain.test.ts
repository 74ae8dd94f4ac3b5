// A data chain of real processes, readout (direct) → builder (fairmq) → sink (fairmq), over TCP and over IPC:
// frames flow only while readout is RUNNING, and the sink's count is reported in $AXLE_TASK_STATS.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driveTransition } from '../occ/drive-transition.ts';
import { TaskPool, freePort, sleep, type SpawnedTask } from './test-harness.ts';
import { waitUntil } from '../common/testing/wait.ts';

const pool = new TaskPool();
const dir = mkdtempSync(join(tmpdir(), 'axle-chain-'));
after(async () => {
  await pool.killAll();
  rmSync(dir, { recursive: true, force: true });
});

interface Addresses {
  readonly readoutBind: string;
  readonly readoutConnect: string;
  readonly outBind: string;
  readonly outConnect: string;
}

const chan = (name: string, address: string, method: string, type: string): Record<string, string> => ({
  [`chans.${name}.numSockets`]: '1',
  [`chans.${name}.0.address`]: address,
  [`chans.${name}.0.method`]: method,
  [`chans.${name}.0.type`]: type,
  [`chans.${name}.0.rateLogging`]: '0',
});

const go = (task: SpawnedTask, mode: 'direct' | 'fairmq', event: string, srcState: string, args = {}) =>
  driveTransition(task.client, mode, { event, srcState, arguments: args });

async function runChain(label: string, a: Addresses): Promise<void> {
  const stats = join(dir, `${label}.json`);
  const frames = (): number => (JSON.parse(readFileSync(stats, 'utf8')) as { frames: number }).frames;
  const [readout, builder, sink] = await Promise.all([
    pool.spawn('readout', ['--rate', '200']),
    pool.spawn('builder'),
    pool.spawn('sink', [], { AXLE_TASK_STATS: stats }),
  ]);
  await go(readout, 'direct', 'CONFIGURE', 'STANDBY', chan('readout', a.readoutBind, 'bind', 'push'));
  await go(builder, 'fairmq', 'CONFIGURE', 'STANDBY', {
    ...chan('readout', a.readoutConnect, 'connect', 'pull'),
    ...chan('out', a.outBind, 'bind', 'push'),
  });
  await go(sink, 'fairmq', 'CONFIGURE', 'STANDBY', chan('in', a.outConnect, 'connect', 'pull'));

  // Everything but readout running: nothing flows.
  await go(builder, 'fairmq', 'START', 'CONFIGURED', { runNumber: '1' });
  await go(sink, 'fairmq', 'START', 'CONFIGURED', { runNumber: '1' });
  await sleep(300);
  await go(sink, 'fairmq', 'STOP', 'RUNNING');
  assert.equal(frames(), 0, `${label}: no frames before readout runs`);

  // Readout running: frames arrive.
  await go(sink, 'fairmq', 'START', 'CONFIGURED', { runNumber: '1' });
  await go(readout, 'direct', 'START', 'CONFIGURED', { runNumber: '1' });
  await sleep(500);
  await go(readout, 'direct', 'STOP', 'RUNNING');
  await sleep(150);
  await go(sink, 'fairmq', 'STOP', 'RUNNING');
  const received = frames();
  assert.ok(received > 20, `${label}: frames flowed while RUNNING (${received})`);

  // Readout stopped: the count stays where it was.
  await go(sink, 'fairmq', 'START', 'CONFIGURED', { runNumber: '1' });
  await sleep(300);
  await go(sink, 'fairmq', 'STOP', 'RUNNING');
  assert.equal(frames(), received, `${label}: count constant after STOP`);

  await go(builder, 'fairmq', 'STOP', 'RUNNING');
  await Promise.all([
    go(readout, 'direct', 'EXIT', 'CONFIGURED'),
    go(builder, 'fairmq', 'EXIT', 'CONFIGURED'),
    go(sink, 'fairmq', 'EXIT', 'CONFIGURED'),
  ]);
  assert.deepEqual(await Promise.all([readout.exited, builder.exited, sink.exited]), [0, 0, 0]);
  assert.equal(frames(), received, `${label}: stats written at exit`);
  assert.match(sink.output(), new RegExp(`exit: ${received} frames received`));
}

test('readout → builder → sink over TCP', async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  await runChain('tcp', {
    readoutBind: `tcp://*:${p1}`,
    readoutConnect: `tcp://127.0.0.1:${p1}`,
    outBind: `tcp://*:${p2}`,
    outConnect: `tcp://127.0.0.1:${p2}`,
  });
});

test('readout → builder → sink over IPC (abstract sockets)', async () => {
  const base = `axle-test-${process.pid}`;
  await runChain('ipc', {
    readoutBind: `ipc://@${base}-readout`,
    readoutConnect: `ipc://@${base}-readout`,
    outBind: `ipc://@${base}-out`,
    outConnect: `ipc://@${base}-out`,
  });
});

test('while RUNNING every task of the chain logs its count and rate every second, counted per run', async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  const stats = join(dir, 'rate.json');
  const [readout, builder, sink] = await Promise.all([
    pool.spawn('readout', ['--rate', '100']),
    pool.spawn('builder'),
    pool.spawn('sink', [], { AXLE_TASK_STATS: stats }),
  ]);
  await go(readout, 'direct', 'CONFIGURE', 'STANDBY', chan('readout', `tcp://*:${p1}`, 'bind', 'push'));
  await go(builder, 'fairmq', 'CONFIGURE', 'STANDBY', {
    ...chan('readout', `tcp://127.0.0.1:${p1}`, 'connect', 'pull'),
    ...chan('out', `tcp://*:${p2}`, 'bind', 'push'),
  });
  await go(sink, 'fairmq', 'CONFIGURE', 'STANDBY', chan('in', `tcp://127.0.0.1:${p2}`, 'connect', 'pull'));
  const tasks = [
    { task: readout, verb: 'sent' },
    { task: builder, verb: 'forwarded' },
    { task: sink, verb: 'received' },
  ];
  const endedCount = (run: number): number => {
    const m = new RegExp(`run ${run} ended: (\\d+) frames received`).exec(sink.output());
    assert.ok(m?.[1] !== undefined, `sink logged the end of run ${run}:\n${sink.output()}`);
    return Number(m[1]);
  };
  for (const run of [7, 8]) {
    const args = { runNumber: String(run) };
    await go(sink, 'fairmq', 'START', 'CONFIGURED', args);
    await go(builder, 'fairmq', 'START', 'CONFIGURED', args);
    await go(readout, 'direct', 'START', 'CONFIGURED', args);
    for (const { task, verb } of tasks) {
      const line = new RegExp(`run ${run}: ([1-9]\\d*) frames ${verb}, (\\d+\\.\\d) frames/s`);
      await waitFor(() => line.test(task.output()), 5_000, `a ${verb} rate line in run ${run}`);
      assert.ok(Number(line.exec(task.output())?.[2]) > 0, `a positive rate while RUNNING (${verb})`);
    }
    await go(readout, 'direct', 'STOP', 'RUNNING');
    await sleep(150);
    await go(builder, 'fairmq', 'STOP', 'RUNNING');
    await go(sink, 'fairmq', 'STOP', 'RUNNING');
  }
  const total = (JSON.parse(readFileSync(stats, 'utf8')) as { frames: number }).frames;
  assert.equal(
    endedCount(7) + endedCount(8),
    total,
    'each run counted from zero; together they make the total',
  );
  const quiet = sink.output().length;
  await sleep(1_300);
  assert.doesNotMatch(sink.output().slice(quiet), /frames\/s/, 'no rate lines once stopped');
});

function waitFor(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return waitUntil(what, probe, timeoutMs, 50);
}
