/**
 * Hardware inventory lookups over the key tree: detectors and their FLPs (`o2/hardware/detectors/<DET>/flps/<host>`)
 * and the readout cards of an FLP (`o2/hardware/flps/<host>/cards`, a JSON map of cards).
 * @module
 */
import { ConfigError } from '../common/config-source.ts';
import { lookupDirectory, lookupNode, readValue } from './key-tree.ts';
import type { KeyTree } from './key-tree.ts';

export const DETECTORS_KEY = 'o2/hardware/detectors';
export const FLPS_KEY = 'o2/hardware/flps';

/** One readout card as listed in `o2/hardware/flps/<host>/cards`; absent fields are "". */
export interface Card {
  readonly type: string;
  readonly pciAddress: string;
  readonly serial: string;
  readonly endpoint: string;
  readonly numa: string;
  readonly firmware: string;
  readonly userLogicVersion: string;
}

/**
 * The detector whose `flps` directory lists `host` (the host's value may be a map or empty).
 * Throws ConfigError (key = host) when no detector lists it.
 */
export function detectorForHost(tree: KeyTree, host: string): string {
  for (const [detector, node] of lookupDirectory(tree, DETECTORS_KEY) ?? []) {
    if (!(node instanceof Map)) continue;
    const flps = node.get('flps');
    if (flps instanceof Map && flps.has(host)) return detector;
  }
  throw new ConfigError(`detector not found for host ${host}`, host);
}

/** Detector names under `o2/hardware/detectors`, sorted; TRG is hidden unless `getAll`. */
export function listDetectors(tree: KeyTree, getAll = false): string[] {
  return [...(lookupDirectory(tree, DETECTORS_KEY) ?? [])]
    .map(([name]) => name)
    .filter((d) => getAll || d !== 'TRG')
    .sort();
}

/** Sorted unique detectors of `hosts`; throws like {@link detectorForHost} at the first unknown host. */
export function detectorsForHosts(tree: KeyTree, hosts: readonly string[]): string[] {
  return [...new Set(hosts.map((h) => detectorForHost(tree, h)))].sort();
}

/**
 * Cards of `host`, in document order. Throws ConfigError when the host has no `cards` key, or when it is not a
 * JSON object of card objects.
 */
export function cardsForHost(tree: KeyTree, host: string): Card[] {
  const key = `${FLPS_KEY}/${host}/cards`;
  if (lookupNode(tree, `${FLPS_KEY}/${host}`) === undefined) {
    throw new ConfigError(`host ${host} not found in the inventory (${FLPS_KEY})`, host);
  }
  const text = readValue(tree, key, 'card list');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`bad JSON at ${key}: ${e instanceof Error ? e.message : String(e)}`, key);
  }
  if (!isRecord(parsed)) throw new ConfigError(`bad card list at ${key}: expected a JSON object`, key);
  return Object.entries(parsed).map(([name, card]) => toCard(key, name, card));
}

/**
 * Unique serials of the cards of `host`, in document order. As in AliECS every card counts, whatever its `type`
 * (the roc-config workflows use the list for CRORCs too); cards without a serial are skipped.
 */
export function cruCardsForHost(tree: KeyTree, host: string): string[] {
  const serials = cardsForHost(tree, host)
    .map((c) => c.serial)
    .filter((s) => s !== '');
  return [...new Set(serials)];
}

/** Endpoints of the card `serial` on `host`, in document order; `[]` for an unknown serial (as AliECS). */
export function endpointsForCruCard(tree: KeyTree, host: string, serial: string): string[] {
  return cardsForHost(tree, host)
    .filter((c) => c.serial === serial)
    .map((c) => c.endpoint);
}

function toCard(key: string, name: string, value: unknown): Card {
  if (!isRecord(value)) throw new ConfigError(`bad card "${name}" at ${key}: expected a JSON object`, key);
  const field = (f: string): string => {
    const v = value[f];
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  };
  return {
    type: field('type'),
    pciAddress: field('pciAddress'),
    serial: field('serial'),
    endpoint: field('endpoint'),
    numa: field('numa'),
    firmware: field('firmware'),
    userLogicVersion: field('userLogicVersion'),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
