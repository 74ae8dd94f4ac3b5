/**
 * Planning an environment's workflow: the plan plus the root role's variables (for EnvironmentInfo), the detectors
 * it uses, and every issue. Problems are data; repository errors (unknown repository or revision) become issues too.
 */
import type { Issue } from '../common/issue.ts';
import { issue } from '../common/issue.ts';
import type { Plan } from '../common/plan.ts';
import { planWithStack } from '../workflow/planner.ts';
import type { PlanRequest } from '../workflow/planner.ts';
import { repoPlanRequest } from '../workflow/repo-planning.ts';
import type { RepoPlanOptions } from '../workflow/repo-planning.ts';
import type { StackView } from '../workflow/var-stack.ts';

export interface RootVars {
  readonly defaults: Record<string, string>;
  readonly vars: Record<string, string>;
  readonly userVars: Record<string, string>;
}

export type EnvironmentPlan =
  | {
      readonly ok: true;
      readonly plan: Plan;
      readonly rootVars: RootVars;
      readonly detectors: string[];
      readonly issues: readonly Issue[];
    }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export async function planEnvironment(o: RepoPlanOptions): Promise<EnvironmentPlan> {
  let req;
  try {
    req = await repoPlanRequest(o);
  } catch (e: unknown) {
    return { ok: false, issues: [issue('repository', e instanceof Error ? e.message : String(e))] };
  }
  return planEnvironmentRequest(req);
}

/** Plans from a ready planner request (in-memory files in tests, a repository snapshot in the core). */
export async function planEnvironmentRequest(req: PlanRequest): Promise<EnvironmentPlan> {
  let root: StackView | undefined;
  const outcome = await planWithStack({
    ...req,
    observe: (path, stack) => (root ??= path.includes('.') ? undefined : stack),
  });
  const r = outcome.result;
  if (!r.ok) return { ok: false, issues: r.issues };
  const refused = refuseUndefinedInCommands(r.issues);
  if (refused !== undefined) return { ok: false, issues: refused };
  const stack = root ?? outcome.envStack;
  const flat = (c: StackView['defaults']): Record<string, string> => {
    const m = new Map<string, string>();
    c.flattenInto(m);
    return Object.fromEntries(m);
  };
  const rootVars = { defaults: flat(stack.defaults), vars: flat(stack.vars), userVars: flat(stack.userVars) };
  return {
    ok: true,
    plan: r.value,
    rootVars,
    detectors: detectorsOf(stack.get('detectors')),
    issues: r.issues,
  };
}

/** A task's command value, arguments or environment (paths in a task template). */
const COMMAND_FIELD = /^command\.(value|arguments|env)(\[|$)/;

/**
 * As AliECS refuses to deploy a task whose command uses an undefined variable, a plan whose task commands do is
 * refused: those warnings become errors naming the variable, the task template file and line. Undefined otherwise.
 */
function refuseUndefinedInCommands(issues: readonly Issue[]): Issue[] | undefined {
  const inCommand = (i: Issue): boolean =>
    i.code === 'undefined_variable' && COMMAND_FIELD.test(i.path ?? '');
  if (!issues.some(inCommand)) return undefined;
  return issues.map((i) =>
    inCommand(i)
      ? {
          ...i,
          severity: 'error',
          message: `${i.message.replace(/ \(.*\)$/, '')} in the command of task template ${i.file ?? '?'}: refusing to deploy a command line with a missing value (AliECS: unknown name)`,
        }
      : i,
  );
}

function detectorsOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
