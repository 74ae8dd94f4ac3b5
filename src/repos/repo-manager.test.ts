import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { GitFixture, removeDir, tempDir, writeFiles } from './git-fixture.ts';
import { RepoError } from './repo-error.ts';
import { mirrorDirName } from './mirror.ts';
import { RepoManager } from './repo-manager.ts';

let root: string;
let src: GitFixture;
let first: string;
let second: string;

before(async () => {
  root = await tempDir();
  src = await GitFixture.init(join(root, 'src'));
  first = await src.commit(
    {
      'workflows/a.yaml': 'name: a\n',
      'tasks/t.yaml': 'name: t\n',
      'jit/j': 'o2-dpl-x\n',
      'README.md': 'hi\n',
    },
    'first',
  );
  await src.tag('v1');
  second = await src.commit({ 'workflows/a.yaml': 'name: a2\n', 'workflows/b.yaml': 'name: b\n' }, 'second');
  await src.checkout('dev', true);
  await src.commit({ 'workflows/a.yaml': 'name: a-dev\n' }, 'dev');
  await src.checkout('master');
});

after(() => removeDir(root));

async function freshManager(): Promise<{ m: RepoManager; stateDir: string }> {
  const stateDir = await tempDir('axle-state-');
  return { m: await RepoManager.open({ stateDir }), stateDir };
}

const fileUrl = (): string => `file://${src.dir}`;
const srcId = (): string => src.dir.slice(1);

describe('adding repositories', () => {
  test('a plain directory without workflows/ is not a template repository and is refused', async () => {
    const { m, stateDir } = await freshManager();
    const notTemplates = join(root, 'not-templates');
    await writeFiles(notTemplates, { passwd: 'x\n' });
    await assert.rejects(m.add(notTemplates), (e: unknown) => {
      assert.ok(e instanceof RepoError, String(e));
      assert.equal(e.code, 'invalid_argument');
      assert.equal(
        e.message,
        `directory ${notTemplates} is not a template repository: it has no workflows/ directory`,
      );
      return true;
    });
    await assert.rejects(
      m.add(src.dir, { defaultRevision: '--upload-pack=x' }),
      /invalid revision "--upload-pack=x"/,
    );
    assert.deepEqual(m.list(), []);
    await removeDir(stateDir);
  });

  test('a file:// URL is mirrored, listed with branches and tags, and becomes the default', async () => {
    const { m, stateDir } = await freshManager();
    const info = await m.add(fileUrl());
    assert.deepEqual(
      [info.id, info.kind, info.isDefault, info.defaultRevision],
      [srcId(), 'git', true, 'master'],
    );
    assert.deepEqual(m.list({ withRevisions: true })[0]?.revisions, ['dev', 'master', 'v1']);
    assert.deepEqual(await m.revisions(0), { branches: ['dev', 'master'], tags: ['v1'] });
    const mirrors = (await readdir(join(stateDir, 'repos'))).filter((n) => n.endsWith('.git'));
    assert.equal(mirrors.length, 1);
    await removeDir(stateDir);
  });

  test('a local git path and a plain directory; duplicates and unreadable sources are RepoErrors', async () => {
    const { m, stateDir } = await freshManager();
    const plain = join(root, 'plain');
    await writeFiles(plain, { 'workflows/p.yaml': 'name: p\n' });
    await m.add(src.dir);
    const dir = await m.add(plain);
    assert.deepEqual([dir.kind, dir.defaultRevision, dir.isDefault], ['dir', 'local', false]);
    assert.deepEqual(
      m.list().map((r) => [r.index, r.id]),
      [
        [0, plain.slice(1)],
        [1, srcId()],
      ],
    );
    await assert.rejects(
      m.add(fileUrl()),
      (e: unknown) => e instanceof RepoError && /already present/.test(e.message),
    );
    await assert.rejects(m.add(`file://${join(root, 'nope')}`), (e: unknown) => {
      return e instanceof RepoError && e.command?.startsWith('git clone') === true && (e.stderr ?? '') !== '';
    });
    assert.equal(m.list().length, 2);
    await removeDir(stateDir);
  });
});

describe('revisions and snapshots', () => {
  let m: RepoManager;
  let stateDir: string;
  before(async () => ({ m, stateDir } = await freshManager()));
  before(() => m.add(fileUrl()));
  after(() => removeDir(stateDir));

  test('two revisions read concurrently each give their own content', async () => {
    const [master, dev, tag] = await Promise.all([
      m.snapshot(0, 'master'),
      m.snapshot(0, 'dev'),
      m.snapshot(0, 'v1'),
    ]);
    assert.equal(master.readFile('workflows/a.yaml'), 'name: a2\n');
    assert.equal(dev.readFile('workflows/a.yaml'), 'name: a-dev\n');
    assert.equal(tag.readFile('workflows/a.yaml'), 'name: a\n');
    assert.equal(tag.commit, first);
    assert.equal(master.commit, second);
    assert.deepEqual(master.listFiles('workflows'), ['a.yaml', 'b.yaml']);
    assert.deepEqual(tag.listFiles('workflows'), ['a.yaml']);
    assert.deepEqual([master.listFiles('tasks'), master.listFiles('jit')], [['t.yaml'], ['j']]);
    assert.equal(master.readFile('README.md'), undefined);
  });

  test('an abbreviated commit resolves; the revision is kept as asked', async () => {
    const snap = await m.snapshot(srcId(), first.slice(0, 8));
    assert.deepEqual([snap.revision, snap.commit, snap.repoId], [first.slice(0, 8), first, srcId()]);
    assert.equal(snap.readFile('workflows/b.yaml'), undefined);
  });

  test('an unknown revision is a RepoError naming it and the repository', async () => {
    await assert.rejects(m.snapshot(0, 'no-such-branch'), (e: unknown) => {
      return e instanceof RepoError && e.repo === srcId() && e.message.includes('no-such-branch');
    });
    await assert.rejects(m.setRepoDefaultRevision(0, 'nope'), /nope/);
    await assert.rejects(m.snapshot(5), /no repository at index 5/);
  });

  test('exportTo writes the whole tree of that commit', async () => {
    const out = join(root, 'export-v1');
    await (await m.snapshot(0, 'v1')).exportTo(out);
    assert.equal(await readFile(join(out, 'README.md'), 'utf8'), 'hi\n');
    assert.equal(await readFile(join(out, 'workflows/a.yaml'), 'utf8'), 'name: a\n');
    assert.equal(existsSync(join(out, 'workflows/b.yaml')), false);
  });
});

test('default revision fallback: repo default → global default → master → main', async () => {
  const { m, stateDir } = await freshManager();
  const mainOnly = await GitFixture.init(join(root, 'main-only'), 'main');
  await mainOnly.commit({ 'workflows/m.yaml': 'name: m\n' });
  await m.add(fileUrl());
  await m.add(mainOnly.dir, { defaultRevision: 'missing' });
  const revOf = (id: string): string | undefined => m.list().find((r) => r.id === id)?.defaultRevision;
  assert.equal(revOf(mainOnly.dir.slice(1)), 'main');
  assert.equal((await m.snapshot(mainOnly.dir.slice(1))).revision, 'main');
  await m.setGlobalDefaultRevision('dev');
  // Fixed when added (AliECS): a later global default does not move it.
  assert.deepEqual([revOf(srcId()), (await m.snapshot(srcId())).revision], ['master', 'master']);
  const third = await GitFixture.init(join(root, 'third'));
  await third.commit({ 'workflows/t.yaml': 'name: t\n' });
  await third.checkout('dev', true);
  await third.commit({ 'workflows/t.yaml': 'name: t2\n' });
  assert.equal((await m.add(third.dir)).defaultRevision, 'dev', 'the global default when added');
  await m.setRepoDefaultRevision(srcId(), 'v1');
  const snap = await m.snapshot(srcId());
  assert.deepEqual([revOf(srcId()), snap.revision, snap.commit], ['v1', 'v1', first]);
  await m.setRepoDefaultRevision(srcId(), first.slice(0, 10));
  assert.equal((await m.snapshot(srcId())).commit, first);
  await m.setGlobalDefaultRevision('nope');
  assert.deepEqual([revOf(srcId()), revOf(mainOnly.dir.slice(1))], [first.slice(0, 10), 'main']);
  const fresh = await freshManager();
  await fresh.m.setGlobalDefaultRevision('nope');
  await fresh.m.add(fileUrl(), { defaultRevision: 'also-missing' });
  assert.equal(fresh.m.list()[0]?.defaultRevision, 'master');
  assert.equal((await fresh.m.snapshot(0)).revision, 'master');
  await removeDir(fresh.stateDir);
  await removeDir(stateDir);
});

test('refresh picks up new commits and pruned branches; remove moves the default; state persists', async () => {
  const { m, stateDir } = await freshManager();
  const other = await GitFixture.init(join(root, 'other'));
  await other.commit({ 'workflows/o.yaml': 'name: o\n' });
  await other.checkout('gone', true);
  await other.commit({ 'workflows/o.yaml': 'name: gone\n' });
  await other.checkout('master');
  const added = await m.add(`file://${other.dir}`);
  await m.add(fileUrl());
  await m.setGlobalDefaultRevision('dev');
  const next = await other.commit({ 'workflows/o.yaml': 'name: o2\n' });
  await other.run(['branch', '-D', 'gone']);
  assert.notEqual((await m.snapshot(added.id, 'master')).commit, next);
  await m.refresh();
  const snap = await m.snapshot(added.id, 'master');
  assert.deepEqual([snap.commit, snap.readFile('workflows/o.yaml')], [next, 'name: o2\n']);
  assert.deepEqual(await m.revisions(added.id), { branches: ['master'], tags: [] });

  const reopened = await RepoManager.open({ stateDir });
  assert.deepEqual(reopened.list(), m.list());
  assert.equal(reopened.globalDefaultRevision, 'dev');
  assert.equal((await reopened.snapshot(added.id, 'master')).commit, next);

  assert.equal(reopened.defaultRepoId, added.id);
  await reopened.remove(added.id);
  assert.deepEqual(
    reopened.list().map((r) => [r.id, r.isDefault]),
    [[srcId(), true]],
  );
  assert.equal(existsSync(join(stateDir, 'repos')) && (await readdir(join(stateDir, 'repos'))).length, 2);
  const third = await RepoManager.open({ stateDir });
  assert.deepEqual(
    third.list().map((r) => r.id),
    [srcId()],
  );
  await assert.rejects(third.setDefault(0), /already the default/);
  await removeDir(stateDir);
});

test('a plain directory is re-read on every snapshot and only has revision "local"', async () => {
  const { m, stateDir } = await freshManager();
  const plain = join(root, 'plain-live');
  await writeFiles(plain, { 'workflows/x.yaml': 'name: x\n', 'tasks/sub/deep.yaml': 'name: deep\n' });
  await m.add(plain);
  const s1 = await m.snapshot(0);
  assert.deepEqual([s1.commit, s1.revision, s1.listFiles('workflows')], ['local', 'local', ['x.yaml']]);
  assert.equal(s1.readFile('tasks/sub/deep.yaml'), 'name: deep\n');
  assert.deepEqual(s1.listFiles('tasks'), []);
  await writeFiles(plain, { 'workflows/y.yaml': 'name: y\n' });
  assert.deepEqual((await m.snapshot(0, 'local')).listFiles('workflows'), ['x.yaml', 'y.yaml']);
  assert.deepEqual(s1.listFiles('workflows'), ['x.yaml']);
  await assert.rejects(m.snapshot(0, 'master'), RepoError);
  await assert.rejects(m.setRepoDefaultRevision(0, 'master'), RepoError);
  await m.refresh(0);
  await removeDir(stateDir);
});

test('resolveWorkflowRef uses the default repository and knows every id', async () => {
  const { m, stateDir } = await freshManager();
  assert.throws(() => m.resolveWorkflowRef('a'), /no default repository/);
  await m.add(fileUrl());
  assert.deepEqual(m.resolveWorkflowRef('a@dev'), { repoId: srcId(), workflow: 'a', revision: 'dev' });
  assert.deepEqual(m.resolveWorkflowRef(`${src.dir}/workflows/b.yaml`), { repoId: srcId(), workflow: 'b' });
  assert.throws(() => m.resolveWorkflowRef('example.org/x/workflows/b'), RepoError);
  const task = m.resolveTaskRef(`${srcId()}/tasks/t`, { repoId: 'elsewhere', revision: 'x' });
  assert.deepEqual(task, { repoId: srcId(), task: 't', revision: 'master' });
  await removeDir(stateDir);
});

test('a mirror deleted behind the manager’s back is cloned again on open', async () => {
  const { m, stateDir } = await freshManager();
  await m.add(fileUrl());
  const reposDir = join(stateDir, 'repos');
  for (const name of await readdir(reposDir))
    if (name.endsWith('.git')) await removeDir(join(reposDir, name));
  const reopened = await RepoManager.open({ stateDir });
  assert.deepEqual(reopened.list({ withRevisions: true })[0]?.revisions, ['dev', 'master', 'v1']);
  assert.equal((await reopened.snapshot(0, 'dev')).readFile('workflows/a.yaml'), 'name: a-dev\n');
  await removeDir(stateDir);
});

test('a repository whose mirror and source are both gone stays listed and reports why on snapshot', async () => {
  const { m, stateDir } = await freshManager();
  const doomed = await GitFixture.init(join(root, 'doomed'));
  await doomed.commit({ 'workflows/d.yaml': 'name: d\n' });
  const info = await m.add(`file://${doomed.dir}`);
  await removeDir(doomed.dir);
  const reposDir = join(stateDir, 'repos');
  for (const name of await readdir(reposDir))
    if (name.endsWith('.git')) await removeDir(join(reposDir, name));
  const reopened = await RepoManager.open({ stateDir });
  assert.deepEqual(
    reopened.list().map((r) => r.id),
    [info.id],
  );
  await assert.rejects(reopened.snapshot(0, 'master'), (e: unknown) => {
    return e instanceof RepoError && e.repo === info.id && e.command?.startsWith('git clone') === true;
  });
  await assert.rejects(reopened.refresh(), (e: unknown) => e instanceof RepoError && e.repo === info.id);
  await removeDir(stateDir);
});

test('refresh with maxAgeMs: a local source is fetched exactly when its refs moved, whatever the age', async () => {
  const { m, stateDir } = await freshManager();
  const upstream = await GitFixture.init(join(root, 'fresh-local'));
  await upstream.commit({ 'workflows/f.yaml': 'name: f\n' });
  const info = await m.add(upstream.dir);
  const mark = join(stateDir, 'repos', mirrorDirName(info.id), 'axle-fetched');
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(mark, hourAgo, hourAgo);
  await m.refresh(info.id, { maxAgeMs: 60_000 });
  const untouched = Math.abs((await stat(mark)).mtimeMs - hourAgo.getTime()) < 1_000;
  assert.ok(untouched, 'unchanged source: no fetch (the mark keeps its time), even an hour later');

  const next = await upstream.commit({ 'workflows/f.yaml': 'name: f2\n' });
  await m.refresh(info.id, { maxAgeMs: 3_600_000 });
  assert.equal((await m.snapshot(info.id, 'master')).commit, next, 'a new commit is fetched at once');
  await upstream.tag('v2');
  await m.refresh(info.id, { maxAgeMs: 3_600_000 });
  assert.deepEqual((await m.revisions(info.id)).tags, ['v2'], 'and so is a new tag');
  await removeDir(stateDir);
});

test('refresh with maxAgeMs: a source whose refs cannot be read is fetched only when the mirror is older', async () => {
  const { m, stateDir } = await freshManager();
  const upstream = await GitFixture.init(join(root, 'fresh-gone'));
  await upstream.commit({ 'workflows/f.yaml': 'name: f\n' });
  const info = await m.add(`file://${upstream.dir}`);
  await removeDir(upstream.dir);
  await m.refresh(info.id, { maxAgeMs: 3_600_000 });
  assert.equal((await m.snapshot(info.id, 'master')).readFile('workflows/f.yaml'), 'name: f\n');
  const mark = join(stateDir, 'repos', mirrorDirName(info.id), 'axle-fetched');
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(mark, hourAgo, hourAgo);
  await assert.rejects(
    m.refresh(info.id, { maxAgeMs: 60_000 }),
    RepoError,
    'older than the age: fetched (and fails)',
  );
  await assert.rejects(m.refresh(info.id), RepoError, 'without maxAgeMs: always fetched');
  await removeDir(stateDir);
});
