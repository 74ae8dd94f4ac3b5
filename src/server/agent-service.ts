/**
 * `axle.agent.v1.AgentService/Connect`: the bidirectional stream an agent opens. The first message must be Hello; the
 * core answers Welcome, then sends Commands; the agent sends results, task updates and heartbeats. A Hello for a host
 * another agent serves is refused with AlreadyExists and the reason.
 */
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import type { ConnectRouter } from '@connectrpc/connect';
import { AsyncQueue } from '../common/async-queue.ts';
import { AgentService, CoreMessageSchema, WelcomeSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { AgentMessage, CoreMessage } from '../gen/axle/agent/v1/agent_pb.ts';
import { AgentLink } from './agent-link.ts';
import type { AgentRegistry } from './agent-registry.ts';

/**
 * Agent streams are never compressed, whatever the agent accepts: commands and reports are small and go over a LAN,
 * where gzip costs far more CPU than it saves (it was Connect's default for every message over 1 KiB).
 */
const AGENT_STREAM_OPTIONS = { acceptCompression: [] };

export function agentRoutes(
  registry: AgentRegistry,
  coreId: string,
  heartbeatMs = 1000,
): (router: ConnectRouter) => void {
  return (router) =>
    router.service(
      AgentService,
      {
        async *connect(requests: AsyncIterable<AgentMessage>): AsyncIterable<CoreMessage> {
          const it = requests[Symbol.asyncIterator]();
          const first = await it.next();
          const hello = first.done === true ? undefined : first.value.kind;
          if (hello?.case !== 'hello')
            throw new ConnectError(
              'the first message of an agent stream must be Hello',
              Code.InvalidArgument,
            );
          if (hello.value.host === '')
            throw new ConnectError('Hello.host must name the agent host', Code.InvalidArgument);
          const out = new AsyncQueue<CoreMessage>();
          const link = new AgentLink(hello.value, out);
          const refusal = registry.attach(link);
          if (refusal !== undefined) throw new ConnectError(refusal, Code.AlreadyExists);
          out.push(
            create(CoreMessageSchema, {
              kind: {
                case: 'welcome',
                value: create(WelcomeSchema, { coreId, heartbeatIntervalMs: BigInt(heartbeatMs) }),
              },
            }),
          );
          void pump(it, link, registry);
          for await (const m of out) yield m;
        },
      },
      AGENT_STREAM_OPTIONS,
    );
}

async function pump(
  it: AsyncIterator<AgentMessage>,
  link: AgentLink,
  registry: AgentRegistry,
): Promise<void> {
  let reason = `agent on ${link.host} disconnected`;
  try {
    for (let m = await it.next(); m.done !== true; m = await it.next()) {
      const k = m.value.kind;
      registry.heartbeat(
        link,
        k.case === 'heartbeat' ? { sentAt: Number(k.value.timeMs), sequence: k.value.sequence } : undefined,
      );
      if (k.case === 'result') registry.result(link, k.value);
      else if (k.case === 'results') for (const r of k.value.results) registry.result(link, r);
      else if (k.case === 'update') registry.report(k.value);
    }
  } catch (e: unknown) {
    reason = `agent on ${link.host} disconnected: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    registry.detach(link, reason);
  }
}
