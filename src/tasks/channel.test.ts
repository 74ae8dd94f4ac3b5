import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelSpecs, isSender, socketAddress } from './channel-spec.ts';
import { Channel } from './channel.ts';
import { DataFrameReader, encodeDataFrame } from './frames.ts';
import { eventually } from './test-harness.ts';

test('channel specs come from chans.<name>.0.* CONFIGURE arguments', () => {
  const specs = channelSpecs({
    'chans.out.0.address': 'tcp://*:9001',
    'chans.out.0.method': 'bind',
    'chans.out.0.type': 'push',
    'chans.in.numSockets': '1',
    'chans.in.0.address': 'ipc://@x',
    'chans.in.0.method': 'connect',
    other: 'y',
  });
  assert.deepEqual(specs, [
    { name: 'out', address: 'tcp://*:9001', method: 'bind', type: 'push' },
    { name: 'in', address: 'ipc://@x', method: 'connect', type: '' },
  ]);
  assert.equal(isSender(specs[0]!), true);
  assert.equal(isSender(specs[1]!), false);
});

test('addresses: tcp with * or a host, abstract and path ipc; others rejected', () => {
  assert.deepEqual(socketAddress('tcp://*:9001'), { kind: 'tcp', host: '0.0.0.0', port: 9001 });
  assert.deepEqual(socketAddress('tcp://127.0.0.1:9'), { kind: 'tcp', host: '127.0.0.1', port: 9 });
  assert.deepEqual(socketAddress('ipc://@axle-x'), { kind: 'ipc', path: '\0axle-x' });
  assert.deepEqual(socketAddress('ipc:///tmp/s'), { kind: 'ipc', path: '/tmp/s' });
  assert.throws(() => socketAddress('inproc://x'), /unsupported/);
});

test('length-prefixed frames survive arbitrary splits', () => {
  const bytes = Buffer.concat([encodeDataFrame(Buffer.from('ab')), encodeDataFrame(Buffer.from('cde'))]);
  const reader = new DataFrameReader();
  const out = [...bytes].flatMap((b) => reader.push(Buffer.from([b])).map(String));
  assert.deepEqual(out, ['ab', 'cde']);
});

test('a connecting channel dials a bound one (started later) and frames flow both ways', async () => {
  const address = `ipc://@axle-channel-test-${process.pid}`;
  const client = await Channel.open({ name: 'in', address, method: 'connect', type: 'pull' });
  assert.equal(client.send(Buffer.from('dropped')), false);
  const server = await Channel.open({ name: 'out', address, method: 'bind', type: 'push' });
  const got: string[] = [];
  client.onFrame((f) => got.push(f.toString()));
  await eventually(() => server.peerCount === 1, 'the client to connect');
  server.send(Buffer.from('one'));
  server.send(Buffer.from('two'));
  await eventually(() => got.length === 2, 'both frames to arrive');
  assert.deepEqual(got, ['one', 'two']);
  await Promise.all([client.close(), server.close()]);
});

test('a TCP channel bound on port 0 reports the port it got', async () => {
  const ch = await Channel.open({ name: 'out', address: 'tcp://127.0.0.1:0', method: 'bind', type: 'push' });
  assert.match(ch.boundAddress, /^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
  await ch.close();
});
