/** A control API client for the CLI: gRPC over HTTP/2 to `--endpoint` (default 127.0.0.1:32102), 55 s deadline. */
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control } from '../gen/protos/o2control_pb.ts';
import { bearer } from './cli-token.ts';

export const DEFAULT_ENDPOINT = '127.0.0.1:32102';

/** Sends the CLI token of `stateDir` (or $AXLE_TOKEN) when there is one (cli-token.ts). */
export function controlClient(endpoint: string | undefined, stateDir?: string): Client<typeof Control> {
  const target = endpoint ?? DEFAULT_ENDPOINT;
  const baseUrl = /^https?:\/\//.test(target) ? target : `http://${target}`;
  return createClient(
    Control,
    createGrpcTransport({ baseUrl, defaultTimeoutMs: 55_000, interceptors: bearer(stateDir) }),
  );
}

/** The requesting user sent to the core, as coconut does: `<user>@<host>`. */
export function requestUser(): { name: string } {
  const user = process.env['USER'] ?? process.env['LOGNAME'] ?? 'unknown';
  return { name: `${user}@${process.env['HOSTNAME'] ?? 'localhost'}` };
}
