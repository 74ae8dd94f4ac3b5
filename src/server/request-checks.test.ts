/**
 * Bad requests are refused at the edge with InvalidArgument naming the RPC and the field: invalid UTF-8 (sent as raw
 * gRPC frames, since clients only encode valid text), strings over their field's limit, malformed glob patterns; a
 * message over the core's read limit is ResourceExhausted. Through a real core on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control } from '../gen/protos/o2control_pb.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { startCore } from './core.ts';
import type { RunningCore } from './core.ts';
import { DEFAULT_PLAN_LIMITS } from '../common/plan-limits.ts';
import { READ_MAX_BYTES, wellFormed } from './request-checks.ts';

/** A protobuf length-delimited field. */
function field(no: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([varint((no << 3) | 2), varint(bytes.length), bytes]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/** One raw gRPC call; answers grpc-status and grpc-message (decoded). */
function rawGrpc(url: string, method: string, message: Buffer): Promise<{ code: number; message: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    const timer = setTimeout(
      () => reject(new Error(`no gRPC status for ${method} within ${10_000 * timeScale()} ms`)),
      10_000 * timeScale(),
    );
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': `/o2control.Control/${method}`,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let status: { code: number; message: string } | undefined;
    const read = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] !== undefined)
        status = {
          code: Number(h['grpc-status']),
          message: decodeURIComponent(String(h['grpc-message'] ?? '')),
        };
    };
    req.on('response', read);
    req.on('trailers', read);
    req.on('data', () => undefined);
    req.on('error', reject);
    req.on('close', () => {
      clearTimeout(timer);
      session.close();
      if (status === undefined) reject(new Error(`${method}: the stream closed without a gRPC status`));
      else resolve(status);
    });
    const head = Buffer.alloc(5);
    head.writeUInt32BE(message.length, 1);
    req.end(Buffer.concat([head, message]));
  });
}

/** One Connect JSON call; answers the HTTP status and body. */
function h2Json(url: string, method: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': `/o2control.Control/${method}`,
      'content-type': 'application/json',
      'connect-protocol-version': '1',
    });
    let status = 0;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      session.close();
      resolve({ status, body: Buffer.concat(chunks).toString() });
    });
    req.end(body);
  });
}

async function refusal(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (e: unknown) {
    return ConnectError.from(e);
  }
  assert.fail('the call succeeded');
}

const BAD = Buffer.from([0x61, 0xff, 0xfe, 0x62]);

describe('request checks at the edge', () => {
  let dir = '';
  let core: RunningCore;
  let c: Client<typeof Control>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'axle-request-checks-'));
    mkdirSync(join(dir, 'repo', 'workflows'), { recursive: true });
    writeFileSync(
      join(dir, 'repo', 'workflows', 'echo.yaml'),
      'name: echo\nroles:\n  - name: "r{{ it }}"\n    for: { range: "{{ hosts }}", var: it }\n    roles: []\n',
    );
    core = await startCore({ stateDir: join(dir, 'state'), port: 0 });
    await core.context.repos.add(join(dir, 'repo'));
    // Room on the client side too for the over-limit message.
    c = createClient(
      Control,
      createGrpcTransport({ baseUrl: core.url, nodeOptions: { maxSessionMemory: 256 } }),
    );
  });

  after(async () => {
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('invalid UTF-8 in a string field is InvalidArgument naming the field', async () => {
    const id = await rawGrpc(core.url, 'GetEnvironment', field(1, BAD));
    assert.deepEqual(id, { code: Code.InvalidArgument, message: 'GetEnvironment: id: is not valid UTF-8' });
    const entry = Buffer.concat([field(1, Buffer.from('detector')), field(2, BAD)]);
    const vars = await rawGrpc(
      core.url,
      'NewEnvironment',
      Buffer.concat([field(1, Buffer.from('minimal')), field(2, entry)]),
    );
    assert.deepEqual(vars, {
      code: Code.InvalidArgument,
      message: 'NewEnvironment: vars["detector"]: is not valid UTF-8',
    });
    const key = await rawGrpc(
      core.url,
      'NewEnvironment',
      Buffer.concat([field(1, Buffer.from('minimal')), field(2, field(1, BAD))]),
    );
    assert.equal(key.code, Code.InvalidArgument);
    assert.match(key.message, /^NewEnvironment: vars key .*: is not valid UTF-8$/);
  });

  test('a Connect JSON body that is not UTF-8 is InvalidArgument (not silently replaced)', async () => {
    const body = Buffer.concat([Buffer.from('{"id":"'), BAD, Buffer.from('"}')]);
    const r = await h2Json(core.url, 'GetEnvironment', body);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), {
      code: 'invalid_argument',
      message: 'the JSON request body is not valid UTF-8',
    });
  });

  test('an error text cut at its length limit in the middle of a character still reaches the client', async () => {
    const fast = createClient(
      Control,
      createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: 10_000 * timeScale() }),
    );
    const probe = await refusal(fast.newEnvironment({ workflowTemplate: 'echo', vars: { hosts: 'xxxx' } }));
    const prefix = probe.rawMessage.indexOf('xxxx') - 'NewEnvironment: '.length;
    assert.ok(prefix > 0, probe.rawMessage);
    // The emoji's first half is the last character the core's limit on error texts would keep.
    const hosts = `${'x'.repeat(DEFAULT_PLAN_LIMITS.maxErrorTextLength - prefix - 1)}\u{1F600}`;
    const cut = await refusal(fast.newEnvironment({ workflowTemplate: 'echo', vars: { hosts } }));
    assert.equal(cut.code, Code.InvalidArgument, cut.message);
    assert.equal(wellFormed(cut.rawMessage), cut.rawMessage, 'no lone surrogate reaches the client');
    assert.match(cut.rawMessage, /x…\(\d+ bytes more\)/);
  });

  test('an error text cut at the edge in the middle of a character is repaired', () => {
    assert.equal(wellFormed(`ab\uD83D`), 'ab\uFFFD');
    assert.equal(wellFormed(`\uDE00ab`), '\uFFFDab');
    assert.equal(wellFormed('a\u{1F600}b'), 'a\u{1F600}b');
  });

  test('names and values over their limit are InvalidArgument naming the field and the limit', async () => {
    const name = await refusal(c.newEnvironment({ workflowTemplate: 'w'.repeat(2000) }));
    assert.equal(name.code, Code.InvalidArgument);
    assert.equal(
      name.rawMessage,
      'NewEnvironment: workflowTemplate: 2000 characters is over the limit of 1024',
    );
    const value = await refusal(
      c.newEnvironment({ workflowTemplate: 'minimal', vars: { hosts: 'x'.repeat(2 * 1024 * 1024) } }),
    );
    assert.equal(value.code, Code.InvalidArgument);
    assert.equal(
      value.rawMessage,
      'NewEnvironment: vars["hosts"]: 2097152 characters is over the limit of 1048576',
    );
    const varName = await refusal(
      c.newEnvironment({ workflowTemplate: 'minimal', vars: { ['k'.repeat(300)]: '1' } }),
    );
    assert.equal(varName.code, Code.InvalidArgument);
    assert.match(
      varName.rawMessage,
      /^NewEnvironment: vars key "k+": 300 characters is over the limit of 256$/,
    );
    const id = await refusal(c.getEnvironment({ id: 'a'.repeat(5000) }));
    assert.equal(id.code, Code.InvalidArgument);
    assert.equal(id.rawMessage, 'GetEnvironment: id: 5000 characters is over the limit of 256');
    const stream = await refusal(
      (async () => {
        for await (const e of c.subscribe({ id: 's'.repeat(300) }, { timeoutMs: 10_000 * timeScale() }))
          assert.fail(`an event: ${e.$typeName}`);
      })(),
    );
    assert.equal(stream.code, Code.InvalidArgument);
    assert.equal(stream.rawMessage, 'Subscribe: id: 300 characters is over the limit of 256');
  });

  test(`a message over ${READ_MAX_BYTES} bytes is ResourceExhausted; the core keeps serving`, async () => {
    const huge = await refusal(c.getEnvironment({ id: 'a'.repeat(READ_MAX_BYTES + 1) }));
    assert.equal(huge.code, Code.ResourceExhausted, huge.message);
    assert.equal((await c.getEnvironments({})).environments.length, 0);
  });

  test('a malformed glob in GetWorkflowTemplates is InvalidArgument naming the pattern field', async () => {
    const rev = await refusal(c.getWorkflowTemplates({ revisionPattern: 'v[1' }));
    assert.equal(rev.code, Code.InvalidArgument);
    assert.equal(
      rev.rawMessage,
      'GetWorkflowTemplates: revisionPattern: "v[1" is not a valid pattern: "[" at position 2 is not closed',
    );
    const repo = await refusal(c.getWorkflowTemplates({ repoPattern: '{a,b' }));
    assert.equal(repo.code, Code.InvalidArgument);
    assert.match(repo.rawMessage, /^GetWorkflowTemplates: repoPattern: .*"\{" at position 1 is not closed$/);
    assert.deepEqual((await c.getWorkflowTemplates({ repoPattern: '{a,b}*' })).workflowTemplates, []);
  });
});
