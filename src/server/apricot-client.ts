/**
 * Clients of a remote Apricot service: a Connect (gRPC) client for `apricot://host:port`, and the workflow
 * engine's ConfigSource over it (snapshot of `o2` by RawGetRecursive, polled every 2 s).
 */
import { createClient } from '@connectrpc/connect';
import type { Client, Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { remoteConfigSource } from '../config/store-config-source.ts';
import type { SnapshotConfigSource } from '../config/store-config-source.ts';
import { Apricot } from '../gen/apricot/apricot_pb.ts';

export const DEFAULT_CONFIG_ENDPOINT = 'apricot://127.0.0.1:32101';

/** `http://host:port` of `apricot://host:port`, `host:port` or `http://…`; throws on other schemes. */
export function apricotBaseUrl(endpoint: string): string {
  const e = endpoint.trim();
  if (/^https?:\/\//.test(e)) return e;
  const m = /^(?:apricot:\/\/)?([^/:]+(?::\d+)?)\/?$/.exec(e);
  if (m?.[1] === undefined)
    throw new Error(`bad configuration endpoint "${endpoint}" (want apricot://host:port)`);
  return `http://${m[1]}`;
}

/** A gRPC client of `apricot.Apricot` (55 s deadline, as coconut). */
export function apricotClient(
  endpoint = DEFAULT_CONFIG_ENDPOINT,
  timeoutMs = 55_000,
  interceptors: Interceptor[] = [],
): Client<typeof Apricot> {
  return createClient(
    Apricot,
    createGrpcTransport({ baseUrl: apricotBaseUrl(endpoint), defaultTimeoutMs: timeoutMs, interceptors }),
  );
}

/**
 * The ConfigSource over a remote service (`apricot://host:port`); await `ready` before the first lookups. Each
 * request gets `timeoutMs` (default 10 s).
 */
export function apricotConfigSource(uri: string, pollMs = 2_000, timeoutMs = 10_000): SnapshotConfigSource {
  const client = apricotClient(uri, timeoutMs);
  return remoteConfigSource(
    {
      uri,
      rawGetRecursive: async (rawPath) => (await client.rawGetRecursive({ rawPath })).payload,
      setRuntimeEntry: async (component, key, value) => {
        await client.setRuntimeEntry({ component, key, value });
      },
    },
    pollMs,
  );
}
