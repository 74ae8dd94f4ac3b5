/**
 * One cleartext port for two protocols: a connection that opens with the HTTP/2 preface (gRPC, h2c Connect) goes to
 * an HTTP/2 server, any other (a browser's HTTP/1.1: the web GUI, Connect JSON, gRPC-Web) to an HTTP/1.1 server. Both
 * serve the same request handler.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { connectNodeAdapter } from '@connectrpc/connect-node';

/** A handler both servers accept (connectNodeAdapter's). */
export type DualHandler = ReturnType<typeof connectNodeAdapter>;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** A connection that sends nothing recognisable within this time is closed. */
const SNIFF_TIMEOUT_MS = 30_000;

export interface DualServer {
  readonly port: number;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

export async function listenDual(handler: DualHandler, port: number, host: string): Promise<DualServer> {
  const h2 = http2.createServer(handler);
  const h1 = http.createServer(handler as http.RequestListener);
  // Server-streaming calls (Subscribe) stay open for hours: no request or idle timeout on the HTTP/1.1 side.
  h1.requestTimeout = 0;
  h1.headersTimeout = 60_000;
  h1.keepAliveTimeout = 5_000;
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  const outer = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    sniff(socket, (isH2) => (isH2 ? h2 : h1).emit('connection', socket));
  });
  await new Promise<void>((resolve, reject) => {
    outer.once('error', reject);
    outer.listen(port, host, () => {
      outer.off('error', reject);
      resolve();
    });
  });
  return {
    port: (outer.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        outer.close(() => resolve());
        for (const s of sessions) s.destroy();
        h1.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Reads until the bytes either match the whole HTTP/2 preface or stop matching it, then hands the socket on. */
function sniff(socket: net.Socket, route: (isH2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
  const done = (isH2: boolean): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    socket.unshift(seen);
    route(isH2);
    // The HTTP/1.1 server reads through 'data' once resumed (the sniffed bytes first); HTTP/2 takes the buffered bytes itself.
    if (!isH2) socket.resume();
  };
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, PREFACE.length);
    if (!seen.subarray(0, n).equals(PREFACE.subarray(0, n))) done(false);
    else if (n === PREFACE.length) done(true);
  };
  const onEnd = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.on('error', () => clearTimeout(timer));
}
