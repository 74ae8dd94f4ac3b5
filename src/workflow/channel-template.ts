/**
 * Channel declarations (`bind:` inbound, `connect:` outbound) as written in role and task templates. All string
 * fields are templatable; they are rendered at stage 5 and validated into plan channels by channels.ts.
 */
import { getEntry } from '../template/yaml-tree.ts';
import type { YNode } from '../template/yaml-tree.ts';
import { readMap, readString } from './yaml-read.ts';
import type { Located, ReadContext } from './yaml-read.ts';

const COMMON_KEYS = [
  'name',
  'type',
  'sndBufSize',
  'rcvBufSize',
  'rateLogging',
  'transport',
  'target',
] as const;
const BIND_KEYS = [...COMMON_KEYS, 'global', 'addressing'] as const;

export type ChannelField = (typeof BIND_KEYS)[number];

export interface ChannelTemplate {
  readonly direction: 'bind' | 'connect';
  readonly path: string;
  readonly line: number;
  readonly fields: Partial<Record<ChannelField, Located>>;
}

export function readChannels(
  items: readonly YNode[],
  direction: 'bind' | 'connect',
  ctx: ReadContext,
): ChannelTemplate[] {
  const allowed = direction === 'bind' ? BIND_KEYS : COMMON_KEYS;
  const out: ChannelTemplate[] = [];
  for (const item of items) {
    const map = readMap(item, allowed, ctx, `${direction} channel`);
    if (map === undefined) continue;
    const fields: Partial<Record<ChannelField, Located>> = {};
    for (const key of allowed) {
      const v = readString(map, key, ctx, key === 'name' || key === 'type');
      if (v !== undefined) fields[key] = v;
    }
    if (getEntry(map, 'name') !== undefined) out.push({ direction, path: map.path, line: map.line, fields });
  }
  return out;
}

/** Merge by channel name: `over` wins entirely, channels only in `under` are appended (AliECS semantics). */
export function mergeChannels<T extends { readonly fields: { readonly name?: Located } }>(
  over: readonly T[],
  under: readonly T[],
): T[] {
  const names = new Set(over.map((c) => c.fields.name?.text));
  return [...over, ...under.filter((c) => !names.has(c.fields.name?.text))];
}
