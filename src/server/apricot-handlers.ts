/** The gRPC `apricot.Apricot` service over an ApricotService: wire messages ⇄ plain values. */
import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import { badArgument } from '../config/apricot-error.ts';
import type { ApricotService, ComponentQueryInput, ComponentTarget } from '../config/apricot-service.ts';
import type { ComponentPath } from '../config/component-path.ts';
import { RUN_TYPE_NUMBERS } from '../config/run-type.ts';
import type { RunType } from '../config/run-type.ts';
import { Apricot } from '../gen/apricot/apricot_pb.ts';
import type { ComponentEntriesQuery, ComponentQuery, ComponentRequest } from '../gen/apricot/apricot_pb.ts';
import { apricotRpc as rpc } from './apricot-errors.ts';

const RUN_TYPE_NAMES = new Map<number, RunType>(
  Object.entries(RUN_TYPE_NUMBERS).map(([name, n]) => [n, name as RunType]),
);

/** Run type name of a wire number; InvalidArgument naming `field` for a number outside the enum. */
export function runTypeName(field: string, n: number): RunType {
  const name = RUN_TYPE_NAMES.get(n);
  if (name === undefined) throw badArgument(field, `unknown run type ${n}`);
  return name;
}

/** Handlers of every Apricot RPC. */
export function apricotHandlers(s: ApricotService): ServiceImpl<typeof Apricot> {
  return {
    newRunNumber: () => rpc('NewRunNumber', async () => ({ runNumber: await s.newRunNumber() })),
    getDefaults: () => rpc('GetDefaults', async () => ({ stringMap: await s.getDefaults() })),
    getVars: () => rpc('GetVars', async () => ({ stringMap: await s.getVars() })),
    rawGetRecursive: (r) =>
      rpc('RawGetRecursive', async () => ({ payload: await s.rawGetRecursive(r.rawPath) })),
    listDetectors: (r) => rpc('ListDetectors', async () => ({ detectors: await s.listDetectors(r.getAll) })),
    getHostInventory: (r) =>
      rpc('GetHostInventory', async () => ({ hosts: await s.getHostInventory(r.detector) })),
    getDetectorsInventory: () =>
      rpc('GetDetectorsInventory', async () => {
        const inv = await s.getDetectorsInventory();
        const detectorEntries = Object.fromEntries(Object.entries(inv).map(([d, flps]) => [d, { flps }]));
        return { detectorEntries };
      }),
    getDetectorForHost: (r) =>
      rpc('GetDetectorForHost', async () => ({ payload: await s.getDetectorForHost(r.hostname) })),
    getDetectorsForHosts: (r) =>
      rpc('GetDetectorsForHosts', async () => ({ detectors: await s.getDetectorsForHosts(r.hosts) })),
    getCRUCardsForHost: (r) =>
      rpc('GetCRUCardsForHost', async () => ({
        cards: JSON.stringify(await s.getCruCardsForHost(r.hostname)),
      })),
    getEndpointsForCRUCard: (r) =>
      rpc('GetEndpointsForCRUCard', async () => ({
        endpoints: (await s.getEndpointsForCruCard(r.hostname, r.cardSerial)).join(' '),
      })),
    getLinkIDsForCRUEndpoint: (r) =>
      rpc('GetLinkIDsForCRUEndpoint', async () => ({
        linkIDs: await s.getLinkIdsForCruEndpoint(r.hostname, r.cardSerial, r.endpoint, r.onlyEnabled),
      })),
    getAliasedLinkIDsForDetector: (r) =>
      rpc('GetAliasedLinkIDsForDetector', async () => ({
        aliasedLinkIDs: await s.getAliasedLinkIdsForDetector(r.detector, r.onlyEnabled),
      })),
    getRuntimeEntry: (r) =>
      rpc('GetRuntimeEntry', async () => ({ payload: await s.getRuntimeEntry(r.component, r.key) })),
    setRuntimeEntry: (r) =>
      rpc('SetRuntimeEntry', async () => {
        await s.setRuntimeEntry(r.component, r.key, r.value);
        return {};
      }),
    getRuntimeEntries: (r) =>
      rpc('GetRuntimeEntries', async () => ({ stringMap: await s.getRuntimeEntries(r.component) })),
    listRuntimeEntries: (r) =>
      rpc('ListRuntimeEntries', async () => ({ payload: await s.listRuntimeEntries(r.component) })),
    listComponents: () => rpc('ListComponents', async () => ({ payload: await s.listComponents() })),
    listComponentEntries: (r) =>
      rpc('ListComponentEntries', async () => {
        const q = r.queryPath;
        if (q.case === undefined) throw badArgument('queryPath', 'a path or a query is required');
        const target = q.case === 'path' ? { path: q.value } : { query: entriesQuery(q.value) };
        return { payload: await s.listComponentEntries(target) };
      }),
    getComponentConfiguration: (r) =>
      rpc('GetComponentConfiguration', async () => {
        const got = await s.getComponentConfiguration(target(r), r.processTemplate, r.varStack);
        return { payload: got.payload };
      }),
    getComponentConfigurationWithLastIndex: (r) =>
      rpc('GetComponentConfigurationWithLastIndex', async () => {
        const got = await s.getComponentConfiguration(target(r), r.processTemplate, r.varStack);
        return { payload: got.payload, lastIndex: got.lastIndex };
      }),
    resolveComponentQuery: (r) =>
      rpc('ResolveComponentQuery', async () => toWire(await s.resolveComponentQuery(query('query', r)))),
    importComponentConfiguration: (r) =>
      rpc('ImportComponentConfiguration', async () => {
        if (r.query === undefined) throw badArgument('query', 'a component query is required');
        return s.importComponentConfiguration(query('query', r.query), r.payload, r.newComponent);
      }),
    invalidateComponentTemplateCache: () =>
      rpc('InvalidateComponentTemplateCache', () => {
        s.invalidateComponentTemplateCache();
        return {};
      }),
  };
}

/** Router hook serving `apricot.Apricot`. */
export function apricotRoutes(s: ApricotService): (router: ConnectRouter) => void {
  return (router) => router.service(Apricot, apricotHandlers(s));
}

function target(r: ComponentRequest): ComponentTarget {
  const q = r.queryPath;
  if (q.case === undefined) throw badArgument('queryPath', 'a path or a query is required');
  return q.case === 'path' ? { path: q.value } : { query: query('query', q.value) };
}

function query(field: string, q: ComponentQuery): ComponentQueryInput {
  return {
    component: q.component,
    runType: runTypeName(`${field}.runType`, q.runType),
    role: q.machineRole,
    entry: q.entry,
  };
}

function entriesQuery(q: ComponentEntriesQuery): ComponentQueryInput {
  return { component: q.component, runType: runTypeName('query.runType', q.runType), role: q.machineRole };
}

function toWire(p: ComponentPath): {
  component: string;
  runType: number;
  machineRole: string;
  entry: string;
} {
  return {
    component: p.component,
    runType: RUN_TYPE_NUMBERS[p.runType],
    machineRole: p.role,
    entry: p.entry,
  };
}
