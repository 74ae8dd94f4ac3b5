import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApricotError } from './apricot-error.ts';
import { ApricotService, hostPort } from './apricot-service.ts';
import { MemoryConfigStore } from './memory-store.ts';

const C = 'o2/components';

function service(extra: Record<string, string> = {}, keepVarWhitespace = false): ApricotService {
  const store = new MemoryConfigStore({
    [`${C}/readout/ANY/any/main`]: 'a={{ a }}\n{% include "part" %}\n{% include "/qc/ANY/any/x" %}',
    [`${C}/readout/ANY/any/part`]: 'part {{ strings.ToUpper(a) }}',
    [`${C}/readout/ANY/any/sub/leaf`]: 'leaf',
    [`${C}/readout/ANY/any/nested`]: '<{% include "sub/leaf" %}>',
    [`${C}/readout/ANY/any/missing`]: 'x\n{% include "nothing" %}',
    [`${C}/readout/ANY/any/loop`]: '{% for h in json.Unmarshal(hosts) %}{{ h }};{% endfor %}',
    [`${C}/qc/ANY/any/x`]: 'qc {{ uid.New() }}',
    'o2/runtime/aliecs/vars/v': '  spaced  ',
    'o2/runtime/qc/a/b': 'nested',
    ...extra,
  });
  return new ApricotService(store, { hostname: 'h', newUid: () => 'UID1', keepVarWhitespace });
}

async function apricotError(p: Promise<unknown>): Promise<ApricotError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApricotError, String(e));
    return e;
  }
  assert.fail('expected an ApricotError');
}

test('templating: vars, helpers, sibling, sub-directory and absolute includes, loops', async () => {
  const s = service();
  const main = await s.getComponentConfiguration({ path: 'readout/ANY/any/main' }, true, { a: 'x' });
  assert.equal(main.payload, 'a=x\npart X\nqc UID1');
  assert.equal(
    (await s.getComponentConfiguration({ path: 'readout/ANY/any/nested' }, true)).payload,
    '<leaf>',
  );
  const loop = await s.getComponentConfiguration({ path: 'readout/ANY/any/loop' }, true, {
    hosts: '["f1","f2"]',
  });
  assert.equal(loop.payload, 'f1;f2;');
  const e = await apricotError(s.getComponentConfiguration({ path: 'readout/ANY/any/missing' }, true));
  assert.equal(e.code, 'failed_precondition');
  assert.match(e.message, /readout\/ANY\/any\/nothing .*included from readout\/ANY\/any\/missing/);
});

test('vars trimmed by default, kept on request; runtime entries nest', async () => {
  assert.deepEqual(await service().getVars(), { v: 'spaced' });
  assert.deepEqual(await service({}, true).getVars(), { v: '  spaced  ' });
  assert.deepEqual(await service().getRuntimeEntries('qc'), { 'a/b': 'nested' });
  assert.equal(await service().getRuntimeEntry('qc', 'a/b'), 'nested');
});

test('entries: listing by query with NULL lists all; bad queries name the field', async () => {
  const s = service();
  const all = await s.listComponentEntries({ query: { component: 'readout', runType: 'NULL', role: '' } });
  assert.ok(all.includes('ANY/any/sub/leaf'));
  const e = await apricotError(
    s.resolveComponentQuery({ component: 'readout', runType: 'bogus', role: 'any', entry: 'x' }),
  );
  assert.equal(e.field, 'query.runType');
  const r = await apricotError(
    s.importComponentConfiguration(
      { component: 'readout', runType: 'ANY', role: 'any', entry: 'resolve' },
      'x',
      false,
    ),
  );
  assert.equal(r.code, 'invalid_argument');
  assert.match(r.message, /may not end with "resolve"/);
});

test('hostPort of store URIs', () => {
  assert.deepEqual(hostPort('etcd://h1:2379'), { host: 'h1', port: '2379' });
  assert.deepEqual(hostPort('embedded:///var/state'), { host: '', port: '' });
});
