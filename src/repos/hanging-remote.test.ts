/**
 * A remote that accepts connections and never answers: git and its git-remote-http helper are killed at the
 * deadline, the call fails in time, and repository operations queued behind it whose deadline passed are dropped.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { timeScale } from '../common/testing/time-scale.ts';
import { git } from './git.ts';
import { removeDir, tempDir } from './git-fixture.ts';
import { RepoError } from './repo-error.ts';
import { RepoManager } from './repo-manager.ts';
import { liveGroupMembers, processTable } from './testing/process-table.ts';
import type { ProcessRow } from './testing/process-table.ts';

const sockets = new Set<Socket>();
/** Process groups of the git commands that reached the silent server, with their members at that moment. */
const seen: { pgid: number; members: ProcessRow[] }[] = [];
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => sockets.delete(socket));
  const gits = processTable().filter((p) => p.ppid === process.pid && p.comm === 'git');
  for (const g of gits)
    if (!seen.some((s) => s.pgid === g.pgid)) seen.push({ pgid: g.pgid, members: liveGroupMembers(g.pgid) });
});
let url = '';
let root = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/silent/repo.git`;
  root = await tempDir();
});
after(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((resolve) => server.close(resolve));
  await removeDir(root);
});

/** `promise`, or a rejection saying what did not end within `ms` (so a hang fails the test instead of stalling it). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Fails the test when a process group of a git that reached the server has a live member left. */
async function assertGroupsGone(): Promise<void> {
  assert.ok(seen.length > 0, 'git reached the silent server');
  const deadline = Date.now() + 2000 * timeScale();
  let left = seen.flatMap((s) => liveGroupMembers(s.pgid));
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = seen.flatMap((s) => liveGroupMembers(s.pgid));
  }
  assert.deepEqual(left, [], 'git processes still running 2 s after the deadline (by process group)');
}

test('a clone from a remote that never answers fails at its deadline, and git and its helper are gone', async () => {
  seen.length = 0;
  const timeoutMs = 1500 * timeScale();
  const started = Date.now();
  await assert.rejects(
    within(
      git(['clone', '--bare', '--quiet', '--', url, join(root, 'clone.git')], { timeoutMs }),
      timeoutMs + 3000 * timeScale(),
      'git clone of the silent remote',
    ),
    (e: unknown) => {
      assert.ok(e instanceof RepoError, String(e));
      assert.equal(e.code, 'deadline_exceeded');
      assert.match(e.message, new RegExp(`no result within ${timeoutMs} ms`));
      return true;
    },
  );
  const took = Date.now() - started;
  assert.ok(took < timeoutMs + 1000 * timeScale(), `the call ended ${took} ms after it began`);
  assert.ok(
    seen.some((s) => s.members.some((m) => m.comm.startsWith('git-remote-http'))),
    `git-remote-http was in the group of git: ${JSON.stringify(seen)}`,
  );
  await assertGroupsGone();
});

test('AddRepo of a silent remote fails in time; a SetDefaultRepo queued behind it after its deadline is dropped', async () => {
  seen.length = 0;
  const timeoutMs = 1500 * timeScale();
  const stateDir = join(root, 'state');
  const repos = await RepoManager.open({ stateDir, networkTimeoutMs: timeoutMs });
  for (const name of ['a', 'b']) await mkdir(join(root, name, 'workflows'), { recursive: true });
  await repos.add(join(root, 'a'));
  await repos.add(join(root, 'b'));
  assert.equal(repos.defaultRepoId, join(root, 'a').slice(1));
  const started = Date.now();
  const adding = repos.add(url);
  const setting = repos.setDefault(join(root, 'b'), { signal: AbortSignal.timeout(200 * timeScale()) });
  await assert.rejects(
    within(setting, timeoutMs + 3000 * timeScale(), 'the queued SetDefaultRepo'),
    (e: unknown) => {
      assert.ok(e instanceof RepoError, String(e));
      assert.equal(e.code, 'deadline_exceeded');
      assert.match(e.message, /setting the default repository to .* was not applied: its deadline passed/);
      return true;
    },
  );
  assert.ok(
    Date.now() - started < timeoutMs,
    'the queued call failed at its own deadline, not after AddRepo',
  );
  await assert.rejects(
    within(adding, timeoutMs + 3000 * timeScale(), 'AddRepo of the silent remote'),
    (e: unknown) => e instanceof RepoError && e.code === 'deadline_exceeded',
  );
  assert.ok(Date.now() - started < timeoutMs + 1000 * timeScale(), 'AddRepo failed within its deadline');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(repos.defaultRepoId, join(root, 'a').slice(1), 'the dropped SetDefaultRepo was never applied');
  const reopened = await RepoManager.open({ stateDir });
  assert.equal(reopened.defaultRepoId, join(root, 'a').slice(1));
  assert.deepEqual(
    reopened.list().map((r) => r.url),
    [join(root, 'a'), join(root, 'b')],
  );
  await assertGroupsGone();
});
