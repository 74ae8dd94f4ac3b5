import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOccClient } from './occ-client.ts';
import { runFairMqDevice, runOccTask } from './task-sdk.ts';

test('runOccTask serves protobuf OCC and resolves `finished` at DONE', async () => {
  const task = await runOccTask({}, { port: 0, exitProcess: false });
  const client = createOccClient(task.port, 'protobuf');
  try {
    await client.transition({ srcState: 'STANDBY', event: 'CONFIGURE', arguments: {} });
    await client.transition({ srcState: 'CONFIGURED', event: 'START', arguments: { runNumber: '12' } });
    assert.equal(task.state, 'RUNNING');
    assert.equal(task.runNumber, 12);
    task.emit('TASK_INTERNAL_ERROR');
    assert.equal((await client.getState()).state, 'ERROR');
    await client.transition({ srcState: 'ERROR', event: 'EXIT', arguments: {} });
    await task.finished;
    assert.equal(task.state, 'DONE');
  } finally {
    client.close();
    await task.close();
  }
});

test('runFairMqDevice serves OCClite JSON by default and resolves `finished` at EXITING', async () => {
  const device = await runFairMqDevice({}, { port: 0, exitProcess: false, argv: ['-P', 'OCClite'] });
  const client = createOccClient(device.port, 'json');
  try {
    assert.equal((await client.getState()).state, 'IDLE');
    await client.transition({ srcState: 'IDLE', event: 'END', arguments: {} });
    await device.finished;
    assert.equal(device.state, 'EXITING');
  } finally {
    client.close();
    await device.close();
  }
});
