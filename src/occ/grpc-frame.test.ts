import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeGrpcMessage,
  encodeFrame,
  encodeGrpcMessage,
  encodeJsonFrame,
  FrameReader,
} from './grpc-frame.ts';

test('frames carry a zero flag and a big-endian length', () => {
  const frame = encodeJsonFrame({ state: 'IDLE' });
  assert.equal(frame[0], 0);
  assert.equal(frame.readUInt32BE(1), frame.length - 5);
  assert.equal(frame.subarray(5).toString(), '{"state":"IDLE"}');
});

test('FrameReader reassembles frames split anywhere and several per chunk', () => {
  const bytes = Buffer.concat([
    encodeFrame(Buffer.from('one')),
    encodeFrame(Buffer.from('')),
    encodeFrame(Buffer.from('three')),
  ]);
  const reader = new FrameReader();
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3)
    out.push(...reader.push(bytes.subarray(i, i + 3)).map((b) => b.toString()));
  assert.deepEqual(out, ['one', '', 'three']);
  assert.equal(reader.hasPartial, false);
  assert.throws(() => new FrameReader().push(Buffer.from([1, 0, 0, 0, 0])), /compressed/);
});

test('grpc-message is percent-encoded and decoded', () => {
  const text = 'state mismatch: 100% — ok';
  const encoded = encodeGrpcMessage(text);
  assert.match(encoded, /^state mismatch: 100%25 %E2%80%94 ok$/);
  assert.equal(decodeGrpcMessage(encoded), text);
});
