/**
 * Constraint matching with AliECS semantics (a host value may be a comma-separated list; `machine_id` and
 * `hostname` are the host's name; a missing attribute fails `=` and `in`), all constraints ANDed, and an index of
 * hosts by attribute value so candidates are found without scanning every host.
 */
import type { HostOffer, PlacementConstraint } from './placement-types.ts';

const NAME_ATTRIBUTES = new Set(['machine_id', 'hostname']);

/** True when the attribute is the host's own name. */
export function isNameAttribute(attribute: string): boolean {
  return NAME_ATTRIBUTES.has(attribute);
}

/** The host's value of an attribute; undefined when absent. */
export function hostValue(offer: HostOffer, attribute: string): string | undefined {
  return isNameAttribute(attribute) ? offer.host : offer.attributes[attribute];
}

/** Elements of a comma-separated list, trimmed, empty ones dropped. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Whether one constraint holds on a host. */
export function satisfies(offer: HostOffer, c: PlacementConstraint): boolean {
  const v = hostValue(offer, c.attribute);
  const have = v === undefined ? [] : isNameAttribute(c.attribute) ? [v] : listOf(v);
  switch (c.operator) {
    case '=':
      return have.includes(c.value.trim());
    case '!=':
      return !have.includes(c.value.trim());
    case 'in':
      return listOf(c.value).some((w) => have.includes(w));
  }
}

/** The first constraint that fails on the host, or undefined when all hold. */
export function firstFailure(
  offer: HostOffer,
  constraints: readonly PlacementConstraint[],
): PlacementConstraint | undefined {
  return constraints.find((c) => !satisfies(offer, c));
}

/** Hosts sorted by name, indexed by attribute value (list elements indexed one by one). */
export class HostIndex {
  readonly hosts: readonly HostOffer[];
  private readonly all: readonly number[];
  private readonly byValue = new Map<string, Map<string, number[]>>();
  private readonly cache = new Map<string, readonly number[]>();

  constructor(offers: readonly HostOffer[]) {
    this.hosts = [...offers].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    this.all = this.hosts.map((_, i) => i);
    this.hosts.forEach((h, i) => {
      this.add('machine_id', h.host, i);
      for (const [attr, value] of Object.entries(h.attributes)) {
        if (isNameAttribute(attr)) continue;
        for (const v of new Set(listOf(value))) this.add(attr, v, i);
      }
    });
  }

  /** Indexes (ascending, so by name) of the hosts satisfying every constraint; cached per constraint set. */
  candidates(constraints: readonly PlacementConstraint[]): readonly number[] {
    const key = constraints.map((c) => `${c.attribute}\u0000${c.operator}\u0000${c.value}`).join('\u0001');
    let out = this.cache.get(key);
    if (out === undefined) {
      out = this.compute(constraints);
      this.cache.set(key, out);
    }
    return out;
  }

  private compute(constraints: readonly PlacementConstraint[]): readonly number[] {
    const positive = constraints
      .filter((c) => c.operator !== '!=')
      .map((c) => this.matching(c))
      .sort((a, b) => a.length - b.length);
    let pool: readonly number[] = positive[0] ?? this.all;
    for (const other of positive.slice(1)) {
      const set = new Set(other);
      pool = pool.filter((i) => set.has(i));
    }
    const negative = constraints.filter((c) => c.operator === '!=');
    return negative.length === 0
      ? pool
      : pool.filter((i) => negative.every((c) => satisfies(this.hosts[i] as HostOffer, c)));
  }

  private matching(c: PlacementConstraint): readonly number[] {
    const attr = isNameAttribute(c.attribute) ? 'machine_id' : c.attribute;
    const values = this.byValue.get(attr);
    if (values === undefined) return [];
    if (c.operator === '=') return values.get(c.value.trim()) ?? [];
    const union = new Set<number>();
    for (const w of listOf(c.value)) for (const i of values.get(w) ?? []) union.add(i);
    return [...union].sort((a, b) => a - b);
  }

  private add(attr: string, value: string, i: number): void {
    let values = this.byValue.get(attr);
    if (values === undefined) this.byValue.set(attr, (values = new Map<string, number[]>()));
    const list = values.get(value);
    if (list === undefined) values.set(value, [i]);
    else list.push(i);
  }
}
