/**
 * Size checks of request variables, made before planning starts, so an oversized value is refused with an issue
 * naming the variable and the limit (and the value itself is neither planned nor kept in the message).
 */
import { issue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import type { PlanLimits } from '../common/plan-limits.ts';

/** Issues for user variables over `maxVariableLength`, and for all of them together over `maxUserVarsLength`. */
export function checkUserVars(
  vars: Readonly<Record<string, string>> | undefined,
  limits: Pick<PlanLimits, 'maxVariableLength' | 'maxUserVarsLength'>,
): Issue[] {
  const issues: Issue[] = [];
  let total = 0;
  for (const [name, value] of Object.entries(vars ?? {})) {
    total += name.length + value.length;
    if (value.length > limits.maxVariableLength)
      issues.push(
        issue(
          'limit_exceeded',
          `variable "${shortName(name)}" is ${value.length} characters long; the limit is ${limits.maxVariableLength} per variable (maxVariableLength)`,
          { path: `vars.${shortName(name)}` },
        ),
      );
    if (name.length > limits.maxVariableLength)
      issues.push(
        issue(
          'limit_exceeded',
          `a variable name is ${name.length} characters long; the limit is ${limits.maxVariableLength} (maxVariableLength)`,
        ),
      );
  }
  if (total > limits.maxUserVarsLength)
    issues.push(
      issue(
        'limit_exceeded',
        `the variables of the request are ${total} characters long together; the limit is ${limits.maxUserVarsLength} (maxUserVarsLength)`,
      ),
    );
  return issues;
}

function shortName(name: string): string {
  return name.length <= 200 ? name : `${name.slice(0, 200)}…`;
}
