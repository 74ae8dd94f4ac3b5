import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argTree, fairMqProperties, parsePtreeEntry, propertyTree } from './arg-tree.ts';

test('argTree splits keys on dots', () => {
  const tree = argTree({
    'chans.data.0.address': 'tcp://*:9001',
    'chans.data.0.method': 'bind',
    'chans.data.numSockets': '1',
    environment_id: 'abc',
  });
  assert.deepEqual(tree, {
    chans: { data: { '0': { address: 'tcp://*:9001', method: 'bind' }, numSockets: '1' } },
    environment_id: 'abc',
  });
});

test('argTree parses __ptree__:json keys into subtrees', () => {
  const tree = argTree({ '__ptree__:json:cfg': '{"a":{"b":1},"list":[1,2]}', '__ptree__:ini:other': 'x=1' });
  assert.deepEqual(tree, { cfg: { a: { b: 1 }, list: [1, 2] }, other: 'x=1' });
  assert.deepEqual(parsePtreeEntry('__ptree__:json:bad', '{'), { key: 'bad', value: '{' });
  assert.equal(parsePtreeEntry('plain', 'x'), undefined);
});

test('fairMqProperties converts channel integers and autoBind like SetProperty', () => {
  const props = fairMqProperties({
    'chans.data.0.rateLogging': '10',
    'chans.data.0.sndBufSize': '1000',
    'chans.data.0.address': 'tcp://*:9001',
    'chans.data.0.autoBind': '0',
    'chans.data.0.linger': 'oops',
    rateLogging: '5',
    '__ptree__:json:qc': '{"k":"v"}',
  });
  assert.equal(props.get('chans.data.0.rateLogging'), 10);
  assert.equal(props.get('chans.data.0.sndBufSize'), 1000);
  assert.equal(props.get('chans.data.0.address'), 'tcp://*:9001');
  assert.equal(props.get('chans.data.0.autoBind'), false);
  assert.equal(props.get('chans.data.0.linger'), 'oops');
  assert.equal(props.get('rateLogging'), '5');
  assert.deepEqual(props.get('qc'), { k: 'v' });
  const tree = propertyTree(props);
  assert.deepEqual((tree.chans as { data: { '0': { rateLogging: number } } }).data['0'].rateLogging, 10);
});
