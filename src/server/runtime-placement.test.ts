/**
 * The core places tasks with the scheduler: a host's CPU is never exceeded across environments, an environment that
 * does not fit is refused with the reason per host, and tearing one down frees its share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'axle.js');

test('CPU is reserved across environments and freed at teardown; the refusal names host and resource', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-place-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'workflows'), { recursive: true });
  mkdirSync(join(repo, 'tasks'), { recursive: true });
  writeFileSync(
    join(repo, 'workflows', 'busy.yaml'),
    'name: !public busy\nroles:\n  - name: w\n    constraints: [ { attribute: detector, value: TPC } ]\n    task: { load: heavy }\n',
  );
  writeFileSync(
    join(repo, 'tasks', 'heavy.yaml'),
    'name: heavy\ncontrol: { mode: basic }\nwants: { cpu: 1.5, memory: 100 }\ncommand: { value: /bin/true }\n',
  );
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: [{ host: 'n1', cpu: 2, memoryMb: 1000, attributes: { detector: 'TPC' } }],
  });
  try {
    await core.context.repos.add(repo);
    await waitForAgents(core, 1);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const first = await c.newEnvironment({ workflowTemplate: 'busy', vars: {} });
    assert.equal(first.environment?.state, 'CONFIGURED');
    const cli = await run(process.execPath, [BIN, '--endpoint', core.url, 'cluster', 'hosts', '--json']);
    const view = JSON.parse(cli.stdout) as {
      engine: string;
      hosts: { host: string; cpu: number; cpuReserved: number; cpuFree: number; environments: string[] }[];
    };
    assert.equal(view.engine, 'local');
    assert.deepEqual(
      view.hosts.map((h) => [h.host, h.cpu, h.cpuReserved, h.cpuFree, h.environments]),
      [['n1', 2, 1.5, 0.5, [first.environment?.id ?? '']]],
      'axle cluster hosts shows what the environment reserves',
    );
    const text = await run(process.execPath, [BIN, '--endpoint', core.url, 'cluster', 'hosts']);
    assert.match(text.stdout, /^engine: local\n/);
    assert.match(text.stdout, /n1\s+connected\s+0\.50\/2\s+900\/1000\s+\S+\s+detector=TPC/);
    await assert.rejects(
      c.newEnvironment({ workflowTemplate: 'busy', vars: {} }),
      /no host can run busy\.w: .*n1.*cpu/,
    );
    await c.destroyEnvironment({ id: first.environment?.id ?? '' });
    const again = await c.newEnvironment({ workflowTemplate: 'busy', vars: {} });
    assert.equal(again.environment?.state, 'CONFIGURED');
    await c.destroyEnvironment({ id: again.environment?.id ?? '' });
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('tasks connected over IPC land on the same host', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-place2-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'workflows'), { recursive: true });
  mkdirSync(join(repo, 'tasks'), { recursive: true });
  const roles = ['a', 'b', 'c']
    .map(
      (n) =>
        `  - name: ${n}-src\n    bind: [ { name: out, type: push, addressing: ipc } ]\n    task: { load: t }\n` +
        `  - name: ${n}-dst\n    connect: [ { name: in, type: pull, target: "{{ Parent().Path }}.${n}-src:out" } ]\n    task: { load: t }\n`,
    )
    .join('');
  writeFileSync(join(repo, 'workflows', 'pairs.yaml'), `name: !public pairs\nroles:\n${roles}`);
  writeFileSync(
    join(repo, 'tasks', 't.yaml'),
    'name: t\ncontrol: { mode: basic }\nwants: { cpu: 0.1 }\ncommand: { value: /bin/true }\n',
  );
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: [
      { host: 'n1', cpu: 0.35 },
      { host: 'n2', cpu: 2 },
    ],
  });
  try {
    await core.context.repos.add(repo);
    await waitForAgents(core, 2);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const env = await c.newEnvironment({ workflowTemplate: 'pairs', vars: {} });
    const id = env.environment?.id ?? '';
    const tasks = core.context.manager.get(id).tasks;
    const hostOf = (path: string): string => tasks.find((t) => t.desc.path === path)?.host ?? '';
    for (const n of ['a', 'b', 'c'])
      assert.equal(hostOf(`pairs.${n}-src`), hostOf(`pairs.${n}-dst`), `pair ${n}`);
    assert.equal(
      new Set(tasks.map((t) => t.host)).size,
      2,
      'n1 holds only one pair, so pairs spread over both hosts',
    );
    await c.destroyEnvironment({ id });
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
