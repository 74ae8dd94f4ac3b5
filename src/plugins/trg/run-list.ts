/**
 * The CTP daemon's RunList answer: `rc` lines, each `S <run> R     <detector>` (standalone, running) or
 * `G <run> <R|L>     <det>, <det>     <partition>` (global, running or loaded).
 */
export interface CtpRun {
  readonly runNumber: number;
  readonly cardinality: 'STANDALONE' | 'GLOBAL';
  readonly state: 'RUNNING' | 'LOADED';
  readonly detectors: readonly string[];
}

export interface RunListStatus {
  readonly runCount: number;
  readonly lines: readonly string[];
  readonly structured: readonly CtpRun[];
  /** Lines that could not be read, with why. */
  readonly errors: readonly string[];
}

export function parseRunList(rc: number, msg: string): RunListStatus {
  const lines = msg.trim() === '' ? [] : msg.trim().split('\n');
  const structured: CtpRun[] = [];
  const errors: string[] = [];
  if (lines.length !== rc) errors.push(`run count ${rc} but ${lines.length} line(s)`);
  lines.forEach((line, i) => {
    const run = parseRunLine(line);
    if (typeof run === 'string') errors.push(`line ${i + 1}: ${run}`);
    else structured.push(run);
  });
  return { runCount: rc, lines, structured, errors };
}

function parseRunLine(line: string): CtpRun | string {
  const [head = '', dets = ''] = line.split('     ');
  const [kind, run, st] = head.trim().split(/\s+/);
  const runNumber = Number(run);
  if (!/^\d+$/.test(run ?? '')) return `cannot read the run number of "${line}"`;
  const detectors = dets
    .split(',')
    .map((d) => d.trim().toUpperCase())
    .filter((d) => d !== '');
  if (kind === 'S') return { runNumber, cardinality: 'STANDALONE', state: 'RUNNING', detectors };
  if (kind === 'G' && (st === 'R' || st === 'L'))
    return { runNumber, cardinality: 'GLOBAL', state: st === 'R' ? 'RUNNING' : 'LOADED', detectors };
  return `cannot read the kind or state of "${line}"`;
}
