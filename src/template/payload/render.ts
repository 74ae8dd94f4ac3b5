/**
 * Rendering of a compiled payload template. What a template can reach: `range()`, its var stack (strings, which
 * shadow `range`), the whitelisted helper table it is given (which shadows both), and the values it builds itself;
 * nothing of the host. Work and size are bounded by RenderLimits; every failure is a PayloadTemplateError naming
 * the innermost entry and its line, except errors of the loader, which pass through unchanged.
 */
import { ExprError, ExprFunction, isValueMap, mapGet } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import type { CompiledTemplate, Node } from './ast.ts';
import { Budget, DEFAULT_LIMITS, OutputBuffer } from './budget.ts';
import type { RenderLimits } from './budget.ts';
import { EvalFailure, PayloadTemplateError, fail } from './errors.ts';
import { evaluate } from './evaluate.ts';
import type { EvalContext } from './evaluate.ts';
import { index, iterable, newMap, toText, truthy, typeName } from './values.ts';

/** Finds included templates: `name` as written in `{% include %}`, `from` the including entry. */
export interface TemplateLoader {
  load(name: string, from: string): CompiledTemplate;
}

export interface RenderOptions {
  /** Variables (the var stack); missing names render as "". */
  readonly vars: Readonly<Record<string, string>>;
  /** Whitelisted helpers (namespaces of ExprFunctions); they win over vars of the same name. */
  readonly helpers: Readonly<Record<string, Value>>;
  readonly loader: TemplateLoader;
  readonly limits?: Partial<RenderLimits>;
}

/** Renders `template`; throws PayloadTemplateError (or what the loader throws). */
export function renderTemplate(template: CompiledTemplate, options: RenderOptions): string {
  const run = new Run(options);
  const out = new OutputBuffer(run.budget);
  run.renderTemplate(template, out);
  return out.toString();
}

class Run implements EvalContext {
  readonly budget: Budget;
  private readonly base = new Map<string, Value>();
  private readonly frames: Map<string, Value>[] = [];
  private readonly entries: string[] = [];

  constructor(private readonly options: RenderOptions) {
    this.budget = new Budget({ ...DEFAULT_LIMITS, ...options.limits });
    this.base.set('range', this.rangeFunction());
    for (const [k, v] of Object.entries(options.vars)) this.base.set(k, v);
    for (const [k, v] of Object.entries(options.helpers)) this.base.set(k, v);
  }

  lookup(name: string): Value | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const v = this.frames[i]?.get(name);
      if (v !== undefined) return v;
    }
    return this.base.get(name);
  }

  renderTemplate(t: CompiledTemplate, out: OutputBuffer): void {
    this.entries.push(t.entry);
    this.frames.push(new Map());
    try {
      this.renderNodes(t.body, out);
    } finally {
      this.frames.pop();
      this.entries.pop();
    }
  }

  private renderNodes(nodes: readonly Node[], out: OutputBuffer): void {
    for (const node of nodes) {
      try {
        this.budget.step();
        this.renderNode(node, out);
      } catch (e) {
        throw this.located(e, node.line);
      }
    }
  }

  private located(e: unknown, line: number): unknown {
    const entry = this.entries.at(-1) ?? '';
    if (e instanceof EvalFailure) return new PayloadTemplateError(e.kind, entry, line, e.message);
    if (e instanceof ExprError) return new PayloadTemplateError('render', entry, line, e.message);
    return e;
  }

  private renderNode(node: Node, out: OutputBuffer): void {
    switch (node.kind) {
      case 'text':
        return out.write(node.value);
      case 'output':
        return out.write(toText(evaluate(node.expr, this), this.budget));
      case 'if': {
        const branch = node.branches.find((b) => truthy(evaluate(b.test, this)));
        return this.renderNodes(branch?.body ?? node.otherwise, out);
      }
      case 'for':
        return this.renderFor(node, out);
      case 'set':
        return this.assign(node.names, evaluate(node.value, this));
      case 'setBlock': {
        const captured = new OutputBuffer(this.budget);
        this.renderNodes(node.body, captured);
        return this.assign([node.name], captured.toString());
      }
      case 'include':
        return this.include(evaluate(node.target, this), out);
    }
  }

  private assign(names: readonly string[], value: Value): void {
    const frame = this.frames.at(-1) as Map<string, Value>;
    if (names.length === 1) {
      frame.set(names[0] as string, value);
      return;
    }
    if (!Array.isArray(value)) fail(`cannot unpack ${typeName(value)} into ${names.length} names`);
    names.forEach((n, i) => frame.set(n, index(value, i)));
  }

  private renderFor(node: Extract<Node, { kind: 'for' }>, out: OutputBuffer): void {
    const seq = evaluate(node.seq, this);
    const items = iterable(seq, this.budget);
    if (items.length === 0) return this.renderNodes(node.empty, out);
    const frame = new Map<string, Value>();
    this.frames.push(frame);
    try {
      items.forEach((item, i) => {
        this.budget.step();
        frame.set('loop', loopInfo(i, items.length));
        frame.set('forloop', forloopInfo(i, items.length));
        const value = isValueMap(seq) && typeof item === 'string' ? (mapGet(seq, item) ?? null) : null;
        this.assign(node.names, node.names.length === 2 && isValueMap(seq) ? [item, value] : item);
        this.renderNodes(node.body, out);
      });
    } finally {
      this.frames.pop();
    }
  }

  private include(name: Value, out: OutputBuffer): void {
    if (typeof name !== 'string') fail(`include needs an entry name, got ${typeName(name)}`);
    const { maxIncludeDepth } = this.budget.limits;
    if (this.entries.length > maxIncludeDepth) {
      throw new EvalFailure('limit', `include depth exceeds the limit of ${maxIncludeDepth}`);
    }
    const template = this.options.loader.load(name, this.entries.at(-1) ?? '');
    if (this.entries.includes(template.entry)) {
      fail(`include cycle: ${[...this.entries, template.entry].join(' → ')}`);
    }
    this.renderTemplate(template, out);
  }

  /** range(stop) / range(start, stop[, step]) of integers, at most maxRangeItems long. */
  private rangeFunction(): ExprFunction {
    return new ExprFunction('range', (...args) => {
      const ints = args.map((a) =>
        typeof a === 'number' && Number.isInteger(a) ? a : fail(`range: arguments must be integers`),
      );
      const [start, stop, step] =
        ints.length === 1 ? [0, ints[0] ?? 0, 1] : [ints[0] ?? 0, ints[1] ?? 0, ints[2] ?? 1];
      if (ints.length < 1 || ints.length > 3) fail('range: takes 1 to 3 arguments');
      if (step === 0) fail('range: step must not be zero');
      const count = Math.max(0, Math.ceil((stop - start) / step));
      const max = this.budget.limits.maxRangeItems;
      if (count > max) throw new EvalFailure('limit', `range of ${count} items exceeds the limit of ${max}`);
      this.budget.step(count);
      return Array.from({ length: count }, (_, i) => start + i * step);
    });
  }
}

function loopInfo(i: number, length: number): Value {
  return newMap([
    ['index', i + 1],
    ['index0', i],
    ['revindex', length - i],
    ['revindex0', length - i - 1],
    ['first', i === 0],
    ['last', i === length - 1],
    ['length', length],
  ]);
}

/** pongo2's `forloop`. */
function forloopInfo(i: number, length: number): Value {
  return newMap([
    ['Counter', i + 1],
    ['Counter0', i],
    ['Revcounter', length - i],
    ['Revcounter0', length - i - 1],
    ['First', i === 0],
    ['Last', i === length - 1],
  ]);
}
