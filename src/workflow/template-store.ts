/**
 * Where processing finds templates: workflow and task template files of a repository at one commit, plus templates
 * written by JIT generation. Parsed templates are cached by commit and path (commits are immutable).
 */
import type { Issue } from '../common/issue.ts';
import { issue } from '../common/issue.ts';
import { parseYamlFile } from '../template/yaml-tree.ts';
import { readRole } from './role-template.ts';
import type { AggregatorTemplate } from './role-template.ts';
import { readTaskTemplate } from './task-template.ts';
import type { TaskTemplate } from './task-template.ts';
import { ReadContext } from './yaml-read.ts';

/** Files of one repository at one commit, read synchronously (a preloaded snapshot). */
export interface TemplateFiles {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string;
  readFile(relPath: string): string | undefined;
}

/** Finds another repository's files; 'pending' asks the planner for another pass once it is loaded. */
export type RepoResolver = (
  repoId: string,
  revision: string | undefined,
) => TemplateFiles | 'pending' | Error;

export type Loaded<T> =
  | {
      readonly ok: true;
      readonly template: T;
      readonly files: TemplateFiles;
      readonly file: string;
      readonly issues: readonly Issue[];
    }
  | { readonly ok: false; readonly issues: readonly Issue[]; readonly pending?: boolean };

interface Parsed<T> {
  readonly template: T | undefined;
  readonly issues: readonly Issue[];
}

const parseCache = new Map<string, Parsed<unknown>>();
const PARSE_CACHE_LIMIT = 2000;

function cached<T>(key: string | undefined, parse: () => Parsed<T>): Parsed<T> {
  if (key === undefined) return parse();
  const hit = parseCache.get(key) as Parsed<T> | undefined;
  if (hit !== undefined) return hit;
  const value = parse();
  if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.delete(parseCache.keys().next().value ?? '');
  parseCache.set(key, value);
  return value;
}

/** Parses a workflow template file text. */
export function parseWorkflowText(
  file: string,
  text: string,
  expectedName: string,
): Parsed<AggregatorTemplate> {
  const yaml = parseYamlFile(file, text);
  const ctx = new ReadContext(file);
  ctx.issues.push(...yaml.issues);
  if (yaml.root === undefined) return { template: undefined, issues: ctx.issues };
  const role = readRole(yaml.root, ctx, true);
  if (role !== undefined && role.kind !== 'aggregator') {
    ctx.error(yaml.root, 'role_kind', 'the root of a workflow template must have "roles"');
    return { template: undefined, issues: ctx.issues };
  }
  if (role !== undefined && role.name.text !== expectedName) {
    ctx.error(
      role.name,
      'name_mismatch',
      `workflow name "${role.name.text}" must equal its file name "${expectedName}"`,
    );
  }
  return { template: role, issues: ctx.issues };
}

/** Parses a task template file text. */
export function parseTaskText(file: string, text: string, expectedName: string): Parsed<TaskTemplate> {
  const yaml = parseYamlFile(file, text);
  const ctx = new ReadContext(file);
  ctx.issues.push(...yaml.issues);
  if (yaml.root === undefined) return { template: undefined, issues: ctx.issues };
  return { template: readTaskTemplate(yaml.root, expectedName, ctx), issues: ctx.issues };
}

interface Ref {
  readonly repoId?: string;
  readonly name: string;
  readonly revision?: string;
}

/** `name`, `name@rev`, `<repo id>/<dir>/<name>[.yaml][@rev]`. */
export function parseTemplateRef(ref: string, dir: 'workflows' | 'tasks'): Ref {
  const at = ref.lastIndexOf('@');
  const body = at > 0 ? ref.slice(0, at) : ref;
  const revision = at > 0 ? ref.slice(at + 1) : undefined;
  const marker = `/${dir}/`;
  const i = body.lastIndexOf(marker);
  const name = (i >= 0 ? body.slice(i + marker.length) : body).replace(/\.yaml$/, '');
  return {
    ...(i >= 0 ? { repoId: body.slice(0, i) } : {}),
    name,
    ...(revision !== undefined ? { revision } : {}),
  };
}

export class TemplateStore {
  constructor(
    private readonly resolveRepo: RepoResolver,
    /** Generated (JIT) files, looked up before the repository: `workflows/<name>.yaml`, `tasks/<name>.yaml`. */
    private readonly generated: (relPath: string) => string | undefined = () => undefined,
  ) {}

  workflow(ref: string, from: TemplateFiles): Loaded<AggregatorTemplate> {
    return this.load(ref, from, 'workflows', parseWorkflowText);
  }

  task(ref: string, from: TemplateFiles): Loaded<TaskTemplate> {
    return this.load(ref, from, 'tasks', parseTaskText);
  }

  private load<T>(
    refText: string,
    from: TemplateFiles,
    dir: 'workflows' | 'tasks',
    parse: (file: string, text: string, name: string) => Parsed<T>,
  ): Loaded<T> {
    const ref = parseTemplateRef(refText.trim(), dir);
    const files = this.filesFor(ref, from);
    if (files === 'pending') return { ok: false, issues: [], pending: true };
    if (files instanceof Error) return { ok: false, issues: [issue('repository', files.message)] };
    const rel = `${dir}/${ref.name}.yaml`;
    const generated = this.generated(rel);
    const text = generated ?? files.readFile(rel);
    const label =
      files === from || generated !== undefined ? rel : `${files.repoId}@${files.revision}:${rel}`;
    if (text === undefined) {
      const code = dir === 'tasks' ? 'missing_task_template' : 'include_not_found';
      const what = dir === 'tasks' ? 'task template' : 'workflow template';
      return {
        ok: false,
        issues: [
          issue(code, `${what} "${ref.name}" not found: no ${rel} in ${files.repoId}@${files.revision}`),
        ],
      };
    }
    const key = generated !== undefined ? undefined : `${files.repoId}@${files.commit}:${rel}`;
    const parsed = cached(key, () => parse(label, text, ref.name));
    if (parsed.template === undefined) return { ok: false, issues: parsed.issues };
    return { ok: true, template: parsed.template, files, file: label, issues: parsed.issues };
  }

  private filesFor(ref: Ref, from: TemplateFiles): TemplateFiles | 'pending' | Error {
    if (ref.repoId === undefined || ref.repoId === from.repoId) {
      if (ref.revision === undefined || ref.revision === from.revision || ref.revision === from.commit)
        return from;
      return this.resolveRepo(from.repoId, ref.revision);
    }
    return this.resolveRepo(ref.repoId, ref.revision);
  }
}
