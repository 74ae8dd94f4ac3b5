/**
 * A minimal AgentService server for tests of the agent link and the local engine: records what agents send and
 * lets the test send Welcome and Commands. Not a core.
 */
import { create } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { AgentService, CommandSchema, CoreMessageSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { AgentMessage, CoreMessage, Hello } from '../gen/axle/agent/v1/agent_pb.ts';
import { AsyncQueue } from './async-queue.ts';

/** One agent stream as the fake core sees it. */
export interface FakeAgentStream {
  readonly hello: Hello;
  /** The agent's `grpc-accept-encoding` request header (null: none). */
  readonly acceptEncoding: string | null;
  readonly received: AgentMessage[];
  send(message: CoreMessage): void;
  /** Sends a command and resolves with its result message. */
  command(init: MessageInitShape<typeof CommandSchema>): Promise<AgentMessage>;
  readonly closed: boolean;
}

export class FakeCore {
  readonly streams: FakeAgentStream[] = [];
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private server: http2.Http2Server | undefined;
  port = 0;

  constructor(private readonly welcome: { heartbeatIntervalMs: number } = { heartbeatIntervalMs: 1000 }) {}

  /** Listens on 127.0.0.1 (on `port`, or a free one). */
  async listen(port = 0): Promise<void> {
    const server = http2.createServer(connectNodeAdapter({ routes: (router) => this.routes(router) }));
    server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Drops every connection and stops listening (agents see their stream fail). */
  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
    this.server = undefined;
  }

  /** The open streams whose Hello named `host`. */
  live(host: string): FakeAgentStream | undefined {
    return this.streams.filter((s) => s.hello.host === host && !s.closed).at(-1);
  }

  private routes(router: ConnectRouter): void {
    router.service(AgentService, {
      connect: (requests, ctx) => this.accept(requests, ctx.requestHeader.get('grpc-accept-encoding')),
    });
  }

  private accept(
    requests: AsyncIterable<AgentMessage>,
    acceptEncoding: string | null,
  ): AsyncIterable<CoreMessage> {
    const outgoing = new AsyncQueue<CoreMessage>();
    const waiting = new Map<string, (m: AgentMessage) => void>();
    let stream: (FakeAgentStream & { closed: boolean }) | undefined;
    void (async () => {
      try {
        for await (const message of requests) {
          if (message.kind.case === 'hello' && stream === undefined) {
            stream = makeStream(message.kind.value);
            this.streams.push(stream);
            outgoing.push(
              create(CoreMessageSchema, {
                kind: {
                  case: 'welcome',
                  value: { coreId: 'fake', heartbeatIntervalMs: BigInt(this.welcome.heartbeatIntervalMs) },
                },
              }),
            );
          }
          stream?.received.push(message);
          if (message.kind.case === 'result') waiting.get(message.kind.value.commandId)?.(message);
        }
      } catch {
        // stream broken
      } finally {
        if (stream !== undefined) stream.closed = true;
        outgoing.close();
      }
    })();
    function makeStream(hello: Hello): FakeAgentStream & { closed: boolean } {
      return {
        hello,
        acceptEncoding,
        received: [],
        closed: false,
        send: (m) => outgoing.push(m),
        command: (init) =>
          new Promise((resolve) => {
            const command = create(CommandSchema, init);
            waiting.set(command.id, resolve);
            outgoing.push(create(CoreMessageSchema, { kind: { case: 'command', value: command } }));
          }),
      };
    }
    return outgoing;
  }
}
