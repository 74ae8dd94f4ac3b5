/** Data frames of the demo tasks: a 4-byte big-endian length, then the payload. */

/** Frames larger than this are treated as a corrupt stream. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeDataFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, 4);
  return frame;
}

/** Reassembles frames from a byte stream; `push` returns every frame completed by the chunk. */
export class DataFrameReader {
  private pending = Buffer.alloc(0);

  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new Error(`data frame of ${length} bytes is too large`);
      if (this.pending.length < 4 + length) break;
      frames.push(this.pending.subarray(4, 4 + length));
      this.pending = this.pending.subarray(4 + length);
    }
    return frames;
  }
}
