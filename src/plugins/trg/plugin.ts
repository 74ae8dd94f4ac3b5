/**
 * The `trg` plugin: the trigger system's CTP daemon (`ctpd.CTPd` over gRPC at `trgServiceEndpoint`). Polls RunList
 * every `trgPollingInterval` (which also keeps the connection state current) and reports the daemon's runs as its
 * data, and per environment the run it started or loaded.
 */
import { createClient } from '@connectrpc/connect';
import { parseDuration } from '../../common/duration.ts';
import { CTPd } from '../../gen/ctpd/ctpecs_pb.ts';
import { GrpcEndpoint } from '../grpc-endpoint.ts';
import type { IntegrationPlugin } from '../plugin.ts';
import { grpcBaseUrl } from '../settings.ts';
import type { PluginSettings } from '../settings.ts';
import { trgFunctions } from './functions.ts';
import type { TrgLink } from './functions.ts';
import { parseRunList } from './run-list.ts';
import type { RunListStatus } from './run-list.ts';

function durationSetting(settings: PluginSettings, name: string): number {
  const text = settings.values[name] ?? '';
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`${name}: "${text}" is not a positive duration (e.g. 3s)`);
  return ms;
}

export function createTrgPlugin(settings: PluginSettings): IntegrationPlugin {
  const configured = settings.values['trgServiceEndpoint'] ?? '';
  const endpoint = new GrpcEndpoint('TRG service', configured, grpcBaseUrl('trgServiceEndpoint', configured));
  const pollMs = durationSetting(settings, 'trgPollingInterval');
  const pollTimeoutMs = durationSetting(settings, 'trgPollingTimeout');
  const link: TrgLink = {
    endpoint,
    client: createClient(CTPd, endpoint.transport),
    pendingStops: new Map(),
    pendingUnloads: new Map(),
  };
  let status: RunListStatus | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  let stopped = false;
  const poll = async (): Promise<void> => {
    try {
      const r = await endpoint.invoke('RunList', { timeoutMs: pollTimeoutMs }, (o) =>
        link.client.runList({}, o),
      );
      status = parseRunList(r.rc, r.msg);
    } catch {
      // The connection state holds the reason.
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll().then(schedule);
    }, pollMs);
    timer.unref();
  };
  const envRun = (envId: string): number | undefined =>
    link.pendingStops.get(envId) ?? link.pendingUnloads.get(envId);
  return {
    id: 'trg',
    ids: ['trg'],
    prettyName: 'Trigger System',
    endpoint: configured,
    functions: trgFunctions(link),
    connection: () => endpoint.connection(),
    data: () => (status === undefined ? '' : JSON.stringify(status)),
    environmentData: (envId) => {
      const runn = envRun(envId);
      const run = runn === undefined ? undefined : status?.structured.find((r) => r.runNumber === runn);
      return run === undefined ? undefined : JSON.stringify(run);
    },
    init: async () => {
      await poll();
      schedule();
    },
    destroy: async () => {
      stopped = true;
      clearTimeout(timer);
      await polling;
      endpoint.close();
    },
  };
}
