/**
 * NewAutoEnvironment with Subscribe (coconut's `env create -a`): events stream while the environment starts, the
 * readout signals END_OF_STREAM, the core stops the run, resets and tears down; the stream then ends. Also the CLI
 * against the same core: create, control with progress, show, list, task log, destroy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';
import { scaled } from '../common/testing/wait.ts';
import { cliBundle } from '../cli/testing/cli-bundle.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
let root = '';
let core: RunningCore | undefined;
let c: Client<typeof Control>;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'axle-auto-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'workflows'), { recursive: true });
  mkdirSync(join(repo, 'tasks'), { recursive: true });
  writeFileSync(
    join(repo, 'workflows', 'eos.yaml'),
    'name: !public eos\nroles:\n  - name: readout\n    constraints: [ { attribute: machine_id, value: localhost } ]\n    bind: [ { name: out, type: push } ]\n    task: { load: readout }\n',
  );
  writeFileSync(
    join(repo, 'tasks', 'readout.yaml'),
    `name: readout\ncommand: { value: "${ROOT}/examples/tasks/readout", arguments: [ "--rate=100", "--eos-after={{ eos_after ?? 20 }}" ] }\n`,
  );
  core = await startCore({ stateDir: join(root, 'state'), port: 0, localAgents: [{ host: 'localhost' }] });
  await core.context.repos.add(repo);
  await waitForAgents(core, 1);
  c = createClient(Control, createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: scaled(60_000) }));
});

after(async () => {
  await core?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('auto environment: events stream until teardown; END_OF_STREAM stops the run', async () => {
  const messages: string[] = [];
  const stream = c.subscribe({ id: 'sub-auto-1' });
  await c.newAutoEnvironment({ id: 'sub-auto-1', workflowTemplate: 'eos', vars: {} });
  for await (const ev of stream) {
    const p = ev.Payload;
    if (p.case === 'environmentEvent' && p.value.transitionStep === '')
      messages.push(`${p.value.transition}:${p.value.message}`);
  }
  for (const want of [
    'START_ACTIVITY:transition completed successfully',
    'STOP_ACTIVITY:transition completed successfully',
    'RESET:transition completed successfully',
  ]) {
    assert.ok(messages.includes(want), `${want} in ${messages.join(' | ')}`);
  }
  assert.ok(
    messages.some((m) =>
      m.startsWith('STOP_ACTIVITY:automatic STOP_ACTIVITY: all tasks reached end of stream'),
    ),
  );
  assert.deepEqual((await c.getEnvironments({ showAll: true })).environments, []);
});

async function axle(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [
    await cliBundle(),
    '--state-dir',
    join(root, 'state'),
    '--endpoint',
    core?.url.replace('http://', '') ?? '',
    ...args,
  ]);
}

test('the CLI drives an environment: create, control with progress, show, task log, destroy', async () => {
  const shown0 = await axle('env', 'create', '-w', 'eos', '-e', 'eos_after=100000');
  assert.match(shown0.stderr, /DEPLOY tasks_DEPLOY: transition step starting/);
  const first = /environment (\w+) CONFIGURED/.exec(shown0.stdout)?.[1] ?? '';
  await axle('env', 'destroy', first);
  await assert.rejects(
    axle('env', 'create', '-w', 'nosuch'),
    /creation of environment \w+ failed: cannot load workflow nosuch/,
  );
  const created = await axle('env', 'create', '-w', 'eos', '-e', 'eos_after=100000', '--json');
  const env = JSON.parse(created.stdout) as { id: string; state: string };
  assert.equal(env.state, 'CONFIGURED');
  const started = await axle('env', 'control', env.id, '-e', 'start_activity');
  assert.match(started.stdout, new RegExp(`environment ${env.id} RUNNING run \\d+`));
  assert.match(started.stderr, /START_ACTIVITY tasks_START_ACTIVITY: transition step starting/);
  const shown = await axle('env', 'show', env.id, '-t', '-w');
  assert.match(shown.stdout, /state: RUNNING/);
  assert.match(shown.stdout, /readout .*RUNNING/);
  const listed = JSON.parse((await axle('env', 'list', '--json')).stdout) as { id: string }[];
  assert.deepEqual(
    listed.map((e) => e.id),
    [env.id],
  );
  const tasks = JSON.parse((await axle('task', 'list', '--json')).stdout) as { taskId: string }[];
  const log = await axle('task', 'log', tasks[0]?.taskId ?? '');
  assert.match(log.stdout, /running, run \d+/);
  await assert.rejects(axle('env', 'destroy', env.id), /is RUNNING/);
  await assert.rejects(
    axle('env', 'control', env.id, '-e', 'configure'),
    /CONFIGURE is impossible from state RUNNING/,
  );
  const destroyed = await axle('env', 'destroy', env.id, '-a');
  assert.match(destroyed.stdout, /destroyed \(1 tasks killed\)/);
  await assert.rejects(axle('env', 'show', 'nosuchenv12'), /not found/);
  await assert.rejects(axle('env', 'show', 'nosuchenv1'), /id: "nosuchenv1" is not a valid environment id/);
  await assert.rejects(axle('env', 'show', 'bad id!'), /id: "bad id!" is not a valid environment id/);
});
