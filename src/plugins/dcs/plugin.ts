/**
 * The `dcs` plugin: the detector control system's ECS gateway (`dcs.Configurator` over gRPC at
 * `dcsServiceEndpoint`). Keeps the detector matrix from the Subscribe stream (reopened after failures; this also
 * keeps the connection state current) and reports it as its data.
 */
import { createClient } from '@connectrpc/connect';
import { Configurator } from '../../gen/dcs/dcs_pb.ts';
import { GrpcEndpoint } from '../grpc-endpoint.ts';
import type { IntegrationPlugin } from '../plugin.ts';
import { grpcBaseUrl } from '../settings.ts';
import type { PluginSettings } from '../settings.ts';
import { dcsFunctions } from './functions.ts';
import type { DcsLink } from './functions.ts';
import { DetectorMatrix } from './matrix.ts';
import { Subscription } from './subscription.ts';

/** How long start-up waits for the first Subscribe event before reporting the state it has. */
const FIRST_EVENT_WAIT_MS = 3_000;

export function createDcsPlugin(settings: PluginSettings): IntegrationPlugin {
  const configured = settings.values['dcsServiceEndpoint'] ?? '';
  const endpoint = new GrpcEndpoint('DCS service', configured, grpcBaseUrl('dcsServiceEndpoint', configured));
  const link: DcsLink = {
    endpoint,
    client: createClient(Configurator, endpoint.transport),
    matrix: new DetectorMatrix(),
    pendingEors: new Map(),
  };
  const subscription = new Subscription(endpoint, link.client, link.matrix, 'axle', 1_000);
  return {
    id: 'dcs',
    ids: ['dcs'],
    prettyName: 'DCS',
    endpoint: configured,
    functions: dcsFunctions(link),
    connection: () => endpoint.connection(),
    data: () => JSON.stringify({ detectors: link.matrix.toJSON() }),
    environmentData: (envId) => {
      const run = link.pendingEors.get(envId);
      return run === undefined ? undefined : JSON.stringify({ eorPendingForRun: run });
    },
    init: async () => {
      subscription.start();
      await Promise.race([
        subscription.first,
        new Promise((r) => setTimeout(r, FIRST_EVENT_WAIT_MS).unref()),
      ]);
    },
    destroy: async () => {
      await subscription.stop();
      endpoint.close();
    },
  };
}
