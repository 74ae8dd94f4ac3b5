/**
 * Runs the fake-dpl JIT tool the way the engine does (`bash -c "<jit line> --o2-control <name>"` in a work copy)
 * and checks the workflow and task templates it writes, and its refusals of bad arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { scaled } from '../src/common/testing/wait.ts';

const TOOL_DIR = join(import.meta.dirname, 'jit-tool');
const JIT_DEMO = readFileSync(join(import.meta.dirname, 'templates', 'jit', 'jit-demo'), 'utf8').trim();
const ENV = { ...process.env, PATH: `${TOOL_DIR}${delimiter}${process.env['PATH'] ?? ''}` };

interface Channel {
  name: string;
  type: string;
  target?: string;
  global?: string;
}
interface Role {
  name: string;
  connect?: Channel[];
  bind?: Channel[];
  task: { load: string };
}

function inTempDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'fake-dpl-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(dir: string, line: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', line], {
    cwd: dir,
    env: ENV,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: scaled(20_000),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the jit-demo line writes a chained workflow and one task template per device', () => {
  inTempDir((dir) => {
    const name = 'jit-0123abcd';
    const r = run(dir, `${JIT_DEMO} --o2-control ${name}`);
    assert.equal(r.status, 0, r.stderr);
    const wft = parse(readFileSync(join(dir, 'workflows', `${name}.yaml`), 'utf8')) as {
      name: string;
      roles: Role[];
    };
    assert.equal(wft.name, name);
    assert.deepEqual(
      wft.roles.map((role) => role.name),
      ['jit-demo-1', 'jit-demo-2', 'proxy'],
    );
    const [first, second, proxy] = wft.roles;
    assert.deepEqual(first?.connect?.[0], {
      name: 'upstream',
      type: 'pull',
      transport: 'zeromq',
      target: '::readout-proxy-{{ it }}',
    });
    assert.equal(first?.bind?.[0]?.name, 'from_jit-demo-1_to_jit-demo-2');
    assert.equal(
      second?.connect?.[0]?.target,
      '{{ Parent().Path }}.jit-demo-1:from_jit-demo-1_to_jit-demo-2',
    );
    assert.deepEqual(proxy?.bind?.at(-1), {
      name: 'downstream',
      type: 'push',
      transport: 'zeromq',
      global: 'downstream-{{ it }}',
    });
    const taskFiles = readdirSync(join(dir, 'tasks')).sort();
    assert.deepEqual(
      taskFiles,
      wft.roles.map((role) => `${role.task.load}.yaml`),
    );
    for (const file of taskFiles) {
      const tt = parse(readFileSync(join(dir, 'tasks', file), 'utf8')) as Record<string, unknown>;
      assert.equal(tt['name'], file.replace(/\.yaml$/, ''));
      assert.deepEqual(tt['control'], { mode: 'fairmq' });
      const command = tt['command'] as { value: string; arguments: string[] };
      assert.equal(command.value, '{{ axle_task_bin }}/dpl-device');
      assert.equal(command.arguments[0], '--id');
    }
  });
});

test('a stage without --o2-control prints its chain as JSON lines', () => {
  const out = execFileSync(
    join(TOOL_DIR, 'fake-dpl'),
    ['--workflow-name', 'w', '--tasks', '2', '--global', 'g'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  assert.deepEqual(
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    [{ id: 'w-1' }, { id: 'w-2', global: 'g' }],
  );
});

test('bad arguments and bad pipelines exit non-zero with a message', () => {
  inTempDir((dir) => {
    const cases: [string, number, RegExp][] = [
      ['fake-dpl --bogus 1', 2, /unknown option --bogus/],
      ['fake-dpl --tasks 0', 2, /--tasks wants 1 to 64/],
      ['fake-dpl --add', 2, /missing value for --add/],
      ['fake-dpl --add a.b', 2, /bad value for --add/],
      ['fake-dpl --add x --o2-control ../up', 2, /bad value for --o2-control/],
      ['fake-dpl < /dev/null', 2, /no devices/],
      ['fake-dpl --add a | fake-dpl --add a --o2-control w', 1, /device a appears twice/],
      [`echo '{"id":"a' | fake-dpl --add b --o2-control w`, 1, /cannot build the workflow/],
    ];
    for (const [line, status, message] of cases) {
      const r = run(dir, line);
      assert.equal(r.status, status, line);
      assert.match(r.stderr, message, line);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing written on failure');
  });
});
