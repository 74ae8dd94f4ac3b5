/**
 * The one table of permissions: every RPC of the services the core protects, by class, and which roles may use each
 * class. An RPC missing from the table is refused (fail closed); a test checks that every method of the services is
 * listed.
 */
import { detectorScope } from './identity.ts';
import type { Identity } from './identity.ts';

/**
 * - read: lists and gets, the event stream.
 * - environment-control: create, control and destroy environments (det-<name> only for its detectors), take and
 *   release one's own detector locks, new run numbers.
 * - repository-admin: template repositories and default revisions.
 * - configuration-write: writes to the configuration store.
 * - tasks-cleanup: killing tasks outside environments, teardown.
 * - lock-admin: forcing another user's lock.
 */
export type RpcClass =
  | 'read'
  | 'environment-control'
  | 'repository-admin'
  | 'configuration-write'
  | 'tasks-cleanup'
  | 'lock-admin';

/** Services whose every request is authenticated and checked. */
export const PROTECTED_SERVICES: Readonly<Record<string, Readonly<Record<string, RpcClass>>>> = {
  'o2control.Control': {
    GetFrameworkInfo: 'read',
    GetEnvironments: 'read',
    GetEnvironment: 'read',
    GetActiveDetectors: 'read',
    GetAvailableDetectors: 'read',
    GetTasks: 'read',
    GetTask: 'read',
    GetRoles: 'read',
    GetWorkflowTemplates: 'read',
    ListRepos: 'read',
    Subscribe: 'read',
    GetIntegratedServices: 'read',
    NewEnvironment: 'environment-control',
    NewEnvironmentAsync: 'environment-control',
    NewAutoEnvironment: 'environment-control',
    ControlEnvironment: 'environment-control',
    DestroyEnvironment: 'environment-control',
    ModifyEnvironment: 'environment-control',
    AddRepo: 'repository-admin',
    RemoveRepo: 'repository-admin',
    RefreshRepos: 'repository-admin',
    SetDefaultRepo: 'repository-admin',
    SetGlobalDefaultRevision: 'repository-admin',
    SetRepoDefaultRevision: 'repository-admin',
    CleanupTasks: 'tasks-cleanup',
    Teardown: 'tasks-cleanup',
  },
  'apricot.Apricot': {
    GetDefaults: 'read',
    GetVars: 'read',
    RawGetRecursive: 'read',
    ListDetectors: 'read',
    GetHostInventory: 'read',
    GetDetectorsInventory: 'read',
    GetDetectorForHost: 'read',
    GetDetectorsForHosts: 'read',
    GetCRUCardsForHost: 'read',
    GetEndpointsForCRUCard: 'read',
    GetLinkIDsForCRUEndpoint: 'read',
    GetAliasedLinkIDsForDetector: 'read',
    GetRuntimeEntry: 'read',
    GetRuntimeEntries: 'read',
    ListRuntimeEntries: 'read',
    ListComponents: 'read',
    ListComponentEntries: 'read',
    GetComponentConfiguration: 'read',
    GetComponentConfigurationWithLastIndex: 'read',
    ResolveComponentQuery: 'read',
    NewRunNumber: 'environment-control',
    SetRuntimeEntry: 'configuration-write',
    ImportComponentConfiguration: 'configuration-write',
    InvalidateComponentTemplateCache: 'configuration-write',
  },
  'axle.cluster.v1.ClusterService': { ListHosts: 'read' },
  'axle.locks.v1.LockService': {
    ListLocks: 'read',
    // With force: lock-admin (checked by the service).
    TakeLock: 'environment-control',
    ReleaseLock: 'environment-control',
  },
  'axle.audit.v1.AuditService': { ListAudit: 'read' },
};

/** The roles that grant a class ("det-<detector>" stands for any detector role). */
const GRANTS: Readonly<Record<RpcClass, readonly string[]>> = {
  read: ['guest', 'det-<detector>', 'global', 'admin'],
  'environment-control': ['det-<detector>', 'global', 'admin'],
  'repository-admin': ['admin'],
  'configuration-write': ['admin'],
  'tasks-cleanup': ['admin'],
  'lock-admin': ['admin'],
};

/** The class of an RPC, or undefined when the service is not protected; 'unlisted' for a method the table misses. */
export function classify(service: string, method: string): RpcClass | 'unlisted' | undefined {
  const table = PROTECTED_SERVICES[service];
  if (table === undefined) return undefined;
  return table[method] ?? 'unlisted';
}

/** Whether the identity's roles grant the class (detector scope is checked separately). */
export function grants(who: Identity, c: RpcClass): boolean {
  const allowed = GRANTS[c];
  return who.roles.some(
    (r) => allowed.includes(r) || (r.startsWith('det-') && allowed.includes('det-<detector>')),
  );
}

/** "needs det-<detector>, global or admin". */
export function needs(c: RpcClass): string {
  const list = GRANTS[c];
  return `needs ${list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`}`;
}

/**
 * Why the identity may not act on environments using these detectors (detectors outside its det- roles), or
 * undefined when it may.
 */
export function detectorRefusal(who: Identity, detectors: readonly string[]): string | undefined {
  const scope = detectorScope(who.roles);
  if (scope === 'all') return undefined;
  const outside = detectors.filter((d) => !scope.has(d.toUpperCase()));
  if (outside.length === 0) return undefined;
  const alternatives = ['global', ...outside.map((d) => `det-${d.toLowerCase()}`)].join(' or ');
  return `needs ${alternatives}`;
}
