/**
 * A data channel of the demo tasks over node:net: a bound channel accepts any number of peers, a connecting one
 * dials its peer and redials every 100 ms until closed. Frames go to one peer in turn (push) or to all (pub);
 * frames sent while no peer is connected are dropped, as a non-blocking ZeroMQ send would.
 */
import net from 'node:net';
import type { ChannelSpec } from './channel-spec.ts';
import { socketAddress } from './channel-spec.ts';
import { DataFrameReader, encodeDataFrame } from './frames.ts';

const REDIAL_MS = 100;

export class Channel {
  readonly spec: ChannelSpec;
  private readonly peers: net.Socket[] = [];
  private readonly listeners: ((frame: Buffer) => void)[] = [];
  private server: net.Server | undefined;
  private closed = false;
  private next = 0;
  private redial: NodeJS.Timeout | undefined;
  /** The address actually bound (TCP port filled in), or the address dialled. */
  boundAddress: string;

  private constructor(spec: ChannelSpec) {
    this.spec = spec;
    this.boundAddress = spec.address;
  }

  /** Binds or starts dialling as the spec says; resolves once a bound channel listens. */
  static async open(spec: ChannelSpec): Promise<Channel> {
    const ch = new Channel(spec);
    if (spec.method === 'bind') await ch.listen();
    else ch.dial();
    return ch;
  }

  get peerCount(): number {
    return this.peers.length;
  }

  onFrame(listener: (frame: Buffer) => void): void {
    this.listeners.push(listener);
  }

  /** Sends one frame; false when no peer could take it. */
  send(payload: Uint8Array): boolean {
    if (this.peers.length === 0) return false;
    const frame = encodeDataFrame(payload);
    if (this.spec.type === 'pub') {
      for (const p of this.peers) p.write(frame);
      return true;
    }
    const peer = this.peers[this.next++ % this.peers.length];
    peer?.write(frame);
    return peer !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.redial);
    for (const p of this.peers.splice(0)) p.destroy();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }

  private async listen(): Promise<void> {
    const where = socketAddress(this.spec.address);
    const server = net.createServer((socket) => this.adopt(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = (): void => {
        server.off('error', reject);
        resolve();
      };
      if (where.kind === 'ipc') server.listen({ path: where.path }, done);
      else server.listen({ host: where.host, port: where.port }, done);
    });
    const bound = server.address();
    if (where.kind === 'tcp' && typeof bound === 'object' && bound !== null) {
      this.boundAddress = this.spec.address.replace(/:\d+$/, `:${bound.port}`);
    }
  }

  private dial(): void {
    if (this.closed) return;
    const where = socketAddress(this.spec.address);
    const host = where.kind === 'tcp' && where.host === '0.0.0.0' ? '127.0.0.1' : undefined;
    const socket =
      where.kind === 'ipc'
        ? net.connect({ path: where.path })
        : net.connect({ host: host ?? where.host, port: where.port });
    socket.once('connect', () => this.adopt(socket));
    socket.once('error', () => undefined);
    socket.once('close', () => {
      if (!this.closed) this.redial = setTimeout(() => this.dial(), REDIAL_MS);
    });
  }

  private adopt(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.peers.push(socket);
    const reader = new DataFrameReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) for (const l of this.listeners) l(frame);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const i = this.peers.indexOf(socket);
      if (i >= 0) this.peers.splice(i, 1);
    });
  }
}

/** Opens every channel; on failure closes the ones already open and rethrows. */
export async function openChannels(specs: readonly ChannelSpec[]): Promise<Channel[]> {
  const open: Channel[] = [];
  try {
    for (const spec of specs) open.push(await Channel.open(spec));
    return open;
  } catch (err: unknown) {
    await closeChannels(open);
    throw err;
  }
}

export async function closeChannels(channels: readonly Channel[]): Promise<void> {
  await Promise.all(channels.map((c) => c.close()));
}
