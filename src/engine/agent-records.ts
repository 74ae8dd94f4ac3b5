/**
 * The local engine's record of its agent processes, `<stateDir>/local-agents.json` (0600): the core URL they
 * connect to and, per process slot, its hosts and PID. A core started again on the same state directory reads it to
 * find agents that outlived the previous core. Agent processes run in their own session, so they are not children
 * of the new core: it watches them by PID.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentRecord {
  readonly slot: number;
  /** `flp001,flp002`: the hosts the process serves. */
  readonly hosts: string;
  readonly pid: number;
  readonly startedAt: number;
}

export interface AgentRecords {
  readonly coreUrl: string;
  readonly processes: readonly AgentRecord[];
}

export function recordsPath(stateDir: string): string {
  return join(stateDir, 'local-agents.json');
}

/** The records, or undefined when there are none (or the file cannot be read: then nothing is adopted). */
export function readRecords(stateDir: string): AgentRecords | undefined {
  const path = recordsPath(stateDir);
  if (!existsSync(path)) return undefined;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as AgentRecords;
    return Array.isArray(data.processes) && typeof data.coreUrl === 'string' ? data : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecords(stateDir: string, records: AgentRecords): void {
  const path = recordsPath(stateDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeRecords(stateDir: string): void {
  rmSync(recordsPath(stateDir), { force: true });
}

/** Whether `pid` is a live (not zombie) agent process of this state directory serving `hosts`. */
export function isOurAgent(pid: number, stateDir: string, hosts: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = args.indexOf('--state-dir');
    const json = args[args.indexOf('--agents-json') + 1] ?? '';
    const served = (JSON.parse(json) as { host: string }[]).map((a) => a.host).join(',');
    return at >= 0 && args[at + 1] === stateDir && served === hosts;
  } catch {
    return false;
  }
}

/** Whether `pid` runs (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
