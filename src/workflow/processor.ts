/**
 * Walks a workflow's role templates and produces the plan tree: iterators expand, includes graft their sub-workflow,
 * task roles become task descriptors, call roles call descriptors, disabled roles are pruned. Problems are collected;
 * work that needs another pass (JIT generation, another repository) marks the pass as pending.
 */
import type { Issue } from '../common/issue.ts';
import { DEFAULT_PLAN_LIMITS } from '../common/plan-limits.ts';
import type { PlanLimits } from '../common/plan-limits.ts';
import type { CallDescriptor, PlanRole, TaskDescriptor } from '../common/plan.ts';
import { renderValue } from '../template/expr/index.ts';
import { DeferredSignal } from '../template/expr/value.ts';
import type { Value } from '../template/expr/value.ts';
import { childFrame, aggregatorRole, processStages } from './process-role.ts';
import type { ProcessedBase } from './process-role.ts';
import type { Frame } from './frame.ts';
import { Renderer, SharedLibrary } from './render.ts';
import type { LibraryFactory } from './render.ts';
import type {
  AggregatorTemplate,
  CallRoleTemplate,
  IncludeRoleTemplate,
  IteratorTemplate,
  RoleTemplate,
  TaskRoleTemplate,
} from './role-template.ts';
import { buildTask, durationOf, moment } from './task-build.ts';
import type { FailureLog } from './recording-config.ts';
import type { TemplateFiles, TemplateStore } from './template-store.ts';
import { VarLayer } from './var-stack.ts';
import type { StackView } from './var-stack.ts';

export interface ProcessorOptions {
  readonly store: TemplateStore;
  readonly library: LibraryFactory;
  readonly environmentId: string;
  readonly newUid: () => string;
  /** Objects for templates of `files` (e.g. `dpl`), given the role's variables. */
  readonly objects: (files: TemplateFiles, vars: StackView) => Readonly<Record<string, Value>>;
  /** Called with each enabled role's path and variable stack (for provenance queries). */
  readonly observe?: (path: string, stack: StackView) => void;
  /** Failed configuration lookups, reported as warnings where they happened. */
  readonly failures?: FailureLog;
  /** Size limits (default DEFAULT_PLAN_LIMITS). */
  readonly limits?: PlanLimits;
}

type Body = Exclude<RoleTemplate, IteratorTemplate>;

export class WorkflowProcessor {
  readonly issues: Issue[] = [];
  readonly tasks: TaskDescriptor[] = [];
  readonly calls: CallDescriptor[] = [];
  /** Set when some value could not be produced in this pass; the planner runs another. */
  pending = false;
  private readonly renderers = new Map<string, Renderer>();
  private readonly library: SharedLibrary;
  private readonly limits: PlanLimits;
  private roles = 0;
  /** Set once a plan-wide limit was hit: no more roles are processed (one issue, not thousands). */
  private stopped = false;

  constructor(private readonly opts: ProcessorOptions) {
    this.library = new SharedLibrary(opts.library);
    this.limits = opts.limits ?? DEFAULT_PLAN_LIMITS;
  }

  /** Processes the root aggregator; undefined when it is disabled or unusable. */
  processRoot(root: AggregatorTemplate, env: Frame): PlanRole | undefined {
    return this.role(root, env)[0];
  }

  private renderer(file: string): Renderer {
    let r = this.renderers.get(file);
    if (r === undefined)
      this.renderers.set(
        file,
        (r = new Renderer(file, this.library, this.issues, this.opts.failures, this.limits.maxTextLength)),
      );
    return r;
  }

  private role(t: RoleTemplate, parent: Frame, locals?: VarLayer): PlanRole[] {
    try {
      if (t.kind === 'iterator') return this.iterator(t, parent);
      return this.body(t, parent, locals);
    } catch (e: unknown) {
      if (!(e instanceof DeferredSignal)) throw e;
      this.pending = true;
      return [];
    }
  }

  private stages(t: Body, parent: Frame, locals: VarLayer | undefined): ProcessedBase | undefined {
    const objects = (vars: StackView): Readonly<Record<string, Value>> =>
      this.opts.objects(parent.files, vars);
    return processStages(t, parent, this.renderer(parent.file), locals, objects);
  }

  private body(t: Body, parent: Frame, locals: VarLayer | undefined): PlanRole[] {
    if (this.stopped || !this.countRole(t, parent)) return [];
    const p = this.stages(t, parent, locals);
    if (p === undefined) return [];
    this.opts.observe?.(p.node.path, p.stack);
    switch (t.kind) {
      case 'aggregator':
        return this.aggregator(t, p);
      case 'task':
        return this.task(t, p);
      case 'call':
        return this.call(t, p);
      case 'include':
        return this.include(t, p);
    }
  }

  private aggregator(t: AggregatorTemplate, p: ProcessedBase, frame: Frame = childFrame(p)): PlanRole[] {
    const children = t.roles.flatMap((child) => this.role(child, frame));
    const seen = new Map<string, PlanRole>();
    for (const c of children) {
      if (seen.has(c.name))
        p.renderer.error(
          t.name,
          'duplicate_role',
          `two enabled roles are named "${c.name}" under ${p.node.path}`,
        );
      seen.set(c.name, c);
    }
    return children.length === 0 ? [] : [aggregatorRole(p, children)];
  }

  /** Counts a role against maxRoles; false (after one located issue) once the plan has too many. */
  private countRole(t: Body, parent: Frame): boolean {
    if (++this.roles <= this.limits.maxRoles) return true;
    this.stopped = true;
    this.renderer(parent.file).error(
      t.name,
      'limit_exceeded',
      `the plan has more than ${this.limits.maxRoles} roles (limit maxRoles); planning stopped here`,
    );
    return false;
  }

  private iterator(t: IteratorTemplate, parent: Frame): PlanRole[] {
    if (this.stopped) return [];
    const r = this.renderer(parent.file);
    const items = iteratorItems(t, r, parent, this.limits.maxIteratorValues);
    if (items === undefined) return [];
    if (items.length > 1 && !t.body.name.text.includes(t.for.var)) {
      r.warn(
        t.body.name,
        'iterator_name',
        `iterator role name "${t.body.name.text}" does not use the loop variable "${t.for.var}"`,
      );
    }
    return items.flatMap((item) => {
      const locals = new VarLayer({ kind: 'iterator', role: t.body.name.path, file: parent.file });
      locals.set(t.for.var, item, t.for.line);
      return this.body(t.body, parent, locals);
    });
  }

  private task(t: TaskRoleTemplate, p: ProcessedBase): PlanRole[] {
    const load = p.renderer.render(t.load, p.renderer.scope(p.stack, p.objects));
    if (load === undefined) return [];
    const loaded = this.opts.store.task(load, p.frame.files);
    if (!loaded.ok) {
      if (loaded.pending === true) this.pending = true;
      for (const i of loaded.issues)
        this.issues.push(
          i.file === undefined ? { ...i, file: p.renderer.file, path: t.load.path, line: t.load.line } : i,
        );
      return [];
    }
    this.issues.push(...loaded.issues);
    const files = loaded.files;
    const classId = `${files.repoId}/tasks/${loaded.template.name}@${files.commit}`;
    const task = buildTask(p, loaded.template, {
      environmentId: this.opts.environmentId,
      newUid: this.opts.newUid,
      ttRenderer: this.renderer(loaded.file),
      classId,
    });
    if (task === undefined) return [];
    if (this.tasks.length >= this.limits.maxTasks) {
      this.stopped = true;
      p.renderer.error(
        t.load,
        'limit_exceeded',
        `the environment would have more than ${this.limits.maxTasks} tasks (limit maxTasks); planning stopped here`,
      );
      return [];
    }
    this.tasks.push(task);
    return [
      { kind: 'task', name: task.name, path: task.path, critical: task.critical, children: [], leaf: task },
    ];
  }

  private call(t: CallRoleTemplate, p: ProcessedBase): PlanRole[] {
    const scope = p.renderer.scope(p.stack, p.objects);
    const func = p.renderer.render(t.func, scope);
    const trigger = moment(t.trigger, p);
    const awaitAt = t.await === undefined ? trigger : moment(t.await, p);
    const returnVar = t.returnVar === undefined ? undefined : p.renderer.render(t.returnVar, scope);
    if (func === undefined || trigger === undefined || awaitAt === undefined) return [];
    const call: CallDescriptor = {
      kind: 'call',
      path: p.node.path,
      name: p.node.name,
      func: func.trim(),
      trigger,
      await: awaitAt,
      timeoutMs: durationOf(t.timeout, p.renderer, p, '30s'),
      critical: t.critical,
      ...(returnVar !== undefined && returnVar !== '' ? { returnVar } : {}),
      vars: { ...p.stack.toRecord(), environment_id: this.opts.environmentId },
    };
    this.calls.push(call);
    return [
      { kind: 'call', name: call.name, path: call.path, critical: call.critical, children: [], leaf: call },
    ];
  }

  private include(t: IncludeRoleTemplate, p: ProcessedBase): PlanRole[] {
    const ref = p.renderer.render(t.include, p.renderer.scope(p.stack, p.objects))?.trim();
    if (ref === undefined) return [];
    if (ref === '') {
      p.renderer.error(
        t.include,
        'include_not_found',
        'include names no workflow (the expression gave an empty string)',
      );
      return [];
    }
    const loaded = this.opts.store.workflow(ref, p.frame.files);
    if (!loaded.ok) {
      if (loaded.pending === true) this.pending = true;
      for (const i of loaded.issues)
        this.issues.push(
          i.file === undefined
            ? { ...i, file: p.renderer.file, path: t.include.path, line: t.include.line }
            : i,
        );
      return [];
    }
    this.issues.push(...loaded.issues);
    const key = `${loaded.files.repoId}@${loaded.files.commit}:${loaded.file}`;
    if (p.frame.includeChain.includes(key)) {
      p.renderer.error(
        t.include,
        'include_cycle',
        `include cycle: ${[...p.frame.includeChain, key].join(' → ')}`,
      );
      return [];
    }
    // The included root takes the include role's place: its name and parent, with the include role's variables below its own.
    const frame = childFrame(p, {
      node: p.frame.node,
      files: loaded.files,
      file: loaded.file,
      includeChain: [...p.frame.includeChain, key],
    });
    const root: AggregatorTemplate = {
      ...loaded.template,
      name: { ...loaded.template.name, text: escapeTemplate(p.node.name) },
    };
    const { enabled: _ignored, ...rootWithoutEnabled } = root;
    const sub = this.stages(rootWithoutEnabled, frame, undefined);
    return sub === undefined ? [] : this.aggregator(root, sub);
  }
}

function escapeTemplate(text: string): string {
  return text.includes('{{') ? `{{ ${JSON.stringify(text)} }}` : text;
}

function iteratorItems(t: IteratorTemplate, r: Renderer, parent: Frame, max: number): string[] | undefined {
  const scope = r.scope(parent.stack);
  const f = t.for;
  const tooMany = (n: number, where: { path: string; line: number }): boolean => {
    if (n <= max) return false;
    r.error(
      where,
      'limit_exceeded',
      `iterator "${f.var}" would produce ${n} values; the limit is ${max} per for (maxIteratorValues)`,
    );
    return true;
  };
  if (f.kind === 'count') {
    const begin = Number(r.render(f.begin, scope));
    const end = Number(r.render(f.end, scope));
    if (!Number.isInteger(begin) || !Number.isInteger(end)) {
      r.error(f, 'range_not_list', 'for.begin and for.end must be integers');
      return undefined;
    }
    if (tooMany(end - begin + 1, f.end)) return undefined;
    return Array.from({ length: Math.max(0, end - begin + 1) }, (_, i) => String(begin + i));
  }
  const text = r.render(f.range, scope);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x === 'object' && x !== null)) {
    const bare = /^\s*\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$/.exec(f.range.text)?.[1];
    const why =
      bare !== undefined && text.trim() === ''
        ? `the variable \`${bare}\` is required (a JSON list of strings) but is undefined or empty`
        : `for.range must be a JSON list of strings, got "${text}"`;
    r.error(f.range, 'range_not_list', why);
    return undefined;
  }
  if (tooMany(parsed.length, f.range)) return undefined;
  return parsed.map((x) => renderValue(x as Value));
}
