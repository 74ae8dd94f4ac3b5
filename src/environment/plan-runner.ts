/**
 * Plans an environment in a worker thread, off the core's event loop, with a heap budget
 * (`resourceLimits.maxOldGenerationSizeMb`) and a time budget (then the worker is terminated). A plan that misbehaves
 * fails alone with an issue saying which budget it exceeded; the core keeps serving. The worker runs from the
 * compiled JavaScript when this module is compiled, and through tsx when it runs from the TypeScript sources.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { ConfigSource } from '../common/config-source.ts';
import { issue } from '../common/issue.ts';
import type { PlanLimits } from '../common/plan-limits.ts';
import type { RepoManager } from '../repos/repo-manager.ts';
import type { RepoSnapshot } from '../repos/snapshot.ts';
import { SNAPSHOT_DIRS } from '../repos/snapshot.ts';
import { checkUserVars } from '../workflow/var-limits.ts';
import { serveConfig } from './config-bridge.ts';
import type { FromWorker, PlanWorkerData, ToWorker, WireJit, WireSnapshot } from './plan-worker-protocol.ts';
import type { EnvironmentPlan } from './planning.ts';

export interface WorkerPlanOptions {
  readonly repos: RepoManager;
  readonly workflow: string;
  readonly revision?: string;
  readonly userVars: Readonly<Record<string, string>>;
  readonly envVars?: Readonly<Record<string, string>>;
  readonly environmentId?: string;
  readonly config?: ConfigSource;
  readonly jit?: WireJit;
  readonly limits: PlanLimits;
}

const fromSources = import.meta.url.endsWith('.ts');
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.boot.tsx).then((api) => { api.register(); return import(workerData.boot.entry); });`;

/** Plans in a new worker thread; every failure (repository, limits, budgets, crashes) is an issue. */
export async function planInWorker(o: WorkerPlanOptions): Promise<EnvironmentPlan> {
  const tooBig = checkUserVars(o.userVars, o.limits);
  if (tooBig.length > 0) return { ok: false, issues: tooBig };
  const snapshots = new Map<string, RepoSnapshot>();
  let first: WireSnapshot;
  let workflow: string;
  try {
    const ref = o.repos.resolveWorkflowRef(o.workflow);
    workflow = ref.workflow;
    first = wire(await o.repos.snapshot(ref.repoId, o.revision ?? ref.revision), snapshots);
  } catch (e: unknown) {
    return { ok: false, issues: [issue('repository', e instanceof Error ? e.message : String(e))] };
  }
  return runWorker(o, workflow, first, snapshots);
}

function wire(s: RepoSnapshot, keep: Map<string, RepoSnapshot>): WireSnapshot {
  keep.set(`${s.repoId}@${s.commit}`, s);
  const files = SNAPSHOT_DIRS.flatMap((dir) =>
    s.listFiles(dir).map((name) => [`${dir}/${name}`, s.readFile(`${dir}/${name}`) ?? ''] as const),
  );
  return { repoId: s.repoId, revision: s.revision, commit: s.commit, files };
}

function runWorker(
  o: WorkerPlanOptions,
  workflow: string,
  snapshot: WireSnapshot,
  snapshots: Map<string, RepoSnapshot>,
): Promise<EnvironmentPlan> {
  const channel = o.config === undefined ? undefined : new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  if (o.config !== undefined && channel !== undefined) serveConfig(o.config, channel.port1, flag);
  const entry = new URL(`./plan-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  const data: PlanWorkerData = {
    workflow,
    snapshot,
    userVars: o.userVars,
    limits: o.limits,
    ...(o.envVars !== undefined ? { envVars: o.envVars } : {}),
    ...(o.environmentId !== undefined ? { environmentId: o.environmentId } : {}),
    ...(o.jit !== undefined ? { jit: o.jit } : {}),
    ...(o.config !== undefined && channel !== undefined
      ? {
          config: {
            port: channel.port2,
            flag,
            uri: o.config.uri,
            hasListDetectors: o.config.listDetectors !== undefined,
          },
        }
      : {}),
    ...(fromSources ? { boot: { tsx: tsxApi(), entry: entry.href } } : {}),
  };
  const worker = new Worker(fromSources ? BOOT : entry, {
    eval: fromSources,
    workerData: data,
    transferList: channel === undefined ? [] : [channel.port2],
    resourceLimits: { maxOldGenerationSizeMb: o.limits.planMemoryMb },
    stdout: false,
    stderr: false,
  });
  return new Promise<EnvironmentPlan>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (r: EnvironmentPlan): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel?.port1.close();
      void worker.terminate();
      resolve(r);
    };
    const fail = (message: string): void =>
      finish({ ok: false, issues: [issue('limit_exceeded', `planning workflow ${o.workflow} ${message}`)] });
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'ready')
        timer = setTimeout(
          () => fail(`exceeded its time budget of ${seconds(o.limits.planTimeoutMs)} (planTimeoutMs)`),
          o.limits.planTimeoutMs,
        );
      else if (m.kind === 'done') finish(m.result);
      else void answer(m, o.repos, snapshots).then((reply) => worker.postMessage(reply));
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
        fail(`exceeded its memory budget of ${o.limits.planMemoryMb} MB (planMemoryMb)`);
      else fail(`failed: ${e.message}`);
    });
    worker.on('exit', (code) => fail(`failed: the planning worker exited (code ${code}) without a plan`));
  });
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

function tsxApi(): string {
  return import.meta.resolve('tsx/esm/api');
}
