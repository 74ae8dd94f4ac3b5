import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV_EVENTS, ENV_STATES, ENV_TRANSITIONS, nextState } from './environment-fsm.ts';

test('every state/event pair follows the table', () => {
  const expected: Record<string, string> = {
    'STANDBY DEPLOY': 'DEPLOYED',
    'DEPLOYED CONFIGURE': 'CONFIGURED',
    'CONFIGURED START_ACTIVITY': 'RUNNING',
    'RUNNING STOP_ACTIVITY': 'CONFIGURED',
    'CONFIGURED RESET': 'DEPLOYED',
    'CONFIGURED EXIT': 'DONE',
    'DEPLOYED EXIT': 'DONE',
    'STANDBY EXIT': 'DONE',
    'STANDBY GO_ERROR': 'ERROR',
    'CONFIGURED GO_ERROR': 'ERROR',
    'DEPLOYED GO_ERROR': 'ERROR',
    'RUNNING GO_ERROR': 'ERROR',
    'ERROR RECOVER': 'DEPLOYED',
  };
  for (const s of ENV_STATES) {
    for (const e of ENV_EVENTS) {
      const r = nextState(s, e);
      const want = expected[`${s} ${e}`];
      if (want === undefined) {
        assert.equal(r.ok, false, `${s} ${e}`);
        if (!r.ok) assert.match(r.reason, new RegExp(`${e} is impossible from state ${s}`));
      } else assert.deepEqual(r, { ok: true, to: want }, `${s} ${e}`);
    }
  }
  assert.equal(Object.keys(ENV_TRANSITIONS).length, ENV_EVENTS.length);
});
