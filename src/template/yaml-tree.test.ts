import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEntry, parseYamlFile } from './yaml-tree.ts';

test('scalars keep their source text and nodes know path and line', () => {
  const f = parseYamlFile(
    'w.yaml',
    'name: !public w\nroles:\n  - name: a\n    big: 10000000000\n    f: 1.0\n    e:\n',
  );
  assert.equal(f.issues.length, 0);
  assert.ok(f.root?.kind === 'map');
  const name = getEntry(f.root, 'name');
  assert.deepEqual([name?.kind, name?.tag, name?.kind === 'scalar' && name.text], ['scalar', '!public', 'w']);
  const roles = getEntry(f.root, 'roles');
  assert.ok(roles?.kind === 'seq');
  const role = roles.items[0];
  assert.ok(role?.kind === 'map');
  const big = getEntry(role, 'big');
  assert.ok(big?.kind === 'scalar');
  assert.equal(big.text, '10000000000');
  assert.equal(big.path, 'roles[0].big');
  assert.equal(big.line, 4);
  const f10 = getEntry(role, 'f');
  assert.equal(f10?.kind === 'scalar' && f10.text, '1.0');
  const e = getEntry(role, 'e');
  assert.equal(e?.kind === 'scalar' && e.isNull, true);
});

test('syntax errors come back as located issues, not exceptions', () => {
  const f = parseYamlFile('bad.yaml', 'a: [1, 2\nb: c\n');
  assert.equal(f.root, undefined);
  assert.ok(f.issues.length > 0);
  assert.equal(f.issues[0]?.code, 'yaml_syntax');
  assert.equal(f.issues[0]?.file, 'bad.yaml');
  assert.ok((f.issues[0]?.line ?? 0) >= 1);
});

test('10,000-deep YAML is a located too_deeply_nested issue, not a stack overflow', () => {
  const n = 10_000;
  const texts = {
    flow: `name: x\nroles: ${'['.repeat(n)}${']'.repeat(n)}\n`,
    block: `name: x\nroles:\n${'- '.repeat(n)}x\n`,
    indented: `name: x\nroles:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} x\n`,
  };
  for (const [kind, text] of Object.entries(texts)) {
    const r = parseYamlFile('workflows/deep.yaml', text);
    assert.equal(r.root, undefined, kind);
    assert.equal(r.issues.length, 1, `${kind}: ${r.issues.map((i) => i.message).join('; ')}`);
    const i = r.issues[0]!;
    assert.equal(i.code, 'too_deeply_nested', kind);
    assert.equal(i.file, 'workflows/deep.yaml');
    assert.match(i.message, /nested more than 256 levels deep/);
    assert.match(i.path ?? '', /^roles(\[0\]|\.a)/, kind);
    assert.ok((i.line ?? 0) >= 2, `${kind}: line ${i.line}`);
  }
  const ok = parseYamlFile('f', `a: ${'['.repeat(200)}${']'.repeat(200)}\n`);
  assert.deepEqual(ok.issues, []);
});
