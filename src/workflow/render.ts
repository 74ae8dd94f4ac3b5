/**
 * Renders located template strings against a variable view, turning every template problem into an issue at the
 * string's file, YAML path and line. Variables win over nothing: AliECS puts functions and objects above variables,
 * so `objects` (Parent, Up, This, dpl…) and the function library shadow variables of the same name.
 */
import type { Issue, IssueCode } from '../common/issue.ts';
import { issue } from '../common/issue.ts';
import { DeferredSignal, ExprError, ExprSyntaxError } from '../template/expr/value.ts';
import type { Scope, Value } from '../template/expr/value.ts';
import { compileTemplate, TemplateEvalError, TemplateSyntaxError } from '../template/interpolate.ts';
import type { FailureLog } from './recording-config.ts';
import type { VarView } from './var-stack.ts';
import type { Located } from './yaml-read.ts';

/** Builds the function namespaces for one variable view (functions such as util.PrefixedOverride read it). */
export type LibraryFactory = (vars: VarView) => Readonly<Record<string, Value>>;

const NO_VARS: VarView = { get: () => undefined, toRecord: () => ({}) };

/**
 * One function library for a whole plan. Functions that read variables (util.PrefixedOverride, config.Get) read the
 * view of the string being rendered; evaluation is synchronous, so the current view is set right before each render.
 */
export class SharedLibrary {
  readonly values: Readonly<Record<string, Value>>;
  readonly names: ReadonlySet<string>;
  private current: VarView = NO_VARS;

  constructor(factory: LibraryFactory) {
    this.values = factory({ get: (n) => this.current.get(n), toRecord: () => this.current.toRecord() });
    this.names = new Set(Object.keys(this.values));
  }

  use(vars: VarView): void {
    this.current = vars;
  }
}

/** A scope over one variable view, with objects and library functions above the variables. */
class ViewScope implements Scope {
  constructor(
    readonly vars: VarView,
    private readonly objects: Readonly<Record<string, Value>>,
    private readonly library: SharedLibrary,
    readonly maxText: number | undefined,
  ) {}

  get(name: string): Value | undefined {
    const obj = this.objects[name];
    if (obj !== undefined) return obj;
    if (this.library.names.has(name)) return this.library.values[name];
    return this.vars.get(name);
  }
}

/** Renders strings of one file, collecting issues. */
export class Renderer {
  /** Undefined variables already reported, by line, YAML path and name (a string renders once per role). */
  private readonly undefinedSeen = new Set<string>();

  constructor(
    readonly file: string,
    private readonly library: SharedLibrary,
    private readonly issues: Issue[],
    private readonly failures?: FailureLog,
    /** Longest rendered text (Scope.maxText); default DEFAULT_MAX_TEXT. */
    private readonly maxText?: number,
  ) {}

  /** A scope over variables, with objects and functions above them. */
  scope(vars: VarView, objects: Readonly<Record<string, Value>> = {}): Scope {
    return new ViewScope(vars, objects, this.library, this.maxText);
  }

  /** Rendered text, or undefined after recording an issue. DeferredSignal passes through. */
  render(loc: Located, scope: Scope): string | undefined {
    try {
      const t = compileTemplate(loc.text);
      if (t.isConstant) return loc.text;
      if (scope instanceof ViewScope) this.library.use(scope.vars);
      let missing: string[] | undefined;
      const text = t.render({
        get: (n) => scope.get(n),
        undefinedName: (n) => (missing ??= []).push(n),
      });
      for (const name of missing ?? []) this.undefinedVariable(loc, name);
      for (const f of this.failures?.drain() ?? [])
        this.warn(
          loc,
          'config',
          `configuration lookup failed, the value holds {"error":…} as in AliECS: ${f}`,
        );
      return text;
    } catch (e: unknown) {
      if (e instanceof DeferredSignal) throw e;
      this.issues.push(issue(codeOf(e), messageOf(e), { file: this.file, path: loc.path, line: loc.line }));
      return undefined;
    }
  }

  /** A located warning naming a variable that evaluated to nil because nothing defines it (once per string). */
  private undefinedVariable(loc: Located, name: string): void {
    const key = `${loc.line}\u0000${loc.path}\u0000${name}`;
    if (this.undefinedSeen.has(key)) return;
    this.undefinedSeen.add(key);
    this.warn(
      loc,
      'undefined_variable',
      `undefined variable "${name}" (evaluates to nil, renders as empty text)`,
    );
  }

  /** Like render, with a fallback value after an issue. */
  renderOr(loc: Located | undefined, scope: Scope, fallback: string): string {
    if (loc === undefined) return fallback;
    return this.render(loc, scope) ?? fallback;
  }

  /** An error located in another file than this renderer's (e.g. a task template's channel). */
  errorIn(file: string, loc: { path: string; line: number }, code: IssueCode, message: string): void {
    this.issues.push(issue(code, message, { file, path: loc.path, line: loc.line }));
  }

  error(loc: { path: string; line: number }, code: IssueCode, message: string): void {
    this.issues.push(issue(code, message, { file: this.file, path: loc.path, line: loc.line }));
  }

  warn(loc: { path: string; line: number }, code: IssueCode, message: string): void {
    this.issues.push(issue(code, message, { file: this.file, path: loc.path, line: loc.line }, 'warning'));
  }
}

function codeOf(e: unknown): IssueCode {
  if (e instanceof TemplateSyntaxError || e instanceof ExprSyntaxError) return 'expression_syntax';
  if (e instanceof TemplateEvalError || e instanceof ExprError) return e.code;
  return 'evaluation_error';
}

function messageOf(e: unknown): string {
  if (e instanceof TemplateSyntaxError || e instanceof TemplateEvalError)
    return `${e.message} in {{ ${e.expression} }}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
