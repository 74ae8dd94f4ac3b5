/**
 * A gRPC endpoint a plugin talks to: one HTTP/2 session (closed by `close`), its connection state, and `invoke`,
 * which runs one request with the call's deadline and signal, keeps the state current, and turns failures into
 * messages that name the service, the endpoint and the cause.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import type { Transport } from '@connectrpc/connect';
import type http2 from 'node:http2';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { Connection } from './connection.ts';
import type { ConnectionStatus } from './connection.ts';

export interface CallLimits {
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
}

/**
 * The session manager with a guard on each HTTP/2 session: a server that closes an idle connection (GOAWAY, e.g. a
 * daemon restarting) must not crash the core. connect-node can raise that session's deferred error after it stopped
 * listening (connectrpc/connect-es#1768); the guard listener keeps it from becoming an uncaught exception. The
 * manager's own listeners still see every error while the session is in use.
 */
class GuardedSessions extends Http2SessionManager {
  private readonly guarded = new WeakSet<http2.Http2Session>();

  override async request(
    ...args: Parameters<Http2SessionManager['request']>
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(...args);
    const session = stream.session;
    if (session !== undefined && !this.guarded.has(session)) {
      this.guarded.add(session);
      session.on('error', () => undefined);
    }
    return stream;
  }
}

export class GrpcEndpoint {
  readonly transport: Transport;
  private readonly sessions: Http2SessionManager;
  private readonly conn = new Connection();

  constructor(
    /** Service name in messages, e.g. "TRG service". */
    readonly service: string,
    /** As configured, e.g. `//127.0.0.1:50060`. */
    readonly endpoint: string,
    baseUrl: string,
  ) {
    this.sessions = new GuardedSessions(baseUrl, { idleConnectionTimeoutMs: 60_000 });
    this.transport = createGrpcTransport({ baseUrl, sessionManager: this.sessions });
  }

  connection(): ConnectionStatus {
    return this.conn.get();
  }

  /** Runs `request`; resolves with its answer or rejects with an Error whose message says what went wrong. */
  async invoke<T>(what: string, limits: CallLimits, request: (opts: CallLimits) => Promise<T>): Promise<T> {
    if (this.conn.get().state === 'SHUTDOWN')
      throw new Error(`${this.service} client is shut down, ${what} impossible`);
    this.conn.connecting();
    try {
      const answer = await request(limits);
      this.conn.ok();
      return answer;
    } catch (e: unknown) {
      const reason = this.describe(e, limits);
      const err = ConnectError.from(e);
      if (err.code === Code.Unavailable || err.code === Code.DeadlineExceeded) this.conn.failed(reason);
      else this.conn.ok();
      throw new Error(reason, { cause: e });
    }
  }

  /**
   * Reads a server stream: `onItem` sees each message and returns true to stop reading. Rejects like `invoke`.
   */
  async consume<T>(
    what: string,
    limits: CallLimits,
    open: (opts: CallLimits) => AsyncIterable<T>,
    onItem: (item: T) => boolean,
  ): Promise<void> {
    await this.invoke(what, limits, async (opts) => {
      for await (const item of open(opts)) {
        this.conn.ok();
        if (onItem(item)) return;
      }
    });
  }

  /** Records the outcome of an exchange made outside invoke/consume (e.g. a long-lived subscription). */
  note(outcome: { ok: true } | { ok: false; error: unknown }): string | undefined {
    if (outcome.ok) {
      this.conn.ok();
      return undefined;
    }
    const reason = this.describe(outcome.error, { timeoutMs: 0 });
    this.conn.failed(reason);
    return reason;
  }

  close(): void {
    this.conn.shutdown();
    this.sessions.abort();
  }

  private describe(e: unknown, limits: CallLimits): string {
    const err = ConnectError.from(e);
    const at = `${this.service} at ${this.endpoint}`;
    if (err.code === Code.Unavailable) return `${at} unavailable: ${err.rawMessage}`;
    if (err.code === Code.DeadlineExceeded) return `${at} did not answer within ${limits.timeoutMs} ms`;
    if (err.code === Code.Canceled) return `${at}: request cancelled (the call timed out)`;
    return `${at} answered ${Code[err.code]}: ${err.rawMessage}`;
  }
}
