/**
 * Entry of a planning worker thread: once booted it says `ready`, then plans one environment's workflow from the job
 * the core sends, asking the core for other repositories' snapshots, for exports (JIT) and for configuration reads
 * (synchronously), and posts the EnvironmentPlan back. The core bounds its heap and time (plan-runner.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { TemplateFiles } from '../workflow/template-store.ts';
import { JitService } from '../workflow/jit.ts';
import { bridgedConfig } from './config-bridge.ts';
import type { FromWorker, PlanJob, ToWorker, WireSnapshot } from './plan-worker-protocol.ts';
import { planEnvironmentRequest } from './planning.ts';
import { pluginSettings } from '../plugins/settings.ts';
import { templateObjects } from '../plugins/template-objects.ts';

type Request =
  | { readonly kind: 'snapshot'; readonly repoId: string; readonly revision?: string }
  | { readonly kind: 'export'; readonly key: string; readonly dir: string };

type Reply = Extract<ToWorker, { kind: 'reply' }>;

class CoreLink {
  private readonly waiting = new Map<number, (m: Reply) => void>();
  private nextId = 1;

  constructor(private readonly port: MessagePort) {}

  answered(m: Reply): void {
    this.waiting.get(m.id)?.(m);
    this.waiting.delete(m.id);
  }

  ask(m: Request): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.postMessage({ ...m, id });
    });
  }

  filesOf(s: WireSnapshot): TemplateFiles & { exportTo(dir: string): Promise<void> } {
    const files = new Map(s.files);
    const key = `${s.repoId}@${s.commit}`;
    return {
      repoId: s.repoId,
      revision: s.revision,
      commit: s.commit,
      readFile: (rel) => files.get(rel.replace(/^\.?\/+/, '')),
      exportTo: async (dir) => {
        const r = await this.ask({ kind: 'export', key, dir });
        if (!r.ok) throw new Error(r.error);
      },
    };
  }

  async resolveRepo(repoId: string, revision: string | undefined): Promise<TemplateFiles> {
    const r = await this.ask({ kind: 'snapshot', repoId, ...(revision !== undefined ? { revision } : {}) });
    if (!r.ok) throw new Error(r.error);
    if (r.snapshot === undefined) throw new Error(`no snapshot of ${repoId}`);
    return this.filesOf(r.snapshot);
  }
}

async function plan(link: CoreLink, port: MessagePort, job: PlanJob): Promise<void> {
  const config = job.config === undefined ? undefined : bridgedConfig(job.config);
  const jit =
    job.jit === undefined
      ? undefined
      : new JitService({ ...job.jit, ...(config !== undefined ? { config } : {}) });
  const result = await planEnvironmentRequest({
    workflow: job.workflow,
    files: link.filesOf(job.snapshot),
    resolveRepo: (repoId, revision) => link.resolveRepo(repoId, revision),
    userVars: job.userVars,
    limits: job.limits,
    ...(config !== undefined ? { config } : {}),
    ...(jit !== undefined ? { jit } : {}),
    ...(job.environmentId !== undefined ? { environmentId: job.environmentId } : {}),
    ...(job.envVars !== undefined ? { envVars: job.envVars } : {}),
    objects: templateObjects(job.plugins ?? pluginSettings([])),
  });
  port.postMessage({ kind: 'done', result } satisfies FromWorker);
  job.config?.port.close();
  port.close();
}

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error('plan-worker.ts runs only as a worker thread');
  const link = new CoreLink(port);
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'plan') void plan(link, port, m.job);
    else link.answered(m);
  });
  port.postMessage({ kind: 'ready' } satisfies FromWorker);
}

main();
