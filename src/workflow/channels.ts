/**
 * Channels in the plan: validation of rendered channel fields, and resolution of `connect` targets against the
 * whole plan — `<role path>:<channel>` (the task role that binds it), `::<global alias>`, or a literal
 * `tcp://…`/`ipc://…` address. Addresses are allocated later, at deployment.
 */
import { CHANNEL_TRANSPORTS, CHANNEL_TYPES } from '../common/plan.ts';
import type { BindChannel, ChannelTarget, ConnectChannel, TaskDescriptor } from '../common/plan.ts';
import type { Issue } from '../common/issue.ts';
import { issue } from '../common/issue.ts';
import type { RenderedChannel } from './frame.ts';
import type { Renderer } from './render.ts';

type Direction = 'bind' | 'connect';

/** Where each plan channel was declared, for issues found when resolving targets. */
const origins = new WeakMap<BindChannel | ConnectChannel, { file: string; path: string; line: number }>();

export function toPlanChannels(
  list: readonly RenderedChannel[],
  direction: 'bind',
  r: Renderer,
): BindChannel[];
export function toPlanChannels(
  list: readonly RenderedChannel[],
  direction: 'connect',
  r: Renderer,
): ConnectChannel[];
export function toPlanChannels(
  list: readonly RenderedChannel[],
  direction: Direction,
  r: Renderer,
): (BindChannel | ConnectChannel)[] {
  const out: (BindChannel | ConnectChannel)[] = [];
  for (const c of list) {
    const ch = toPlanChannel(c, direction, r);
    if (ch === undefined) continue;
    origins.set(ch, { file: c.file, path: c.path, line: c.line });
    out.push(ch);
  }
  return out;
}

function toPlanChannel(
  c: RenderedChannel,
  direction: Direction,
  r: Renderer,
): BindChannel | ConnectChannel | undefined {
  const f = c.fields;
  const where = { path: c.path, line: c.line };
  const bad = (message: string): undefined => {
    r.errorIn(c.file, where, 'invalid_value', `channel "${f['name'] ?? '?'}": ${message}`);
    return undefined;
  };
  const type = CHANNEL_TYPES.find((t) => t === f['type']);
  if (type === undefined)
    return bad(`type must be one of ${CHANNEL_TYPES.join(', ')}, found "${f['type'] ?? ''}"`);
  const transport = CHANNEL_TRANSPORTS.find((t) => t === (f['transport'] ?? 'default'));
  if (transport === undefined) return bad(`transport must be one of ${CHANNEL_TRANSPORTS.join(', ')}`);
  const snd = bufSize(f['sndBufSize']);
  const rcv = bufSize(f['rcvBufSize']);
  if (snd === undefined || rcv === undefined) return bad('sndBufSize and rcvBufSize must be integers');
  const base = {
    name: f['name'] ?? '',
    type,
    sndBufSize: snd,
    rcvBufSize: rcv,
    rateLogging: f['rateLogging'] ?? '0',
    transport,
  };
  if (direction === 'connect') {
    const target = (f['target'] ?? '').trim();
    if (target === '') return bad('a connect channel needs a target');
    return { ...base, target };
  }
  const addressing = f['addressing'] ?? 'tcp';
  if (addressing !== 'tcp' && addressing !== 'ipc')
    return bad(`addressing must be tcp or ipc, found "${addressing}"`);
  const global = f['global']?.trim();
  const target = f['target']?.trim();
  return {
    ...base,
    addressing,
    ...(global !== undefined && global !== '' ? { global } : {}),
    ...(target !== undefined && target !== '' ? { target } : {}),
  };
}

function bufSize(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return 1000;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Where a task's channels were declared, for issues. */
export type ChannelOrigin = (task: TaskDescriptor) => { file?: string; path?: string; line?: number };

/** Resolves every connect target; returns tasks with `resolved` filled and issues for what does not resolve. */
export function resolveTargets(
  tasks: readonly TaskDescriptor[],
  origin: ChannelOrigin,
): { tasks: TaskDescriptor[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const byRole = new Map<string, TaskDescriptor>();
  const byGlobal = new Map<string, { task: TaskDescriptor; channel: string }>();
  for (const t of tasks) {
    for (const b of t.bind) {
      byRole.set(`${t.path}:${b.name}`, t);
      if (b.global === undefined) continue;
      const seen = byGlobal.get(b.global);
      if (seen !== undefined && (seen.task !== t || seen.channel !== b.name)) {
        issues.push(
          issue(
            'duplicate_global',
            `global channel alias "${b.global}" is bound by both ${seen.task.path}:${seen.channel} and ${t.path}:${b.name}`,
            origins.get(b) ?? origin(t),
          ),
        );
      } else byGlobal.set(b.global, { task: t, channel: b.name });
    }
  }
  const resolve = (target: string): ChannelTarget | undefined => {
    if (/^(tcp|ipc|inproc):\/\//.test(target)) return { kind: 'address', address: target };
    if (target.startsWith('::')) {
      const g = byGlobal.get(target.slice(2));
      return g === undefined ? undefined : { kind: 'channel', taskPath: g.task.path, channel: g.channel };
    }
    const i = target.lastIndexOf(':');
    const t = byRole.get(target);
    return i <= 0 || t === undefined
      ? undefined
      : { kind: 'channel', taskPath: t.path, channel: target.slice(i + 1) };
  };
  const out = tasks.map((t) => {
    if (t.connect.length === 0) return t;
    const connect = t.connect.map((c) => {
      const resolved = resolve(c.target);
      if (resolved === undefined) {
        issues.push(
          issue(
            'channel_target',
            `channel "${c.name}" of ${t.path}: target "${c.target}" matches no bound channel (expected <role path>:<channel>, ::<global alias>, tcp:// or ipc://)`,
            origins.get(c) ?? origin(t),
          ),
        );
        return c;
      }
      return { ...c, resolved };
    });
    return { ...t, connect };
  });
  return { tasks: out, issues };
}
