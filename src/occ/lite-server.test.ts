import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { createFairMqMachine } from './fairmq-machine.ts';
import { encodeJsonFrame, FrameReader, GRPC_JSON_CONTENT_TYPE } from './grpc-frame.ts';
import { createJsonOccClient } from './json-client.ts';
import { serveOccLite } from './lite-server.ts';
import type { OccServer } from './occ-machine.ts';
import { scaled } from '../common/testing/wait.ts';

let server: OccServer;
const machine = createFairMqMachine({
  initTask: () => new Promise((r) => setTimeout(r, 300)),
});

before(async () => {
  server = await serveOccLite(machine, { port: 0 });
});
after(async () => {
  await server.close();
});

interface RawReply {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  messages: unknown[];
}

/** A raw gRPC+JSON call on node:http2, to look at the wire itself. */
async function rawCall(path: string, body: unknown): Promise<RawReply> {
  const session = http2.connect(`http://127.0.0.1:${server.port}`);
  try {
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': GRPC_JSON_CONTENT_TYPE,
      te: 'trailers',
    });
    const reply: RawReply = { headers: {}, trailers: {}, messages: [] };
    req.on('response', (h: http2.IncomingHttpHeaders) => (reply.headers = h));
    req.on('trailers', (t: http2.IncomingHttpHeaders) => (reply.trailers = t));
    req.end(encodeJsonFrame(body));
    const reader = new FrameReader();
    for await (const chunk of req as AsyncIterable<Buffer>) {
      for (const f of reader.push(chunk)) reply.messages.push(JSON.parse(f.toString()));
    }
    return reply;
  } finally {
    session.close();
  }
}

test('GetState: application/grpc+json, one framed JSON message, grpc-status 0 in trailers', async () => {
  const reply = await rawCall('/GetState', {});
  assert.equal(reply.headers[':status'], 200);
  assert.equal(reply.headers['content-type'], 'application/grpc+json');
  assert.deepEqual(reply.messages, [{ state: 'IDLE', pid: process.pid }]);
  assert.equal(reply.trailers['grpc-status'], '0');
});

test('Transition replies carry every field; errors are trailers-only with grpc-status and grpc-message', async () => {
  const ok = await rawCall('/Transition', {
    srcState: 'IDLE',
    transitionEvent: 'INIT DEVICE',
    arguments: [{ key: 'a', value: 'b' }],
  });
  assert.deepEqual(ok.messages, [
    { trigger: 0, state: 'INITIALIZING DEVICE', transitionEvent: 'INIT DEVICE', ok: true },
  ]);
  assert.equal(machine.properties.get('a'), 'b');
  const bad = await rawCall('/Transition', {
    srcState: 'IDLE',
    transitionEvent: 'COMPLETE INIT',
    arguments: [],
  });
  assert.deepEqual(bad.messages, []);
  assert.equal(bad.headers['grpc-status'], '3');
  assert.equal(
    bad.headers['grpc-message'],
    'transition not possible: state mismatch: source: IDLE current: INITIALIZING DEVICE',
  );
  const unknown = await rawCall('/occ_pb.Occ/GetState', {});
  assert.equal(unknown.headers['grpc-status'], '12');
});

test('the JSON client sends bare paths first and falls back to /Method on a Node.js server', async () => {
  const client = createJsonOccClient(server.port);
  try {
    assert.equal((await client.getState()).state, 'INITIALIZING DEVICE');
    const reply = await client.transition({
      srcState: 'INITIALIZING DEVICE',
      event: 'COMPLETE INIT',
      arguments: {},
    });
    assert.deepEqual(reply, { ok: true, state: 'INITIALIZED', trigger: 'EXECUTOR', event: 'COMPLETE INIT' });
    await assert.rejects(client.transition({ srcState: 'INITIALIZED', event: 'bogus', arguments: {} }), {
      code: 'INVALID_ARGUMENT',
      message: 'argument bogus is not a valid transition name',
    });
  } finally {
    client.close();
  }
});

test('deadlines, aborts and a closed port map to DEADLINE_EXCEEDED, CANCELLED and UNAVAILABLE', async () => {
  const client = createJsonOccClient(server.port);
  try {
    await client.transition({ srcState: 'INITIALIZED', event: 'BIND', arguments: {} });
    await client.transition({ srcState: 'BOUND', event: 'CONNECT', arguments: {} });
    const slow = { srcState: 'DEVICE READY', event: 'INIT TASK', arguments: {} };
    await assert.rejects(client.transition(slow, { timeoutMs: 50 }), { code: 'DEADLINE_EXCEEDED' });
    await assert.rejects(client.getState({ signal: AbortSignal.abort() }), { code: 'CANCELLED' });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await client.getState()).state, 'READY');
  } finally {
    client.close();
  }
  const nobody = createJsonOccClient(1);
  await assert.rejects(nobody.getState({ timeoutMs: scaled(1000) }), { code: 'UNAVAILABLE' });
  nobody.close();
});

test('EventStream ends with NULL_DEVICE_EVENT when the device reaches EXITING', async () => {
  const client = createJsonOccClient(server.port);
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of client.events(new AbortController().signal)) seen.push(e);
  })();
  await new Promise((r) => setTimeout(r, 50));
  await client.transition({ srcState: 'READY', event: 'RESET TASK', arguments: {} });
  await client.transition({ srcState: 'DEVICE READY', event: 'RESET DEVICE', arguments: {} });
  await client.transition({ srcState: 'IDLE', event: 'END', arguments: {} });
  await reading;
  client.close();
  assert.deepEqual(seen, ['NULL_DEVICE_EVENT']);
});
