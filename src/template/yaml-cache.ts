/**
 * Parsed YAML files kept on disk across processes, so that a short-lived process (one `axle workflow plan`) does not
 * parse the same templates again. Entries are keyed by a hash of the file name, the depth limit and the text, so an
 * entry never goes stale: a new revision with other text has other keys. An unreadable, corrupt or foreign entry is
 * ignored (the text is parsed and the entry written again); failures to write are ignored too.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { YamlFile } from './yaml-tree.ts';

const FORMAT = 1;
let cacheDir: string | undefined;

/** Where parsed files are kept from now on in this process; undefined turns the disk cache off. */
export function setYamlCacheDir(dir: string | undefined): void {
  cacheDir = dir;
}

interface Entry {
  readonly format: number;
  readonly key: string;
  readonly parsed: YamlFile;
}

/** The parse of `text` from the disk cache when present, else `parse()` (then stored). */
export function cachedYamlParse(
  file: string,
  text: string,
  maxDepth: number,
  parse: () => YamlFile,
): YamlFile {
  const dir = cacheDir;
  if (dir === undefined) return parse();
  const key = createHash('sha256').update(`${FORMAT}\0${maxDepth}\0${file}\0`).update(text).digest('hex');
  const path = join(dir, key.slice(0, 2), `${key}.json`);
  const hit = read(path, key);
  if (hit !== undefined) return hit;
  const parsed = parse();
  write(path, { format: FORMAT, key, parsed });
  return parsed;
}

function read(path: string, key: string): YamlFile | undefined {
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as Partial<Entry>;
    return entry.format === FORMAT && entry.key === key && entry.parsed !== undefined
      ? entry.parsed
      : undefined;
  } catch {
    return undefined;
  }
}

function write(path: string, entry: Entry): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // a cache that cannot be written only costs a parse next time
  }
}
