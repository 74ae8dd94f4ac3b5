/** Test support: the processes of this machine as /proc lists them (pid, parent, process group, state, name). */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** One letter: R, S, D, Z (zombie), … */
  readonly state: string;
  readonly comm: string;
}

/** Every process readable in /proc (those that end while being read are skipped). */
export function processTable(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [state = '', ppid = '0', pgid = '0'] = stat.slice(close + 2).split(' ');
    rows.push({ pid: Number(name), ppid: Number(ppid), pgid: Number(pgid), state, comm });
  }
  return rows;
}

/** Live (not zombie) members of process group `pgid`. */
export function liveGroupMembers(pgid: number): ProcessRow[] {
  return processTable().filter((p) => p.pgid === pgid && p.state !== 'Z');
}
