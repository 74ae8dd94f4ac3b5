/**
 * The workflow templates of one repository snapshot, with their GUI variable specs (AliECS GetWorkflowTemplates).
 * Problems in a file are returned as issues on that template; listing never throws.
 */
import { hasErrors, issue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import type { VarSpec } from '../common/var-spec.ts';
import { getEntry, locate, parseYamlFile } from '../template/yaml-tree.ts';
import type { YNode } from '../template/yaml-tree.ts';
import { collectPublicVars } from './public-vars.ts';
import type { RepoSnapshot } from './snapshot.ts';

export interface WorkflowTemplateInfo {
  /** File name without `.yaml`. */
  readonly name: string;
  /** The root `description` (tagged `!public` or not); '' when absent. */
  readonly description: string;
  /** True when the root `name` carries the `!public` tag. */
  readonly public: boolean;
  readonly varSpecs: Readonly<Record<string, VarSpec>>;
  readonly issues: readonly Issue[];
}

export interface ListTemplatesOptions {
  /** Also list templates whose `name` is not `!public` (AliECS `allWorkflows`). */
  readonly allWorkflows?: boolean;
  /** Global variables (Apricot `vars`): they replace the value of a `defaults` spec of the same name. */
  readonly globalVars?: Readonly<Record<string, string>>;
}

/**
 * Lists `workflows/*.yaml` of the snapshot, sorted by name. Without `allWorkflows` only public templates are
 * returned, plus any template whose YAML could not be read at all (so the problem is seen, not hidden).
 */
export function listWorkflowTemplates(
  snap: RepoSnapshot,
  opts: ListTemplatesOptions = {},
): WorkflowTemplateInfo[] {
  const out: WorkflowTemplateInfo[] = [];
  for (const fileName of snap.listFiles('workflows')) {
    if (!fileName.endsWith('.yaml')) continue;
    const file = `workflows/${fileName}`;
    const info = describeTemplate(file, snap.readFile(file) ?? '', opts.globalVars ?? {});
    const unreadable = info.issues.some((i) => i.code === 'yaml_syntax' && i.severity === 'error');
    if (opts.allWorkflows === true || info.public || unreadable) out.push(info);
  }
  return out;
}

/** One template's public flag, description and var specs; `file` is the repository-relative path. */
export function describeTemplate(
  file: string,
  text: string,
  globalVars: Readonly<Record<string, string>>,
): WorkflowTemplateInfo {
  const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.yaml$/, '');
  const parsed = parseYamlFile(file, text);
  const root = parsed.root;
  if (root?.kind !== 'map') {
    const issues = [...parsed.issues];
    if (!hasErrors(issues))
      issues.push(issue('invalid_value', 'a workflow template must be a YAML mapping', { file }));
    return { name, description: '', public: false, varSpecs: {}, issues };
  }
  const vars = collectPublicVars(root, file);
  const varSpecs: Record<string, VarSpec> = {};
  for (const [key, spec] of vars.specs) {
    const global = spec.source === 'defaults' ? globalVars[key] : undefined;
    varSpecs[key] = global === undefined ? spec : { ...spec, value: global };
  }
  return {
    name,
    description: scalarText(getEntry(root, 'description')),
    public: getEntry(root, 'name')?.tag === '!public',
    varSpecs,
    issues: [...parsed.issues, ...nameIssues(file, getEntry(root, 'name')), ...vars.issues],
  };
}

function scalarText(node: YNode | undefined): string {
  return node?.kind === 'scalar' ? node.text : '';
}

function nameIssues(file: string, node: YNode | undefined): Issue[] {
  if (node === undefined) return [issue('missing_key', 'the template has no "name"', { file }, 'warning')];
  if (node.kind !== 'scalar')
    return [issue('invalid_value', '"name" should be a scalar', locate(file, node))];
  return [];
}
