import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { commandSpec, survivors, tempDir } from './test-fixtures.ts';
import { launchProcess, taskLogPath } from './task-process.ts';
import type { ProcessSpec, TaskProcess } from './task-process.ts';
import { UnknownUserError } from './user-ids.ts';

const dir = tempDir();
const started: TaskProcess[] = [];
after(async () => {
  await Promise.all(started.map((p) => p.terminate({ termWaitMs: 200, intWaitMs: 0 })));
  assert.deepEqual(survivors(started.map((p) => p.pid)), []);
  dir.remove();
});

async function launch(fields: Partial<ProcessSpec>): Promise<TaskProcess> {
  const proc = await launchProcess({
    taskId: 't1',
    environmentId: 'env1',
    command: commandSpec(),
    mode: 'direct',
    logDir: dir.path,
    ...fields,
  });
  started.push(proc);
  return proc;
}

test('environment, arguments and control port reach the process; output goes to the log file and the tail', async () => {
  const script = 'echo "port=$OCC_CONTROL_PORT a=$A base=$BASE"; echo "args:$*"; echo oops >&2; exit 3';
  const proc = await launch({
    taskId: 'env-args',
    command: commandSpec({ value: '/bin/sh', arguments: ['-c', script, 'sh0', 'x y'], env: ['A=1'] }),
    controlPort: 31234,
    agentEnv: { BASE: 'b', PATH: process.env['PATH'] },
  });
  assert.deepEqual(await proc.exited, { code: 3, signal: null });
  const log = readFileSync(proc.logPath, 'utf8');
  assert.equal(proc.logPath, join(dir.path, 'env1', 'env-args.log'));
  assert.match(log, /port=31234 a=1 base=b/);
  assert.match(log, /args:x y --control-port 31234/);
  assert.match(log, /oops/);
  assert.match(proc.output(), /port=31234[\s\S]*oops/);
  assert.equal(proc.running, false);
});

test('the process leads its own process group', async () => {
  const proc = await launch({
    taskId: 'group',
    command: commandSpec({ value: 'sleep', arguments: ['30'] }),
    mode: 'basic',
  });
  const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
  const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  assert.equal(pgrp, proc.pid);
  await proc.terminate();
  assert.deepEqual(survivors([proc.pid]), []);
});

test('shell: true runs the value through /bin/sh with quoted arguments', async () => {
  const proc = await launch({
    taskId: 'shell',
    command: commandSpec({ value: 'printf "%s|" "$HOME-free"', arguments: ['a b', "c'd"], shell: true }),
    mode: 'basic',
  });
  await proc.exited;
  assert.equal(readFileSync(proc.logPath, 'utf8'), `${process.env['HOME'] ?? ''}-free|a b|c'd|`);
});

test('command.stdout/stderr decide which lines are forwarded to the agent log; the log file keeps all', async () => {
  const forwarded: string[] = [];
  const proc = await launch({
    taskId: 'forward',
    command: commandSpec({ value: '/bin/sh', arguments: ['-c', 'echo out; echo err >&2'], stdout: 'all' }),
    mode: 'basic',
    forward: (line) => forwarded.push(line),
  });
  await proc.exited;
  assert.deepEqual(forwarded, ['out']);
  assert.match(readFileSync(taskLogPath(dir.path, 'env1', 'forward'), 'utf8'), /out[\s\S]*err|err[\s\S]*out/);
});

test('user: a different user runs with its uid/gid; an unknown user is refused', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  const proc = await launch({
    taskId: 'user',
    command: commandSpec({ value: '/bin/sh', arguments: ['-c', 'id -u; id -g'], user: 'nobody' }),
    mode: 'basic',
  });
  await proc.exited;
  assert.match(proc.output(), /^65534\n\d+$/);
  await assert.rejects(
    launch({
      taskId: 'nouser',
      command: commandSpec({ value: 'true', user: 'no-such-user-x' }),
      mode: 'basic',
    }),
    UnknownUserError,
  );
});

test('a command that cannot be executed is refused at launch', async () => {
  await assert.rejects(
    launch({ taskId: 'enoent', command: commandSpec({ value: '/no/such/binary' }), mode: 'basic' }),
    /ENOENT/,
  );
});
