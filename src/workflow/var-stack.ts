/**
 * Variable stacks with provenance. AliECS keeps three independent chains per role — defaults, vars, user vars — each
 * wrapping its parent's, with global layers at the roots. A lookup takes the first hit in: iterator locals, user vars
 * (deepest first), vars (deepest first), defaults (deepest first). Every layer records where it came from, so Axle can
 * say which layer set a winning value and which values it overrode.
 */

/** Which kind of layer contributed a value. */
export type LayerKind =
  | 'global-defaults'
  | 'computed-defaults'
  | 'defaults'
  | 'global-vars'
  | 'vars'
  | 'iterator'
  | 'user-vars'
  | 'runtime'
  | 'task-defaults'
  | 'task-vars'
  | 'special';

/** Where a layer came from: its kind, the role path (or task template) and the file. */
export interface LayerSource {
  readonly kind: LayerKind;
  readonly role?: string;
  readonly file?: string;
}

/** One map of variables; `lines` gives the YAML line of each key when it came from a template. */
export class VarLayer {
  readonly values = new Map<string, string>();
  readonly lines = new Map<string, number>();
  /** Mutable only so that processing can name the role once its name is rendered. */
  constructor(public source: LayerSource) {}

  set(key: string, value: string, line?: number): void {
    this.values.set(key, value);
    if (line !== undefined) this.lines.set(key, line);
  }
}

/** A chain node: one layer over its parent chain. Immutable links; layers may be filled while processing. */
export class Chain {
  constructor(
    readonly layer: VarLayer | undefined,
    readonly parent: Chain | undefined,
  ) {}

  get(name: string): string | undefined {
    return this.layer?.values.get(name) ?? this.parent?.get(name);
  }

  /** Layers from the deepest to the root. */
  *layers(): Generator<VarLayer> {
    if (this.layer !== undefined) yield this.layer;
    if (this.parent !== undefined) yield* this.parent.layers();
  }

  /** Flattened map, root first so deeper layers override. */
  flattenInto(out: Map<string, string>): void {
    const stack = [...this.layers()].reverse();
    for (const layer of stack) for (const [k, v] of layer.values) out.set(k, v);
  }

  extend(layer: VarLayer): Chain {
    return new Chain(layer, this);
  }
}

/** A read-only view of variables: what expressions see. */
export interface VarView {
  get(name: string): string | undefined;
  /** All visible variables, flattened with precedence applied. */
  toRecord(): Record<string, string>;
}

/** The three chains plus locals, as seen at one point of processing. */
export class StackView implements VarView {
  constructor(
    readonly defaults: Chain,
    readonly vars: Chain,
    readonly userVars: Chain,
    readonly locals?: VarLayer,
  ) {}

  get(name: string): string | undefined {
    return (
      this.locals?.values.get(name) ??
      this.userVars.get(name) ??
      this.vars.get(name) ??
      this.defaults.get(name)
    );
  }

  toRecord(): Record<string, string> {
    const out = new Map<string, string>();
    this.defaults.flattenInto(out);
    this.vars.flattenInto(out);
    this.userVars.flattenInto(out);
    if (this.locals !== undefined) for (const [k, v] of this.locals.values) out.set(k, v);
    return Object.fromEntries(out);
  }

  /** Every layer that holds `name`, highest precedence first; the first one wins. */
  explain(name: string): Contribution[] {
    const out: Contribution[] = [];
    const collect = (layers: Iterable<VarLayer>): void => {
      for (const layer of layers) {
        const value = layer.values.get(name);
        if (value === undefined) continue;
        const line = layer.lines.get(name);
        out.push({ value, source: layer.source, ...(line !== undefined ? { line } : {}) });
      }
    };
    if (this.locals !== undefined) collect([this.locals]);
    collect(this.userVars.layers());
    collect(this.vars.layers());
    collect(this.defaults.layers());
    return out;
  }
}

/** One layer's value for a variable. */
export interface Contribution {
  readonly value: string;
  readonly source: LayerSource;
  readonly line?: number;
}

/** A view with extra variables on top (special task variables, call variables). */
export class OverlayView implements VarView {
  constructor(
    readonly base: VarView,
    readonly top: ReadonlyMap<string, string>,
    readonly bottom: ReadonlyMap<string, string> = new Map(),
  ) {}

  get(name: string): string | undefined {
    return this.top.get(name) ?? this.base.get(name) ?? this.bottom.get(name);
  }

  toRecord(): Record<string, string> {
    return { ...Object.fromEntries(this.bottom), ...this.base.toRecord(), ...Object.fromEntries(this.top) };
  }
}

/** A fixed map as a view. */
export function mapView(values: ReadonlyMap<string, string>): VarView {
  return { get: (n) => values.get(n), toRecord: () => Object.fromEntries(values) };
}
