/**
 * Fuzzing: random token soup, mutations of valid expressions and broken templates must either evaluate or fail
 * with one of the four documented error types; never another exception, never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, TemplateEvalError, TemplateSyntaxError } from '../interpolate.ts';
import { compileExpression } from './compile.ts';
import { renderValue } from './render.ts';
import { ExprError, ExprFunction, ExprSyntaxError, recordScope } from './value.ts';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  ...[
    'a',
    'b',
    's',
    'n',
    'list',
    'm',
    'f',
    'boom',
    'strings',
    'unknown',
    'len',
    'int',
    'split',
    'keys',
    'max',
  ],
  ...['true', 'false', 'nil', 'not', 'in', 'and', 'or', 'contains', 'matches', 'startsWith', 'endsWith'],
  ...['0', '1', '-1', '2.5', '1e309', '0x1F', '99999999', "'x'", '"y"', '`z`', "'", '"', '`', '\\'],
  ...['+', '-', '*', '/', '%', '**', '^', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '!', '??', '?', ':'],
  ...['.', '?.', '..', ',', '(', ')', '[', ']', '{', '}', '{{', '}}', '#', '@', ' ', 'é', '😀', '\n'],
];

const VALID = [
  'len(s) > 0 ? a : b',
  "a == 'true' && !strings.IsFalsy(b)",
  "'x' in list || n > 2",
  "m.k ?? (f(1) + '-' + s[0:2])",
  '[1, 2, n][-1] ** 2 % 5',
  "{k: list, 'q': nil}.k[1]",
  "s not contains 'z' and s startsWith 'a'",
  '1..n',
  "int('4') + float(2) / 3",
  'unknown?.deep.er ?? keys(m)',
  "split(join(list, ','), ',')",
  "strings.ToUpper(s) matches '^[A-Z]+$'",
];

const scope = recordScope({
  a: 'true',
  b: '',
  s: 'abc',
  n: 3,
  list: ['x', 'y', 1],
  m: { k: 'v' },
  f: new ExprFunction('f', (x) => x),
  boom: new ExprFunction('boom', () => {
    throw new Error('exploded');
  }),
  strings: {
    ToUpper: new ExprFunction('strings.ToUpper', (x) => (typeof x === 'string' ? x.toUpperCase() : null)),
    IsFalsy: new ExprFunction('strings.IsFalsy', (x) => x === null || x === ''),
  },
});

function soup(r: () => number, maxTokens: number): string {
  const n = 1 + Math.floor(r() * maxTokens);
  let out = '';
  for (let i = 0; i < n; i++) out += TOKENS[Math.floor(r() * TOKENS.length)] + (r() < 0.5 ? ' ' : '');
  return out;
}

function mutate(r: () => number, src: string): string {
  let s = src;
  const edits = 1 + Math.floor(r() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const kind = Math.floor(r() * 4);
    if (kind === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4));
    else if (kind === 1) s = s.slice(0, at) + soup(r, 2) + s.slice(at);
    else if (kind === 2) s = s.slice(0, at);
    else s = s.slice(0, at) + s.slice(Math.floor(r() * s.length));
  }
  return s;
}

type Outcome = 'ok' | 'syntax' | 'eval';

function runExpression(src: string): Outcome {
  try {
    renderValue(compileExpression(src).evaluate(scope));
    return 'ok';
  } catch (e) {
    if (e instanceof ExprSyntaxError) return 'syntax';
    if (e instanceof ExprError) return 'eval';
    throw new Error(`unexpected ${String(e)} for ${JSON.stringify(src)}`, { cause: e });
  }
}

function runTemplate(text: string): Outcome {
  try {
    renderTemplate(text, scope);
    return 'ok';
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return 'syntax';
    if (e instanceof TemplateEvalError) return 'eval';
    throw new Error(`unexpected ${String(e)} for ${JSON.stringify(text)}`, { cause: e });
  }
}

test('random and mutated expressions fail only with documented errors', () => {
  const r = rng(20261125);
  const counts: Record<Outcome, number> = { ok: 0, syntax: 0, eval: 0 };
  const started = performance.now();
  for (let i = 0; i < 3000; i++) counts[runExpression(soup(r, 12))]++;
  for (let i = 0; i < 3000; i++) counts[runExpression(mutate(r, VALID[i % VALID.length]!))]++;
  for (let i = 0; i < 1000; i++) {
    const inner = r() < 0.5 ? soup(r, 6) : mutate(r, VALID[i % VALID.length]!);
    counts[runTemplate(`${soup(r, 2)}{{ ${inner} }}${r() < 0.2 ? '{{' : ''}${soup(r, 2)}`)]++;
  }
  assert.equal(counts.ok + counts.syntax + counts.eval, 7000);
  assert.ok(counts.ok > 100 && counts.syntax > 100 && counts.eval > 100, JSON.stringify(counts));
  assert.ok(performance.now() - started < 20_000, 'fuzzing finished in time');
});

test('every valid seed expression evaluates', () => {
  for (const src of VALID) assert.equal(runExpression(src), 'ok', src);
});
