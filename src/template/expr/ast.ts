/**
 * Syntax tree of an expression. Every node keeps the 0-based offset of its first token in the source.
 */
import type { Value } from './value.ts';

export type BinaryOperator =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'not in'
  | 'contains'
  | 'not contains'
  | 'startsWith'
  | 'not startsWith'
  | 'endsWith'
  | 'not endsWith'
  | 'matches'
  | 'not matches'
  | '..'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  | '??';

export type UnaryOperator = '!' | '-' | '+';

export type Node =
  | { readonly kind: 'literal'; readonly offset: number; readonly value: Value }
  | { readonly kind: 'ident'; readonly offset: number; readonly name: string }
  | { readonly kind: 'array'; readonly offset: number; readonly items: readonly Node[] }
  | { readonly kind: 'map'; readonly offset: number; readonly entries: readonly MapEntry[] }
  | { readonly kind: 'unary'; readonly offset: number; readonly op: UnaryOperator; readonly operand: Node }
  | {
      readonly kind: 'binary';
      readonly offset: number;
      readonly op: BinaryOperator;
      readonly left: Node;
      readonly right: Node;
    }
  | {
      readonly kind: 'conditional';
      readonly offset: number;
      readonly test: Node;
      readonly then: Node;
      readonly otherwise: Node;
    }
  | {
      readonly kind: 'member';
      readonly offset: number;
      readonly object: Node;
      readonly property: Node;
      readonly optional: boolean;
    }
  | {
      readonly kind: 'slice';
      readonly offset: number;
      readonly object: Node;
      readonly from: Node | undefined;
      readonly to: Node | undefined;
    }
  | { readonly kind: 'call'; readonly offset: number; readonly callee: Node; readonly args: readonly Node[] }
  | { readonly kind: 'chain'; readonly offset: number; readonly body: Node };

export interface MapEntry {
  readonly key: string;
  readonly value: Node;
}

/** Dotted name of a callee (`strings.Atoi`), or undefined when it is not a plain member chain. */
export function calleeName(node: Node): string | undefined {
  if (node.kind === 'ident') return node.name;
  if (node.kind === 'chain') return calleeName(node.body);
  if (node.kind !== 'member' || node.property.kind !== 'literal') return undefined;
  const base = calleeName(node.object);
  const prop = node.property.value;
  return base === undefined || typeof prop !== 'string' ? undefined : `${base}.${prop}`;
}
