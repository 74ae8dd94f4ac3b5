import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GitFixture, removeDir, tempDir } from './git-fixture.ts';
import { RepoError } from './repo-error.ts';
import { classifySource } from './repo-source.ts';

test('network addresses get <host>/<path> ids without scheme, user, port and .git', () => {
  const table: [string, string, string][] = [
    [
      'https://github.com/AliceO2Group/ControlWorkflows.git',
      'github.com/AliceO2Group/ControlWorkflows',
      'https://github.com/AliceO2Group/ControlWorkflows.git',
    ],
    [
      'https://GitHub.com/AliceO2Group/ControlWorkflows/',
      'github.com/AliceO2Group/ControlWorkflows',
      'https://GitHub.com/AliceO2Group/ControlWorkflows/',
    ],
    [
      'ssh://git@gitlab.cern.ch:7999/alice/wf.git',
      'gitlab.cern.ch/alice/wf',
      'ssh://git@gitlab.cern.ch:7999/alice/wf.git',
    ],
    [
      'git@github.com:AliceO2Group/ControlWorkflows.git',
      'github.com/AliceO2Group/ControlWorkflows',
      'git@github.com:AliceO2Group/ControlWorkflows.git',
    ],
    [
      'github.com/AliceO2Group/ControlWorkflows',
      'github.com/AliceO2Group/ControlWorkflows',
      'https://github.com/AliceO2Group/ControlWorkflows',
    ],
  ];
  for (const [input, id, location] of table) {
    const s = classifySource(input);
    assert.deepEqual([s.id, s.kind, s.location], [id, 'git', location], input);
  }
});

test('file:// URLs are git sources identified by their path without the leading slash', () => {
  const s = classifySource('file:///srv/repos/wf.git/');
  assert.deepEqual([s.id, s.kind, s.location], ['srv/repos/wf.git', 'git', 'file:///srv/repos/wf.git/']);
});

test('local paths: git work trees and bare repositories are git, other directories are plain', async () => {
  const root = await tempDir();
  try {
    await GitFixture.init(join(root, 'work'));
    await mkdir(join(root, 'plain', 'workflows'), { recursive: true });
    const work = classifySource(join(root, 'work'));
    assert.equal(work.kind, 'git');
    assert.equal(work.id, join(root, 'work').slice(1));
    assert.equal(work.location, join(root, 'work'));
    const plain = classifySource('./plain/', root);
    assert.deepEqual([plain.kind, plain.id], ['dir', join(root, 'plain').slice(1)]);
    assert.throws(() => classifySource(join(root, 'missing')), RepoError);
  } finally {
    await removeDir(root);
  }
});

test('unrecognisable addresses are RepoErrors', () => {
  for (const bad of ['', 'justaname', 'https:///nohost', 'https://host.org/']) {
    assert.throws(() => classifySource(bad), RepoError, bad);
  }
});
