/**
 * Where `axle config …` finds the configuration service: `--config_endpoint` when given, else the core's endpoint
 * (`--endpoint`, default 127.0.0.1:32102), where the core serves `apricot.Apricot` beside its control API. A service
 * that cannot be reached is reported with the endpoint tried and how to choose another.
 */
import { Code, ConnectError } from '@connectrpc/connect';
import type { Interceptor } from '@connectrpc/connect';
import { apricotClient } from '../server/apricot-client.ts';
import { bearer } from './cli-token.ts';
import { DEFAULT_ENDPOINT } from './control-client.ts';

export interface ConfigEndpointFlags {
  readonly config_endpoint?: string;
  readonly endpoint?: string;
  readonly stateDir?: string;
}

/** The service endpoint and how it was chosen. */
export function configEndpoint(flags: ConfigEndpointFlags): { endpoint: string; origin: string } {
  if (flags.config_endpoint !== undefined)
    return { endpoint: flags.config_endpoint, origin: 'given with --config_endpoint' };
  const core = flags.endpoint ?? DEFAULT_ENDPOINT;
  return {
    endpoint: /^https?:\/\//.test(core) ? core : `apricot://${core}`,
    origin: "the core's endpoint (--endpoint)",
  };
}

/** An Apricot client whose "unavailable" failures become a ConfigEndpointError naming the endpoint. */
export function configClient(flags: ConfigEndpointFlags): ReturnType<typeof apricotClient> {
  const { endpoint, origin } = configEndpoint(flags);
  return apricotClient(endpoint, 55_000, [unreachable(endpoint, origin), ...bearer(flags.stateDir)]);
}

/** The configuration service could not be reached. */
export class ConfigEndpointError extends Error {
  override readonly name = 'ConfigEndpointError';
}

function unreachable(endpoint: string, origin: string): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e: unknown) {
      const err = ConnectError.from(e);
      if (err.code !== Code.Unavailable) throw e;
      throw new ConfigEndpointError(
        `cannot reach the configuration service at ${endpoint}, ${origin} (${err.rawMessage}); is the core running? ` +
          'Choose another service with --config_endpoint apricot://host:port',
        { cause: e },
      );
    }
  };
}
