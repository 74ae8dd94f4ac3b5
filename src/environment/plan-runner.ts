/**
 * Plans environments in worker threads, off the core's event loop, each with a heap budget
 * (`resourceLimits.maxOldGenerationSizeMb`) and a time budget (then the worker is terminated). A plan that misbehaves
 * fails alone with an issue saying which budget it exceeded; the core keeps serving. One booted worker is kept
 * spare so a plan does not wait for a worker to start; every worker plans once and ends (no state between plans).
 * The worker runs from the compiled JavaScript when this module is compiled, and through tsx from the sources.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { ConfigSource } from '../common/config-source.ts';
import { issue } from '../common/issue.ts';
import type { PlanLimits } from '../common/plan-limits.ts';
import type { PluginSettings } from '../plugins/settings.ts';
import type { RepoManager } from '../repos/repo-manager.ts';
import type { RepoSnapshot } from '../repos/snapshot.ts';
import { SNAPSHOT_DIRS } from '../repos/snapshot.ts';
import { checkUserVars } from '../workflow/var-limits.ts';
import { serveConfig } from './config-bridge.ts';
import type {
  FromWorker,
  PlanJob,
  PlanWorkerData,
  ToWorker,
  WireJit,
  WireSnapshot,
} from './plan-worker-protocol.ts';
import type { EnvironmentPlan } from './planning.ts';

export interface WorkerPlanRequest {
  readonly workflow: string;
  readonly revision?: string;
  readonly userVars: Readonly<Record<string, string>>;
  readonly envVars?: Readonly<Record<string, string>>;
  readonly environmentId?: string;
}

export interface PlanWorkersOptions {
  readonly repos: RepoManager;
  readonly limits: PlanLimits;
  readonly config?: ConfigSource;
  readonly jit?: WireJit;
  /** Plugin settings, for the enabled plugins' template objects. */
  readonly plugins?: PluginSettings;
}

const fromSources = import.meta.url.endsWith('.ts');
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.boot.tsx).then((api) => { api.register(); return import(workerData.boot.entry); });`;

/** A started worker and the moment it is ready for its job. */
interface Booting {
  readonly worker: Worker;
  readonly ready: Promise<string | undefined>;
}

export class PlanWorkers {
  private spare: Booting | undefined;
  private closed = false;

  constructor(private readonly o: PlanWorkersOptions) {}

  /** Plans in a worker thread; every failure (repository, limits, budgets, crashes) is an issue. */
  async plan(r: WorkerPlanRequest): Promise<EnvironmentPlan> {
    const tooBig = checkUserVars(r.userVars, this.o.limits);
    if (tooBig.length > 0) return { ok: false, issues: tooBig };
    const snapshots = new Map<string, RepoSnapshot>();
    let job: PlanJob;
    try {
      const ref = this.o.repos.resolveWorkflowRef(r.workflow);
      const snapshot = wire(await this.o.repos.snapshot(ref.repoId, r.revision ?? ref.revision), snapshots);
      job = this.job(r, ref.workflow, snapshot);
    } catch (e: unknown) {
      return { ok: false, issues: [issue('repository', e instanceof Error ? e.message : String(e))] };
    }
    const booting = this.spare ?? boot(this.o.limits);
    this.spare = undefined;
    this.warm();
    return this.run(booting, r.workflow, job, snapshots);
  }

  /** Starts a spare worker (unreferenced: it never keeps the process alive). */
  warm(): void {
    if (this.closed || this.spare !== undefined) return;
    this.spare = boot(this.o.limits);
    this.spare.worker.unref();
  }

  close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    return spare === undefined ? Promise.resolve() : spare.worker.terminate().then(() => undefined);
  }

  private job(r: WorkerPlanRequest, workflow: string, snapshot: WireSnapshot): PlanJob {
    return {
      workflow,
      snapshot,
      userVars: r.userVars,
      limits: this.o.limits,
      ...(r.envVars !== undefined ? { envVars: r.envVars } : {}),
      ...(r.environmentId !== undefined ? { environmentId: r.environmentId } : {}),
      ...(this.o.jit !== undefined ? { jit: this.o.jit } : {}),
      ...(this.o.plugins !== undefined ? { plugins: this.o.plugins } : {}),
    };
  }

  private async run(
    b: Booting,
    name: string,
    job: PlanJob,
    snapshots: Map<string, RepoSnapshot>,
  ): Promise<EnvironmentPlan> {
    const { worker } = b;
    worker.ref();
    const fail = (message: string): EnvironmentPlan => ({
      ok: false,
      issues: [issue('limit_exceeded', `planning workflow ${name} ${message}`)],
    });
    const bootError = await b.ready;
    if (bootError !== undefined) {
      void worker.terminate();
      return fail(bootError);
    }
    const config = this.o.config;
    const channel = config === undefined ? undefined : new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    if (config !== undefined && channel !== undefined) serveConfig(config, channel.port1, flag);
    const full: PlanJob =
      config === undefined || channel === undefined
        ? job
        : {
            ...job,
            config: {
              port: channel.port2,
              flag,
              uri: config.uri,
              hasListDetectors: config.listDetectors !== undefined,
            },
          };
    const limits = this.o.limits;
    const repos = this.o.repos;
    return new Promise<EnvironmentPlan>((resolve) => {
      let settled = false;
      const finish = (r: EnvironmentPlan): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        channel?.port1.close();
        void worker.terminate();
        resolve(r);
      };
      const timer = setTimeout(
        () => finish(fail(`exceeded its time budget of ${seconds(limits.planTimeoutMs)} (planTimeoutMs)`)),
        limits.planTimeoutMs,
      );
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'done') finish(m.result);
        else if (m.kind !== 'ready')
          void answer(m, repos, snapshots).then((reply) => worker.postMessage(reply));
      });
      worker.on('error', (e: Error & { code?: string }) =>
        finish(
          fail(
            e.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `exceeded its memory budget of ${limits.planMemoryMb} MB (planMemoryMb)`
              : `failed: ${e.message}`,
          ),
        ),
      );
      worker.on('exit', (code) =>
        finish(fail(`failed: the planning worker ended (code ${code}) without a plan`)),
      );
      worker.postMessage(
        { kind: 'plan', job: full } satisfies ToWorker,
        channel === undefined ? [] : [channel.port2],
      );
    });
  }
}

/** Starts a worker; `ready` gives undefined once it can take a job, or why it could not start. */
function boot(limits: PlanLimits): Booting {
  const entry = new URL(`./plan-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  const data: PlanWorkerData = fromSources
    ? { boot: { tsx: import.meta.resolve('tsx/esm/api'), entry: entry.href } }
    : {};
  const worker = new Worker(fromSources ? BOOT : entry, {
    eval: fromSources,
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: limits.planMemoryMb },
  });
  const ready = new Promise<string | undefined>((resolve) => {
    const onMessage = (m: FromWorker): void => {
      if (m.kind !== 'ready') return;
      worker.off('message', onMessage);
      resolve(undefined);
    };
    worker.on('message', onMessage);
    worker.once('error', (e: Error & { code?: string }) =>
      resolve(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `could not start: the planning worker exceeded its memory budget of ${limits.planMemoryMb} MB (planMemoryMb)`
          : `could not start the planning worker: ${e.message}`,
      ),
    );
    worker.once('exit', (code) =>
      resolve(`could not start the planning worker (it ended with code ${code})`),
    );
  });
  return { worker, ready };
}

function wire(s: RepoSnapshot, keep: Map<string, RepoSnapshot>): WireSnapshot {
  keep.set(`${s.repoId}@${s.commit}`, s);
  const files = SNAPSHOT_DIRS.flatMap((dir) =>
    s.listFiles(dir).map((name) => [`${dir}/${name}`, s.readFile(`${dir}/${name}`) ?? ''] as const),
  );
  return { repoId: s.repoId, revision: s.revision, commit: s.commit, files };
}

async function answer(
  m: Exclude<FromWorker, { kind: 'ready' | 'done' }>,
  repos: RepoManager,
  snapshots: Map<string, RepoSnapshot>,
): Promise<ToWorker> {
  try {
    if (m.kind === 'snapshot') {
      const s = await repos.snapshot(m.repoId, m.revision);
      return { kind: 'reply', id: m.id, ok: true, snapshot: wire(s, snapshots) };
    }
    const s = snapshots.get(m.key);
    if (s === undefined) throw new Error(`no snapshot ${m.key} to export`);
    await s.exportTo(m.dir);
    return { kind: 'reply', id: m.id, ok: true };
  } catch (e: unknown) {
    return { kind: 'reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
