/**
 * Every plugin id AliECS registers, with its endpoint setting; `create` is absent for plugins Axle does not have yet
 * (enabling one of those is a start-up error that says so).
 */
import { createDcsPlugin } from './dcs/plugin.ts';
import type { IntegrationPlugin } from './plugin.ts';
import type { PluginSettings } from './settings.ts';
import { createTrgPlugin } from './trg/plugin.ts';

export interface CatalogueEntry {
  readonly id: string;
  /** The setting holding the endpoint (AliECS `RegisterPlugin(id, endpointKey, …)`). */
  readonly endpointKey: string;
  readonly create?: (settings: PluginSettings) => IntegrationPlugin;
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  { id: 'bookkeeping', endpointKey: 'bookkeepingBaseUri' },
  { id: 'ccdb', endpointKey: 'ccdbEndpoint' },
  { id: 'dcs', endpointKey: 'dcsServiceEndpoint', create: createDcsPlugin },
  { id: 'ddsched', endpointKey: 'ddSchedulerEndpoint' },
  { id: 'kafka', endpointKey: 'kafkaEndpoint' },
  { id: 'lhc', endpointKey: 'kafkaEndpoints' },
  { id: 'odc', endpointKey: 'odcEndpoint' },
  { id: 'testplugin', endpointKey: 'testPluginEndpoint' },
  { id: 'trg', endpointKey: 'trgServiceEndpoint', create: createTrgPlugin },
];
