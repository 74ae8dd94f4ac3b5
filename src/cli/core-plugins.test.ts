import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timeScale } from '../common/testing/time-scale.ts';
import { startCtpdStandIn } from '../plugins/testing/ctpd-stand-in.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'axle.js');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test('axle core takes integrationPlugins from the settings file and the endpoint from a flag; axle info shows the plugin', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-coreplugins-'));
  const ctpd = await startCtpdStandIn();
  const settings = join(dir, 'settings.yaml');
  writeFileSync(settings, 'integrationPlugins: [trg]\ntrgServiceEndpoint: //127.0.0.1:1\n');
  const port = await freePort();
  const state = join(dir, 'state');
  const core = spawn(
    process.execPath,
    [
      bin,
      '--state-dir',
      state,
      'core',
      '--port',
      String(port),
      '--no-local-agent',
      '--no-example',
      '--settings',
      settings,
      '--trgServiceEndpoint',
      ctpd.endpoint,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  core.stdout.on('data', (b: Buffer) => (out += b.toString()));
  core.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => core.once('exit', () => resolve()));
  t.after(async () => {
    if (core.exitCode === null) core.kill('SIGKILL');
    await exited;
    await ctpd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 60_000 * timeScale();
  while (!out.includes('listening on')) {
    assert.ok(
      Date.now() < deadline && core.exitCode === null,
      `waiting for the core to listen; its output: ${out}`,
    );
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = await run(
    process.execPath,
    [bin, '--state-dir', state, '--endpoint', `127.0.0.1:${port}`, 'info'],
    {
      cwd: root,
    },
  );
  assert.match(info.stdout, /integrated services:/);
  assert.match(info.stdout, new RegExp(`trg\\s+Trigger System\\s+//127\\.0\\.0\\.1:${ctpd.port}\\s+READY`));
  core.kill('SIGTERM');
  await exited;
  assert.equal(core.exitCode, 0, out);
});
