import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCommandLine, buildTaskEnv, shellQuote } from './command-line.ts';
import { commandSpec } from './test-fixtures.ts';

test('direct mode appends --control-port; basic and hook add nothing', () => {
  const spec = commandSpec({ value: '/bin/readout', arguments: ['--rate', '10'] });
  const direct = buildCommandLine(spec, 'direct', 't1', 30001);
  assert.equal(direct.file, '/bin/readout');
  assert.deepEqual(direct.args, ['--rate', '10', '--control-port', '30001']);
  assert.equal(direct.transport, 'protobuf');
  assert.deepEqual(buildCommandLine(spec, 'basic', 't1').args, ['--rate', '10']);
  assert.deepEqual(buildCommandLine(spec, 'hook', 't1', 30001).args, ['--rate', '10']);
});

test('fairmq mode adds --id (unless given) and -P OCClite, and then speaks JSON', () => {
  const line = buildCommandLine(commandSpec({ value: 'sink' }), 'fairmq', 'task-7', 30002);
  assert.deepEqual(line.args, ['--id', 'task-7', '-P', 'OCClite', '--control-port', '30002']);
  assert.equal(line.transport, 'json');
  const own = buildCommandLine(commandSpec({ value: 'sink', arguments: ['--id', 'mine'] }), 'fairmq', 't', 1);
  assert.deepEqual(own.args, ['--id', 'mine', '-P', 'OCClite', '--control-port', '1']);
  const inValue = buildCommandLine(commandSpec({ value: 'sink -P OCClite' }), 'fairmq', 't', 1);
  assert.deepEqual(inValue.args, ['--id', 't', '--control-port', '1']);
});

test('direct mode with -P OCClite in its command line still selects the JSON transport', () => {
  const line = buildCommandLine(commandSpec({ value: 'dev', arguments: ['-P OCClite'] }), 'direct', 't', 1);
  assert.equal(line.transport, 'json');
});

test('shell: true runs /bin/sh -c with the value and quoted arguments', () => {
  const spec = commandSpec({ value: 'echo $HOME &&', shell: true, arguments: ['a b', "it's", 'plain'] });
  const line = buildCommandLine(spec, 'direct', 't', 30003);
  assert.equal(line.file, '/bin/sh');
  assert.deepEqual(line.args, ['-c', `echo $HOME && 'a b' 'it'\\''s' plain --control-port 30003`]);
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('a/b-c.d'), 'a/b-c.d');
});

test('task environment: agent env, then command entries (later wins), then OCC_CONTROL_PORT', () => {
  const env = buildTaskEnv(
    { PATH: '/bin', A: '1', GONE: undefined },
    ['A=2', 'B=x=y', 'EMPTY', '=bad'],
    30004,
  );
  assert.deepEqual(env, { PATH: '/bin', A: '2', B: 'x=y', EMPTY: '', OCC_CONTROL_PORT: '30004' });
  assert.equal(buildTaskEnv({}, [], undefined)['OCC_CONTROL_PORT'], undefined);
});
