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

test('addresses that would make git run a command or read an option are refused, saying why', () => {
  const table: [string, RegExp][] = [
    [
      'ext::sh -c touch% /tmp/x',
      /<transport>::<address> form \(ext::, fd::, …\), which runs a helper command/,
    ],
    ['fd::7', /<transport>::<address> form/],
    ['FD::7,8', /<transport>::<address> form/],
    ['-uupload-pack=touch', /may not start with "-"/],
    ['ssh://-oProxyCommand=touch/x', /a user or host may not start with "-"/],
    ['-oProxyCommand=x@host:path', /may not start with "-"/],
    ['git@-oProxyCommand=x:path', /a user or host may not start with "-"/],
    [
      'foo://host/repo',
      /git does not serve foo:\/\/ itself \(it would run a helper program git-remote-foo\)/,
    ],
    ['/proc/self/cwd', /repository path \/proc\/self\/cwd is under \/proc/],
    ['/sys/kernel', /under \/sys/],
    ['file:///dev/shm/x.git', /under \/dev/],
  ];
  for (const [input, why] of table) {
    assert.throws(
      () => classifySource(input),
      (e: unknown) => e instanceof RepoError && e.code === 'invalid_argument' && why.test(e.message),
      input,
    );
  }
  for (const ok of ['git://host.org/x.git', 'git+ssh://git@host.org/x.git', 'http://127.0.0.1:8080/x.git']) {
    assert.equal(classifySource(ok).kind, 'git', ok);
  }
});
