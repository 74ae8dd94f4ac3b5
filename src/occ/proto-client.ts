/** OCC client for the protobuf transport (`/occ_pb.Occ/*`) on Connect-node's gRPC transport over HTTP/2. */
import { ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { Occ } from '../gen/protos/occ_pb.ts';
import {
  callSignal,
  deviceEventName,
  triggerName,
  DEFAULT_GET_STATE_TIMEOUT_MS,
  DEFAULT_TRANSITION_TIMEOUT_MS,
  type OccClient,
} from './client-types.ts';
import { grpcStatusName, OccStatusError } from './occ-error.ts';

/** Creates a protobuf OCC client for `host`:`port` (one HTTP/2 session managed by Connect). */
export function createProtoOccClient(port: number, host = '127.0.0.1'): OccClient {
  const baseUrl = `http://${host}:${port}`;
  const sessionManager = new Http2SessionManager(baseUrl);
  const client = createClient(Occ, createGrpcTransport({ baseUrl, sessionManager }));
  return {
    async getState(opts) {
      const signal = callSignal(opts, DEFAULT_GET_STATE_TIMEOUT_MS);
      const reply = await client.getState({}, { signal }).catch(rethrow(signal));
      return { state: reply.state, pid: reply.pid };
    },
    async transition(req, opts) {
      const signal = callSignal(opts, DEFAULT_TRANSITION_TIMEOUT_MS);
      const args = Object.entries(req.arguments).map(([key, value]) => ({ key, value }));
      const reply = await client
        .transition({ srcState: req.srcState, transitionEvent: req.event, arguments: args }, { signal })
        .catch(rethrow(signal));
      return {
        ok: reply.ok,
        state: reply.state,
        trigger: triggerName(reply.trigger),
        event: reply.transitionEvent,
      };
    },
    async *events(signal) {
      try {
        for await (const reply of client.eventStream({}, { signal }))
          yield deviceEventName(reply.event?.type ?? 0);
      } catch (err: unknown) {
        if (!signal.aborted) throw toStatus(err, signal);
      }
    },
    close() {
      sessionManager.abort();
    },
  };
}

function rethrow(signal: AbortSignal): (err: unknown) => never {
  return (err) => {
    throw toStatus(err, signal);
  };
}

/** A Connect error as the gRPC status it carries; a fired deadline reads DEADLINE_EXCEEDED. */
function toStatus(err: unknown, signal: AbortSignal): OccStatusError {
  const reason: unknown = signal.reason;
  if (signal.aborted && reason instanceof Error && reason.name === 'TimeoutError') {
    return new OccStatusError('DEADLINE_EXCEEDED', 'deadline exceeded', { cause: err });
  }
  if (err instanceof ConnectError)
    return new OccStatusError(grpcStatusName(err.code), err.rawMessage, { cause: err });
  return OccStatusError.from(err);
}
