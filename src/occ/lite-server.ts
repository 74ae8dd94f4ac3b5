/**
 * The OCClite JSON server (what the OCC FairMQ plugin serves with `-P OCClite`): gRPC over HTTP/2 cleartext with
 * `application/grpc+json` bodies and bare method paths `GetState`, `Transition`, `EventStream`.
 */
import http2 from 'node:http2';
import { DEVICE_EVENT_TYPES, STATE_CHANGE_TRIGGERS } from '../common/task-state.ts';
import {
  encodeGrpcMessage,
  encodeJsonFrame,
  FrameReader,
  GRPC_JSON_CONTENT_TYPE,
  jsonString,
  parseJsonObject,
} from './grpc-frame.ts';
import { listenHttp2 } from './http2-listen.ts';
import { GRPC_STATUS, OccStatusError } from './occ-error.ts';
import type { OccMachine, OccServeOptions, OccServer, TransitionInput } from './occ-machine.ts';

/**
 * Serves `machine` over OCClite until closed. Accepts `/GetState` as well as `GetState` (a Node.js HTTP/2 server
 * never sees the latter: nghttp2 rejects it before us, see json-client.ts).
 */
export async function serveOccLite(machine: OccMachine, opts: OccServeOptions): Promise<OccServer> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => handleCall(machine, stream, headers));
  return listenHttp2(server, opts);
}

type Stream = http2.ServerHttp2Stream;

/** Reads the single request message of a call, then dispatches on the bare method name. */
function handleCall(machine: OccMachine, stream: Stream, headers: http2.IncomingHttpHeaders): void {
  stream.on('error', () => undefined);
  const method = (headers[':path'] ?? '').replace(/^\//, '');
  const reader = new FrameReader();
  const frames: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => {
    try {
      frames.push(...reader.push(chunk));
    } catch (err: unknown) {
      sendStatus(stream, new OccStatusError('INTERNAL', String(err)));
    }
  });
  stream.on('end', () => {
    if (stream.closed || stream.headersSent) return;
    dispatch(machine, stream, method, frames[0]).catch((err: unknown) => sendStatus(stream, toStatus(err)));
  });
}

async function dispatch(
  machine: OccMachine,
  stream: Stream,
  method: string,
  body: Buffer | undefined,
): Promise<void> {
  switch (method) {
    case 'GetState':
      return sendUnary(stream, { state: machine.state, pid: process.pid });
    case 'Transition': {
      const reply = await machine.transition(parseTransition(body));
      return sendUnary(stream, {
        trigger: STATE_CHANGE_TRIGGERS[reply.trigger],
        state: reply.state,
        transitionEvent: reply.event,
        ok: reply.ok,
      });
    }
    case 'EventStream':
      return streamEvents(machine, stream);
    default:
      return sendStatus(stream, new OccStatusError('UNIMPLEMENTED', `unknown method ${method}`));
  }
}

/** Decodes `{"srcState","transitionEvent","arguments":[{"key","value"}]}`. */
function parseTransition(body: Buffer | undefined): TransitionInput {
  try {
    const json = parseJsonObject(body ?? Buffer.from('{}'));
    const entries = Array.isArray(json.arguments)
      ? (json.arguments as { key?: unknown; value?: unknown }[])
      : [];
    const args: Record<string, string> = {};
    for (const e of entries) args[jsonString(e.key)] = jsonString(e.value);
    return { srcState: jsonString(json.srcState), event: jsonString(json.transitionEvent), arguments: args };
  } catch {
    throw new OccStatusError('INVALID_ARGUMENT', 'cannot parse TransitionRequest');
  }
}

async function streamEvents(machine: OccMachine, stream: Stream): Promise<void> {
  const abort = new AbortController();
  stream.on('close', () => abort.abort());
  respondHeaders(stream);
  for await (const event of machine.events(abort.signal)) {
    if (stream.closed) return;
    stream.write(encodeJsonFrame({ event: { type: DEVICE_EVENT_TYPES[event] } }));
  }
  if (!stream.closed) endWithTrailers(stream, GRPC_STATUS.OK, '');
}

function respondHeaders(stream: Stream): void {
  stream.respond({ ':status': 200, 'content-type': GRPC_JSON_CONTENT_TYPE }, { waitForTrailers: true });
}

function endWithTrailers(stream: Stream, code: number, message: string): void {
  stream.once('wantTrailers', () => {
    const trailers: Record<string, string> = { 'grpc-status': String(code) };
    if (message !== '') trailers['grpc-message'] = encodeGrpcMessage(message);
    stream.sendTrailers(trailers);
  });
  stream.end();
}

function sendUnary(stream: Stream, reply: unknown): void {
  if (stream.closed) return;
  respondHeaders(stream);
  stream.write(encodeJsonFrame(reply));
  endWithTrailers(stream, GRPC_STATUS.OK, '');
}

/** A trailers-only error response. */
function sendStatus(stream: Stream, err: OccStatusError): void {
  if (stream.closed) return;
  if (stream.headersSent) {
    endWithTrailers(stream, GRPC_STATUS[err.code], err.message);
    return;
  }
  stream.respond(
    {
      ':status': 200,
      'content-type': GRPC_JSON_CONTENT_TYPE,
      'grpc-status': String(GRPC_STATUS[err.code]),
      'grpc-message': encodeGrpcMessage(err.message),
    },
    { endStream: true },
  );
}

function toStatus(err: unknown): OccStatusError {
  return err instanceof OccStatusError
    ? err
    : new OccStatusError('UNKNOWN', 'Unexpected error in RPC handling');
}
