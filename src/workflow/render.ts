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

/** Renders strings of one file, collecting issues. */
export class Renderer {
  private names: ReadonlySet<string> | undefined;
  /** One library per variable view: functions such as util.PrefixedOverride read the view. */
  private readonly libraries = new WeakMap<VarView, Readonly<Record<string, Value>>>();
  /** Variables read but defined nowhere, for warnings (they evaluate to nil as in lenient expr). */
  constructor(
    readonly file: string,
    private readonly library: LibraryFactory,
    private readonly issues: Issue[],
    private readonly failures?: FailureLog,
  ) {}

  /** A scope over variables, with objects and functions above them. */
  scope(vars: VarView, objects: Readonly<Record<string, Value>> = {}): Scope {
    const names = this.libraryNames();
    const libraryFor = (): Readonly<Record<string, Value>> => {
      let lib = this.libraries.get(vars);
      if (lib === undefined) this.libraries.set(vars, (lib = this.library(vars)));
      return lib;
    };
    return {
      get: (name) => {
        const obj = objects[name];
        if (obj !== undefined) return obj;
        if (names.has(name)) return libraryFor()[name];
        return vars.get(name);
      },
    };
  }

  /** Names the library defines (the same for every view), computed once. */
  private libraryNames(): ReadonlySet<string> {
    return (this.names ??= new Set(
      Object.keys(this.library({ get: () => undefined, toRecord: () => ({}) })),
    ));
  }

  /** Rendered text, or undefined after recording an issue. DeferredSignal passes through. */
  render(loc: Located, scope: Scope): string | undefined {
    try {
      const t = compileTemplate(loc.text);
      if (t.isConstant) return loc.text;
      const text = t.render(scope);
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
