/** The state directory and the logs are 0700/0600 even when the process umask is 000. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { timeScale } from '../common/testing/time-scale.ts';
import { tempDir } from './test-fixtures.ts';
import { moduleUrl, runWithUmask0 } from './testing/umask-child.ts';

const dir = tempDir();
after(() => dir.remove());

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

test('with umask 000: the CLI state dir, task log folders and task logs are 0700/0600', async () => {
  const state = join(dir.path, 'a', 'b', 'state');
  const here = import.meta.dirname;
  await runWithUmask0(
    `
const { stateDirFrom } = await import(${JSON.stringify(moduleUrl(join(here, '..', 'cli', 'state-dir.ts')))});
const { launchProcess } = await import(${JSON.stringify(moduleUrl(join(here, 'task-process.ts')))});
const { appendPrivate } = await import(${JSON.stringify(moduleUrl(join(here, 'private-files.ts')))});
const state = stateDirFrom(${JSON.stringify(state)});
const command = { value: '/bin/echo', arguments: ['hello'], env: [], user: '', shell: false, stdout: '', stderr: '' };
const proc = await launchProcess({ taskId: 't1', environmentId: 'env1', command, mode: 'basic', logDir: state + '/logs' });
await proc.exited;
appendPrivate(state + '/logs/note.log', 'x\\n');
`,
    20_000 * timeScale(),
  );
  for (const d of [
    join(dir.path, 'a'),
    join(dir.path, 'a', 'b'),
    state,
    join(state, 'logs'),
    join(state, 'logs', 'env1'),
  ])
    assert.equal(mode(d), '700', d);
  for (const f of [join(state, 'logs', 'env1', 't1.log'), join(state, 'logs', 'note.log')])
    assert.equal(mode(f), '600', f);
});
