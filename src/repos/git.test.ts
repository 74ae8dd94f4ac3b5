import { test } from 'node:test';
import assert from 'node:assert/strict';
import { git, gitBuffer } from './git.ts';
import { RepoError } from './repo-error.ts';
import { removeDir, tempDir } from './git-fixture.ts';
import { scaled } from '../common/testing/wait.ts';

test('git output comes back as text; stdin input reaches git', async () => {
  assert.match(await git(['--version']), /^git version \d+/);
  const oid = await git(['hash-object', '--stdin'], { input: 'hello\n' });
  assert.equal(oid.trim(), 'ce013625030ba8dba906f756967f9e9ca394464a');
  assert.ok((await gitBuffer(['--version'])).length > 0);
});

test('a failing git command is a RepoError with the command line and stderr', async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(git(['rev-parse', 'HEAD'], { gitDir: `${dir}/not-a-repo` }), (e: unknown) => {
      assert.ok(e instanceof RepoError);
      assert.equal(e.command, `git --git-dir=${dir}/not-a-repo rev-parse HEAD`);
      assert.match(e.stderr ?? '', /not a git repository/);
      assert.match(e.message, /exit code 128/);
      return true;
    });
  } finally {
    await removeDir(dir);
  }
});

test('a git command over its deadline is killed and reported', async () => {
  // hashing 64 MiB takes far longer than the 1 ms deadline
  const started = Date.now();
  await assert.rejects(
    git(['hash-object', '--stdin'], { input: 'x'.repeat(64 * 1024 * 1024), timeoutMs: 1 }),
    (e: unknown) => {
      return (
        e instanceof RepoError && e.code === 'deadline_exceeded' && /no result within 1 ms/.test(e.message)
      );
    },
  );
  assert.ok(Date.now() - started < scaled(10_000), `git was stopped after ${Date.now() - started} ms`);
});
