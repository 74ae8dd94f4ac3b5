/**
 * Offline checks of every workflow and task template of a revision: YAML, keys and role kinds, expression syntax,
 * references to task templates and included workflows that do not exist, include cycles, and — when variables are
 * given — a trial plan of each workflow. Returns every issue found.
 */
import { issue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import { compileTemplate } from '../template/interpolate.ts';
import { parseExpression } from '../template/expr/parser.ts';
import { createLibraryFactory } from './library.ts';
import { checkCalls, knownFrom } from './static-calls.ts';
import type { KnownFunctions } from './static-calls.ts';
import { callFuncs, literalRefs, roleStrings, taskStrings } from './template-strings.ts';
import { TemplateStore, parseTemplateRef } from './template-store.ts';
import type { TemplateFiles } from './template-store.ts';
import type { Located } from './yaml-read.ts';
import type { AggregatorTemplate } from './role-template.ts';

export interface LintFiles extends TemplateFiles {
  listFiles(dir: 'workflows' | 'tasks' | 'jit'): string[];
}

export interface LintOptions {
  /** When given, each workflow that no other workflow of the revision includes is also planned with it. */
  readonly plan?: (workflow: string) => Promise<readonly Issue[]>;
}

export async function lintRevision(files: LintFiles, opts: LintOptions = {}): Promise<Issue[]> {
  const store = new TemplateStore(() => new Error('other repositories are not checked by lint'));
  const issues: Issue[] = [];
  for (const f of files.listFiles('tasks').filter((n) => n.endsWith('.yaml'))) {
    const loaded = store.task(f.replace(/\.yaml$/, ''), files);
    issues.push(...loaded.issues);
    if (loaded.ok) issues.push(...syntaxIssues(loaded.file, taskStrings(loaded.template)));
  }
  const workflows = new Map<string, AggregatorTemplate>();
  for (const f of files.listFiles('workflows').filter((n) => n.endsWith('.yaml'))) {
    const name = f.replace(/\.yaml$/, '');
    const loaded = store.workflow(name, files);
    issues.push(...loaded.issues);
    if (!loaded.ok) continue;
    workflows.set(name, loaded.template);
    issues.push(...syntaxIssues(loaded.file, roleStrings(loaded.template)));
    issues.push(...funcIssues(loaded.file, callFuncs(loaded.template)));
    issues.push(...referenceIssues(loaded.file, loaded.template, files));
  }
  issues.push(...cycleIssues(workflows));
  if (opts.plan !== undefined)
    for (const name of topLevel(workflows)) issues.push(...(await opts.plan(name)));
  return dedupe(issues);
}

function syntaxIssues(file: string, strings: Iterable<Located>): Issue[] {
  const out: Issue[] = [];
  for (const s of strings) {
    if (!s.text.includes('{{')) continue;
    const where = { file, path: s.path, line: s.line };
    try {
      for (const expr of compileTemplate(s.text).expressions) {
        for (const p of checkCalls(expr, knownFunctions()))
          out.push(issue('unknown_function', p.message, where, p.severity));
      }
    } catch (e: unknown) {
      out.push(issue('expression_syntax', e instanceof Error ? e.message : String(e), where));
    }
  }
  return out;
}

/** A call role's `func` must parse as an expression. */
function funcIssues(file: string, funcs: Iterable<Located>): Issue[] {
  const out: Issue[] = [];
  for (const f of funcs) {
    try {
      parseExpression(f.text);
    } catch (e: unknown) {
      out.push(
        issue('expression_syntax', `call func: ${e instanceof Error ? e.message : String(e)}`, {
          file,
          path: f.path,
          line: f.line,
        }),
      );
    }
  }
  return out;
}

let known: KnownFunctions | undefined;

/** Functions templates may call: the library, the JIT `dpl` namespace and the engine's objects. */
function knownFunctions(): KnownFunctions {
  const library = createLibraryFactory({ newUid: () => '' })({ get: () => undefined, toRecord: () => ({}) });
  known ??= knownFrom(
    library,
    { dpl: ['Generate', 'GenerateFromUri', 'GenerateFromUriOrFallbackToTemplate'] },
    ['Parent', 'Up', 'This', 'ToPtree', 'GenerateDplSubworkflow', 'GenerateDplSubworkflowFromUri'],
  );
  return known;
}

function referenceIssues(file: string, root: AggregatorTemplate, files: LintFiles): Issue[] {
  const out: Issue[] = [];
  for (const { kind, ref, conditional } of literalRefs(root)) {
    const parsed = parseTemplateRef(ref.text.trim(), kind === 'task' ? 'tasks' : 'workflows');
    if (parsed.repoId !== undefined && parsed.repoId !== files.repoId) continue;
    const rel = `${kind === 'task' ? 'tasks' : 'workflows'}/${parsed.name}.yaml`;
    if (files.readFile(rel) === undefined) {
      const code = kind === 'task' ? 'missing_task_template' : 'include_not_found';
      out.push(
        issue(
          code,
          `${kind === 'task' ? 'task template' : 'workflow'} "${parsed.name}" not found (no ${rel})${conditional ? '; the role is conditional, so this fails only when it is enabled' : ''}`,
          { file, path: ref.path, line: ref.line },
          conditional ? 'warning' : 'error',
        ),
      );
    }
  }
  return out;
}

/** Include cycles among literal includes. */
/** Workflows no other workflow includes (an include-only workflow expects its includer's variables). */
function topLevel(workflows: ReadonlyMap<string, AggregatorTemplate>): string[] {
  const included = new Set<string>();
  for (const [name, t] of workflows)
    for (const r of literalRefs(t)) {
      if (r.kind !== 'workflow') continue;
      const to = parseTemplateRef(r.ref.text.trim(), 'workflows').name;
      if (to !== name) included.add(to);
    }
  return [...workflows.keys()].filter((n) => !included.has(n));
}

function cycleIssues(workflows: ReadonlyMap<string, AggregatorTemplate>): Issue[] {
  const edges = new Map<string, { to: string; ref: Located }[]>();
  for (const [name, t] of workflows) {
    const to = [...literalRefs(t)]
      .filter((r) => r.kind === 'workflow')
      .map((r) => ({ to: parseTemplateRef(r.ref.text.trim(), 'workflows').name, ref: r.ref }));
    edges.set(name, to);
  }
  const out: Issue[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    state.set(name, 'open');
    for (const e of edges.get(name) ?? []) {
      if (state.get(e.to) === 'open') {
        const cycle = [...trail.slice(trail.indexOf(e.to)), name, e.to];
        out.push(
          issue('include_cycle', `include cycle: ${cycle.join(' → ')}`, {
            file: `workflows/${name}.yaml`,
            path: e.ref.path,
            line: e.ref.line,
          }),
        );
      } else if (state.get(e.to) === undefined && edges.has(e.to)) visit(e.to, [...trail, name]);
    }
    state.set(name, 'done');
  };
  for (const name of edges.keys()) if (state.get(name) === undefined) visit(name, []);
  return out;
}

function dedupe(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.file}|${i.line}|${i.path}|${i.code}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
