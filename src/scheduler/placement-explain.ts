/**
 * Why a host was refused for a task, and the aggregation of those reasons over many hosts: hosts sharing a reason
 * form one entry with at most 5 names and a count; resource shortfalls show the range of free amounts.
 */
import { isNameAttribute } from './placement-match.ts';
import type { HostReason, PlacementConstraint } from './placement-types.ts';

/** One host's refusal. Amounts of CPU and memory are in cores and MB. */
export type Failure =
  | {
      readonly kind: 'constraint';
      readonly constraint: PlacementConstraint;
      readonly actual?: string;
      readonly of?: string;
    }
  | { readonly kind: 'cpu' | 'memory' | 'ports'; readonly wanted: number; readonly free: number }
  | {
      readonly kind: 'static-port';
      readonly port: number;
      readonly why: 'not offered' | 'taken' | 'wanted twice';
    };

const MAX_NAMES = 5;
const MAX_GROUPS = 10;

interface Bucket {
  readonly failure: Failure;
  readonly hosts: string[];
  min: number;
  max: number;
}

/** Groups host refusals by reason, most frequent first (ties by reason text); `group` notes a same-host group. */
export function aggregate(
  refusals: readonly { readonly host: string; readonly failure: Failure }[],
  group?: number,
): HostReason[] {
  if (refusals.length === 0) return [{ host: '', hosts: [], count: 0, reason: 'no host offers resources' }];
  const buckets = new Map<string, Bucket>();
  for (const { host, failure } of refusals) {
    const key = keyOf(failure);
    const free = 'free' in failure ? failure.free : 0;
    const b = buckets.get(key);
    if (b === undefined) buckets.set(key, { failure, hosts: [host], min: free, max: free });
    else {
      b.hosts.push(host);
      b.min = Math.min(b.min, free);
      b.max = Math.max(b.max, free);
    }
  }
  const prefix = group === undefined ? '' : `same-host group of ${group} tasks: `;
  const reasons = [...buckets.values()]
    .map((b) => ({ hosts: b.hosts, reason: prefix + describe(b.failure, b.min, b.max) }))
    .sort((a, b) => b.hosts.length - a.hosts.length || (a.reason < b.reason ? -1 : 1));
  const shown = reasons.slice(0, MAX_GROUPS).map((r) => reasonOf(r.hosts, r.reason));
  const rest = reasons.slice(MAX_GROUPS).flatMap((r) => r.hosts);
  if (rest.length > 0) shown.push(reasonOf(rest, `${reasons.length - MAX_GROUPS} other reasons`));
  return shown;
}

/** One line per reason: "flp001, flp002 (+3 more): cpu: wants 2, free 0.5". */
export function formatReasons(reasons: readonly HostReason[]): string {
  return reasons.map((r) => (r.host === '' ? r.reason : `${r.host}: ${r.reason}`)).join('; ');
}

function reasonOf(hosts: readonly string[], reason: string): HostReason {
  const names = hosts.slice(0, MAX_NAMES);
  const more = hosts.length - names.length;
  const host = more > 0 ? `${names.join(', ')} (+${more} more)` : names.join(', ');
  return { host, hosts: names, count: hosts.length, reason };
}

function keyOf(f: Failure): string {
  switch (f.kind) {
    case 'constraint': {
      const c = f.constraint;
      const actual = isNameAttribute(c.attribute) ? '' : (f.actual ?? '\u0000');
      return `c\u0001${c.attribute}\u0001${c.operator}\u0001${c.value}\u0001${actual}\u0001${f.of ?? ''}`;
    }
    case 'static-port':
      return `s\u0001${f.port}\u0001${f.why}`;
    case 'cpu':
    case 'memory':
    case 'ports':
      return `${f.kind}\u0001${f.wanted}`;
  }
}

function describe(f: Failure, min: number, max: number): string {
  const range = min === max ? fmt(min) : `${fmt(min)}-${fmt(max)}`;
  switch (f.kind) {
    case 'constraint':
      return describeConstraint(f.constraint, f.actual) + (f.of === undefined ? '' : ` (for ${f.of})`);
    case 'static-port':
      return `static port ${f.port} ${f.why}`;
    case 'cpu':
      return `cpu: wants ${fmt(f.wanted)}, free ${range}`;
    case 'memory':
      return `memory: wants ${fmt(f.wanted)} MB, free ${range} MB`;
    case 'ports':
      return `ports: wants ${f.wanted} dynamic, free ${range}`;
  }
}

function describeConstraint(c: PlacementConstraint, actual: string | undefined): string {
  if (isNameAttribute(c.attribute)) {
    if (c.operator === '=') return `${c.attribute}: not named ${c.value}`;
    if (c.operator === 'in') return `${c.attribute}: not one of ${c.value}`;
    return `${c.attribute}: host is ${c.value}, wanted another`;
  }
  const have = actual === undefined ? `${c.attribute} not set` : `${c.attribute} is ${actual}`;
  const want = c.operator === '=' ? c.value : c.operator === 'in' ? `one of ${c.value}` : `not ${c.value}`;
  return `${have}, wanted ${want}`;
}

function fmt(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
