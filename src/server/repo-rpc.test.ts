/** The repository and template RPCs through a real client: GetWorkflowTemplates with specs, AddRepo, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { GitFixture } from '../repos/git-fixture.ts';
import { Control, VarSpecMessage_Type, VarSpecMessage_UiWidget } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';

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
    assert.match(bad.info, /nosuchbranch/);
    await c.refreshRepos({ index: -1 });
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
