/**
 * Planning against registered template repositories: a workflow reference (`name`, `name@rev`,
 * `<repo>/workflows/<name>[@rev]`) is resolved to a repository snapshot, and includes of other repositories or
 * revisions are loaded on demand.
 */
import type { ConfigSource } from '../common/config-source.ts';
import type { Issue, Result } from '../common/issue.ts';
import type { Plan } from '../common/plan.ts';
import type { PlanLimits } from '../common/plan-limits.ts';
import type { RepoManager } from '../repos/repo-manager.ts';
import type { ExplainResult } from './explain.ts';
import { explainVariables } from './explain.ts';
import type { JitService } from './jit.ts';
import { lintRevision } from './lint.ts';
import { planWorkflow } from './planner.ts';
import type { PlanRequest, TemplateObjects } from './planner.ts';

export interface RepoPlanOptions {
  readonly repos: RepoManager;
  /** Workflow reference; `revision` overrides one written after `@`. */
  readonly workflow: string;
  readonly revision?: string;
  readonly userVars?: Readonly<Record<string, string>>;
  readonly config?: ConfigSource;
  readonly jit?: JitService;
  readonly environmentId?: string;
  readonly envVars?: Readonly<Record<string, string>>;
  readonly objects?: TemplateObjects;
  readonly limits?: PlanLimits;
}

/** Builds the planner request; repository errors (unknown repo or revision) are thrown as RepoError. */
export async function repoPlanRequest(o: RepoPlanOptions): Promise<PlanRequest> {
  const ref = o.repos.resolveWorkflowRef(o.workflow);
  const files = await o.repos.snapshot(ref.repoId, o.revision ?? ref.revision);
  return {
    workflow: ref.workflow,
    files,
    resolveRepo: (repoId, revision) => o.repos.snapshot(repoId, revision),
    ...(o.userVars !== undefined ? { userVars: o.userVars } : {}),
    ...(o.config !== undefined ? { config: o.config } : {}),
    ...(o.jit !== undefined ? { jit: o.jit } : {}),
    ...(o.environmentId !== undefined ? { environmentId: o.environmentId } : {}),
    ...(o.envVars !== undefined ? { envVars: o.envVars } : {}),
    ...(o.objects !== undefined ? { objects: o.objects } : {}),
    ...(o.limits !== undefined ? { limits: o.limits } : {}),
  };
}

export async function planFromRepos(o: RepoPlanOptions): Promise<Result<Plan>> {
  return planWorkflow(await repoPlanRequest(o));
}

export async function explainFromRepos(
  o: RepoPlanOptions,
  rolePath: string,
  variables: readonly string[],
): Promise<ExplainResult> {
  return explainVariables(await repoPlanRequest(o), rolePath, variables);
}

/** Lints every template of one revision; with `userVars`, each workflow is also planned with them. */
export async function lintFromRepos(
  o: Omit<RepoPlanOptions, 'workflow'> & { readonly repo?: string | number; readonly planWithVars?: boolean },
): Promise<Issue[]> {
  const repoKey = o.repo ?? o.repos.list().find((r) => r.isDefault)?.id;
  if (repoKey === undefined) throw new Error('no repository: add one with `axle repo add <url>`');
  const files = await o.repos.snapshot(repoKey, o.revision);
  const plan =
    o.planWithVars === true
      ? async (workflow: string): Promise<readonly Issue[]> => {
          const r = await planWorkflow({
            workflow,
            files,
            resolveRepo: (repoId, revision) => o.repos.snapshot(repoId, revision),
            ...(o.userVars !== undefined ? { userVars: o.userVars } : {}),
            ...(o.config !== undefined ? { config: o.config } : {}),
            ...(o.jit !== undefined ? { jit: o.jit } : {}),
          });
          return r.issues;
        }
      : undefined;
  return lintRevision(files, plan !== undefined ? { plan } : {});
}
