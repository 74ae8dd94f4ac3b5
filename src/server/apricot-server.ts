/**
 * `axle config serve`: the Apricot service alone — gRPC/Connect (h2c) on `port` (default 32101) and the
 * read-only HTTP routes on `httpPort` (default 32188), both on 127.0.0.1 unless told otherwise.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { ConnectRouter } from '@connectrpc/connect';
import { ApricotService } from '../config/apricot-service.ts';
import type { ApricotServiceOptions } from '../config/apricot-service.ts';
import type { ConfigStore } from '../config/store.ts';
import { apricotRoutes } from './apricot-handlers.ts';
import { portOf, startApricotHttp } from './apricot-http.ts';
import { file_apricot_apricot } from '../gen/apricot/apricot_pb.ts';
import { file_grpc_health_v1_health } from '../gen/grpc/health/v1/health_pb.ts';
import { healthRoutes } from './health.ts';
import { reflectionRoutes } from './reflection.ts';

export const DEFAULT_APRICOT_PORT = 32101;
export const DEFAULT_APRICOT_HTTP_PORT = 32188;

export interface ApricotServerOptions extends ApricotServiceOptions {
  readonly store: ConfigStore;
  /** gRPC port; default 32101, 0 = any free port. */
  readonly port?: number;
  /** HTTP port; default 32188, 0 = any free port. */
  readonly httpPort?: number;
  readonly host?: string;
}

export interface RunningApricot {
  readonly port: number;
  readonly httpPort: number;
  /** `http://host:port` of the gRPC service. */
  readonly url: string;
  readonly service: ApricotService;
  /** Stops both servers (the store stays open: the caller owns it). */
  stop(): Promise<void>;
}

export async function startApricot(o: ApricotServerOptions): Promise<RunningApricot> {
  const host = o.host ?? '127.0.0.1';
  const service = new ApricotService(o.store, o);
  const routes = (router: ConnectRouter): void => {
    apricotRoutes(service)(router);
    healthRoutes()(router);
    reflectionRoutes([file_apricot_apricot, file_grpc_health_v1_health])(router);
  };
  const grpc = http2.createServer(connectNodeAdapter({ routes }));
  const sessions = new Set<http2.ServerHttp2Session>();
  grpc.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    grpc.once('error', reject);
    grpc.listen(o.port ?? DEFAULT_APRICOT_PORT, host, () => resolve());
  });
  const httpServer = await startApricotHttp(service, o.httpPort ?? DEFAULT_APRICOT_HTTP_PORT, host).catch(
    async (e: unknown) => {
      await new Promise((r) => grpc.close(r));
      throw e;
    },
  );
  const port = (grpc.address() as AddressInfo).port;
  const stop = async (): Promise<void> => {
    service.close();
    httpServer.closeAllConnections();
    await Promise.all([
      new Promise((r) => httpServer.close(r)),
      new Promise<void>((r) => {
        grpc.close(() => r());
        for (const s of sessions) s.destroy();
      }),
    ]);
  };
  return { port, httpPort: portOf(httpServer), url: `http://${host}:${port}`, service, stop };
}
