/**
 * Entry of a planning worker thread: plans one environment's workflow from the data the core sent, asking the core
 * for other repositories' snapshots and for exports (JIT), and for configuration reads (synchronously), and posts
 * the EnvironmentPlan back. The core bounds its heap and time (plan-runner.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TemplateFiles } from '../workflow/template-store.ts';
import { JitService } from '../workflow/jit.ts';
import { bridgedConfig } from './config-bridge.ts';
import type { FromWorker, PlanWorkerData, ToWorker, WireSnapshot } from './plan-worker-protocol.ts';
import { planEnvironmentRequest } from './planning.ts';

const port = parentPort;
const data = workerData as PlanWorkerData;
const waiting = new Map<number, (m: ToWorker) => void>();
let nextId = 1;

type Request =
  | { readonly kind: 'snapshot'; readonly repoId: string; readonly revision?: string }
  | { readonly kind: 'export'; readonly key: string; readonly dir: string };

function ask(m: Request): Promise<ToWorker> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    port?.postMessage({ ...m, id });
  });
}

function filesOf(s: WireSnapshot): TemplateFiles & { exportTo(dir: string): Promise<void> } {
  const files = new Map(s.files);
  const key = `${s.repoId}@${s.commit}`;
  return {
    repoId: s.repoId,
    revision: s.revision,
    commit: s.commit,
    readFile: (rel) => files.get(rel.replace(/^\.?\/+/, '')),
    exportTo: async (dir) => {
      const r = await ask({ kind: 'export', key, dir });
      if (!r.ok) throw new Error(r.error);
    },
  };
}

async function resolveRepo(repoId: string, revision: string | undefined): Promise<TemplateFiles> {
  const r = await ask({ kind: 'snapshot', repoId, ...(revision !== undefined ? { revision } : {}) });
  if (!r.ok) throw new Error(r.error);
  if (r.snapshot === undefined) throw new Error(`no snapshot of ${repoId}`);
  return filesOf(r.snapshot);
}

async function main(): Promise<void> {
  if (port === null) throw new Error('plan-worker.ts runs only as a worker thread');
  port.on('message', (m: ToWorker) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  port.postMessage({ kind: 'ready' } satisfies FromWorker);
  const config = data.config === undefined ? undefined : bridgedConfig(data.config);
  const jit =
    data.jit === undefined
      ? undefined
      : new JitService({ ...data.jit, ...(config !== undefined ? { config } : {}) });
  const result = await planEnvironmentRequest({
    workflow: data.workflow,
    files: filesOf(data.snapshot),
    resolveRepo,
    userVars: data.userVars,
    limits: data.limits,
    ...(config !== undefined ? { config } : {}),
    ...(jit !== undefined ? { jit } : {}),
    ...(data.environmentId !== undefined ? { environmentId: data.environmentId } : {}),
    ...(data.envVars !== undefined ? { envVars: data.envVars } : {}),
  });
  port.postMessage({ kind: 'done', result } satisfies FromWorker);
  port.close();
  data.config?.port.close();
}

await main();
