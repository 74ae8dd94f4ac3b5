/**
 * The Slurm cluster's nodes as Axle sees them: parsed from `sinfo --json` (openapi v0.0.38, Slurm 22.05; the newer
 * array/number-object spellings are accepted too), with health, agent attributes and per-node port ranges derived.
 */
import { CONTROL_PORTS, TCP_PORTS, splitRange } from '../../common/ports.ts';
import type { PortRange } from '../../common/ports.ts';
import type { SlurmCli } from './slurm-cli.ts';

/** One Slurm node. */
export interface SlurmNode {
  readonly name: string;
  /** NodeAddr (where its slurmd, and so its agent, is reached). */
  readonly address: string;
  readonly hostname: string;
  readonly cpus: number;
  readonly allocCpus: number;
  readonly memoryMb: number;
  readonly allocMemoryMb: number;
  /** Active features (e.g. `flp`, `det_tst`). */
  readonly features: readonly string[];
  /** Generic resources by name, counts summed over types (e.g. `{ crorc: 2 }`). */
  readonly gres: Readonly<Record<string, number>>;
  readonly gresUsed: Readonly<Record<string, number>>;
  /**
   * Lower-case base state as sinfo's long form names it: idle, mixed, allocated, down, drained, draining, fail,
   * future, unknown, … (a DRAIN flag turns idle/down into `drained` and allocated/mixed into `draining`).
   */
  readonly state: string;
  /** Upper-case state flags as Slurm reports them (NOT_RESPONDING, DRAIN, PLANNED, …). */
  readonly flags: readonly string[];
  /** Why the node is down/drained (set by an admin or by Slurm); empty when none. */
  readonly reason: string;
  readonly partitions: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * Parses the output of `sinfo --json`. Pure. A node listed several times (once per partition, as some versions do)
 * appears once with the partitions merged; order follows the first listing. Throws an Error saying what is wrong
 * when the text is not sinfo JSON.
 */
export function parseSinfoJson(text: string): SlurmNode[] {
  const doc = parseJsonObject(text, 'sinfo --json');
  const list = doc['nodes'];
  if (!Array.isArray(list)) throw new Error(`sinfo --json: no "nodes" list${errorsOf(doc)}`);
  const byName = new Map<string, SlurmNode>();
  list.forEach((raw, i) => {
    const node = toNode(raw, i);
    const seen = byName.get(node.name);
    const partitions = seen === undefined ? node.partitions : union(seen.partitions, node.partitions);
    byName.set(node.name, { ...(seen ?? node), partitions });
  });
  return [...byName.values()];
}

/** Reads the cluster's nodes with `sinfo --json`; rejects with SlurmError when sinfo fails. */
export async function readNodes(cli: SlurmCli): Promise<SlurmNode[]> {
  const { stdout } = await cli.run('sinfo', ['--json']);
  return parseSinfoJson(stdout);
}

/** Parses JSON text that must be an object; throws a clear Error naming `what` otherwise. */
export function parseJsonObject(text: string, what: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${what}: not JSON (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    });
  }
  if (!isObject(doc)) throw new Error(`${what}: expected a JSON object`);
  return doc;
}

/** The `errors` entries of an openapi document, as " (…)" text, or "". */
export function errorsOf(doc: Json): string {
  const errors = Array.isArray(doc['errors']) ? doc['errors'] : [];
  const texts = errors.map((e) => (isObject(e) ? str(e['error']) || str(e['description']) : String(e)));
  const joined = texts.filter((t) => t !== '').join('; ');
  return joined === '' ? '' : ` (${joined})`;
}

function toNode(raw: unknown, index: number): SlurmNode {
  if (!isObject(raw) || typeof raw['name'] !== 'string' || raw['name'] === '') {
    throw new Error(`sinfo --json: node #${index} has no name`);
  }
  const { base, flags } = stateOf(raw['state'], raw['state_flags']);
  const features = raw['active_features'] ?? raw['features'];
  return {
    name: raw['name'],
    address: str(raw['address']) || raw['name'],
    hostname: str(raw['hostname']) || raw['name'],
    cpus: num(raw['cpus']),
    allocCpus: num(raw['alloc_cpus']),
    memoryMb: num(raw['real_memory']),
    allocMemoryMb: num(raw['alloc_memory']),
    features: list(features),
    gres: parseGres(str(raw['gres'])),
    gresUsed: parseGres(str(raw['gres_used'])),
    state: withDrain(base, flags),
    flags,
    reason: str(raw['reason']),
    partitions: list(raw['partitions']),
  };
}

/** 22.05: `state: "idle"` + `state_flags: [...]`; later: `state: ["IDLE", "DRAIN", ...]`. */
function stateOf(state: unknown, stateFlags: unknown): { base: string; flags: string[] } {
  const words = Array.isArray(state) ? state.map(String) : [str(state)];
  const flags = [...words.slice(1), ...list(stateFlags)].map((f) => f.toUpperCase());
  return { base: (words[0] ?? '').toLowerCase() || 'unknown', flags: [...new Set(flags)] };
}

function withDrain(base: string, flags: readonly string[]): string {
  if (!flags.includes('DRAIN')) return base;
  return base === 'idle' || base === 'down' ? 'drained' : 'draining';
}

/**
 * Parses a GRES string such as `crorc:2`, `gpu:tesla:2(S:0-1),crorc:1` or `crorc:0(IDX:N/A)` into counts per name
 * (types summed). `(null)`, `N/A` and empty text give `{}`.
 */
export function parseGres(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of text.replace(/\([^)]*\)/g, '').split(',')) {
    const parts = item.trim().split(':');
    const name = parts[0] ?? '';
    if (name === '' || name === 'N/A' || name === '(null)') continue;
    const count = parts.length > 1 ? Number.parseInt(parts[parts.length - 1] ?? '', 10) : 1;
    out[name] = (out[name] ?? 0) + (Number.isFinite(count) ? count : 1);
  }
  return out;
}

/** Base states in which a node runs work. */
const USABLE_STATES = new Set(['idle', 'mixed', 'allocated']);

/** Flags that make a node unfit for new work, with how to say so. */
const TROUBLE_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['FAIL', 'fail'],
  ['NOT_RESPONDING', 'not responding'],
  ['POWERED_DOWN', 'powered down'],
  ['POWERING_DOWN', 'powering down'],
  ['POWER_DOWN', 'powering down'],
  ['REBOOT_ISSUED', 'rebooting'],
  ['REBOOT_REQUESTED', 'reboot pending'],
  ['INVALID_REG', 'invalid registration'],
];

/**
 * Why a node cannot take work, or undefined when it can: "down (Not responding)", "drained (maintenance)",
 * "draining (…)", "fail", "not responding", "future", … (the reason, when Slurm has one, in parentheses).
 */
export function nodeTrouble(n: SlurmNode): string | undefined {
  const because = n.reason === '' ? '' : ` (${n.reason})`;
  if (!USABLE_STATES.has(n.state)) return `${n.state}${because}`;
  const flag = TROUBLE_FLAGS.find(([f]) => n.flags.includes(f));
  return flag === undefined ? undefined : `${flag[1]}${because}`;
}

/**
 * Agent attributes of a node: `features` (comma list), `detector` (upper-case X of each `det_<x>` feature, comma
 * list; absent when none), `cards` (count of GRES crorc, "0" when none), `gres.<name>` per GRES, `partition` (comma
 * list) and `slurm_state`.
 */
export function nodeAttributes(n: SlurmNode): Record<string, string> {
  const detectors = n.features.filter((f) => f.startsWith('det_') && f.length > 4).map((f) => f.slice(4));
  const attrs: Record<string, string> = { features: n.features.join(',') };
  if (detectors.length > 0) attrs['detector'] = detectors.map((d) => d.toUpperCase()).join(',');
  attrs['cards'] = String(n.gres['crorc'] ?? 0);
  for (const [name, count] of Object.entries(n.gres)) attrs[`gres.${name}`] = String(count);
  attrs['partition'] = n.partitions.join(',');
  attrs['slurm_state'] = n.state;
  return attrs;
}

/** Control and TCP port ranges of one node's agent. */
export interface NodePorts {
  readonly control: PortRange;
  readonly tcp: PortRange;
}

/**
 * Control and TCP port ranges per node name. Nodes sharing an address (several slurmds on one machine) get
 * disjoint slices of `ranges` (default CONTROL_PORTS and TCP_PORTS), handed out in name order; a node alone on its
 * address gets the whole ranges.
 */
export function portRangesFor(
  nodes: readonly SlurmNode[],
  ranges: NodePorts = { control: CONTROL_PORTS, tcp: TCP_PORTS },
): Map<string, NodePorts> {
  const byAddress = new Map<string, string[]>();
  for (const n of nodes) byAddress.set(n.address, [...(byAddress.get(n.address) ?? []), n.name]);
  const out = new Map<string, NodePorts>();
  for (const names of byAddress.values()) {
    const sorted = [...new Set(names)].sort();
    const control = splitRange(ranges.control, sorted.length);
    const tcp = splitRange(ranges.tcp, sorted.length);
    sorted.forEach((name, i) => {
      out.set(name, { control: control[i] ?? ranges.control, tcp: tcp[i] ?? ranges.tcp });
    });
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A count: a number, or the newer `{ set, number }` object; 0 when absent. */
function num(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (isObject(v) && typeof v['number'] === 'number') return v['number'];
  return 0;
}

/** A list given as an array or as comma-separated text. */
function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v.map(String) : str(v).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
