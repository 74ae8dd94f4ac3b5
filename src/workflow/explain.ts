/**
 * Provenance of variables: for a role of a planned workflow, which layer set the winning value of a variable and
 * which values it overrode (user vars, workflow vars, configuration vars, workflow defaults, configuration defaults).
 */
import type { Issue } from '../common/issue.ts';
import { planWithStack } from './planner.ts';
import type { PlanRequest } from './planner.ts';
import type { Contribution, StackView } from './var-stack.ts';

export interface Explanation {
  readonly variable: string;
  /** Winner first; empty when no layer defines it. */
  readonly contributions: readonly Contribution[];
}

export type ExplainResult =
  | {
      readonly ok: true;
      readonly rolePath: string;
      readonly explanations: readonly Explanation[];
      readonly issues: readonly Issue[];
    }
  | {
      readonly ok: false;
      readonly message: string;
      readonly issues: readonly Issue[];
      readonly knownPaths: readonly string[];
    };

/** Plans the workflow and explains `variables` as seen by the role at `rolePath` (`''` or the root name = root). */
export async function explainVariables(
  req: PlanRequest,
  rolePath: string,
  variables: readonly string[],
): Promise<ExplainResult> {
  const stacks = new Map<string, StackView>();
  const outcome = await planWithStack({ ...req, observe: (path, stack) => stacks.set(path, stack) });
  const issues = outcome.result.issues;
  const stack = rolePath === '' ? outcome.envStack : (stacks.get(rolePath) ?? findBySuffix(stacks, rolePath));
  if (stack === undefined) {
    return {
      ok: false,
      message: `no enabled role "${rolePath}" in the plan`,
      issues,
      knownPaths: [...stacks.keys()],
    };
  }
  return {
    ok: true,
    rolePath,
    explanations: variables.map((v) => ({ variable: v, contributions: stack.explain(v) })),
    issues,
  };
}

/** Accepts paths without the root name (`host-flp001.readout`). */
function findBySuffix(stacks: ReadonlyMap<string, StackView>, path: string): StackView | undefined {
  for (const [p, s] of stacks)
    if (p.endsWith(`.${path}`) && p.split('.').length === path.split('.').length + 1) return s;
  return undefined;
}

/** Human text: one line per layer, the winner marked. */
export function formatExplanation(e: Explanation): string {
  if (e.contributions.length === 0) return `${e.variable}: not defined`;
  const lines = e.contributions.map((c, i) => {
    const where = [
      c.source.role,
      c.source.file !== undefined ? `${c.source.file}${c.line !== undefined ? `:${c.line}` : ''}` : undefined,
    ]
      .filter((s) => s !== undefined)
      .join(' in ');
    return `  ${i === 0 ? '=>' : '  '} ${JSON.stringify(c.value)}  from ${c.source.kind}${where === '' ? '' : ` (${where})`}${i === 0 ? '' : '  [overridden]'}`;
  });
  return `${e.variable} = ${JSON.stringify(e.contributions[0]?.value)}\n${lines.join('\n')}`;
}
