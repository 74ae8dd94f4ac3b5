/**
 * gRPC wire pieces for the OCClite JSON transport, which we speak on node:http2 directly: length-prefixed message
 * frames (1 flag byte + 4-byte big-endian length) and percent-encoded `grpc-message` trailers.
 */

/** `content-type` of OCClite calls (gRPC with the `json` content subtype). */
export const GRPC_JSON_CONTENT_TYPE = 'application/grpc+json';

/** One uncompressed gRPC frame carrying `payload`. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  return frame;
}

/** One frame holding `value` as JSON. */
export function encodeJsonFrame(value: unknown): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Splits a byte stream into gRPC frame payloads; keeps partial frames until the rest arrives. */
export class FrameReader {
  private pending = Buffer.alloc(0);

  /** Adds bytes; returns every frame payload now complete. Throws on a compressed frame (never negotiated). */
  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + length) break;
      if (this.pending.readUInt8(0) !== 0) throw new Error('compressed gRPC frame not supported');
      frames.push(this.pending.subarray(5, 5 + length));
      this.pending = this.pending.subarray(5 + length);
    }
    return frames;
  }

  /** True when bytes of an unfinished frame are left over. */
  get hasPartial(): boolean {
    return this.pending.length > 0;
  }
}

/** Percent-encodes a status message as gRPC requires (bytes outside printable ASCII, and `%`). */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Reverses encodeGrpcMessage; malformed escapes are left as they are. */
export function decodeGrpcMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A JSON field as a string: strings as they are, numbers and booleans printed, anything else empty. */
export function jsonString(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** Parses one frame payload as a JSON object (anything else reads as `{}`). */
export function parseJsonObject(payload: Uint8Array): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
