/**
 * Checks every request at the edge, before any handler: strings must be valid UTF-8 and within a size limit per field
 * (table below), so that bad input answers InvalidArgument naming the RPC, the field and the limit. The whole message
 * is bounded by `READ_MAX_BYTES` (the server's `readMaxBytes`).
 */
import type { DescField, DescMessage } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';
import { configureTextEncoding, getTextEncoding } from '@bufbuild/protobuf/wire';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Interceptor } from '@connectrpc/connect';

/** Largest request message the core reads (64 MiB); a larger one is refused with ResourceExhausted. */
export const READ_MAX_BYTES = 64 * 1024 * 1024;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Characters allowed in a string of a field not named in FIELD_LIMITS, and in a map key. */
export const DEFAULT_STRING_LIMIT = 1 * MiB;
export const MAP_KEY_LIMIT = 256;

/** Per-field limits (characters) by field name; names, ids and patterns are short, values and payloads long. */
export const FIELD_LIMITS: Readonly<Record<string, number>> = {
  id: 256,
  envId: 256,
  environmentId: 256,
  taskId: 256,
  taskIds: 256,
  workflowTemplate: 1 * KiB,
  repoPattern: 1 * KiB,
  revisionPattern: 1 * KiB,
  pathSpec: 1 * KiB,
  revision: 1 * KiB,
  name: 1 * KiB,
  vars: 1 * MiB,
  payload: 32 * MiB,
  value: 32 * MiB,
};

/** Leads a string whose bytes were not UTF-8: a lone surrogate, which no valid UTF-8 decodes to. */
const BAD_UTF8 = '\uD800';

/**
 * Makes protobuf decoding mark invalid UTF-8 instead of throwing a bare error (which would reach the client as
 * INTERNAL without the field), so that `checkRequests` can name the field. Idempotent; affects this process's copy
 * of @bufbuild/protobuf.
 */
export function markInvalidUtf8(): void {
  const base = getTextEncoding();
  if ((base as { axleMarks?: boolean }).axleMarks === true) return;
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // The (deprecated) hook is the only one that reaches the decoder that fromBinary uses.
  configureTextEncoding({
    ...base,
    axleMarks: true,
    decodeUtf8(bytes: Uint8Array, isStrict?: boolean): string {
      if (isStrict !== true) return lenient.decode(bytes);
      try {
        return strict.decode(bytes);
      } catch {
        return BAD_UTF8 + lenient.decode(bytes);
      }
    },
  } as Parameters<typeof configureTextEncoding>[0]);
}

/**
 * JSON options for the server: a Connect JSON body must be UTF-8 as a whole (it is decoded before any field is known),
 * so invalid bytes are InvalidArgument instead of silently becoming U+FFFD. (connect-es passes `textDecoder` on to
 * its JSON serialization.)
 */
export function strictJsonOptions(): { ignoreUnknownFields: boolean } {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const textDecoder = {
    decode(input?: Uint8Array): string {
      try {
        return strict.decode(input);
      } catch {
        throw new ConnectError('the JSON request body is not valid UTF-8', Code.InvalidArgument);
      }
    },
  };
  return { ignoreUnknownFields: true, ...{ textDecoder } };
}

/**
 * The interceptor: checks the request of unary and server-streaming calls (the client-facing APIs; the agents'
 * bidirectional stream is Axle's own protocol, whose task outputs may be long); error messages leave it as
 * well-formed text (a lone surrogate in a gRPC status message would make the call fail without any status).
 */
export const checkRequests: Interceptor = (next) => async (req) => {
  const rpc = req.method.name;
  const schema = req.method.input;
  const kind = req.method.methodKind;
  try {
    if (kind === 'bidi_streaming' || kind === 'client_streaming') return await next(req);
    if (!req.stream) {
      checkMessage(rpc, schema, req.message, '');
      return await next(req);
    }
    return await next({ ...req, message: checkedStream(rpc, schema, req.message) });
  } catch (e: unknown) {
    throw wellFormedError(e);
  }
};

function wellFormedError(e: unknown): unknown {
  if (!(e instanceof ConnectError)) return e;
  const text = wellFormed(e.rawMessage);
  if (text === e.rawMessage) return e;
  const out = new ConnectError(text, e.code, e.metadata, undefined, e.cause);
  out.details.push(...e.details);
  return out;
}

/** `s` with every lone surrogate replaced by U+FFFD. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Up to `n` characters of `s` for a message: whole code points, without the invalid-UTF-8 mark. */
function shown(s: string, n: number): string {
  return Array.from(s.startsWith(BAD_UTF8) ? s.slice(1) : s)
    .slice(0, n)
    .join('');
}

async function* checkedStream<M extends object>(
  rpc: string,
  schema: DescMessage,
  messages: AsyncIterable<M>,
): AsyncIterable<M> {
  for await (const m of messages) {
    checkMessage(rpc, schema, m, '');
    yield m;
  }
}

/** Throws InvalidArgument for the first string that is not UTF-8 or too long; walks nested messages. */
export function checkMessage(rpc: string, desc: DescMessage, message: object, prefix: string): void {
  const values = message as Record<string, unknown>;
  for (const f of desc.fields) {
    const value = f.oneof === undefined ? values[f.localName] : oneofValue(values[f.oneof.localName], f);
    if (value !== undefined) checkField(rpc, f, value, `${prefix}${f.localName}`);
  }
}

function oneofValue(o: unknown, f: DescField): unknown {
  const c = o as { case?: string; value?: unknown } | undefined;
  return c?.case === f.localName ? c.value : undefined;
}

function checkField(rpc: string, f: DescField, value: unknown, path: string): void {
  const limit = FIELD_LIMITS[f.localName] ?? DEFAULT_STRING_LIMIT;
  switch (f.fieldKind) {
    case 'scalar':
      if (f.scalar === ScalarType.STRING) checkString(rpc, path, value as string, limit);
      return;
    case 'list':
      (value as unknown[]).forEach((v, i) => {
        const at = `${path}[${i}]`;
        if (f.listKind === 'scalar' && f.scalar === ScalarType.STRING)
          checkString(rpc, at, v as string, limit);
        if (f.listKind === 'message') checkMessage(rpc, f.message, v as object, `${at}.`);
      });
      return;
    case 'map':
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        checkString(rpc, `${path} key "${shown(k, 40)}"`, k, MAP_KEY_LIMIT);
        const at = `${path}["${shown(k, 40)}"]`;
        if (f.mapKind === 'scalar' && f.scalar === ScalarType.STRING)
          checkString(rpc, at, v as string, limit);
        if (f.mapKind === 'message') checkMessage(rpc, f.message, v as object, `${at}.`);
      }
      return;
    case 'message':
      checkMessage(rpc, f.message, value as object, `${path}.`);
      return;
    case 'enum':
      return;
  }
}

function checkString(rpc: string, path: string, s: string, limit: number): void {
  if (s.startsWith(BAD_UTF8))
    throw new ConnectError(`${rpc}: ${path}: is not valid UTF-8`, Code.InvalidArgument);
  if (s.length > limit)
    throw new ConnectError(
      `${rpc}: ${path}: ${s.length} characters is over the limit of ${limit}`,
      Code.InvalidArgument,
    );
}
