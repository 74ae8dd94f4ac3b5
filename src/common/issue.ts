/**
 * Problems found in templates, expressions and configuration, returned as data (never thrown out of the engine).
 * Every issue says what is wrong and, where it is known, where: file, YAML path and line.
 */
import { truncateText } from './plan-limits.ts';

/** Closed set of issue codes; the value is the name. */
export type IssueCode =
  | 'yaml_syntax'
  | 'unknown_key'
  | 'missing_key'
  | 'invalid_value'
  | 'role_kind'
  | 'duplicate_role'
  | 'duplicate_public_var'
  | 'include_cycle'
  | 'include_not_found'
  | 'missing_task_template'
  | 'name_mismatch'
  | 'expression_syntax'
  | 'unknown_function'
  | 'type_error'
  | 'evaluation_error'
  | 'undefined_variable'
  | 'range_not_list'
  | 'iterator_name'
  | 'channel_target'
  | 'duplicate_channel'
  | 'duplicate_global'
  | 'repository'
  | 'jit'
  | 'config'
  | 'limit_exceeded'
  | 'too_deeply_nested';

export type Severity = 'error' | 'warning';

/** Where a problem sits: the file (repository-relative, with revision when known), YAML path and 1-based line. */
export interface SourceLocation {
  readonly file?: string;
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Issue extends SourceLocation {
  readonly code: IssueCode;
  readonly severity: Severity;
  readonly message: string;
}

/** Success with non-fatal issues (warnings), or failure with at least one error. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly issues: readonly Issue[] }
  | { readonly ok: false; readonly issues: readonly Issue[] };

/** An issue; a message longer than the default error-text limit is cut (see truncateText). */
export function issue(
  code: IssueCode,
  message: string,
  where: SourceLocation = {},
  severity: Severity = 'error',
): Issue {
  return { code, severity, message: truncateText(message), ...where };
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** "file:line: path: message" — the one-line form the CLI and RPC errors use. */
export function formatIssue(i: Issue): string {
  const where = [i.file, i.line !== undefined ? String(i.line) : undefined]
    .filter((s) => s !== undefined)
    .join(':');
  const path = i.path !== undefined && i.path !== '' ? `${i.path}: ` : '';
  const prefix = where === '' ? '' : `${where}: `;
  return `${prefix}${i.severity}: ${path}${i.message} [${i.code}]`;
}
