import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedYamlParse, setYamlCacheDir } from './yaml-cache.ts';
import { parseYamlFile } from './yaml-tree.ts';
import type { YamlFile } from './yaml-tree.ts';

const TEXT = 'name: wf\nroles:\n  - name: a\n    vars: { x: !public "1" }\n';

function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
}

test('parsed YAML comes from the disk cache by content; other text, a corrupt entry or no cache parse again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-yaml-cache-'));
  let parses = 0;
  const parse = (file: string, text: string) => (): YamlFile => {
    parses++;
    setYamlCacheDir(undefined);
    try {
      return parseYamlFile(file, text);
    } finally {
      setYamlCacheDir(dir);
    }
  };
  try {
    setYamlCacheDir(dir);
    const first = cachedYamlParse('workflows/wf.yaml', TEXT, 256, parse('workflows/wf.yaml', TEXT));
    const again = cachedYamlParse('workflows/wf.yaml', TEXT, 256, parse('workflows/wf.yaml', TEXT));
    assert.equal(parses, 1, 'the same file and text are parsed once');
    assert.deepEqual(again, first);
    assert.deepEqual(again, parseYamlFile('workflows/wf.yaml', TEXT));

    const changed = `${TEXT}description: d\n`;
    cachedYamlParse('workflows/wf.yaml', changed, 256, parse('workflows/wf.yaml', changed));
    assert.equal(parses, 2, 'new text (another revision) is parsed');
    cachedYamlParse('workflows/other.yaml', TEXT, 256, parse('workflows/other.yaml', TEXT));
    assert.equal(parses, 3, 'another file name is another entry (issues name their file)');
    assert.equal(entries(dir).length, 3);

    for (const f of entries(dir)) writeFileSync(join(dir, f), '{"format":1,');
    const repaired = cachedYamlParse('workflows/wf.yaml', TEXT, 256, parse('workflows/wf.yaml', TEXT));
    assert.equal(parses, 4, 'a corrupt entry is parsed again');
    assert.deepEqual(repaired, first);
    cachedYamlParse('workflows/wf.yaml', TEXT, 256, parse('workflows/wf.yaml', TEXT));
    assert.equal(parses, 4, 'and written again');

    setYamlCacheDir(undefined);
    cachedYamlParse('workflows/wf.yaml', TEXT, 256, parse('workflows/wf.yaml', TEXT));
    assert.equal(parses, 5, 'without a cache directory every call parses');
  } finally {
    setYamlCacheDir(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('syntax problems are cached with their locations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-yaml-cache-'));
  try {
    setYamlCacheDir(dir);
    const bad = 'a: [1\nb: 2\n';
    const first = parseYamlFile('tasks/bad.yaml', bad);
    const cached = parseYamlFile('tasks/bad.yaml', bad);
    assert.equal(entries(dir).length, 1);
    assert.equal(cached.root, undefined);
    assert.deepEqual(cached.issues, first.issues);
    assert.equal(cached.issues[0]?.file, 'tasks/bad.yaml');
    assert.equal(cached.issues[0]?.line, 2);
  } finally {
    setYamlCacheDir(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
