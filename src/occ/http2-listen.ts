/** Listening helper shared by both OCC servers: binds, tracks sessions, and closes them all on `close()`. */
import type http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { OccServeOptions, OccServer } from './occ-machine.ts';

/** Starts `server` on `opts.host` (default 127.0.0.1) and `opts.port` (0: any free port). */
export async function listenHttp2(server: http2.Http2Server, opts: OccServeOptions): Promise<OccServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
