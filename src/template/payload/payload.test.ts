import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExprFunction } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import { PayloadTemplateError, compileTemplate, renderTemplate } from './index.ts';
import type { RenderLimits } from './index.ts';
import { timeScale } from '../../common/testing/time-scale.ts';

const ENTRY = 'c/ANY/any/e';

function render(
  src: string,
  vars: Record<string, string> = {},
  entries: Record<string, string> = {},
  limits?: Partial<RenderLimits>,
): string {
  const helpers: Record<string, Value> = {
    strings: {
      ToUpper: new ExprFunction('strings.ToUpper', (s) => (typeof s === 'string' ? s.toUpperCase() : null)),
    },
  };
  const loader = {
    load: (name: string) => {
      const text = entries[name];
      if (text === undefined) throw new Error(`no entry ${name}`);
      return compileTemplate(text, name);
    },
  };
  return renderTemplate(compileTemplate(src, ENTRY), {
    vars,
    helpers,
    loader,
    ...(limits ? { limits } : {}),
  });
}

function errorOf(fn: () => unknown): PayloadTemplateError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PayloadTemplateError, String(e));
    return e;
  }
  assert.fail('expected a PayloadTemplateError');
}

test('output: variables, literals, undefined names render as ""', () => {
  assert.equal(render('a={{ a }} b={{ b }}.', { a: 'x' }), 'a=x b=.');
  assert.equal(
    render(`{{ "s" }} {{ 's\\'q' }} {{ 42 }} {{ 1.5 }} {{ true }} {{ none }}|`),
    "s s'q 42 1.5 true |",
  );
  assert.equal(render('{{ [1, "a", [true]] }} {{ {"b": 1, "a": [2]} }}'), '[1,"a",[true]] {"a":[2],"b":1}');
  assert.equal(render('{{ m.k }} {{ m["k"] }} {{ l[0] }} {{ l.1 }} {{ l[-1] }} {{ s[1] }}', {}, {}), '     ');
  assert.equal(
    render('{% set m = {"k": "v"} %}{% set l = [1, 2] %}{{ m.k }}{{ m["k"] }}{{ l[0] }}{{ l.1 }}{{ l[-1] }}'),
    'vv122',
  );
  assert.equal(render('{{ strings.ToUpper(a) }} {{ missing.deeper.still }}', { a: 'q' }), 'Q ');
});

test('operators: arithmetic, concatenation, comparisons, and/or/not/in, inline if', () => {
  assert.equal(
    render('{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 7 / 2 }} {{ -3 }}'),
    '7 9 3 1 3.5 -3',
  );
  assert.equal(
    render('{{ a ~ "-" ~ 1 }} {{ a + "b" }} {{ "ab" * 2 }} {{ [1] + [2] }}', { a: 'x' }),
    'x-1 xb abab [1,2]',
  );
  assert.equal(render('{{ n - 1 }} {{ n|int + 1 }}', { n: '5' }), '4 6');
  assert.equal(
    render('{{ 1 < 2 }} {{ "b" > "a" }} {{ 2 >= 3 }} {{ a == "x" }} {{ a != "x" }}', { a: 'x' }),
    'true true false true false',
  );
  assert.equal(
    render(
      '{{ "TPC" in dets }} {{ "ITS" not in dets }} {{ 2 in [1, 2] }} {{ "k" in {"k": 1} }} {{ 1 in none }}',
      { dets: 'TPC,MCH' },
    ),
    'true true true true false',
  );
  assert.equal(
    render('{{ a and b }}|{{ a or b }}|{{ not a }}|{{ a && !b }}|{{ b || "d" }}', { a: 'x', b: '' }),
    '|x|false|true|d',
  );
  assert.equal(
    render('{{ "y" if a else "n" }} {{ "y" if b else "n" }} {{ "y" if b }}|', { a: '1', b: '' }),
    'y n |',
  );
});

test('tests: is [not] defined / none / string / number / odd / even', () => {
  assert.equal(
    render('{{ a is defined }} {{ b is defined }} {{ b is not defined }} {{ b is none }} {{ a is string }}', {
      a: 'x',
    }),
    'true false true true true',
  );
  assert.equal(
    render('{{ 3 is odd }} {{ 3 is even }} {{ 4 is not odd }} {{ a is number }}', { a: '1' }),
    'true false true false',
  );
  assert.equal(render('{% if a is defined and a %}yes{% endif %}', { a: 'x' }), 'yes');
  assert.match(errorOf(() => render('{{ a is bogus }}')).detail, /unknown test "bogus"/);
});

test('if / elif / else', () => {
  const src = '{% if n == "1" %}one{% elif n == "2" or n == "3" %}two-three{% else %}other{% endif %}';
  assert.deepEqual(
    ['1', '3', '9'].map((n) => render(src, { n })),
    ['one', 'two-three', 'other'],
  );
  assert.equal(render('{% if x %}set{% endif %}{% if not x %}unset{% endif %}'), 'unset');
});

test('for: lists, maps with k, v, strings, else/empty, loop and forloop variables, scoping', () => {
  assert.equal(
    render(
      '{% for h in hosts|split(",") %}{{ loop.index }}/{{ loop.length }}:{{ h }}{% if not loop.last %},{% endif %}{% endfor %}',
      { hosts: 'a,b,c' },
    ),
    '1/3:a,2/3:b,3/3:c',
  );
  assert.equal(render('{% for k, v in {"x": 1, "y": 2} %}{{ k }}={{ v }};{% endfor %}'), 'x=1;y=2;');
  assert.equal(render('{% for a, b in [[1, 2], [3, 4]] %}{{ a }}{{ b }}{% endfor %}'), '1234');
  assert.equal(
    render('{% for k in {"x": 1} %}{{ k }}{% endfor %}{% for c in "ab" %}{{ c }}.{% endfor %}'),
    'xa.b.',
  );
  assert.equal(
    render('{% for x in [] %}x{% else %}none{% endfor %} {% for x in nope %}x{% empty %}empty{% endfor %}'),
    'none empty',
  );
  assert.equal(
    render(
      '{% for x in [1, 2] %}{{ forloop.Counter }}{{ forloop.Counter0 }}{{ forloop.First }}{{ forloop.Last }}{{ loop.revindex }};{% endfor %}',
    ),
    '10truefalse2;21falsetrue1;',
  );
  // vars shadow range(); helpers shadow vars
  assert.equal(render('{{ range }}|{{ strings.ToUpper("a") }}', { range: 'var', strings: 'var' }), 'var|A');
  assert.equal(
    render('{% for i in range(3) %}{{ i }}{% endfor %} {% for i in range(1, 7, 2) %}{{ i }}{% endfor %}'),
    '012 135',
  );
  assert.equal(
    render('{% set x = "out" %}{% for i in [1] %}{% set x = "in" %}{{ x }}{% endfor %} {{ x }}'),
    'in out',
  );
  assert.equal(
    render('{% for i in range(2) %}{% for j in range(2) %}{{ i }}{{ j }} {% endfor %}{% endfor %}'),
    '00 01 10 11 ',
  );
});

test('set (expression, unpacking, block), include, comments, raw', () => {
  assert.equal(
    render('{% set a = "x" ~ b %}{% set p, q = [1, 2] %}{{ a }}{{ p }}{{ q }}', { b: 'y' }),
    'xy12',
  );
  assert.equal(render('{% set blk %}<{{ v }}>{% endset %}{{ blk }}{{ blk|length }}', { v: 'q' }), '<q>3');
  assert.equal(
    render(
      '[{% include "part" %}]{% include name %}',
      { v: 'V', name: 'other' },
      { part: 'p{{ v }}', other: 'o' },
    ),
    '[pV]o',
  );
  assert.equal(
    render('{% set v = "local" %}{% include "part" %}', {}, { part: '{{ v }}{% set w = 1 %}' }),
    'local',
  );
  assert.equal(render('a{# a comment {{ x }} #}b'), 'ab');
  assert.equal(
    render('{% raw %}{{ x }}{% if %}{% endraw %}|{% verbatim %}{{ y }}{% endverbatim %}'),
    '{{ x }}{% if %}|{{ y }}',
  );
});

test('whitespace control trims around tags; plain tags keep whitespace', () => {
  assert.equal(render('a  \n  {{- v -}}  \n  b', { v: 'V' }), 'aVb');
  assert.equal(render('<\n{%- for i in [1, 2] -%}\n  {{ i }}\n{%- endfor -%}\n>'), '<12>');
  assert.equal(render('a {# c -#}   b {#- c #} c'), 'a b c');
  assert.equal(render('a {%- raw -%} {{ x }} {%- endraw -%} b'), 'a{{ x }}b');
  assert.equal(render('{{ "  a b  "|split }} {{ ""|split }}'), '["a","b"] []');
  assert.equal(render('x\n{% if true %}\ny\n{% endif %}\n'), 'x\n\ny\n\n');
});

test('filters', () => {
  const cases: [string, string][] = [
    [
      '{{ nope|default("d") }} {{ v|default("d") }} {{ e|default("d") }} {{ e|default("d", true) }} {{ nope|d("x") }}',
      'd v  d x',
    ],
    [
      '{{ nope|default:"pongo" }} {{ v|upper }} {{ "AbC"|lower }} {{ "abc def"|capitalize }} {{ "abc def"|title }}',
      'pongo V abc Abc def Abc Def',
    ],
    [
      '{{ " x "|trim }}|{{ "abc"|length }} {{ [1, 2]|count }} {{ {"a": 1}|length }} {{ nope|length }}',
      'x|3 2 1 0',
    ],
    [
      '{{ [1, "a"]|join(",") }} {{ "a.b.a"|replace("a", "x") }} {{ "aaa"|replace("a", "b", 2) }}',
      '1,a x.b.x bba',
    ],
    [
      '{{ "42"|int + 1 }} {{ "4x"|int }} {{ "4x"|int(7) }} {{ "2.5"|float * 2 }} {{ 3.9|int }} {{ 5|string ~ "" }}',
      '43 0 7 5 3 5',
    ],
    [
      '{{ "<a&\'>"|escape }} {{ "<b>"|e }} {{ "<c>"|safe }} {{ "a b/c"|urlencode }}',
      '&lt;a&amp;&#39;&gt; &lt;b&gt; <c> a%20b%2Fc',
    ],
    [
      '{{ [3, 1, 2]|first }} {{ [3, 1, 2]|last }} {{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(true) }} {{ [1, 2]|reverse }} {{ "ab"|reverse }}',
      '3 2 [1,2,3] [3,2,1] [2,1] ba',
    ],
    [
      '{{ [1, 1, "1", 2]|unique }} {{ (-3)|abs }} {{ -3|abs }} {{ 2.567|round(2) }} {{ [1, 2, 3]|sum }} {{ [4, 2, 9]|min }} {{ [4, 2, 9]|max }}',
      '[1,"1",2] 3 -3 2.57 6 2 9',
    ],
    [
      '{{ "a b  c"|split }} {{ "a,b"|split(",") }} {{ {"k": [1]}|tojson }} {{ "x"|list }}',
      '["a","b","c"] ["a","b"] {"k":[1]} ["x"]',
    ],
    [
      '{{ "a\nb"|indent(2) }}|{{ {"b": 1, "a": 2}|dictsort }} {{ {"a": 1}|keys }} {{ {"a": 1}|items }}',
      'a\n  b|[["a",2],["b",1]] ["a"] [["a",1]]',
    ],
    [
      '{{ v|yesno }} {{ e|yesno }} {{ nope|yesno }} {{ nope|default_if_none("n") }} {{ [1]|dump }}',
      'yes no maybe n [1]',
    ],
    ['{{ hosts|split(",")|join(";")|upper }}', 'A;B'],
  ];
  for (const [src, want] of cases) assert.equal(render(src, { v: 'v', e: '', hosts: 'a,b' }), want, src);
});

test('syntax errors name the entry and line', () => {
  const cases: [string, number, RegExp][] = [
    ['a\n{% if %}', 2, /unexpected token "%}"/],
    ['a\nb\n{{ foo( }}', 3, /unexpected token "}}"/],
    ['{% if x %}\nno end', 1, /{% if %} is missing {% endif %}/],
    ['{% bogus %}', 1, /unknown tag "bogus"/],
    ['\n{% endfor %}', 2, /unexpected {% endfor %}/],
    ['{{ x|nosuchfilter }}', 1, /unknown filter "nosuchfilter"/],
    ['\n\n{{ "open', 3, /unterminated string/],
    ['{{ x', 1, /unterminated {{/],
    ['{# x', 1, /unterminated comment/],
    [`{{ ${'('.repeat(200)}1${')'.repeat(200)} }}`, 1, /nested more than 100 levels deep/],
  ];
  for (const [src, line, message] of cases) {
    const e = errorOf(() => render(src));
    assert.equal(e.kind, 'syntax', src);
    assert.equal(e.entry, ENTRY);
    assert.equal(e.line, line, src);
    assert.match(e.detail, message, src);
  }
});

test('render errors name the innermost entry and its line', () => {
  const e = errorOf(() => render('a\n{{ 1 / 0 }}'));
  assert.deepEqual([e.kind, e.entry, e.line, e.detail], ['render', ENTRY, 2, 'division by zero']);
  const inner = errorOf(() => render('x\n{% include "p" %}', {}, { p: '\n\n{{ nope() }}' }));
  assert.deepEqual([inner.entry, inner.line], ['p', 3]);
  assert.match(inner.detail, /Unable to call `nope`, which is undefined/);
  assert.match(
    errorOf(() => render('{{ strings.ToUpper }}')).detail,
    /cannot render function strings.ToUpper/,
  );
  assert.match(errorOf(() => render('{{ [1] < 2 }}')).detail, /cannot compare array and int/);
  assert.match(errorOf(() => render('{% for x in 3 %}{% endfor %}')).detail, /cannot iterate over int/);
  assert.match(errorOf(() => render('{% include 3 %}')).detail, /include needs an entry name, got int/);
  const cycle = errorOf(() =>
    render('{% include "a" %}', {}, { a: '{% include "b" %}', b: '{% include "a" %}' }),
  );
  assert.equal(cycle.detail, `include cycle: ${ENTRY} → a → b → a`);
});

test('limits are configurable and reported with the limit', () => {
  const out = errorOf(() =>
    render('{% for i in range(100) %}0123456789{% endfor %}', {}, {}, { maxOutputBytes: 512 }),
  );
  assert.deepEqual([out.kind, out.detail], ['limit', 'output exceeds the 512 bytes limit']);
  const steps = errorOf(() => render('{% for i in range(1000) %}{% endfor %}', {}, {}, { maxSteps: 100 }));
  assert.deepEqual([steps.kind, steps.detail], ['limit', 'evaluation exceeds the limit of 100 steps']);
  const range = errorOf(() => render('{{ range(11) }}', {}, {}, { maxRangeItems: 10 }));
  assert.equal(range.detail, 'range of 11 items exceeds the limit of 10');
  const entries = { a: '{% include "b" %}', b: '{% include "c" %}', c: 'deep' };
  assert.equal(render('{% include "a" %}', {}, entries, { maxIncludeDepth: 3 }), 'deep');
  const depth = errorOf(() => render('{% include "a" %}', {}, entries, { maxIncludeDepth: 2 }));
  assert.deepEqual(
    [depth.kind, depth.entry, depth.detail],
    ['limit', 'b', 'include depth exceeds the limit of 2'],
  );
});

test('large but legitimate data renders within the default budget (JSON is charged per item, not per prefix)', () => {
  const items = Array.from({ length: 50_000 }, (_, i) => `item${i}`);
  const out = render('{% set l = big|split(",") %}{{ l }}|{{ l|tojson|length }}|{{ l|join(",")|length }}', {
    big: items.join(','),
  });
  const json = JSON.stringify(items);
  assert.equal(out, `${json}|${json.length}|${items.join(',').length}`);
});

test('whitespace control stays linear on long whitespace runs', () => {
  const spaces = ' '.repeat(200_000);
  const started = Date.now();
  assert.equal(render(`a${spaces}b${spaces}{{- "c" -}}${spaces}d`), `a${spaces}bcd`);
  const ms = Date.now() - started;
  assert.ok(ms < 2000 * timeScale(), `trimming took ${ms} ms`);
});
