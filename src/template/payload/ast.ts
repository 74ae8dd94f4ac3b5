/** The syntax tree of a payload template. Every node carries its 1-based source line. */

export type Expr =
  | { readonly kind: 'literal'; readonly line: number; readonly value: string | number | boolean | null }
  | { readonly kind: 'name'; readonly line: number; readonly name: string }
  | { readonly kind: 'list'; readonly line: number; readonly items: readonly Expr[] }
  | { readonly kind: 'dict'; readonly line: number; readonly entries: readonly (readonly [Expr, Expr])[] }
  | { readonly kind: 'member'; readonly line: number; readonly target: Expr; readonly key: string }
  | { readonly kind: 'index'; readonly line: number; readonly target: Expr; readonly index: Expr }
  | { readonly kind: 'call'; readonly line: number; readonly callee: Expr; readonly args: readonly Expr[] }
  | {
      readonly kind: 'filter';
      readonly line: number;
      readonly name: string;
      readonly target: Expr;
      readonly args: readonly Expr[];
    }
  | { readonly kind: 'unary'; readonly line: number; readonly op: string; readonly operand: Expr }
  | {
      readonly kind: 'binary';
      readonly line: number;
      readonly op: string;
      readonly left: Expr;
      readonly right: Expr;
    }
  | {
      readonly kind: 'cond';
      readonly line: number;
      readonly test: Expr;
      readonly then: Expr;
      readonly else: Expr | null;
    };

export interface IfBranch {
  readonly test: Expr;
  readonly body: readonly Node[];
}

export type Node =
  | { readonly kind: 'text'; readonly line: number; readonly value: string }
  | { readonly kind: 'output'; readonly line: number; readonly expr: Expr }
  | {
      readonly kind: 'if';
      readonly line: number;
      readonly branches: readonly IfBranch[];
      readonly otherwise: readonly Node[];
    }
  | {
      readonly kind: 'for';
      readonly line: number;
      readonly names: readonly string[];
      readonly seq: Expr;
      readonly body: readonly Node[];
      readonly empty: readonly Node[];
    }
  | { readonly kind: 'set'; readonly line: number; readonly names: readonly string[]; readonly value: Expr }
  | {
      readonly kind: 'setBlock';
      readonly line: number;
      readonly name: string;
      readonly body: readonly Node[];
    }
  | { readonly kind: 'include'; readonly line: number; readonly target: Expr };

/** A parsed template: the tree plus the entry it came from (for error messages). */
export interface CompiledTemplate {
  readonly entry: string;
  readonly body: readonly Node[];
}
