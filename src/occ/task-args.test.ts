import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlPort, fairMqTransport, optionValue } from './task-args.ts';

test('the control port comes from --control-port, then OCC_CONTROL_PORT, then 47100', () => {
  assert.equal(controlPort(['--control-port', '31000'], { OCC_CONTROL_PORT: '32000' }), 31000);
  assert.equal(controlPort(['--control-port=31001'], {}), 31001);
  assert.equal(controlPort([], { OCC_CONTROL_PORT: '32000' }), 32000);
  assert.equal(controlPort([], {}), 47100);
  assert.throws(() => controlPort(['--control-port', 'x'], {}), /invalid control port/);
});

test('options and the FairMQ plugin choice', () => {
  assert.equal(optionValue(['--rate', '5', '--rate=7'], '--rate'), '7');
  assert.equal(optionValue(['--rate'], '--rate'), undefined);
  assert.equal(fairMqTransport(['--id', 'x', '-P', 'OCClite']), 'json');
  assert.equal(fairMqTransport([]), 'json');
  assert.equal(fairMqTransport(['-P', 'OCC']), 'protobuf');
});
