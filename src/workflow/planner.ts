/**
 * The workflow engine's entry point: a workflow reference, the repository files at a revision, variables and a
 * configuration source become a Plan — or a list of located issues. Planning is synchronous per pass; work that needs
 * I/O (JIT generation, another repository) is started, awaited, and the plan is made again.
 */
import type { ConfigSource } from '../common/config-source.ts';
import type { VarSource } from '../template/functions/index.ts';
import { hasErrors, issue } from '../common/issue.ts';
import type { Issue, Result } from '../common/issue.ts';
import type { Plan } from '../common/plan.ts';
import { DEFAULT_PLAN_LIMITS } from '../common/plan-limits.ts';
import type { PlanLimits } from '../common/plan-limits.ts';
import type { Value } from '../template/expr/value.ts';
import { createLibraryFactory } from './library.ts';
import { cachedConfig } from './cached-config.ts';
import { recordingConfig } from './recording-config.ts';
import { resolveTargets } from './channels.ts';
import type { Frame } from './frame.ts';
import type { JitService } from './jit.ts';
import { PendingWork } from './pending.ts';
import { WorkflowProcessor } from './processor.ts';
import { TemplateStore } from './template-store.ts';
import type { RepoResolver, TemplateFiles } from './template-store.ts';
import { Chain, StackView, VarLayer } from './var-stack.ts';
import type { LayerKind } from './var-stack.ts';
import { newUid as defaultUid } from './uid.ts';
import { checkUserVars } from './var-limits.ts';

/** Named objects (maps of functions) for template expressions, per role variables. */
export type TemplateObjects = (vars: VarSource) => Readonly<Record<string, Value>>;

export interface PlanRequest {
  /** `name`, `name@rev` or `<repo>/workflows/<name>[@rev]`, resolved against `files`. */
  readonly workflow: string;
  readonly files: TemplateFiles;
  readonly resolveRepo?: (repoId: string, revision: string | undefined) => Promise<TemplateFiles>;
  readonly userVars?: Readonly<Record<string, string>>;
  readonly config?: ConfigSource;
  readonly environmentId?: string;
  readonly jit?: JitService;
  readonly newUid?: () => string;
  /** Variables the core adds at the environment level (last_request_user, …). */
  readonly envVars?: Readonly<Record<string, string>>;
  /** Upper bound of planning passes (JIT and cross-repository includes need one more each). */
  readonly maxPasses?: number;
  /**
   * Objects offered to every template expression besides the function library (integration plugins' objects such
   * as `odc`), built per role from its variables.
   */
  readonly objects?: TemplateObjects;
  /** Called with each enabled role's path and variable stack, in the last pass too. */
  readonly observe?: (path: string, stack: StackView) => void;
  /** Size limits (default DEFAULT_PLAN_LIMITS). */
  readonly limits?: PlanLimits;
}

export interface PlanOutcome {
  readonly result: Result<Plan>;
  /** The environment-level stack, for provenance queries. */
  readonly envStack: StackView;
}

/** Plans a workflow; never throws for template problems (they are issues). */
export async function planWorkflow(req: PlanRequest): Promise<Result<Plan>> {
  return (await planWithStack(req)).result;
}

export async function planWithStack(req: PlanRequest): Promise<PlanOutcome> {
  const pending = new PendingWork();
  const newUid = req.newUid ?? defaultUid;
  const environmentId = req.environmentId ?? newUid();
  const tooBig = checkUserVars(req.userVars, req.limits ?? DEFAULT_PLAN_LIMITS);
  if (tooBig.length > 0) {
    const empty = new Chain(new VarLayer({ kind: 'user-vars' }), undefined);
    return { result: { ok: false, issues: tooBig }, envStack: new StackView(empty, empty, empty) };
  }
  const repos = new Map<string, TemplateFiles>();
  const resolver: RepoResolver = (repoId, revision) => {
    const key = `${repoId}@${revision ?? ''}`;
    const hit = repos.get(key);
    if (hit !== undefined) return hit;
    const failed = pending.failure(key);
    if (failed !== undefined) return failed;
    if (req.resolveRepo === undefined) return new Error(`repository ${repoId} is not available here`);
    const resolve = req.resolveRepo;
    pending.add(key, async () => void repos.set(key, await resolve(repoId, revision)));
    return 'pending';
  };
  const store = new TemplateStore(resolver, (rel) => req.jit?.generated(rel));
  const maxPasses = req.maxPasses ?? 6;
  for (let pass = 1; ; pass++) {
    const outcome = planPass(req, store, pending, environmentId, newUid);
    if (!outcome.pending || pass >= maxPasses) {
      if (outcome.pending)
        outcome.issues.push(issue('jit', `planning still needed more work after ${maxPasses} passes`));
      return finish(req, outcome);
    }
    await pending.flush();
  }
}

interface PassOutcome {
  readonly processor: WorkflowProcessor | undefined;
  readonly issues: Issue[];
  readonly pending: boolean;
  readonly envStack: StackView;
  readonly root: Plan['root'] | undefined;
  readonly workflow: Plan['workflow'] | undefined;
  readonly about?: { readonly public: boolean; readonly description: string };
  /** Where the workflow's root is, for plan-wide issues. */
  readonly where?: { file: string; path: string; line: number };
}

function planPass(
  req: PlanRequest,
  store: TemplateStore,
  pending: PendingWork,
  environmentId: string,
  newUid: () => string,
): PassOutcome {
  const issues: Issue[] = [];
  const envStack = environmentStack(req, environmentId, issues);
  const loaded = store.workflow(req.workflow, req.files);
  if (!loaded.ok) {
    const notFound =
      loaded.issues.length > 0
        ? loaded.issues
        : [issue('include_not_found', `workflow ${req.workflow} not found`)];
    return {
      processor: undefined,
      issues: [...issues, ...notFound],
      pending: loaded.pending === true,
      envStack,
      root: undefined,
      workflow: undefined,
    };
  }
  const config = req.config === undefined ? undefined : recordingConfig(cachedConfig(req.config));
  const library = createLibraryFactory({ ...(config !== undefined ? { config } : {}), newUid });
  const jit = req.jit;
  const extra = req.objects;
  const objects = (files: TemplateFiles, vars: StackView): Readonly<Record<string, Value>> => ({
    ...(extra === undefined ? {} : extra(vars)),
    ...(jit === undefined ? {} : jit.objects(files, vars, pending)),
  });
  const observe = req.observe;
  const processor = new WorkflowProcessor({
    store,
    library,
    environmentId,
    newUid,
    objects,
    ...(req.limits !== undefined ? { limits: req.limits } : {}),
    ...(observe !== undefined ? { observe } : {}),
  });
  const frame: Frame = {
    node: undefined,
    stack: envStack,
    constraints: new Map(),
    bind: [],
    connect: [],
    files: loaded.files,
    file: loaded.file,
    includeChain: [`${loaded.files.repoId}@${loaded.files.commit}:${loaded.file}`],
  };
  const root = processor.processRoot(loaded.template, frame);
  issues.push(...loaded.issues, ...processor.issues);
  const t = loaded.template;
  const workflow = {
    repoId: loaded.files.repoId,
    name: t.name.text,
    revision: loaded.files.revision,
    commit: loaded.files.commit,
  };
  const where = { file: loaded.file, path: 'name', line: t.name.line };
  const about = { public: t.isPublic, description: t.description?.text ?? '' };
  return { processor, issues, pending: processor.pending, envStack, root, workflow, where, about };
}

function finish(req: PlanRequest, o: PassOutcome): PlanOutcome {
  const issues = [...o.issues];
  if (o.processor === undefined || o.workflow === undefined)
    return { result: { ok: false, issues }, envStack: o.envStack };
  if (o.root === undefined && !hasErrors(issues))
    issues.push(
      issue('invalid_value', `workflow ${req.workflow} is entirely disabled: no role is enabled`, o.where),
    );
  const resolved = resolveTargets(o.processor.tasks, () => o.where ?? {});
  issues.push(...resolved.issues);
  if (hasErrors(issues) || o.root === undefined)
    return { result: { ok: false, issues }, envStack: o.envStack };
  const byPath = new Map(resolved.tasks.map((t) => [t.path, t]));
  const relink = (r: Plan['root']): Plan['root'] =>
    r.leaf?.kind === 'task'
      ? { ...r, leaf: byPath.get(r.path) ?? r.leaf }
      : r.children.length === 0
        ? r
        : { ...r, children: r.children.map(relink) };
  const plan: Plan = {
    workflow: o.workflow,
    public: o.about?.public ?? false,
    description: o.about?.description ?? '',
    root: relink(o.root),
    tasks: resolved.tasks,
    calls: o.processor.calls,
    issues,
  };
  return { result: { ok: true, value: plan, issues }, envStack: o.envStack };
}

/** Global defaults and vars from the configuration, computed defaults, and user vars: the roots of the chains. */
function environmentStack(req: PlanRequest, environmentId: string, issues: Issue[]): StackView {
  const globalDefaults = layerOf(
    { kind: 'global-defaults', file: req.config?.uri },
    safe(() => req.config?.getDefaults(), issues),
  );
  const globalVars = layerOf(
    { kind: 'global-vars', file: req.config?.uri },
    safe(() => req.config?.getVars(), issues),
  );
  const user = layerOf({ kind: 'user-vars' }, {});
  for (const [k, v] of Object.entries(req.userVars ?? {})) {
    if (k.includes(':'))
      issues.push(
        issue(
          'invalid_value',
          `user variable "${k}": role-scoped variables (path:key) are not supported and are ignored`,
          {},
          'warning',
        ),
      );
    else user.set(k, v);
  }
  for (const [k, v] of Object.entries({ ...req.envVars, environment_id: environmentId })) user.set(k, v);
  const computed = layerOf({ kind: 'computed-defaults' }, {});
  const base = new StackView(
    new Chain(globalDefaults, undefined),
    new Chain(globalVars, undefined),
    new Chain(user, undefined),
  );
  const detectors = detectorsOf(base.get('hosts'), req.config, issues);
  if (detectors !== undefined) computed.set('detectors', detectors);
  return new StackView(base.defaults.extend(computed), base.vars, base.userVars);
}

function detectorsOf(
  hosts: string | undefined,
  config: ConfigSource | undefined,
  issues: Issue[],
): string | undefined {
  if (hosts === undefined || config === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(hosts);
  } catch {
    issues.push(issue('invalid_value', `variable "hosts" must be a JSON list of host names, got ${hosts}`));
    return undefined;
  }
  if (!Array.isArray(list) || list.some((h) => typeof h !== 'string')) {
    issues.push(issue('invalid_value', `variable "hosts" must be a JSON list of host names, got ${hosts}`));
    return undefined;
  }
  const detectors = safe(() => config.detectorsForHosts(list as string[]), issues);
  return detectors === undefined ? undefined : JSON.stringify(detectors);
}

function layerOf(
  source: { kind: LayerKind; file?: string | undefined },
  values: Readonly<Record<string, string>> | undefined,
): VarLayer {
  const layer = new VarLayer(
    source.file === undefined ? { kind: source.kind } : { kind: source.kind, file: source.file },
  );
  for (const [k, v] of Object.entries(values ?? {})) layer.set(k, v);
  return layer;
}

function safe<T>(f: () => T, issues: Issue[]): T | undefined {
  try {
    return f();
  } catch (e: unknown) {
    issues.push(issue('config', e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}
