import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_USAGE, FlagError, parseAgentFlags } from './agent-flags.ts';

test('one agent from --host with resources and attributes', () => {
  const flags = parseAgentFlags(
    [
      '--core',
      '127.0.0.1:32102',
      '--host',
      'flp001',
      '--cpu',
      '4',
      '--memory',
      '2048',
      '--attr',
      'a=b=c',
      '--attr',
      'x=',
    ],
    {},
  );
  assert.equal(flags.coreUrl, '127.0.0.1:32102');
  assert.deepEqual(flags.agents, [
    { host: 'flp001', cpu: 4, memoryMb: 2048, attributes: { a: 'b=c', x: '' } },
  ]);
  assert.equal(flags.simulatedOnly, false);
  assert.equal(flags.exitWithParent, false);
  assert.equal(flags.scope, undefined);
  assert.equal(flags.advertiseAddress, undefined);
});

test('--scope and --advertise-address apply to the whole process', () => {
  const flags = parseAgentFlags(
    ['--core', 'c:1', '--host', 'flp003', '--scope', '2oDvieFrVTi', '--advertise-address', '10.0.4.3'],
    {},
  );
  assert.equal(flags.scope, '2oDvieFrVTi');
  assert.equal(flags.advertiseAddress, '10.0.4.3');
  assert.deepEqual(
    flags.agents.map((a) => a.host),
    ['flp003'],
  );
  assert.match(AGENT_USAGE, /--scope envId/);
  assert.match(AGENT_USAGE, /--advertise-address addr/);
});

test('--posing N names hosts flp001…; --agents-json adds agents with their own resources', () => {
  const json = JSON.stringify([{ host: 'epn01', cpu: 64, attributes: { kind: 'epn' } }]);
  const flags = parseAgentFlags(
    ['--core', 'c:1', '--posing', '3', '--agents-json', json, '--state-dir', '/tmp/s', '--simulated-only'],
    {},
  );
  assert.deepEqual(
    flags.agents.map((a) => a.host),
    ['flp001', 'flp002', 'flp003', 'epn01'],
  );
  assert.equal(flags.agents[3]?.cpu, 64);
  assert.equal(flags.stateDir, '/tmp/s');
  assert.equal(flags.simulatedOnly, true);
});

test('port ranges and defaults from the environment', () => {
  const flags = parseAgentFlags(
    ['--core', 'c:1', '--control-ports', '31000-31999', '--tcp-ports', '9100-9199'],
    {
      AXLE_HOST: 'myhost',
      AXLE_STATE_DIR: '/tmp/state',
    },
  );
  assert.deepEqual(flags.controlPorts, { first: 31000, last: 31999 });
  assert.deepEqual(flags.tcpPorts, { first: 9100, last: 9199 });
  assert.deepEqual(
    flags.agents.map((a) => a.host),
    ['myhost'],
  );
  assert.equal(flags.stateDir, '/tmp/state');
});

test('bad flags are refused with a FlagError naming the problem', () => {
  const bad: [string[], RegExp][] = [
    [['--host', 'x'], /--core/],
    [['--core', 'c', '--attr', 'novalue'], /key=value/],
    [['--core', 'c', '--cpu', 'many'], /--cpu/],
    [['--core', 'c', '--posing', '-1'], /--posing/],
    [['--core', 'c', '--tcp-ports', '9-1'], /--tcp-ports/],
    [['--core', 'c', '--agents-json', '[{"cpu":1}]'], /--agents-json/],
    [['--core', 'c', '--bogus'], /bogus/],
    [['--core', 'c', '--scope', ''], /--scope/],
    [['--core', 'c', '--advertise-address', ' '], /--advertise-address/],
  ];
  for (const [argv, message] of bad)
    assert.throws(
      () => parseAgentFlags(argv, {}),
      (e: unknown) => e instanceof FlagError && message.test(e.message),
    );
});
