import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FAIRMQ_EXPECTED_STATE,
  FAIRMQ_INTERMEDIATE,
  OCC_EVENTS,
  OCC_EXPECTED_STATE,
  OCC_TO_FAIRMQ,
  fairMqNext,
  fairMqSequence,
  isOccEvent,
  occNext,
  occStateOfFairMq,
} from './task-state.ts';

test('occNext follows the direct-mode table', () => {
  assert.equal(occNext('STANDBY', 'CONFIGURE'), 'CONFIGURED');
  assert.equal(occNext('CONFIGURED', 'START'), 'RUNNING');
  assert.equal(occNext('RUNNING', 'STOP'), 'CONFIGURED');
  assert.equal(occNext('CONFIGURED', 'RESET'), 'STANDBY');
  for (const s of ['STANDBY', 'CONFIGURED', 'ERROR']) assert.equal(occNext(s, 'EXIT'), 'DONE');
  assert.equal(occNext('ERROR', 'RECOVER'), 'STANDBY');
});

test('occNext refuses events not allowed, GO_ERROR and lower-case names', () => {
  assert.equal(occNext('STANDBY', 'START'), undefined);
  assert.equal(occNext('RUNNING', 'EXIT'), undefined);
  assert.equal(occNext('STANDBY', 'GO_ERROR'), undefined);
  assert.equal(occNext('STANDBY', 'configure'), undefined);
  assert.equal(occNext('DONE', 'EXIT'), undefined);
});

test('every successful direct edge ends in the expected state of its event', () => {
  for (const event of OCC_EVENTS) {
    for (const from of ['STANDBY', 'CONFIGURED', 'RUNNING', 'ERROR']) {
      const to = occNext(from, event);
      if (to !== undefined) assert.equal(to, OCC_EXPECTED_STATE[event], `${from} ${event}`);
    }
  }
  assert.ok(isOccEvent('RECOVER'));
  assert.ok(!isOccEvent('start'));
});

test('the FairMQ machine walks CONFIGURE to READY through intermediates', () => {
  let state: string = 'IDLE';
  for (const event of fairMqSequence('CONFIGURE', 'STANDBY')) {
    let next = fairMqNext(state, event);
    assert.ok(next !== undefined, `${event} allowed in ${state}`);
    for (let auto = FAIRMQ_INTERMEDIATE[next]; auto !== undefined; auto = FAIRMQ_INTERMEDIATE[next])
      next = auto;
    assert.equal(next, FAIRMQ_EXPECTED_STATE[event]);
    state = next;
  }
  assert.equal(state, OCC_TO_FAIRMQ.CONFIGURED);
});

test('FairMQ sequences and the state map', () => {
  assert.deepEqual(fairMqSequence('EXIT', 'CONFIGURED'), ['RESET TASK', 'RESET DEVICE', 'END']);
  assert.deepEqual(fairMqSequence('EXIT', 'STANDBY'), ['END']);
  assert.deepEqual(fairMqSequence('RESET', 'CONFIGURED'), ['RESET TASK', 'RESET DEVICE']);
  assert.deepEqual(fairMqSequence('RECOVER', 'ERROR'), []);
  assert.equal(occStateOfFairMq('EXITING'), 'DONE');
  assert.equal(occStateOfFairMq('READY'), 'CONFIGURED');
  assert.equal(occStateOfFairMq('BOUND'), undefined);
  assert.equal(fairMqNext('RUNNING', 'ERROR FOUND'), 'ERROR');
  assert.equal(fairMqNext('IDLE', 'RUN'), undefined);
});
