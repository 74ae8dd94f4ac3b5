/**
 * The agent's connection to the core: one AgentService.Connect stream at a time. Sends Hello (with the tasks still
 * running), heartbeats at the interval the core's Welcome asks for, runs each Command on the runtime and answers
 * with its CommandResult, and forwards TaskUpdates. When the stream drops it reconnects with backoff; tasks keep
 * running, and updates produced meanwhile are sent after the next Hello. When the core refuses the agent because
 * another agent serves its host (AlreadyExists), it logs the core's reason and stops trying.
 */
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import type { Client, Transport } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { AgentService } from '../gen/axle/agent/v1/agent_pb.ts';
import type { AgentMessage } from '../gen/axle/agent/v1/agent_pb.ts';
import type { AgentRuntime } from './agent-runtime.ts';
import { AsyncQueue } from './async-queue.ts';
import {
  decodeCoreMessage,
  encodeHeartbeat,
  encodeHello,
  encodeResult,
  encodeResults,
  encodeUpdate,
} from './core-codec.ts';
import type { AgentIdentity, CoreInput } from './core-codec.ts';
import { errorMessage } from './drivers/task-driver.ts';
import { result } from './types.ts';
import type { TaskUpdate } from './types.ts';

/** Heartbeat interval until the core says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 1000;
/** Reconnect backoff bounds. */
export const BACKOFF_MIN_MS = 100;
export const BACKOFF_MAX_MS = 5000;
/** Updates kept while disconnected (oldest dropped first). */
const MAX_PENDING_UPDATES = 10_000;

export interface CoreLinkOptions {
  /** `host:port` or a URL (`http://host:port`). */
  readonly coreUrl: string;
  readonly identity: AgentIdentity;
  readonly runtime: AgentRuntime;
  /** A transport to share between posing agents (default: a new gRPC transport over HTTP/2). */
  readonly transport?: Transport;
  readonly log?: (line: string) => void;
  /** Called each time a stream on which the core had welcomed this agent ends. */
  readonly onDisconnect?: () => void;
  /** Called once when the core refuses this agent for good (another agent serves its host); no retry follows. */
  readonly onRefused?: (reason: string) => void;
}

/** The base URL of a core address given as `host:port` or as a URL. */
export function coreBaseUrl(coreUrl: string): string {
  return /^https?:\/\//.test(coreUrl) ? coreUrl : `http://${coreUrl}`;
}

/** A gRPC (HTTP/2 cleartext) transport to the core; it neither sends nor accepts compressed messages. */
export function createCoreTransport(coreUrl: string): Transport {
  return createGrpcTransport({ baseUrl: coreBaseUrl(coreUrl), acceptCompression: [] });
}

export class CoreLink {
  private readonly client: Client<typeof AgentService>;
  private readonly abort = new AbortController();
  private outgoing: AsyncQueue<AgentMessage> | undefined;
  private pending: TaskUpdate[] = [];
  private welcomed = false;
  private loop: Promise<void> | undefined;
  private lastLine = '';
  private refusal: string | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: CoreLinkOptions) {
    this.client = createClient(AgentService, options.transport ?? createCoreTransport(options.coreUrl));
    this.unsubscribe = options.runtime.onUpdate((update) => this.sendUpdate(update));
  }

  /** True while a stream is open and the core has welcomed this agent. */
  get connected(): boolean {
    return this.welcomed;
  }

  /** Why the core refused this agent for good, if it did. */
  get refused(): string | undefined {
    return this.refusal;
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the stream and stops reconnecting (tasks are not touched). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.outgoing?.close();
    this.unsubscribe();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!this.abort.signal.aborted) {
      const welcomed = await this.session();
      if (this.abort.signal.aborted || this.refusal !== undefined) break;
      backoff = welcomed ? BACKOFF_MIN_MS : Math.min(backoff * 2, BACKOFF_MAX_MS);
      await sleep(backoff, this.abort.signal);
    }
  }

  /** One stream, from Hello until it ends; resolves true when the core had welcomed us. */
  private async session(): Promise<boolean> {
    const outgoing = new AsyncQueue<AgentMessage>();
    const heartbeat = { timer: undefined as NodeJS.Timeout | undefined };
    const stream = new AbortController();
    const onAbort = (): void => stream.abort();
    this.abort.signal.addEventListener('abort', onAbort);
    outgoing.push(encodeHello(this.options.identity, this.options.runtime.report()));
    this.outgoing = outgoing;
    let welcomed = false;
    try {
      for await (const message of this.client.connect(outgoing, { signal: stream.signal })) {
        const input = decodeCoreMessage(message);
        if (input?.kind === 'welcome') {
          welcomed = true;
          this.onWelcome(input, outgoing, heartbeat);
        } else if (input !== undefined) this.onCommand(input, outgoing);
      }
      this.log('core closed the stream');
    } catch (error: unknown) {
      if (error instanceof ConnectError && error.code === Code.AlreadyExists) this.refuse(error.rawMessage);
      else if (!this.abort.signal.aborted) this.logOnce(`core stream lost: ${errorMessage(error)}`);
    } finally {
      clearInterval(heartbeat.timer);
      this.abort.signal.removeEventListener('abort', onAbort);
      outgoing.close();
      stream.abort();
      this.outgoing = undefined;
      this.welcomed = false;
    }
    if (welcomed && !this.abort.signal.aborted) this.options.onDisconnect?.();
    return welcomed;
  }

  private onWelcome(
    welcome: Extract<CoreInput, { kind: 'welcome' }>,
    outgoing: AsyncQueue<AgentMessage>,
    heartbeat: { timer: NodeJS.Timeout | undefined },
  ): void {
    this.welcomed = true;
    this.log(`connected to core ${welcome.coreId}`);
    clearInterval(heartbeat.timer);
    const interval = welcome.heartbeatIntervalMs > 0 ? welcome.heartbeatIntervalMs : DEFAULT_HEARTBEAT_MS;
    let sequence = 0;
    heartbeat.timer = setInterval(() => outgoing.push(encodeHeartbeat(Date.now(), ++sequence)), interval);
    const pending = this.pending;
    this.pending = [];
    for (const update of pending) outgoing.push(encodeUpdate(update));
  }

  private onCommand(
    input: Exclude<CoreInput, { kind: 'welcome' }>,
    outgoing: AsyncQueue<AgentMessage>,
  ): void {
    if (input.kind === 'bad-command') {
      outgoing.push(encodeResult(result(input.commandId, { error: input.error })));
      return;
    }
    if (input.kind === 'batch') {
      const runtime = this.options.runtime;
      void Promise.all(input.commands.map((c) => runtime.handle(c))).then((res) =>
        outgoing.push(encodeResults(res)),
      );
      return;
    }
    void this.options.runtime.handle(input.command).then((res) => outgoing.push(encodeResult(res)));
  }

  private refuse(reason: string): void {
    this.refusal = reason;
    this.log(`refused by the core: ${reason}; not retrying`);
    this.options.onRefused?.(reason);
  }

  private sendUpdate(update: TaskUpdate): void {
    const outgoing = this.outgoing;
    if (outgoing !== undefined && this.welcomed && !outgoing.isClosed) {
      outgoing.push(encodeUpdate(update));
      return;
    }
    this.pending.push(update);
    if (this.pending.length > MAX_PENDING_UPDATES) this.pending.shift();
  }

  /** Logs a line unless it repeats the previous one (a core that stays away is reported once). */
  private logOnce(line: string): void {
    if (line !== this.lastLine) this.log(line);
  }

  private log(line: string): void {
    this.lastLine = line;
    this.options.log?.(`[${this.options.identity.host}] ${line}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
