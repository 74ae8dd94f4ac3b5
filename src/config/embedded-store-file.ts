/**
 * The embedded store's data file: the whole key space in one file, replaced atomically (temp file, fsync, rename,
 * fsync of the directory), so a killed process never leaves a torn value and a multi-key write is all or nothing.
 *
 * Layout: a fixed 30-byte header `AXLECFG1 <generation, 20 digits>\n`, then JSON `{"<key>": [<index>, "<value>"]}`.
 * The generation is the store's global write counter; a reader compares it with its cached one and reads the body
 * only when it changed, so a cached read costs one open and one 30-byte read.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigStoreError } from './store.ts';

/** One stored value with the generation of its last write. */
export interface StoredEntry {
  readonly index: number;
  readonly value: string;
}

/** The key space at one generation. */
export interface Snapshot {
  readonly generation: number;
  readonly entries: Map<string, StoredEntry>;
}

const MAGIC = 'AXLECFG1 ';
const HEADER_LENGTH = MAGIC.length + 21;

/** An empty key space (no data file yet). */
export function emptySnapshot(): Snapshot {
  return { generation: 0, entries: new Map() };
}

/**
 * Reads the data file at `path`. Returns 'unchanged' when its generation equals `knownGeneration` (the body is not
 * read), the empty snapshot when the file does not exist. Throws ConfigStoreError('io') on a corrupt file.
 */
export function readSnapshot(path: string, knownGeneration: number): Snapshot | 'unchanged' {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return knownGeneration === 0 ? 'unchanged' : emptySnapshot();
    throw ioError(`cannot open configuration store file ${path}`, e);
  }
  try {
    const header = Buffer.alloc(HEADER_LENGTH);
    const got = readSync(fd, header, 0, HEADER_LENGTH, 0);
    const generation = parseHeader(header.toString('latin1', 0, got), path);
    if (generation === knownGeneration) return 'unchanged';
    const size = fstatSync(fd).size;
    const body = Buffer.alloc(size - HEADER_LENGTH);
    let offset = 0;
    while (offset < body.length) {
      const n = readSync(fd, body, offset, body.length - offset, HEADER_LENGTH + offset);
      if (n === 0) break;
      offset += n;
    }
    return { generation, entries: parseBody(body.toString('utf8', 0, offset), path) };
  } finally {
    closeSync(fd);
  }
}

/** Writes `snapshot` to `path` crash-safely; the caller holds the store's write lock (the temp name is fixed). */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  const temp = `${path}.tmp`;
  const parts: Buffer[] = [Buffer.from(`${MAGIC}${String(snapshot.generation).padStart(20, '0')}\n{`)];
  for (const [key, entry] of snapshot.entries) parts.push(fragment(key, entry));
  parts.push(Buffer.from('}'));
  const text = Buffer.concat(parts);
  if (snapshot.entries.size > 0) text[text.length - 2] = 0x20; // the last entry's trailing comma
  try {
    const file = await open(temp, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (e) {
    throw ioError(`cannot write configuration store file ${path}`, e);
  }
}

/** UTF-8 JSON of one entry plus a comma, cached per entry object (entries are immutable and shared). */
const fragments = new WeakMap<StoredEntry, Buffer>();

function fragment(key: string, entry: StoredEntry): Buffer {
  let bytes = fragments.get(entry);
  if (bytes === undefined) {
    bytes = Buffer.from(`${JSON.stringify(key)}:[${entry.index},${JSON.stringify(entry.value)}],`);
    fragments.set(entry, bytes);
  }
  return bytes;
}

function parseHeader(header: string, path: string): number {
  const generation = Number(header.slice(MAGIC.length, HEADER_LENGTH - 1));
  if (!header.startsWith(MAGIC) || header.length !== HEADER_LENGTH || !Number.isSafeInteger(generation)) {
    throw new ConfigStoreError('io', `configuration store file ${path} has a bad header`);
  }
  return generation;
}

function parseBody(text: string, path: string): Map<string, StoredEntry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw ioError(`configuration store file ${path} is corrupt`, e);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigStoreError('io', `configuration store file ${path} is corrupt: not a map`);
  }
  const entries = new Map<string, StoredEntry>();
  for (const [key, item] of Object.entries(parsed)) {
    if (!Array.isArray(item) || typeof item[0] !== 'number' || typeof item[1] !== 'string') {
      throw new ConfigStoreError('io', `configuration store file ${path} is corrupt at key ${key}`, key);
    }
    entries.set(key, { index: item[0], value: item[1] });
  }
  return entries;
}

function ioError(message: string, cause: unknown): ConfigStoreError {
  return new ConfigStoreError('io', `${message}: ${cause instanceof Error ? cause.message : String(cause)}`);
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}
