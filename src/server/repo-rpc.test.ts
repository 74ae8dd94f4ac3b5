/** The repository and template RPCs through a real client: GetWorkflowTemplates with specs, AddRepo, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { timeScale } from '../common/testing/time-scale.ts';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { GitFixture } from '../repos/git-fixture.ts';
import { Control, VarSpecMessage_Type, VarSpecMessage_UiWidget } from '../gen/protos/o2control_pb.ts';
import { RepoError } from '../repos/repo-error.ts';
import { startCore } from './core.ts';
import { toConnectError } from './rpc-errors.ts';

test('repositories and workflow templates over the control API', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-reporpc-'));
  const core = await startCore({ stateDir: join(root, 'state'), port: 0 });
  try {
    const repo = join(root, 'templates');
    cpSync(join(import.meta.dirname, '..', '..', 'examples', 'templates'), repo, { recursive: true });
    const git = await GitFixture.init(repo);
    await git.commit({}, 'v1');
    await git.tag('v1');
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const added = await c.addRepo({ name: repo, defaultRevision: 'master' });
    assert.equal(added.newDefaultRevision, 'master');
    const repos = await c.listRepos({ getRevisions: true });
    assert.equal(repos.repos.length, 1);
    assert.equal(repos.repos[0]?.default, true);
    assert.deepEqual(repos.repos[0]?.revisions, ['master', 'v1']);

    const templates = await c.getWorkflowTemplates({});
    const names = templates.workflowTemplates.map((t) => t.template).sort();
    assert.deepEqual(names, ['datataking', 'minimal']);
    const dt = templates.workflowTemplates.find((t) => t.template === 'datataking');
    const qc = dt?.varSpecMap['qc_enabled'];
    assert.equal(qc?.type, VarSpecMessage_Type.bool);
    assert.equal(qc?.widget, VarSpecMessage_UiWidget.checkBox);
    const all = await c.getWorkflowTemplates({ allWorkflows: true, allTags: true });
    assert.ok(all.workflowTemplates.every((t) => t.revision === 'v1'));
    assert.ok(
      all.workflowTemplates.some((t) => t.template === 'qc-local'),
      'non-public templates with allWorkflows',
    );

    await assert.rejects(
      c.getWorkflowTemplates({ allBranches: true, revisionPattern: 'master' }),
      /revisionPattern: cannot be combined/,
    );
    await assert.rejects(c.addRepo({ name: '' }), /AddRepo: name/);
    await assert.rejects(c.addRepo({ name: join(root, 'nothing-here') }), /AddRepo/);
    const bad = await c.setRepoDefaultRevision({ index: 0, revision: 'nosuchbranch' });
    assert.equal(bad.info, 'master\nv1\n', 'an unknown revision lists the available ones');
    await c.refreshRepos({ index: -1 });
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

/** A git repository of the example templates at `dir`, with branches and tags; resolves with master's commit. */
async function exampleRepo(dir: string): Promise<{ git: GitFixture; head: string }> {
  cpSync(join(import.meta.dirname, '..', '..', 'examples', 'templates'), dir, { recursive: true });
  const git = await GitFixture.init(dir);
  const head = await git.commit({}, 'v1');
  await git.tag('v1.2.0');
  await git.tag('v1.3');
  await git.checkout('dev', true);
  await git.commit({ 'workflows/dev-only.yaml': 'name: !public dev-only\nroles: []\n' }, 'dev');
  await git.checkout('feature/x.y', true);
  await git.checkout('master');
  return { git, head };
}

/** A core with two example repositories: `<root>/github.com/org/myrepo` (index 0, default) and `<root>/other/templates`. */
async function twoRepos(
  body: (c: ReturnType<typeof createClient<typeof Control>>, root: string, head: string) => Promise<void>,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-coconut-'));
  const core = await startCore({ stateDir: join(root, 'state'), port: 0 });
  try {
    const { head } = await exampleRepo(join(root, 'github.com', 'org', 'myrepo'));
    await exampleRepo(join(root, 'other', 'templates'));
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    await c.addRepo({ name: join(root, 'github.com', 'org', 'myrepo') });
    await c.addRepo({ name: join(root, 'other', 'templates') });
    await body(c, root, head);
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

test('template list patterns: globs without separators over ids and revisions, commit revisions', () =>
  twoRepos(async (c, root, head) => {
    const mineId = join(root, 'github.com', 'org', 'myrepo').slice(1);
    const list = async (
      repoPattern: string,
      revisionPattern = '',
    ): Promise<{ repos: string[]; revisions: string[]; templates: string[] }> => {
      const r = await c.getWorkflowTemplates({ repoPattern, revisionPattern });
      const uniq = (xs: string[]): string[] => [...new Set(xs)].sort();
      return {
        repos: uniq(r.workflowTemplates.map((t) => t.repo)),
        revisions: uniq(r.workflowTemplates.map((t) => t.revision)),
        templates: uniq(r.workflowTemplates.map((t) => t.template)),
      };
    };
    assert.deepEqual((await list('*myrepo*')).repos, [mineId], '* spans dots and slashes');
    assert.deepEqual((await list('*github.com/org/*')).repos, [mineId]);
    const dev = await list('*repo*', 'dev');
    assert.deepEqual([dev.repos, dev.revisions], [[mineId], ['dev']]);
    assert.ok(dev.templates.includes('dev-only'));
    assert.deepEqual((await list('*myrepo*', 'v1.*')).revisions, ['v1.2.0', 'v1.3'], 'dotted tags');
    assert.deepEqual((await list('*myrepo*', 'feature/*')).revisions, ['feature/x.y']);
    assert.deepEqual((await list('*myrepo*', 'v1.{2.0,9}')).revisions, ['v1.2.0']);
    const byCommit = await list('*myrepo*', head);
    assert.deepEqual([byCommit.revisions, byCommit.templates], [[head], ['datataking', 'minimal']]);
    assert.deepEqual((await list('*myrepo*', 'no-such-rev')).repos, []);
  }));

test('SetRepoDefaultRevision answers as AliECS: empty info on success, the revisions on failure', () =>
  twoRepos(async (c) => {
    const ok = await c.setRepoDefaultRevision({ index: 0, revision: 'dev' });
    assert.equal(ok.info, '', 'success leaves info empty (coconut reads any info as failure)');
    assert.equal((await c.listRepos({})).repos[0]?.defaultRevision, 'dev');
    const bad = await c.setRepoDefaultRevision({ index: 0, revision: 'v9' });
    assert.equal(bad.info, 'dev\nfeature/x.y\nmaster\nv1.2.0\nv1.3\n');
    assert.equal((await c.listRepos({})).repos[0]?.defaultRevision, 'dev', 'unchanged');
    await assert.rejects(
      c.setRepoDefaultRevision({ index: 7, revision: 'dev' }),
      /SetRepoDefaultRevision: index: no repository at index 7/,
    );
  }));

test('RemoveRepo names a new default only when it moved; AddRepo says which default revision and why', () =>
  twoRepos(async (c, root) => {
    const other = join(root, 'other', 'templates');
    assert.equal((await c.removeRepo({ index: 1 })).newDefaultRepo, '', 'the default did not change');
    const third = join(root, 'third');
    await exampleRepo(third);
    const added = await c.addRepo({ name: third, defaultRevision: 'nope' });
    assert.equal(added.newDefaultRevision, 'master');
    assert.match(added.info, /^Revision "nope" was not found\. .*"master" \(global default value\)\.$/);
    const plain = await c.addRepo({ name: other });
    assert.equal(
      plain.info,
      'The default revision for this repository has been set to "master" (global default value).',
    );
    await c.setGlobalDefaultRevision({ revision: 'dev' });
    const after = await c.listRepos({});
    const revOf = (dir: string): string | undefined =>
      after.repos.find((r) => r.name === dir.slice(1))?.defaultRevision;
    assert.equal(
      revOf(other),
      'master',
      'a repository added without a revision keeps the one fixed when added',
    );
    assert.equal((await c.removeRepo({ index: 0 })).newDefaultRepo, other.slice(1), 'the default moved');
  }));

test('repository refusals are InvalidArgument; the request deadline reaches git and the queue (DeadlineExceeded)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-reporpc-'));
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/wf.git`;
  const core = await startCore({ stateDir: join(root, 'state'), port: 0 });
  try {
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const refused: [string, RegExp][] = [
      ['ext::sh -c touch% /tmp/axle-pwned', /<transport>::<address> form/],
      ['fd::17', /<transport>::<address> form/],
      ['-uploadpack=touch', /may not start with "-"/],
      ['ssh://-oProxyCommand=touch/x', /may not start with "-"/],
      ['foo://host/repo', /git-remote-foo/],
      ['/proc/self/cwd', /under \/proc/],
      ['/etc', /not a template repository: it has no workflows\/ directory/],
    ];
    for (const [name, why] of refused) {
      await assert.rejects(c.addRepo({ name }), (e: unknown) => {
        assert.ok(e instanceof ConnectError, String(e));
        assert.equal(e.code, Code.InvalidArgument, `${name}: ${e.message}`);
        assert.match(e.message, why, name);
        return true;
      });
    }
    assert.deepEqual((await c.listRepos({})).repos, [], 'nothing was added');
    for (const name of ['a', 'b']) mkdirSync(join(root, name, 'workflows'), { recursive: true });
    await c.addRepo({ name: join(root, 'a') });
    await c.addRepo({ name: join(root, 'b') });
    const started = Date.now();
    const adding = c.addRepo({ name: silentUrl }, { timeoutMs: 1500 * timeScale() });
    const setting = c.setDefaultRepo({ index: 1 }, { timeoutMs: 300 * timeScale() });
    for (const [call, what] of [
      [setting, 'SetDefaultRepo'],
      [adding, 'AddRepo'],
    ] as const) {
      await assert.rejects(call, (e: unknown) => {
        assert.ok(e instanceof ConnectError, String(e));
        assert.equal(e.code, Code.DeadlineExceeded, `${what}: ${e.message}`);
        return true;
      });
    }
    assert.ok(Date.now() - started < 4000 * timeScale(), 'AddRepo ended at its request deadline');
    mkdirSync(join(root, 'c', 'workflows'), { recursive: true });
    // queued behind what is left of the silent AddRepo: it must have been stopped at its deadline
    await c.addRepo({ name: join(root, 'c') }, { timeoutMs: 3000 * timeScale() });
    const list = await c.listRepos({});
    assert.deepEqual(
      list.repos.map((r) => [r.name, r.default]),
      [
        [join(root, 'a').slice(1), true],
        [join(root, 'b').slice(1), false],
        [join(root, 'c').slice(1), false],
      ],
      'the SetDefaultRepo whose deadline passed in the queue was not applied; the silent remote was not added',
    );
  } finally {
    await core.stop();
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
    rmSync(root, { recursive: true, force: true });
  }
});

test('a RepoError of code deadline_exceeded is DeadlineExceeded at the edge, others InvalidArgument', () => {
  const late = toConnectError(
    'SetDefaultRepo',
    new RepoError('x was not applied', { code: 'deadline_exceeded' }),
  );
  assert.deepEqual(
    [late.code, late.rawMessage],
    [Code.DeadlineExceeded, 'SetDefaultRepo: x was not applied'],
  );
  assert.equal(toConnectError('AddRepo', new RepoError('bad')).code, Code.InvalidArgument);
});
