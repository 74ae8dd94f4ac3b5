/**
 * Slurm allocations for Axle: one job (heterogeneous when it spans several nodes) holding the CPUs and memory of
 * every node an environment uses, made with `salloc --no-shell`, listed with `squeue --json`, ended with `scancel`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorsOf, parseJsonObject } from './inventory.ts';
import { SlurmError } from './slurm-cli.ts';
import type { SlurmCli } from './slurm-cli.ts';

/** What one node of an allocation reserves. */
export interface Component {
  readonly node: string;
  /** CPUs (fractions are rounded up; at least 1). */
  readonly cpus: number;
  /** Memory in MB (rounded up; at least 1). */
  readonly memoryMb: number;
  /** Generic resources to reserve on the node, e.g. `{ crorc: 2 }` (optional). */
  readonly gres?: Readonly<Record<string, number>>;
}

export interface AllocateOptions {
  /** Job name (shown by squeue; also what listJobs filters on). */
  readonly name: string;
  /** One entry per node; with more than one the job is heterogeneous, component i on `components[i].node`. */
  readonly components: readonly Component[];
  readonly partition?: string;
  /** Seconds Slurm may take to grant the resources before refusing (salloc --immediate; default 30). */
  readonly waitS?: number;
}

export interface Allocation {
  /** The job id (of the heterogeneous job leader when there are several components). */
  readonly jobId: string;
  /** Time salloc took. */
  readonly ms: number;
  /**
   * True for several components: steps must then name their component (`hetGroup`); a single-component job is an
   * ordinary job and Slurm refuses `--het-group` for it.
   */
  readonly heterogeneous: boolean;
}

/** salloc's deadline beyond the granted wait. */
const SALLOC_MARGIN_MS = 15_000;

/**
 * Allocates the components as one job (`salloc --no-shell --immediate=<waitS> --no-kill`, components joined by
 * `:`). Resolves once Slurm has granted everything; rejects with a SlurmError carrying Slurm's words when it refuses
 * (unknown node, not enough resources, nothing free within waitS) or when `components` is empty.
 */
export async function allocate(cli: SlurmCli, o: AllocateOptions): Promise<Allocation> {
  if (o.components.length === 0) {
    throw new SlurmError({ commandLine: 'salloc', exitCode: null, stderr: '', startError: 'no components' });
  }
  const waitS = Math.max(1, Math.ceil(o.waitS ?? 30));
  const args = ['--no-shell', `--immediate=${waitS}`, '--no-kill', '-J', o.name];
  o.components.forEach((c, i) => {
    if (i > 0) args.push(':');
    args.push(...componentArgs(c, o.partition));
  });
  const started = performance.now();
  const { stderr } = await cli.run('salloc', args, { timeoutMs: waitS * 1000 + SALLOC_MARGIN_MS });
  const ms = Math.round(performance.now() - started);
  const granted = /Granted job allocation (\d+)/.exec(stderr);
  if (granted?.[1] === undefined) {
    throw new SlurmError({ commandLine: ['salloc', ...args].join(' '), exitCode: 0, stderr });
  }
  return { jobId: granted[1], ms, heterogeneous: o.components.length > 1 };
}

/** salloc options of one component. */
export function componentArgs(c: Component, partition?: string): string[] {
  const cpus = Math.max(1, Math.ceil(c.cpus));
  const memoryMb = Math.max(1, Math.ceil(c.memoryMb));
  const args = ['-w', c.node, '-N1', '-n1', '-c', String(cpus), '--mem', String(memoryMb)];
  if (partition !== undefined) args.push('-p', partition);
  const gres = Object.entries(c.gres ?? {}).filter(([, n]) => n > 0);
  if (gres.length > 0) args.push(`--gres=${gres.map(([g, n]) => `${g}:${Math.ceil(n)}`).join(',')}`);
  return args;
}

/** One job (or one component of a heterogeneous job) as squeue reports it. */
export interface SlurmJob {
  readonly jobId: string;
  /** The allocation it belongs to: the heterogeneous job leader's id, or its own id for an ordinary job. */
  readonly hetJobId: string;
  /** Component index inside the heterogeneous job (0 for an ordinary job). */
  readonly hetOffset: number;
  readonly name: string;
  /** Slurm's job state, upper-case (PENDING, RUNNING, COMPLETING, CANCELLED, …). */
  readonly state: string;
  /** False once the job has ended (it may still be listed for a while, see MinJobAge). */
  readonly active: boolean;
  readonly nodes: readonly string[];
  /** Why it waits or ended (`None` when nothing to say). */
  readonly reason: string;
}

/** Job states after which nothing of the job is left on the nodes. */
const ENDED_STATES = new Set([
  'BOOT_FAIL',
  'CANCELLED',
  'COMPLETED',
  'DEADLINE',
  'FAILED',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'REVOKED',
  'TIMEOUT',
]);

/** Parses `squeue --json` (pure); throws a clear Error for malformed input. */
export function parseSqueueJson(text: string): SlurmJob[] {
  const doc = parseJsonObject(text, 'squeue --json');
  const jobs = doc['jobs'];
  if (!Array.isArray(jobs)) throw new Error(`squeue --json: no "jobs" list${errorsOf(doc)}`);
  return jobs.map((raw, i) => toJob(raw, i));
}

function toJob(raw: unknown, index: number): SlurmJob {
  const j = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const jobId = idOf(j['job_id']);
  if (jobId === '0') throw new Error(`squeue --json: job #${index} has no job_id`);
  const hetJobId = idOf(j['het_job_id']);
  const states = (Array.isArray(j['job_state']) ? j['job_state'] : [j['job_state']]).map((s) =>
    String(s ?? ''),
  );
  return {
    jobId,
    hetJobId: hetJobId === '0' ? jobId : hetJobId,
    hetOffset: Number(idOf(j['het_job_offset'])),
    name: typeof j['name'] === 'string' ? j['name'] : '',
    state: states.join(','),
    active: !states.some((s) => ENDED_STATES.has(s)),
    nodes: expandHostlist(typeof j['nodes'] === 'string' ? j['nodes'] : ''),
    reason: typeof j['state_reason'] === 'string' ? j['state_reason'] : '',
  };
}

/** A numeric id as text: a number, or the newer `{ set, number }` object; "0" when absent. */
function idOf(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object' && v !== null && typeof (v as { number?: unknown }).number === 'number') {
    return String((v as { number: number }).number);
  }
  return '0';
}

/** Expands a Slurm hostlist such as `flp[001-003,007],ctl1` into names (zero padding kept). */
export function expandHostlist(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/([^,[\]]+)(?:\[([^\]]*)\])?([^,[\]]*)/g)) {
    const [, prefix = '', ranges, suffix = ''] = m;
    if (ranges === undefined) names.push(prefix + suffix);
    else for (const r of ranges.split(',')) names.push(...expandRange(r).map((x) => prefix + x + suffix));
  }
  return names.map((n) => n.trim()).filter((n) => n !== '');
}

function expandRange(r: string): string[] {
  const [from = '', to] = r.split('-');
  if (to === undefined) return [from];
  const out: string[] = [];
  for (let i = Number(from); i <= Number(to); i++) out.push(String(i).padStart(from.length, '0'));
  return out;
}

export interface ListJobsOptions {
  /** Only jobs of this name. */
  readonly name?: string;
  /** Include jobs that have ended but are still listed (default false). */
  readonly all?: boolean;
}

/** The cluster's jobs (components of heterogeneous jobs listed one by one), from `squeue --json`. */
export async function listJobs(cli: SlurmCli, o: ListJobsOptions = {}): Promise<SlurmJob[]> {
  const { stdout } = await cli.run('squeue', ['--json']);
  return parseSqueueJson(stdout).filter(
    (j) => (o.all === true || j.active) && (o.name === undefined || j.name === o.name),
  );
}

/** Cancels a job with all its components and steps (`scancel <jobId>`); a job already gone is not an error. */
export async function cancel(cli: SlurmCli, jobId: string): Promise<void> {
  try {
    await cli.run('scancel', [jobId]);
  } catch (err) {
    if (err instanceof SlurmError && /Invalid job id|already completing or completed/i.test(err.stderr))
      return;
    throw err;
  }
}

/**
 * Polls squeue until neither the job nor any component of it is active any more (ended jobs that squeue still
 * lists count as gone). Resolves true when gone, false when still there after `timeoutMs`.
 */
export async function waitGone(
  cli: SlurmCli,
  jobId: string,
  timeoutMs: number,
  pollMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await listJobs(cli);
    if (!jobs.some((j) => j.jobId === jobId || j.hetJobId === jobId)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}
