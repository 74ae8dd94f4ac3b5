/**
 * `axle core`: the hub. Serves the control API (`o2control.Control`) and the agent protocol on one HTTP/2 cleartext
 * port (gRPC and Connect over HTTP/2; Connect, gRPC-Web and the web GUI over HTTP/1.1), runs environments, and with the local engine starts its agents.
 */
import { join } from 'node:path';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { ConnectRouter } from '@connectrpc/connect';
import type { ConfigSource } from '../common/config-source.ts';
import { planLimits } from '../common/plan-limits.ts';
import type { PlanLimits } from '../common/plan-limits.ts';
import { newRunNumber } from '../config/store.ts';
import { storeConfigSource } from '../config/store-config-source.ts';
import { openConfiguration, seedStore } from './configuration.ts';
import { ApricotService } from '../config/apricot-service.ts';
import type { ConfigStore } from '../config/store.ts';
import type { AgentSpec } from '../agent/run-agent.ts';
import { LocalEngine } from '../engine/local-engine.ts';
import { SlurmCli } from '../engine/slurm/slurm-cli.ts';
import { SlurmEngine } from '../engine/slurm/slurm-engine.ts';
import { EventBus } from '../environment/events.ts';
import { EnvironmentManager } from '../environment/manager.ts';
import { planEnvironment } from '../environment/planning.ts';
import { PlanWorkers } from '../environment/plan-runner.ts';
import { LocalRunNumbers } from '../environment/run-numbers.ts';
import { StoreJournal } from '../environment/persistence/journal.ts';
import { durableRunNumbers, restoreFromStore } from '../environment/persistence/restore.ts';
import { SqliteStateStore } from '../environment/persistence/sqlite-state-store.ts';
import { Control } from '../gen/protos/o2control_pb.ts';
import { Integrations } from '../plugins/integrations.ts';
import { pluginSettings } from '../plugins/settings.ts';
import type { PluginSettings } from '../plugins/settings.ts';
import { RepoManager } from '../repos/repo-manager.ts';
import { JitService } from '../workflow/jit.ts';
import { newUid } from '../workflow/uid.ts';
import { mkdirPrivate } from '../agent/private-files.ts';
import { AgentRegistry } from './agent-registry.ts';
import { agentRoutes } from './agent-service.ts';
import { apricotRoutes } from './apricot-handlers.ts';
import { clusterRoutes } from './cluster-handlers.ts';
import type { CoreContext } from './core-context.ts';
import { envHandlers } from './env-handlers.ts';
import { healthRoutes } from './health.ts';
import type { KafkaEventPublisher } from './kafka-events.ts';
import { miscHandlers } from './misc-handlers.ts';
import { CORE_PROTO_FILES, reflectionRoutes } from './reflection.ts';
import { repoHandlers } from './repo-handlers.ts';
import { checkRequests, markInvalidUtf8, READ_MAX_BYTES, strictJsonOptions } from './request-checks.ts';
import { peerContext, requestLog } from './request-log.ts';
import { Subscriptions } from './subscriptions.ts';
import { openSecurity } from './security/security.ts';
import type { SecurityOptions } from './security/security.ts';
import { listenDual } from './dual-port.ts';
import { DEFAULT_WEB_DIR, webAssets } from './web-assets.ts';

export const VERSION = '0.1.0';

export interface CoreOptions {
  readonly stateDir: string;
  /** Default 32102; 0 = any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Configuration: `embedded://<dir>`, `etcd://host:port`, `apricot://host:port` or `file:///…`; none = empty. */
  readonly config?: string;
  /** Agents the local engine starts; none = no engine (agents connect by themselves). */
  readonly localAgents?: readonly AgentSpec[];
  /** Agent processes for the local agents (posing hosts share processes). */
  readonly agentProcesses?: number;
  /** Local agents run from the compiled program (dist/, `npm run build`) when it exists. */
  readonly compiledAgents?: boolean;
  /** Local agents run every task simulated (benchmarks). */
  readonly simulatedTasks?: boolean;
  /**
   * Local agents (and their tasks) outlive a crash of the core, for the next core on the same state directory and
   * port to adopt (`axle core` sets it). Default false: they end with the core's process.
   */
  readonly agentsOutliveCore?: boolean;
  /** Environment added for JIT generators (PATH with the DPL tools). */
  readonly jitEnv?: Readonly<Record<string, string>>;
  /** Global defaults added over the configuration's (e.g. where the demo task programs are). */
  readonly extraDefaults?: Readonly<Record<string, string>>;
  /** Missed-heartbeat time after which an agent's tasks are lost. */
  readonly agentLostAfterMs?: number;
  /** When the configuration store is empty at start, import this AliECS-layout YAML file into it. */
  readonly seedConfig?: string;
  /** Configuration store; when given the core also serves `apricot.Apricot` (the embedded Apricot). */
  readonly store?: ConfigStore;
  /** Run tasks through Slurm: each environment gets an allocation and one agent per node (no local agents). */
  readonly slurm?: SlurmCoreOptions;
  /** Kafka brokers (`host:port`, AliECS's `kafkaEndpoints`): every event is also published on the `aliecs.*` topics. */
  readonly kafkaEndpoints?: readonly string[];
  /** Integration plugins (`integrationPlugins` and their endpoints); none = only the built-in testplugin. */
  readonly plugins?: PluginSettings;
  /**
   * The core's log: one line per mutating or failed control/Apricot request (request-log.ts), Kafka outages, agent
   * arrivals and losses; none = quiet.
   */
  readonly log?: (line: string) => void;
  /** Also log successful reads (verbose). */
  readonly logReads?: boolean;
  /** Planning limits and budgets over the defaults (DEFAULT_PLAN_LIMITS). */
  readonly planLimits?: Partial<PlanLimits>;
  /** Plan on the core's own thread instead of worker threads (no heap or time budget; for debugging). */
  readonly planInProcess?: boolean;
  /** Time the local agents get to connect before the start fails (default 60 s). */
  readonly agentConnectTimeoutMs?: number;
  /** Folder of the built web GUI served at `/` (default: dist/web of this checkout). */
  readonly webDir?: string;
  /**
   * After a restart, time the agents get to report again the tasks they ran (default 30 s, 30 heartbeats); tasks
   * still unreported then are LOST.
   */
  readonly restoreGraceMs?: number;
  /** Tokens, JWT, local identity, --insecure / --require-auth (security/security.ts); default: loopback = local admin. */
  readonly security?: Omit<
    SecurityOptions,
    'stateDir' | 'host' | 'bus' | 'environmentDetectors' | 'hostDetectors'
  >;
}

/** The core's durable state, under the state directory. */
export const STATE_DB = join('state', 'core.sqlite');

/** How the core reaches a Slurm cluster and how nodes reach the core. */
export interface SlurmCoreOptions {
  /** slurm.conf of the cluster (SLURM_CONF); default: Slurm's own lookup. */
  readonly conf?: string;
  /** Folder of the Slurm commands (salloc, srun, sinfo, squeue, scancel); default: PATH. */
  readonly binDir?: string;
  readonly partition?: string;
  /** The core's URL as the nodes reach it; default: the URL it listens on. */
  readonly coreUrl?: string;
  /** Program and arguments running `axle agent` on a node; default: this Node and this checkout. */
  readonly agentCommand?: readonly string[];
  /** Agent state folder on the nodes (`{node}` = node name). */
  readonly nodeStateDir?: string;
  readonly refreshMs?: number;
  readonly log?: (line: string) => void;
}

export interface RunningCore {
  readonly port: number;
  readonly url: string;
  readonly context: CoreContext;
  readonly engine: LocalEngine | undefined;
  readonly cluster: SlurmEngine | undefined;
  readonly kafka: KafkaEventPublisher | undefined;
  /** Environments restored from the state directory at start. */
  readonly restored: number;
  /** Who may connect without a token, one line (`axle core` prints it at start). */
  readonly securityNotice: string;
  stop(): Promise<void>;
}

export async function startCore(o: CoreOptions): Promise<RunningCore> {
  mkdirPrivate(o.stateDir);
  // First: a bad plugin setting stops the start before anything else is opened.
  const plugins = o.plugins ?? pluginSettings([]);
  const integrations = await Integrations.start(plugins);
  try {
    return await startWithPlugins(o, plugins, integrations);
  } catch (e: unknown) {
    await integrations.destroy();
    throw e;
  }
}

async function startWithPlugins(
  o: CoreOptions,
  plugins: PluginSettings,
  integrations: Integrations,
): Promise<RunningCore> {
  const coreId = newUid();
  const bus = new EventBus();
  const security = openSecurity({
    ...o.security,
    stateDir: o.stateDir,
    host: o.host ?? '127.0.0.1',
    bus,
    environmentDetectors: (id) => (manager.has(id) ? manager.get(id).detectors : undefined),
    hostDetectors: (hosts) => (hosts.length === 0 ? [] : (config?.detectorsForHosts(hosts) ?? [])),
  });
  const repos = await RepoManager.open({ stateDir: o.stateDir });
  const configuration = o.config === undefined ? undefined : await openConfiguration(o.config, o.stateDir);
  const store = o.store ?? configuration?.store;
  if (store !== undefined && o.seedConfig !== undefined) await seedStore(store, o.seedConfig);
  const base: ConfigSource | undefined =
    configuration?.source ?? (o.store === undefined ? undefined : await storeSource(o.store));
  const config =
    base === undefined || o.extraDefaults === undefined ? base : withDefaults(base, o.extraDefaults);
  const limits = planLimits(o.planLimits);
  const jitDir = join(o.stateDir, 'jit');
  mkdirPrivate(jitDir);
  const jit = new JitService({
    cacheDir: jitDir,
    ...(o.jitEnv !== undefined ? { env: o.jitEnv } : {}),
    ...(config !== undefined ? { config } : {}),
  });
  const planners = new PlanWorkers({
    repos,
    limits,
    jit: { cacheDir: jitDir, ...(o.jitEnv !== undefined ? { env: o.jitEnv } : {}) },
    plugins,
    ...(config !== undefined ? { config } : {}),
  });
  if (o.planInProcess !== true) planners.warm();
  const eventLog = stamped(o.log);
  // The Kafka client loads only when events go to Kafka.
  const kafka =
    o.kafkaEndpoints === undefined || o.kafkaEndpoints.length === 0
      ? undefined
      : (await import('./kafka-events.ts')).KafkaEventPublisher.start({
          brokers: o.kafkaEndpoints,
          bus,
          coreId,
          ...(eventLog !== undefined ? { log: eventLog } : {}),
        });
  const registry = new AgentRegistry({
    ...(o.agentLostAfterMs !== undefined ? { lostAfterMs: o.agentLostAfterMs } : {}),
    ...(eventLog !== undefined ? { log: eventLog } : {}),
  });
  const runNumbers: Pick<LocalRunNumbers, 'next' | 'close'> =
    store !== undefined
      ? { next: () => newRunNumber(store), close: () => Promise.resolve() }
      : new LocalRunNumbers(o.stateDir);
  const stateStore = new SqliteStateStore(join(o.stateDir, STATE_DB));
  const journal = new StoreJournal(stateStore, (line) => eventLog?.(line));
  const manager = new EnvironmentManager({
    bus,
    controller: registry,
    callRunner: integrations.callRunner,
    journal,
    newRunNumber: durableRunNumbers(() => runNumbers.next(), stateStore),
    newUid,
    maxErrorText: limits.maxErrorTextLength,
    plan: security.guardPlan(
      (workflow: string, vars: Readonly<Record<string, string>>, environmentId: string) =>
        o.planInProcess === true
          ? planEnvironment({
              repos,
              workflow,
              userVars: vars,
              environmentId,
              jit,
              limits,
              objects: integrations.objects,
              ...(config !== undefined ? { config } : {}),
            })
          : planners.plan({ workflow, userVars: vars, environmentId }),
    ),
  });
  const context: CoreContext = {
    coreId,
    version: VERSION,
    manager,
    registry,
    repos,
    config,
    bus,
    integrations,
  };
  const unlogErrors = logEnvironmentErrors(bus, eventLog);
  const restored = restoreFromStore(stateStore, bus, journal, (env) => manager.adopt(env));
  registry.expectReturning(restored.expected, o.restoreGraceMs ?? 30_000);
  if (restored.environments.length > 0)
    eventLog?.(
      `restored ${restored.environments.length} environment(s) from ${join(o.stateDir, STATE_DB)}; ` +
        `waiting for agents to report ${restored.expected.length} task(s)`,
    );
  const subs = new Subscriptions(bus);
  let ready = false;
  const apricot = store === undefined ? undefined : new ApricotService(store);
  const routes = (router: ConnectRouter): void => {
    router.service(Control, {
      ...envHandlers(context, subs),
      ...miscHandlers(context),
      ...repoHandlers(context),
    });
    agentRoutes(registry, coreId)(router);
    healthRoutes(() => ready)(router);
    reflectionRoutes(CORE_PROTO_FILES)(router);
    if (apricot !== undefined) apricotRoutes(apricot)(router);
    clusterRoutes(() => registry.clusterView())(router);
    security.routes(router);
  };
  markInvalidUtf8();
  const logged = o.log === undefined ? [] : [requestLog({ log: o.log, reads: o.logReads === true })];
  const handler = connectNodeAdapter({
    routes,
    readMaxBytes: READ_MAX_BYTES,
    // The request log sees every refusal, the checks' included.
    interceptors: [...logged, security.interceptor, checkRequests],
    jsonOptions: strictJsonOptions(),
    contextValues: peerContext,
    // Anything that is not an RPC: the web GUI's files.
    fallback: webAssets(o.webDir ?? DEFAULT_WEB_DIR),
  });
  const server = await listenDual(handler, o.port ?? 32102, o.host ?? '127.0.0.1');
  const port = server.port;
  const url = `http://${o.host ?? '127.0.0.1'}:${port}`;
  const engine =
    o.localAgents === undefined || o.localAgents.length === 0
      ? undefined
      : await LocalEngine.start({
          coreUrl: url,
          agents: o.localAgents,
          stateDir: o.stateDir,
          ...(o.agentProcesses !== undefined ? { processes: o.agentProcesses } : {}),
          ...(o.simulatedTasks === true ? { simulatedOnly: true } : {}),
          ...(o.agentsOutliveCore === true ? { outliveCore: true } : {}),
          ...(o.compiledAgents === true ? { compiled: true } : {}),
          ...(eventLog !== undefined ? { log: eventLog } : {}),
        });
  /** A start that fails after listening releases what it opened (the caller destroys the plugins). */
  const abandon = async (): Promise<void> => {
    await engine?.stop();
    registry.stop();
    await planners.close();
    journal.close();
    stateStore.close();
    security.close();
    await server.close();
  };
  const cluster =
    o.slurm === undefined
      ? undefined
      : await startSlurm(o.slurm, url, o.stateDir).catch(async (e: unknown) => {
          await abandon();
          throw e;
        });
  if (cluster !== undefined) registry.useCluster(cluster);
  if (engine !== undefined) {
    const hosts = [...new Set((o.localAgents ?? []).map((a) => a.host))];
    registry.expectHosts(hosts);
    const timeoutMs = o.agentConnectTimeoutMs ?? 60_000;
    const missing = await registry.waitForHosts(hosts, timeoutMs);
    if (missing !== undefined) {
      await abandon();
      throw new Error(
        `the core is not ready: ${missing} (agent logs: ${join(o.stateDir, 'logs', 'agents')})`,
      );
    }
  }
  ready = true;
  const stop = async (): Promise<void> => {
    await stopCore();
    await configuration?.close();
    await runNumbers.close();
  };
  const stopCore = async (): Promise<void> => {
    for (const env of manager.list()) await manager.destroy(env.id, { force: true }).catch(() => undefined);
    await engine?.stop();
    await cluster?.stop();
    registry.stop();
    await planners.close();
    unlogErrors();
    journal.close();
    stateStore.close();
    apricot?.close();
    await integrations.destroy();
    security.close();
    await kafka?.close();
    await server.close();
  };
  return {
    port,
    url,
    context,
    engine,
    cluster,
    kafka,
    restored: restored.environments.length,
    securityNotice: security.notice,
    stop,
  };
}

function startSlurm(s: SlurmCoreOptions, url: string, stateDir: string): Promise<SlurmEngine> {
  return SlurmEngine.start({
    cli: new SlurmCli({
      ...(s.conf !== undefined ? { conf: s.conf } : {}),
      ...(s.binDir !== undefined ? { binDir: s.binDir } : {}),
    }),
    coreUrl: s.coreUrl ?? url,
    stateDir,
    ...(s.agentCommand !== undefined ? { agentCommand: s.agentCommand } : {}),
    ...(s.nodeStateDir !== undefined ? { nodeStateDir: s.nodeStateDir } : {}),
    ...(s.partition !== undefined ? { partition: s.partition } : {}),
    ...(s.refreshMs !== undefined ? { refreshMs: s.refreshMs } : {}),
    ...(s.log !== undefined ? { log: s.log } : {}),
  });
}

/** A configuration source whose global defaults include `extra` (over the source's own). */
function withDefaults(inner: ConfigSource, extra: Readonly<Record<string, string>>): ConfigSource {
  return Object.assign(Object.create(inner) as ConfigSource, {
    getDefaults: () => ({ ...inner.getDefaults(), ...extra }),
  });
}

async function storeSource(store: ConfigStore): Promise<ConfigSource> {
  const source = storeConfigSource(store);
  await source.ready;
  return source;
}

/** The core's own log lines (not request lines, which carry their start time) begin with the time they were written. */
function stamped(log: ((line: string) => void) | undefined): ((line: string) => void) | undefined {
  return log === undefined ? undefined : (line) => log(`${new Date().toISOString()} ${line}`);
}

/** Environment errors (a failed or interrupted transition, a critical task's failure) in the core's log, one line each. */
function logEnvironmentErrors(bus: EventBus, log: ((line: string) => void) | undefined): () => void {
  if (log === undefined) return () => undefined;
  return bus.subscribe(({ event: e }) => {
    if (e.kind !== 'environment' || e.error === undefined || e.transitionStep !== undefined) return;
    const transition = e.transition === undefined ? '' : ` ${e.transition}`;
    log(`environment ${e.environmentId} (${e.state})${transition}: ${e.message}: ${e.error}`);
  });
}
