/**
 * OCC client for the OCClite JSON transport on node:http2: `application/grpc+json`, gRPC framing and trailers, and
 * bare method paths. The Go executor sends `:path: GetState` with no leading slash, which the OCC plugin's C++
 * gRPC server expects; an nghttp2-based server (any Node.js one, ours included) resets such a stream with
 * PROTOCOL_ERROR, so the client then retries with `/GetState` and keeps that style for the connection.
 */
import http2 from 'node:http2';
import {
  callSignal,
  deviceEventName,
  triggerName,
  DEFAULT_GET_STATE_TIMEOUT_MS,
  DEFAULT_TRANSITION_TIMEOUT_MS,
  type OccClient,
} from './client-types.ts';
import {
  decodeGrpcMessage,
  encodeJsonFrame,
  FrameReader,
  GRPC_JSON_CONTENT_TYPE,
  jsonString,
  parseJsonObject,
} from './grpc-frame.ts';
import { grpcStatusName, OccStatusError } from './occ-error.ts';

/** Creates a JSON OCC client for 127.0.0.1:`port` (one HTTP/2 session, reopened when it dies). */
export function createJsonOccClient(port: number, host = '127.0.0.1'): OccClient {
  let session: http2.ClientHttp2Session | undefined;
  let slashed = false;
  const connect = (): http2.ClientHttp2Session => {
    if (session === undefined || session.closed || session.destroyed) {
      session = http2.connect(`http://${host}:${port}`);
      session.on('error', () => undefined);
    }
    return session;
  };
  async function* call(method: string, body: unknown, signal: AbortSignal): AsyncGenerator<Buffer> {
    if (!slashed) {
      try {
        yield* callFrames(connect(), method, body, signal);
        return;
      } catch (err: unknown) {
        if (!(err instanceof PathRejected)) throw err;
        slashed = true;
      }
    }
    yield* callFrames(connect(), `/${method}`, body, signal);
  }
  const unary = async (
    method: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> => {
    const frames: Buffer[] = [];
    for await (const frame of call(method, body, signal)) frames.push(frame);
    if (frames[0] === undefined) throw new OccStatusError('INTERNAL', `${method}: no reply message`);
    return parseJsonObject(frames[0]);
  };
  return {
    async getState(opts) {
      const reply = await unary('GetState', {}, callSignal(opts, DEFAULT_GET_STATE_TIMEOUT_MS));
      return { state: jsonString(reply.state), pid: Number(reply.pid ?? 0) };
    },
    async transition(req, opts) {
      const body = {
        srcState: req.srcState,
        transitionEvent: req.event,
        arguments: Object.entries(req.arguments).map(([key, value]) => ({ key, value })),
      };
      const reply = await unary('Transition', body, callSignal(opts, DEFAULT_TRANSITION_TIMEOUT_MS));
      return {
        ok: reply.ok === true,
        state: jsonString(reply.state),
        trigger: triggerName(Number(reply.trigger ?? 0)),
        event: jsonString(reply.transitionEvent),
      };
    },
    async *events(signal) {
      try {
        for await (const frame of call('EventStream', {}, signal)) {
          const event = parseJsonObject(frame).event as { type?: unknown } | undefined;
          yield deviceEventName(Number(event?.type ?? 0));
        }
      } catch (err: unknown) {
        if (!signal.aborted) throw err;
      }
    },
    close() {
      session?.destroy();
      session = undefined;
    },
  };
}

/** One call: sends `body`, yields reply frames, then throws if the status is not OK. */
async function* callFrames(
  session: http2.ClientHttp2Session,
  method: string,
  body: unknown,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  if (signal.aborted) throw abortStatus(signal);
  let status: { code: number; message: string } | undefined;
  const takeStatus = (h: http2.IncomingHttpHeaders): void => {
    const code = h['grpc-status'];
    if (typeof code === 'string')
      status = { code: Number(code), message: decodeGrpcMessage(String(h['grpc-message'] ?? '')) };
  };
  const req = session.request(
    { ':method': 'POST', ':path': method, 'content-type': GRPC_JSON_CONTENT_TYPE, te: 'trailers' },
    { signal },
  );
  let answered = false;
  req.on('response', (h) => {
    answered = true;
    takeStatus(h);
  });
  req.on('trailers', takeStatus);
  req.end(encodeJsonFrame(body));
  const reader = new FrameReader();
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) yield* reader.push(chunk);
  } catch (err: unknown) {
    if (signal.aborted) throw abortStatus(signal);
    if (!answered && !method.startsWith('/') && req.rstCode === http2.constants.NGHTTP2_PROTOCOL_ERROR) {
      throw new PathRejected();
    }
    throw OccStatusError.from(err);
  } finally {
    if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
  }
  if (status === undefined)
    throw new OccStatusError('UNAVAILABLE', `${method}: stream ended without grpc-status`);
  if (status.code !== 0) throw new OccStatusError(grpcStatusName(status.code), status.message);
}

/** DEADLINE_EXCEEDED for timeouts, CANCELLED for the caller's own abort. */
function abortStatus(signal: AbortSignal): OccStatusError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
  return timedOut
    ? new OccStatusError('DEADLINE_EXCEEDED', 'deadline exceeded', { cause: reason })
    : new OccStatusError('CANCELLED', 'call cancelled', { cause: reason });
}

/** The server refused a path without a leading slash (see the module comment). */
class PathRejected extends Error {}
