/**
 * The control API as coconut and other AliECS clients see it: a plain grpc-js client built at run time from our
 * o2control.proto, plus raw gRPC-Web and Connect requests, all on the core's one port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fromBinary } from '@bufbuild/protobuf';
import { GetFrameworkInfoReplySchema } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import type { RunningCore } from './core.ts';

type Reply = Record<string, unknown>;
type Unary = (req: Reply, cb: (err: grpc.ServiceError | null, res?: Reply) => void) => void;
type Stub = grpc.Client & Record<string, Unary>;
type StubCtor = new (address: string, creds: grpc.ChannelCredentials) => Stub;

const LOADER = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  includeDirs: ['proto'],
};

function stub(file: string, path: readonly string[], address: string): Stub {
  let node: unknown = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER));
  for (const part of path) node = (node as Record<string, unknown>)[part];
  return new (node as StubCtor)(address, grpc.credentials.createInsecure());
}

function call(client: Stub, method: string, req: Reply = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    fn.call(client, req, (err, res) => (err !== null ? reject(err) : resolve(res ?? {})));
  });
}

async function status(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e: unknown) {
    return e as grpc.ServiceError;
  }
  assert.fail('the call succeeded');
}

/** One HTTP/2 request (the core speaks cleartext HTTP/2 only, which fetch cannot do), answering status and body. */
function h2Post(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, ...headers });
    const chunks: Buffer[] = [];
    let head: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (head = h));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      session.close();
      resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) });
    });
    req.end(body);
  });
}

/** Splits a gRPC-Web body into its length-prefixed frames. */
function frames(body: Buffer): { flags: number; data: Buffer }[] {
  const out: { flags: number; data: Buffer }[] = [];
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    out.push({ flags: body[at] ?? 0, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

describe('control API over gRPC, gRPC-Web and Connect', () => {
  let dir: string;
  let core: RunningCore;
  let control: Stub;
  let health: Stub;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'axle-grpc-client-'));
    core = await startCore({ stateDir: dir, port: 0 });
    const address = `127.0.0.1:${core.port}`;
    control = stub('protos/o2control.proto', ['o2control', 'Control'], address);
    health = stub('grpc/health/v1/health.proto', ['grpc', 'health', 'v1', 'Health'], address);
  });

  after(async () => {
    control.close();
    health.close();
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GetFrameworkInfo answers the instance, version and counts', async () => {
    const info = await call(control, 'GetFrameworkInfo');
    assert.equal(info['instanceName'], 'axle');
    assert.equal(info['frameworkId'], core.context.coreId);
    assert.equal(info['environmentsCount'], 0);
    assert.equal((info['version'] as Reply)['productName'], 'Axle');
    assert.ok(Number(info['timestamp']) > 0);
  });

  test('GetEnvironments, ListRepos and GetActiveDetectors answer empty lists', async () => {
    const envs = await call(control, 'GetEnvironments', { showAll: true });
    assert.deepEqual(envs['environments'], []);
    assert.equal(envs['frameworkId'], core.context.coreId);
    assert.deepEqual((await call(control, 'ListRepos'))['repos'], []);
    assert.deepEqual((await call(control, 'GetActiveDetectors'))['detectors'], []);
  });

  test('GetEnvironment: a malformed id is INVALID_ARGUMENT naming `id`, an unknown one NOT_FOUND', async () => {
    const bad = await status(call(control, 'GetEnvironment', { id: 'not an id!' }));
    assert.equal(bad.code, grpc.status.INVALID_ARGUMENT);
    assert.match(bad.details, /\bid\b/);
    const unknown = await status(call(control, 'GetEnvironment', { id: '2oDvieFrVTi' }));
    assert.equal(unknown.code, grpc.status.NOT_FOUND);
  });

  test('ControlEnvironment NOOP is INVALID_ARGUMENT; Teardown is UNIMPLEMENTED', async () => {
    const noop = await status(call(control, 'ControlEnvironment', { id: '2oDvieFrVTi', type: 'NOOP' }));
    assert.equal(noop.code, grpc.status.INVALID_ARGUMENT);
    assert.match(noop.details, /type/);
    const teardown = await status(call(control, 'Teardown', { reason: 'test' }));
    assert.equal(teardown.code, grpc.status.UNIMPLEMENTED);
  });

  test('grpc.health.v1.Health/Check answers SERVING', async () => {
    assert.equal((await call(health, 'Check', { service: '' }))['status'], 'SERVING');
    assert.equal((await call(health, 'Check', { service: 'o2control.Control' }))['status'], 'SERVING');
  });

  test('gRPC-Web on the same port', async () => {
    const res = await h2Post(
      core.url,
      '/o2control.Control/GetFrameworkInfo',
      { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' },
      new Uint8Array(5),
    );
    assert.equal(res.status, 200);
    const [data, trailer] = frames(res.body);
    assert.equal(data?.flags, 0);
    assert.equal(
      fromBinary(GetFrameworkInfoReplySchema, data?.data ?? new Uint8Array()).instanceName,
      'axle',
    );
    assert.equal(trailer?.flags, 0x80);
    assert.match(trailer?.data.toString() ?? '', /grpc-status:\s*0/);
  });

  test('Connect (JSON) on the same port', async () => {
    const res = await h2Post(
      core.url,
      '/o2control.Control/GetFrameworkInfo',
      { 'content-type': 'application/json', 'connect-protocol-version': '1' },
      new TextEncoder().encode('{}'),
    );
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = JSON.parse(res.body.toString()) as Reply;
    assert.equal(body['instanceName'], 'axle');
    assert.equal(body['frameworkId'], core.context.coreId);
  });
});
