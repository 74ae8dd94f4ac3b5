/** `axle config …` as a real process against a running Apricot server over a memory store. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import type { MemoryConfigStore } from '../config/memory-store.ts';
import type { RunningApricot } from '../server/apricot-server.ts';
import { fixtureStore, startTestApricot } from '../server/apricot-test-util.ts';
import { startCore } from '../server/core.ts';
import { cliBundle } from './testing/cli-bundle.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'axle.js');

describe('axle config', () => {
  let store: MemoryConfigStore;
  let server: RunningApricot;
  let work: string;
  const axle = async (...args: string[]) => {
    const pre = args[0] === '--json' ? ['--json'] : [];
    const rest = args[0] === '--json' ? args.slice(1) : args;
    const argv = [
      await cliBundle(),
      '--state-dir',
      work,
      ...pre,
      'config',
      '--config_endpoint',
      `apricot://127.0.0.1:${server.port}`,
      ...rest,
    ];
    try {
      const r = await run(process.execPath, argv, { cwd: root });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e: unknown) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'axle-config-cli-'));
    store = await fixtureStore();
    server = await startTestApricot(store);
  });
  after(async () => {
    await server.stop();
    await store.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('list components and entries, text, JSON and YAML', async () => {
    assert.equal((await axle('list')).stdout, 'qc\nreadout\nreadoutcard\n');
    assert.deepEqual(JSON.parse((await axle('--json', 'ls')).stdout), ['qc', 'readout', 'readoutcard']);
    assert.deepEqual(YAML.parse((await axle('l', 'readout/PHYSICS/any', '-o', 'yaml')).stdout), [
      'PHYSICS/any/readout-cfg',
    ]);
  });

  test('show raw, resolved with -r/-l, simulated with -e; bad path fails naming the reason', async () => {
    assert.equal((await axle('show', 'qc/ANY/any/stfb')).stdout, 'stfb for {{ detector }}\n');
    assert.equal(
      (await axle('s', 'readout', 'readout-cfg', '-r', 'PHYSICS', '-l', 'flp009')).stdout,
      'PHYSICS/any\n',
    );
    const sim = await axle('show', 'readout/ANY/any/readout-cfg', '-s', '-e', 'readout_rate=5,detector=tpc');
    assert.equal(sim.stdout, '[readout]\nrate=5\n[equipment-TPC]\nenabled=1\n');
    const bad = await axle('show', 'readout/BOGUS/any/x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown run type "BOGUS"/);
  });

  test('import: refused for an unknown component without -n; created with -n; -f json checks the payload', async () => {
    const file = join(work, 'payload.json');
    writeFileSync(file, '{"a": 1}');
    const refused = await axle('import', 'newcomp', 'cfg', file);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /component newcomp does not exist/);
    const created = await axle(
      'import',
      'newcomp',
      'cfg',
      file,
      '-n',
      '-r',
      'PHYSICS',
      '-l',
      'flp001',
      '-f',
      'json',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /newcomp\/PHYSICS\/flp001\/cfg created/);
    assert.equal(await store.get('o2/components/newcomp/PHYSICS/flp001/cfg'), '{"a": 1}');
    const updated = await axle('--json', 'import', 'newcomp/PHYSICS/flp001/cfg', file);
    assert.deepEqual(JSON.parse(updated.stdout), {
      existingComponentUpdated: true,
      existingEntryUpdated: true,
    });
    writeFileSync(file, '{bad');
    const badJson = await axle('import', 'newcomp/PHYSICS/flp001/cfg', file, '-f', 'json');
    assert.match(badJson.stderr, /payload is not valid json/);
  });

  test('dump, hosts, detectors, export-tree', async () => {
    const dump = YAML.parse((await axle('dump', 'o2/runtime/qc')).stdout) as unknown;
    assert.deepEqual(dump, { last: 'x' });
    assert.deepEqual(JSON.parse((await axle('d', 'o2/runtime/qc', '-f', 'json')).stdout), { last: 'x' });
    assert.equal((await axle('hosts', 'TPC')).stdout, 'flp001\nflp002\n');
    assert.equal((await axle('hosts')).stdout, 'flp001\nflp002\nflp003\n');
    assert.equal((await axle('detectors')).stdout, 'ITS: flp003\nTPC: flp001 flp002\nTRG: flp100\n');
    const out = join(work, 'tree.yaml');
    assert.equal((await axle('export-tree', out)).code, 0);
    const tree = YAML.parse(readFileSync(out, 'utf8')) as { o2: { runtime: { qc: unknown } } };
    assert.deepEqual(tree.o2.runtime.qc, { last: 'x' });
  });

  test('import-tree into the embedded store, export-tree --store reads it back; unknown schemes refused', async () => {
    const uri = `embedded://${join(work, 'store')}`;
    const imported = await axle('import-tree', join(root, 'examples', 'config.yaml'), '--store', uri);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /\d+ keys written to embedded:\/\//);
    const exported = await axle('export-tree', '--store', uri);
    const tree = YAML.parse(exported.stdout) as {
      o2: { hardware: { detectors: { TST: { flps: object } } } };
    };
    assert.deepEqual(Object.keys(tree.o2.hardware.detectors.TST.flps), ['flp001', 'flp002', 'localhost']);
    const r = await axle(
      'import-tree',
      join(root, 'examples', 'config.yaml'),
      '--store',
      'consul://127.0.0.1:1',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configuration store "consul:\/\/127.0.0.1:1" is not supported/);
  });
});

test('axle config serve --store file://… serves gRPC and HTTP until SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [
      bin,
      'config',
      'serve',
      '--port',
      '0',
      '--http-port',
      '0',
      '--store',
      `file://${join(root, 'examples', 'config.yaml')}`,
    ],
    { cwd: root },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const httpPort = /HTTP port (\d+)/.exec(line)?.[1];
    assert.ok(httpPort, line);
    const r = await fetch(`http://127.0.0.1:${httpPort}/inventory/detectors/TST/flps`);
    assert.equal(await r.text(), 'flp001\nflp002\nlocalhost\n');
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

test('config commands default to the core endpoint; an unreachable service is named with how to choose another', async () => {
  const work = mkdtempSync(join(tmpdir(), 'axle-config-core-'));
  const core = await startCore({
    stateDir: join(work, 'core'),
    port: 0,
    config: `embedded://${join(work, 'core', 'config')}`,
    seedConfig: join(root, 'examples', 'config.yaml'),
  });
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [await cliBundle(), '--state-dir', work, ...args], { cwd: root });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e: unknown) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  try {
    const listed = await cli('--endpoint', `127.0.0.1:${core.port}`, 'config', 'detectors');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^TST: flp001 flp002 localhost$/m);
    const closed = await closedPort();
    const refused = await cli('--endpoint', `127.0.0.1:${closed}`, 'config', 'list');
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `cannot reach the configuration service at apricot://127\\.0\\.0\\.1:${closed}, the core's endpoint`,
      ),
    );
    assert.match(refused.stderr, /--config_endpoint apricot:\/\/host:port/);
    const given = await cli('config', '--config_endpoint', `apricot://127.0.0.1:${closed}`, 'list');
    assert.match(given.stderr, /given with --config_endpoint/);
  } finally {
    await core.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

/** A port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
