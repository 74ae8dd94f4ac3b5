/**
 * Arguments pushed to tasks (AliECS §3.4): at CONFIGURE the task properties, `environment_id` and the FairMQ channel
 * keys with resolved peer addresses; at START the run number and run variables; at STOP the end-of-run variables.
 */
import type { BindChannel, ConnectChannel } from '../common/plan.ts';
import type { TaskRecord } from './task-record.ts';

/** Channel keys of one channel, FairMQ style. */
function channelKeys(
  ch: BindChannel | ConnectChannel,
  method: 'bind' | 'connect',
  address: string,
): Record<string, string> {
  const p = `chans.${ch.name}`;
  return {
    [`${p}.numSockets`]: '1',
    [`${p}.0.address`]: address,
    [`${p}.0.method`]: method,
    [`${p}.0.type`]: ch.type,
    [`${p}.0.transport`]: ch.transport === 'default' ? 'zeromq' : ch.transport,
    [`${p}.0.rateLogging`]: ch.rateLogging,
    [`${p}.0.sndBufSize`]: String(ch.sndBufSize),
    [`${p}.0.rcvBufSize`]: String(ch.rcvBufSize),
    [`${p}.0.sndKernelSize`]: '0',
    [`${p}.0.rcvKernelSize`]: '0',
    ...(method === 'bind' ? { [`${p}.0.autoBind`]: '0' } : {}),
  };
}

export type ArgsResult =
  | { readonly ok: true; readonly args: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: string };

/** CONFIGURE arguments of a task, given every task of the environment by path. */
export function configureArgs(task: TaskRecord, byPath: ReadonlyMap<string, TaskRecord>): ArgsResult {
  const args: Record<string, string> = { ...task.desc.properties, environment_id: task.environmentId };
  for (const b of task.desc.bind) {
    const address = b.target ?? task.endpoints[b.name];
    if (address === undefined)
      return { ok: false, error: `channel ${b.name} of ${task.desc.path} has no bound address` };
    Object.assign(args, channelKeys(b, 'bind', address));
  }
  for (const c of task.desc.connect) {
    const address = peerAddress(c, byPath);
    if (address === undefined)
      return {
        ok: false,
        error: `channel ${c.name} of ${task.desc.path}: target ${c.target} is not bound by any deployed task`,
      };
    Object.assign(args, channelKeys(c, 'connect', address));
  }
  return { ok: true, args };
}

function peerAddress(c: ConnectChannel, byPath: ReadonlyMap<string, TaskRecord>): string | undefined {
  const r = c.resolved;
  if (r === undefined) return undefined;
  if (r.kind === 'address') return r.address;
  const peer = byPath.get(r.taskPath);
  const bound = peer?.desc.bind.find((b) => b.name === r.channel);
  return bound?.target ?? peer?.endpoints[r.channel];
}

const RUN_KEYS = [
  'fill_info_fill_number',
  'fill_info_filling_scheme',
  'fill_info_beam_type',
  'fill_info_stable_beams_start_ms',
  'fill_info_stable_beams_end_ms',
  'run_number',
  'run_type',
  'run_start_time_ms',
  'run_end_time_ms',
  'lhc_period',
  'pdp_beam_type',
  'pdp_override_run_start_time',
  'original_run_number',
];
const STOP_KEYS = RUN_KEYS.filter((k) => k.startsWith('fill_info_') || k === 'run_end_time_ms');

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** START arguments: `runNumber`, `cleanup` and the run variables that are defined, in snake_case and lowerCamelCase. */
export function startArgs(
  runNumber: number,
  cleanupCount: number,
  vars: (k: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = { runNumber: String(runNumber), cleanup: String(cleanupCount) };
  for (const k of RUN_KEYS) {
    const v = vars(k);
    if (v !== undefined) out[k] = out[camel(k)] = v;
  }
  return out;
}

/** STOP arguments; the STOP sent by GO_ERROR uses snake_case only. */
export function stopArgs(vars: (k: string) => string | undefined, snakeOnly = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of STOP_KEYS) {
    const v = vars(k);
    if (v === undefined) continue;
    out[k] = v;
    if (!snakeOnly) out[camel(k)] = v;
  }
  return out;
}
