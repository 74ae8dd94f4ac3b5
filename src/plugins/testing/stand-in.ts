/**
 * A stand-in for an external gRPC service in tests: serves the service's real protocol on 127.0.0.1, records every
 * request (method and protobuf JSON), and can be told per method to delay, answer with a given reply, fail with a
 * gRPC status, or hang until the client gives up. Every stand-in (CTPd, DCS, …) is built on this one harness.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { DescMessage, DescMethod, DescService, MessageInitShape } from '@bufbuild/protobuf';
import { create, toJson } from '@bufbuild/protobuf';
import type { JsonValue } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';

export interface Behaviour {
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Answer with this gRPC error instead. */
  readonly fail?: { readonly code: Code; readonly message: string };
  /** Never answer (until the client cancels or the stand-in stops). */
  readonly hang?: boolean;
  /** Unary methods: answer with this reply instead of the stand-in's own. */
  readonly reply?: MessageInitShape<DescMessage>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly request: JsonValue;
  readonly atMs: number;
}

type AnyImpl = Record<string, (req: unknown, ctx: HandlerContext) => unknown>;

export class StandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly stopping = new AbortController();
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  private constructor(
    private readonly server: http2.Http2Server,
    readonly port: number,
  ) {}

  /** Serves `service` with `impl` (methods not in `impl` answer Unimplemented). */
  static async start<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): Promise<StandIn> {
    const holder: { self?: StandIn } = {};
    const wrapped = wrap(service, impl as AnyImpl, () => holder.self as StandIn);
    const server = http2.createServer(
      connectNodeAdapter({ routes: (router) => router.service(service, wrapped as Partial<ServiceImpl<S>>) }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const self = new StandIn(server, (server.address() as AddressInfo).port);
    holder.self = self;
    server.on('session', (s) => {
      self.sessions.add(s);
      s.once('close', () => self.sessions.delete(s));
    });
    return self;
  }

  /** The endpoint as AliECS settings write it: `//127.0.0.1:<port>`. */
  get endpoint(): string {
    return `//127.0.0.1:${this.port}`;
  }

  behave(method: string, b: Behaviour): void {
    this.behaviours.set(method, b);
  }

  /** Back to answering normally, for every method. */
  reset(): void {
    this.behaviours.clear();
  }

  /** Names of the recorded methods, in order. */
  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sessions) s.destroy();
    });
  }

  /** @internal Records the request and applies the method's behaviour; returns a reply override, if any. */
  async intercept(method: DescMethod, req: unknown, signal: AbortSignal): Promise<Behaviour> {
    this.requests.push({
      method: method.name,
      request: toJson(method.input, req as never),
      atMs: Date.now(),
    });
    const b = this.behaviours.get(method.name) ?? {};
    const gone = AbortSignal.any([signal, this.stopping.signal]);
    if (b.delayMs !== undefined) await sleep(b.delayMs, gone);
    if (b.hang === true)
      await new Promise<void>((resolve) => gone.addEventListener('abort', () => resolve()));
    if (gone.aborted) throw new ConnectError('stand-in: request abandoned', Code.Canceled);
    if (b.fail !== undefined) throw new ConnectError(b.fail.message, b.fail.code);
    return b;
  }
}

function wrap(service: DescService, impl: AnyImpl, self: () => StandIn): AnyImpl {
  const out: AnyImpl = {};
  for (const method of service.methods) {
    const f = impl[method.localName];
    if (method.methodKind === 'unary')
      out[method.localName] = async (req, ctx) => {
        const b = await self().intercept(method, req, ctx.signal);
        if (b.reply !== undefined) return create(method.output, b.reply);
        if (f === undefined) throw new ConnectError(`${method.name} not implemented`, Code.Unimplemented);
        return f(req, ctx);
      };
    else if (method.methodKind === 'server_streaming')
      out[method.localName] = async function* (req, ctx) {
        await self().intercept(method, req, ctx.signal);
        if (f === undefined) throw new ConnectError(`${method.name} not implemented`, Code.Unimplemented);
        yield* f(req, ctx) as AsyncIterable<unknown>;
      };
  }
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
