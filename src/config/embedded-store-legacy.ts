/**
 * The embedded store's data file before SQLite (`store.data`, read once to import it into the database): a 30-byte
 * header `AXLECFG1 <generation, 20 digits>\n`, then JSON `{"<key>": [<index>, "<value>"]}`, where the generation
 * was the store's global write counter and the index the generation of the key's last write.
 * @module
 */
import { readFileSync } from 'node:fs';
import { ConfigStoreError } from './store.ts';

/** The file name of the old data file in the store directory. */
export const LEGACY_DATA_FILE = 'store.data';

/** One key of the old data file. */
export interface LegacyEntry {
  readonly key: string;
  readonly index: number;
  readonly value: string;
}

/** The content of an old data file. */
export interface LegacyData {
  readonly generation: number;
  readonly entries: readonly LegacyEntry[];
}

const MAGIC = 'AXLECFG1 ';
const HEADER_LENGTH = MAGIC.length + 21;

/** Reads the old data file at `path`; undefined when it does not exist. Throws ConfigStoreError('io') when corrupt. */
export function readLegacyData(path: string): LegacyData | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw ioError(`cannot read old configuration store file ${path}`, e);
  }
  const header = text.slice(0, HEADER_LENGTH);
  const generation = Number(header.slice(MAGIC.length, HEADER_LENGTH - 1));
  if (!header.startsWith(MAGIC) || header.length !== HEADER_LENGTH || !Number.isSafeInteger(generation)) {
    throw new ConfigStoreError('io', `old configuration store file ${path} has a bad header: not imported`);
  }
  return { generation, entries: parseBody(text.slice(HEADER_LENGTH), path) };
}

function parseBody(text: string, path: string): LegacyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw ioError(`old configuration store file ${path} is corrupt: not imported`, e);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigStoreError(
      'io',
      `old configuration store file ${path} is corrupt (not a map): not imported`,
    );
  }
  const entries: LegacyEntry[] = [];
  for (const [key, item] of Object.entries(parsed)) {
    if (!Array.isArray(item) || typeof item[0] !== 'number' || typeof item[1] !== 'string') {
      throw new ConfigStoreError('io', `old configuration store file ${path} is corrupt at key ${key}`, key);
    }
    entries.push({ key, index: item[0], value: item[1] });
  }
  return entries;
}

function ioError(message: string, cause: unknown): ConfigStoreError {
  return new ConfigStoreError('io', `${message}: ${cause instanceof Error ? cause.message : String(cause)}`);
}

/** The `code` of a Node system error. */
export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}
