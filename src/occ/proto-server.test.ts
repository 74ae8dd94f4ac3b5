import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createDirectMachine } from './direct-machine.ts';
import type { OccServer } from './occ-machine.ts';
import { createProtoOccClient } from './proto-client.ts';
import { serveOccProtobuf } from './proto-server.ts';

const machine = createDirectMachine({
  start: (args) => {
    if (args.fail === 'yes') throw new Error('start refused');
  },
});
let server: OccServer;

type Callback<T> = (err: grpc.ServiceError | null, reply?: T) => void;
interface PlainOcc extends grpc.Client {
  GetState(req: object, cb: Callback<Record<string, unknown>>): void;
  Transition(req: object, cb: Callback<Record<string, unknown>>): void;
  EventStream(req: object): grpc.ClientReadableStream<Record<string, unknown>>;
  StateStream(req: object): grpc.ClientReadableStream<Record<string, unknown>>;
}
let plain: PlainOcc;

before(async () => {
  server = await serveOccProtobuf(machine, { port: 0 });
  const definition = protoLoader.loadSync('protos/occ.proto', {
    includeDirs: [fileURLToPath(new URL('../../proto/', import.meta.url))],
    keepCase: true,
    enums: String,
    defaults: false,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    occ_pb: { Occ: new (address: string, creds: grpc.ChannelCredentials) => PlainOcc };
  };
  plain = new pkg.occ_pb.Occ(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});
after(async () => {
  plain.close();
  await server.close();
});

/** A unary call of the plain gRPC client, resolving to the reply or the ServiceError. */
function unary(
  method: 'GetState' | 'Transition',
  req: object,
): Promise<Record<string, unknown> | grpc.ServiceError> {
  return new Promise((resolve) => plain[method](req, (err, reply) => resolve(err ?? reply ?? {})));
}

test('plain gRPC: GetState, state mismatch, refused event and unknown event as a real OCC library process', async () => {
  assert.deepEqual(await unary('GetState', {}), { state: 'STANDBY', pid: process.pid });
  const mismatch = (await unary('Transition', {
    srcState: 'RUNNING',
    transitionEvent: 'STOP',
  })) as grpc.ServiceError;
  assert.equal(mismatch.code, grpc.status.INVALID_ARGUMENT);
  // Connect percent-encodes grpc-message with encodeURIComponent; grpc-js only runs decodeURI over it (leaving
  // %3A), while grpc-go and grpc C++ clients (the AliECS executor) decode every escape.
  assert.equal(
    decodeURIComponent(mismatch.details),
    'transition not possible: state mismatch: source: RUNNING current: STANDBY',
  );
  const refused = await unary('Transition', { srcState: 'STANDBY', transitionEvent: 'START' });
  assert.deepEqual(refused, { trigger: 'DEVICE_INTENTIONAL', state: 'STANDBY', transitionEvent: 'START' });
  const lower = (await unary('Transition', {
    srcState: 'STANDBY',
    transitionEvent: 'configure',
  })) as grpc.ServiceError;
  assert.equal(lower.code, grpc.status.UNKNOWN);
  assert.equal(machine.state, 'STANDBY');
});

test('plain gRPC: success omits the proto3 defaults (trigger EXECUTOR); failure is DEVICE_ERROR in ERROR', async () => {
  const args = [{ key: 'chans.x.0.address', value: 'tcp://*:1' }];
  const ok = await unary('Transition', {
    srcState: 'STANDBY',
    transitionEvent: 'CONFIGURE',
    arguments: args,
  });
  assert.deepEqual(ok, { state: 'CONFIGURED', transitionEvent: 'CONFIGURE', ok: true });
  const failed = await unary('Transition', {
    srcState: 'CONFIGURED',
    transitionEvent: 'START',
    arguments: [{ key: 'fail', value: 'yes' }],
  });
  assert.deepEqual(failed, { trigger: 'DEVICE_ERROR', state: 'ERROR', transitionEvent: 'START' });
  assert.deepEqual(await unary('Transition', { srcState: 'ERROR', transitionEvent: 'RECOVER' }), {
    state: 'STANDBY',
    transitionEvent: 'RECOVER',
    ok: true,
  });
});

test('Connect client: same statuses and replies; EventStream gets END_OF_STREAM and closes OK at DONE', async () => {
  const client = createProtoOccClient(server.port);
  try {
    await assert.rejects(client.transition({ srcState: 'RUNNING', event: 'STOP', arguments: {} }), {
      code: 'INVALID_ARGUMENT',
      message: 'transition not possible: state mismatch: source: RUNNING current: STANDBY',
    });
    const stream = plain.EventStream({});
    const plainSeen: unknown[] = [];
    stream.on('data', (m) => plainSeen.push(m));
    const plainEnded = new Promise<grpc.StatusObject>((r) => stream.on('status', r));
    const states = plain.StateStream({});
    const stateSeen: unknown[] = [];
    states.on('data', (m) => stateSeen.push(m));
    const statesEnded = new Promise<grpc.StatusObject>((r) => states.on('status', r));
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of client.events(new AbortController().signal)) seen.push(e);
    })();
    await new Promise((r) => setTimeout(r, 100));
    await client.transition({ srcState: 'STANDBY', event: 'CONFIGURE', arguments: {} });
    const started = await client.transition({
      srcState: 'CONFIGURED',
      event: 'START',
      arguments: { runNumber: '5' },
    });
    assert.deepEqual(started, { ok: true, state: 'RUNNING', trigger: 'EXECUTOR', event: 'START' });
    assert.equal(machine.runNumber, 5);
    machine.emit('END_OF_STREAM');
    await client.transition({ srcState: 'RUNNING', event: 'STOP', arguments: {} });
    await client.transition({ srcState: 'CONFIGURED', event: 'EXIT', arguments: {} });
    await reading;
    assert.deepEqual(seen, ['END_OF_STREAM']);
    assert.equal((await plainEnded).code, grpc.status.OK);
    assert.deepEqual(plainSeen, [{ event: { type: 'END_OF_STREAM' } }]);
    assert.equal((await statesEnded).code, grpc.status.OK);
    assert.deepEqual(
      stateSeen.map((m) => (m as { state: string }).state),
      ['CONFIGURED', 'RUNNING', 'CONFIGURED', 'DONE'],
    );
    await assert.rejects(client.transition({ srcState: 'DONE', event: 'EXIT', arguments: {} }), {
      code: 'FAILED_PRECONDITION',
    });
  } finally {
    client.close();
  }
});
