/**
 * The core's one port speaks HTTP/2 (gRPC, Connect) and HTTP/1.1 (a browser: the GUI's files, Connect JSON unary and
 * server streaming) through real clients and raw sockets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { timeScale } from '../common/testing/time-scale.ts';
import { Control } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { assetPath } from './web-assets.ts';

async function withCore(webDir: string, body: (url: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-webport-'));
  const core = await startCore({ stateDir: root, port: 0, webDir });
  try {
    await body(core.url);
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** `p`, or a failure naming `what` once the time limit passes (a protocol mix-up hangs rather than fails). */
async function within<T>(what: string, p: Promise<T>): Promise<T> {
  const limit = 10_000 * timeScale();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms: ${what}`)), limit);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function guiDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'axle-webdir-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Axle</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1);');
  return dir;
}

test('gRPC over HTTP/2 and Connect over HTTP/1.1 share the port', async () => {
  await withCore(guiDir(), async (url) => {
    const h2 = createClient(Control, createGrpcTransport({ baseUrl: url }));
    assert.equal((await within('gRPC over HTTP/2', h2.getFrameworkInfo({}))).instanceName, 'axle');
    const h1 = createClient(Control, createConnectTransport({ baseUrl: url, httpVersion: '1.1' }));
    assert.equal((await within('Connect over HTTP/1.1', h1.getFrameworkInfo({}))).instanceName, 'axle');
    const res = await within(
      'a plain HTTP/1.1 POST of Connect JSON',
      fetch(`${url}/o2control.Control/GetEnvironments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    assert.equal(res.status, 200);
    assert.ok('frameworkId' in ((await res.json()) as object));
  });
});

test('Subscribe with id * streams every event over HTTP/1.1 (Connect JSON)', async () => {
  await withCore(guiDir(), async (url) => {
    const h1 = createClient(Control, createConnectTransport({ baseUrl: url, httpVersion: '1.1' }));
    const h2 = createClient(Control, createGrpcTransport({ baseUrl: url }));
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 20_000 * timeScale());
    const seen: string[] = [];
    try {
      const stream = h1.subscribe({ id: '*' }, { signal: ac.signal });
      // A failing create emits an environment event to every subscriber.
      setTimeout(
        () => void h2.newEnvironment({ workflowTemplate: 'nowhere/none@main' }).catch(() => undefined),
        200,
      );
      for await (const ev of stream) {
        seen.push(ev.Payload.case ?? 'none');
        if (ev.Payload.case === 'environmentEvent') {
          assert.match(ev.Payload.value.error, /nowhere/);
          break;
        }
      }
    } catch (e) {
      assert.fail(`no event over HTTP/1.1 within 20 s (seen: ${seen.join(', ')}): ${String(e)}`);
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    assert.equal(seen.at(-1), 'environmentEvent');
  });
});

test('the GUI files are served at / and /assets, anything else is refused in words', async () => {
  await withCore(guiDir(), async (url) => {
    const page = await within('GET / over HTTP/1.1', fetch(`${url}/`));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<title>Axle<\/title>/);
    const js = await fetch(`${url}/assets/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    const missing = await fetch(`${url}/assets/none.js`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /no such file/);
    const other = await fetch(`${url}/etc/passwd`);
    assert.equal(other.status, 404);
    assert.match(await other.text(), /no such page/);
    const put = await fetch(`${url}/`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
  });
});

test('a traversal in the raw request line never leaves the GUI folder', async () => {
  assert.equal(assetPath('/assets/../../etc/passwd'), undefined);
  assert.equal(assetPath('/assets/%2e%2e/%2e%2e/etc/passwd'), undefined);
  assert.equal(assetPath('/assets/%E0%A4%A'), undefined);
  assert.equal(assetPath('/assets/a.js'), 'assets/a.js');
  await withCore(guiDir(), async (url) => {
    const port = Number(new URL(url).port);
    const reply = await within(
      'a raw HTTP/1.1 request',
      new Promise<string>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () =>
          s.write('GET /assets/..%2f..%2fpackage.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        );
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.on('end', () => resolve(text));
        s.on('error', reject);
      }),
    );
    assert.match(reply, /^HTTP\/1\.1 404/);
  });
});

test('without a built GUI the page says how to build it', async () => {
  await withCore(join(tmpdir(), 'axle-no-such-web-dir'), async (url) => {
    const page = await within('GET / without a GUI', fetch(`${url}/`));
    assert.equal(page.status, 404);
    assert.match(await page.text(), /npm run build/);
  });
});
