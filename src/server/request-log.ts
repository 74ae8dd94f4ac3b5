/**
 * One log line per request to the control API and the Apricot API, so that a failure a client saw can be found in
 * the core's log: time, RPC, user (the request's `requestUser`, else the peer address), key arguments, outcome
 * (`ok` or the gRPC code and message) and duration. Mutating requests and every failure are logged; reads only when
 * `reads` is set.
 */
import type { DescField, DescMessage } from '@bufbuild/protobuf';
import { Code, ConnectError, createContextKey, createContextValues } from '@connectrpc/connect';
import type { ContextValues, Interceptor } from '@connectrpc/connect';

export interface RequestLogOptions {
  /** Where lines go (the core's logger). */
  readonly log: (line: string) => void;
  /** Also log successful reads (verbose). */
  readonly reads?: boolean;
  readonly now?: () => Date;
}

/** The services whose requests are logged. */
const LOGGED_SERVICES = new Set(['o2control.Control', 'apricot.Apricot']);

/** Methods that change something; every other method of a logged service is a read. */
const MUTATING = new Set([
  'NewEnvironment',
  'NewEnvironmentAsync',
  'NewAutoEnvironment',
  'ControlEnvironment',
  'ModifyEnvironment',
  'DestroyEnvironment',
  'SetEnvironmentProperties',
  'CleanupTasks',
  'Teardown',
  'AddRepo',
  'RemoveRepo',
  'RefreshRepos',
  'SetDefaultRepo',
  'SetGlobalDefaultRevision',
  'SetRepoDefaultRevision',
  'NewRunNumber',
  'SetRuntimeEntry',
  'ImportComponentConfiguration',
  'InvalidateComponentTemplateCache',
]);

const MAX_VALUE = 80;
const MAX_ITEMS = 5;

/** The peer address (`host:port`) of the HTTP/2 stream a request came on. */
export const PEER = createContextKey<string>('', { description: 'peer address' });

/** Context values for `connectNodeAdapter`: the peer address of the request. */
export function peerContext(req: {
  readonly socket: { remoteAddress?: string | undefined; remotePort?: number | undefined } | null;
}): ContextValues {
  const s = req.socket;
  const peer = s?.remoteAddress === undefined ? '' : `${s.remoteAddress}:${s.remotePort ?? ''}`;
  return createContextValues().set(PEER, peer);
}

/** The interceptor writing the lines. */
export function requestLog(o: RequestLogOptions): Interceptor {
  const now = o.now ?? ((): Date => new Date());
  return (next) => async (req) => {
    if (!LOGGED_SERVICES.has(req.service.typeName)) return next(req);
    const started = now();
    const name = req.method.name;
    const msg = req.stream ? undefined : (req.message as Record<string, unknown>);
    const head = (): string =>
      [
        started.toISOString(),
        name,
        `user=${userOf(msg) ?? (req.contextValues.get(PEER) || '?')}`,
        ...(msg === undefined ? [] : keyArguments(req.method.input, msg)),
      ].join(' ');
    const ms = (): string => `(${now().getTime() - started.getTime()} ms)`;
    try {
      const res = await next(req);
      if (o.reads === true || MUTATING.has(name)) {
        const info = res.stream ? '' : infoOf(res.message);
        o.log(`${head()} -> ${res.stream ? 'streaming' : 'ok'}${info} ${ms()}`);
      }
      return res;
    } catch (e: unknown) {
      const err = ConnectError.from(e);
      o.log(`${head()} -> ${Code[err.code]}: ${oneLine(err.rawMessage)} ${ms()}`);
      throw e;
    }
  };
}

function userOf(msg: Record<string, unknown> | undefined): string | undefined {
  const u = msg?.['requestUser'] as { name?: unknown } | undefined;
  return typeof u?.name === 'string' && u.name !== '' ? u.name : undefined;
}

/** A reply's `info` text (AddRepo, SetRepoDefaultRevision), which says what happened. */
function infoOf(msg: object): string {
  const info = (msg as Record<string, unknown>)['info'];
  return typeof info === 'string' && info !== '' ? ` info=${text(info)}` : '';
}

/** `name=value` for every field set in the request, except the user (shown apart) and nested messages. */
function keyArguments(desc: DescMessage, msg: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of desc.fields) {
    const v = msg[f.localName];
    const shown = show(f, v);
    if (shown !== undefined) out.push(`${f.localName}=${shown}`);
  }
  return out;
}

function show(f: DescField, v: unknown): string | undefined {
  switch (f.fieldKind) {
    case 'scalar':
      return isPrimitive(v) && v !== '' && v !== 0 && v !== false && v !== 0n ? text(String(v)) : undefined;
    case 'enum':
      return typeof v === 'number' && v !== 0
        ? (f.enum.values.find((e) => e.number === v)?.name ?? String(v))
        : undefined;
    case 'list': {
      const items = Array.isArray(v) ? v.filter((x) => typeof x !== 'object') : [];
      if (items.length === 0) return undefined;
      const head = items.slice(0, MAX_ITEMS).map((x) => text(String(x)));
      return `[${head.join(',')}${items.length > MAX_ITEMS ? `,…+${items.length - MAX_ITEMS}` : ''}]`;
    }
    case 'map': {
      const entries = Object.entries((v ?? {}) as Record<string, unknown>);
      if (entries.length === 0) return undefined;
      const head = entries
        .slice(0, MAX_ITEMS)
        .map(([k, x]) => `${k}:${isPrimitive(x) ? text(String(x)) : '…'}`);
      return `{${head.join(',')}${entries.length > MAX_ITEMS ? `,…+${entries.length - MAX_ITEMS}` : ''}}`;
    }
    case 'message':
      return undefined;
  }
}

function isPrimitive(v: unknown): v is string | number | bigint | boolean {
  return ['string', 'number', 'bigint', 'boolean'].includes(typeof v);
}

/** A value on one line, quoted when it has spaces or quotes, cut to MAX_VALUE characters. */
function text(s: string): string {
  const one = oneLine(s);
  const cut = one.length > MAX_VALUE ? `${one.slice(0, MAX_VALUE)}…` : one;
  return /[\s"=]/.test(cut) || cut === '' ? JSON.stringify(cut) : cut;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' | ').trim();
}
