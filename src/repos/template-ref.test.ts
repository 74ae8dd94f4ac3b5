import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RepoError } from './repo-error.ts';
import { parseTaskRef, parseWorkflowRef } from './template-ref.ts';

const IDS = ['github.com/AliceO2Group/ControlWorkflows', 'github.com/AliceO2Group', 'tmp/x/wf.git'];
const DEF = 'github.com/AliceO2Group/ControlWorkflows';

test('workflow references resolve to repository, name and optional revision', () => {
  const table: [string, { repoId: string; workflow: string; revision?: string }][] = [
    ['readout-dataflow', { repoId: DEF, workflow: 'readout-dataflow' }],
    ['readout-dataflow.yaml', { repoId: DEF, workflow: 'readout-dataflow' }],
    ['readout-dataflow@v1.2', { repoId: DEF, workflow: 'readout-dataflow', revision: 'v1.2' }],
    ['readout-dataflow@feature/x', { repoId: DEF, workflow: 'readout-dataflow', revision: 'feature/x' }],
    [`${DEF}/workflows/minimal.yaml@abc1234`, { repoId: DEF, workflow: 'minimal', revision: 'abc1234' }],
    ['github.com/AliceO2Group/workflows/other', { repoId: 'github.com/AliceO2Group', workflow: 'other' }],
    ['tmp/x/wf.git/workflows/a@main', { repoId: 'tmp/x/wf.git', workflow: 'a', revision: 'main' }],
    ['/tmp/x/wf.git/workflows/a', { repoId: 'tmp/x/wf.git', workflow: 'a' }],
    ['a@', { repoId: DEF, workflow: 'a' }],
  ];
  for (const [ref, want] of table) assert.deepEqual(parseWorkflowRef(ref, IDS, DEF), want, ref);
});

test('bad workflow references are RepoErrors', () => {
  assert.throws(
    () => parseWorkflowRef('gitlab.com/a/b/workflows/x', IDS, DEF),
    (e: unknown) => {
      return e instanceof RepoError && e.repo === 'gitlab.com/a/b' && /unknown repository/.test(e.message);
    },
  );
  assert.throws(() => parseWorkflowRef('some/path', IDS, DEF), /malformed reference/);
  assert.throws(() => parseWorkflowRef('@v1', IDS, DEF), /names no template/);
  assert.throws(() => parseWorkflowRef('x', [], undefined), /no default repository/);
});

test('task references stay in the current repository and revision unless qualified', () => {
  const current = { repoId: DEF, revision: 'master' };
  const defaults = (id: string): string => (id === 'tmp/x/wf.git' ? 'main' : 'master');
  const table: [string, { repoId: string; task: string; revision: string }][] = [
    ['readout', { repoId: DEF, task: 'readout', revision: 'master' }],
    ['readout@v2', { repoId: DEF, task: 'readout', revision: 'v2' }],
    [`${DEF}/tasks/stfb`, { repoId: DEF, task: 'stfb', revision: 'master' }],
    [`${DEF}/tasks/stfb.yaml@dev`, { repoId: DEF, task: 'stfb', revision: 'dev' }],
    ['tmp/x/wf.git/tasks/t', { repoId: 'tmp/x/wf.git', task: 't', revision: 'main' }],
  ];
  for (const [ref, want] of table) assert.deepEqual(parseTaskRef(ref, current, IDS, defaults), want, ref);
  assert.throws(() => parseTaskRef('nowhere.org/r/tasks/t', current, IDS, defaults), RepoError);
});
