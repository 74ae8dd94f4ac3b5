/**
 * Readout link lookups: link ids of a CRU endpoint (`o2/components/readoutcard/<host>/cru/<serial>/<endpoint>`,
 * a JSON object with `link<N>: {enabled: "true"|"false", …}`) and the link aliases of a detector
 * (`o2/hardware/detectors/<D>/flps/<host>/aliases`, JSON `{flp:{alias}, cards:{"<serial>:<endpoint>":{alias,
 * links:{<id>:{alias}}}}}`).
 * @module
 */
import { badArgument } from './apricot-error.ts';

/** Key of the readout card configuration of one CRU endpoint. */
export function cruEndpointKey(host: string, serial: string, endpoint: string): string {
  return `o2/components/readoutcard/${host}/cru/${serial}/${endpoint}`;
}

/** Link ids (`N` of `link<N>`) of an endpoint configuration, numerically sorted; only enabled ones if asked. */
export function linkIdsOf(key: string, text: string, onlyEnabled: boolean): string[] {
  const config = parseObject(key, text);
  const ids: number[] = [];
  for (const [name, value] of Object.entries(config)) {
    const m = /^link(\d+)$/.exec(name);
    if (m?.[1] === undefined) continue;
    if (onlyEnabled && !isEnabled(value)) continue;
    ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b).map(String);
}

/** One host's aliases document, reduced to what link lookups need. */
export interface HostAliases {
  readonly host: string;
  readonly text: string;
}

/**
 * Link aliases of a detector: for each host, each card endpoint `serial:endpoint` and each link id, the link's
 * alias. With `enabled`, a link counts only when `enabled(host, serial, endpoint, id)` says so. Sorted, unique.
 */
export function aliasedLinkIds(
  docs: readonly HostAliases[],
  enabled?: (host: string, serial: string, endpoint: string, id: string) => boolean,
): string[] {
  const out = new Set<string>();
  for (const { host, text } of docs) {
    const cards = parseObject(`aliases of ${host}`, text)['cards'];
    for (const [cardKey, card] of Object.entries(asObject(cards))) {
      const [serial = '', endpoint = ''] = cardKey.split(':');
      for (const [id, link] of Object.entries(asObject(asObject(card)['links']))) {
        const alias = asObject(link)['alias'];
        if (typeof alias !== 'string' || alias === '') continue;
        if (enabled !== undefined && !enabled(host, serial, endpoint, id)) continue;
        out.add(alias);
      }
    }
  }
  return [...out].sort();
}

function isEnabled(value: unknown): boolean {
  const e = asObject(value)['enabled'];
  return e === true || (typeof e === 'string' && e.trim().toLowerCase() === 'true');
}

function parseObject(key: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw badArgument(key, `bad JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badArgument(key, 'expected a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
