/** `axle token new` writes a usable 0600 token file; the CLI finds its token in $AXLE_TOKEN or <state dir>/cli-token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timeScale } from '../common/testing/time-scale.ts';
import { TokenTable } from '../server/security/token-file.ts';
import { cliToken } from './cli-token.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

test('axle token new adds hashed entries to a 0600 token file and prints each token once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-token-new-'));
  try {
    const axle = (...args: string[]) =>
      run(process.execPath, [join(ROOT, 'bin', 'axle.js'), '--state-dir', dir, ...args], {
        timeout: 60_000 * timeScale(),
      });
    const a = (
      await axle('token', 'new', '--user', 'alice', '--role', 'det-tpc', '--role', 'det-its')
    ).stdout.trim();
    const b = (await axle('token', 'new', '--user', 'gus')).stdout.trim();
    const file = join(dir, 'tokens.yaml');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const table = TokenTable.load(file);
    assert.deepEqual(table.lookup(a), { name: 'alice', roles: ['det-tpc', 'det-its'], via: 'token' });
    assert.deepEqual(table.lookup(b), { name: 'gus', roles: ['guest'], via: 'token' });
    const bad = await axle('token', 'new', '--user', 'x', '--role', 'boss').catch(
      (e: unknown) => e as { stderr: string },
    );
    assert.match(bad.stderr, /--role: unknown role "boss"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI token: $AXLE_TOKEN first, else the first line of <state dir>/cli-token, else none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-cli-token-'));
  try {
    assert.equal(cliToken(dir, {}), undefined);
    writeFileSync(join(dir, 'cli-token'), 'from-file\nignored\n', { mode: 0o600 });
    assert.equal(cliToken(dir, {}), 'from-file');
    assert.equal(cliToken(undefined, { AXLE_STATE_DIR: dir }), 'from-file');
    assert.equal(cliToken(dir, { AXLE_TOKEN: ' from-env ' }), 'from-env');
    assert.equal(cliToken(dir, { AXLE_TOKEN: '' }), 'from-file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
