/**
 * Escape attempts against payload rendering: none may reach the host language (prototypes, constructors,
 * globals, the process) or run unbounded; each answers an error or empty text quickly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../common/config-source.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { ApricotError } from './apricot-error.ts';
import { ApricotService } from './apricot-service.ts';
import { MemoryConfigStore } from './memory-store.ts';
import { PayloadRenderer } from './payload-renderer.ts';

const PID = String(process.pid);
const ENTRY = 'qc/ANY/any/x';
/** Any single escape attempt, even the ones that spend the whole default budget, ends within this. */
const BOUND_MS = 10_000 * timeScale();

type Outcome = { readonly text: string } | { readonly error: string };

function attempt(payload: string, extra: Record<string, string> = {}): Outcome {
  const payloads: Record<string, string> = { [ENTRY]: payload, ...extra };
  const renderer = new PayloadRenderer({ lookup: (p) => payloads[p], newUid: () => 'UID1' });
  const started = Date.now();
  try {
    return { text: renderer.render(ENTRY, { x: 'abc', hosts: '["a","b"]' }) };
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${String(e)}`);
    return { error: e.message };
  } finally {
    const ms = Date.now() - started;
    assert.ok(
      ms < BOUND_MS,
      `rendering ${JSON.stringify(payload.slice(0, 80))} took ${ms} ms (bound ${BOUND_MS} ms)`,
    );
    assert.equal((globalThis as Record<string, unknown>)['pwned'], undefined, 'no code ran');
  }
}

function assertEmpty(payload: string): void {
  assert.deepEqual(attempt(payload), { text: '' }, payload);
}

function assertRefused(payload: string, message: RegExp, extra: Record<string, string> = {}): void {
  const out = attempt(payload, extra);
  assert.ok('error' in out, `${payload} must fail, rendered ${JSON.stringify(out)}`);
  assert.ok(!out.error.includes(PID) || PID.length < 3, out.error);
  assert.match(out.error, message, payload);
}

test('prototype walks find nothing: constructor, __proto__, prototype, toString are missing', () => {
  for (const p of [
    '{{ x.constructor }}',
    '{{ x["constructor"] }}',
    '{{ x.__proto__ }}',
    '{{ x["__proto__"]["constructor"] }}',
    '{{ x.toString }}',
    '{{ x.length }}',
    '{{ strings.prototype }}',
    '{{ strings.constructor }}',
    '{{ util["PrefixedOverride"]["constructor"] }}',
    '{{ util.PrefixedOverride.fn }}',
    '{{ util.PrefixedOverride.name }}',
    '{{ strings.ToUpper.call }}',
    '{{ [].constructor }}',
    '{{ ({}).constructor }}',
    '{{ {"a": 1}.__proto__ }}',
    '{{ json.Unmarshal(hosts).constructor }}',
    '{{ json.Unmarshal("{}").hasOwnProperty }}',
    '{% set d = {"__proto__": range} %}{{ d.constructor }}{{ d.__proto__.constructor }}',
    '{% for i in [1] %}{{ loop.constructor }}{{ forloop.__proto__ }}{% endfor %}',
    '{{ constructor }}{{ __proto__ }}{{ toString }}{{ valueOf }}{{ hasOwnProperty }}',
    '{{ (nope|default(range)).constructor }}',
    '{{ (x|upper).constructor }}',
    '{{ range(1).constructor }}',
  ])
    assertEmpty(p);
});

test('a variable named __proto__ is an ordinary variable, not a prototype', () => {
  const renderer = new PayloadRenderer({ lookup: () => '{{ __proto__ }}|{{ constructor }}|{{ x }}' });
  assert.equal(renderer.render(ENTRY, { ['__proto__']: 'p', x: 'x' }), 'p||x');
});

test('globals of the host are unreachable: globalThis, process, require, this', () => {
  assertEmpty('{{ globalThis }}{{ process }}{{ this }}{{ require }}{{ module }}{{ global }}{{ Function }}');
  assertEmpty('{{ process.pid }}{{ process.env }}{{ this.constructor }}{{ globalThis.process }}');
  assertRefused('{{ require("child_process") }}', /Unable to call `require`, which is undefined/);
  assertRefused('{{ Function("return process.pid")() }}', /Unable to call `Function`, which is undefined/);
});

test('calling anything but a whitelisted helper is refused, never executed', () => {
  const cases: [string, RegExp][] = [
    [
      '{{ range.constructor("return process.pid")() }}',
      /Unable to call `range.constructor`, which is undefined/,
    ],
    [
      '{{ "".constructor.constructor("return process")() }}',
      /Unable to call `expression.constructor.constructor`/,
    ],
    [
      '{{ x.constructor.constructor("globalThis.pwned = 1")() }}',
      /Unable to call `x.constructor.constructor`/,
    ],
    [
      '{% for i in [1] %}{{ loop.constructor.constructor("return process.pid")() }}{% endfor %}',
      /Unable to call/,
    ],
    [
      '{{ (nope|default(range)).constructor("return process.pid")() }}',
      /Unable to call `expression.constructor`/,
    ],
    [
      '{{ util.PrefixedOverride.constructor("return process.pid")() }}',
      /Unable to call `util.PrefixedOverride.constructor`/,
    ],
    ['{{ strings.ToUpper.apply(none, ["x"]) }}', /Unable to call `strings.ToUpper.apply`/],
    ['{{ x.toUpperCase() }}', /Unable to call `x.toUpperCase`, which is undefined/],
    ['{{ x() }}', /Unable to call `x`, which is a string, not a helper function/],
    ['{{ toString() }}', /Unable to call `toString`, which is undefined/],
    ['{{ strings() }}', /Unable to call `strings`, which is a map/],
    ['{{ x|constructor }}', /template syntax error in qc\/ANY\/any\/x line 1: unknown filter "constructor"/],
    ['{{ x|__proto__ }}', /unknown filter "__proto__"/],
    ['{{ nope|default(range) }}', /cannot render function range as text/],
  ];
  for (const [p, message] of cases) assertRefused(p, message);
  assert.deepEqual(
    attempt('{{ util.PrefixedOverride("constructor", "x") }}{{ PrefixedOverride("toString", "x") }}'),
    {
      text: '',
    },
  );
});

test('huge loops stop at the step limit', () => {
  assertRefused(
    '{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}',
    /^template error in qc\/ANY\/any\/x line 1: evaluation exceeds the limit of 1000000 steps$/,
  );
  assertRefused(
    'a\n{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}',
    /line 2: evaluation exceeds the limit of 1000000 steps/,
  );
  assertRefused('{{ range(1000000000)|length }}', /range of 1000000000 items exceeds the limit of 100000/);
});

test('huge strings and structures are refused before they are built', () => {
  assertRefused(
    '{% set s = "xxxxxxxx" %}\n{% for i in range(64) %}\n{% set s = s ~ s %}\n{% endfor %}{{ s }}',
    /^template error in qc\/ANY\/any\/x line 3: text of 16777216 characters exceeds the 8 MiB output limit$/,
  );
  assertRefused(
    '{% set s = x + x %}{{ s * 100000000000 }}',
    /text of 600000000000 characters exceeds the 8 MiB/,
  );
  assertRefused('{{ "ab" * 5000000 }}', /text of 10000000 characters exceeds the 8 MiB output limit/);
  const doubling = '{% set l = [1] %}' + '{% set l = [l, l] %}'.repeat(60);
  assertRefused(`${doubling}{{ l }}`, /evaluation exceeds the limit of 1000000 steps/);
  assertRefused(`${doubling}{{ json.Marshal(l) }}`, /evaluation exceeds the limit of 1000000 steps/);
  assertRefused(`${doubling}{{ l|join(",") }}`, /limit/);
  assertRefused(
    '{% set l = [1] %}{% for i in range(60) %}{% set l = l + l %}{% endfor %}',
    /limit of 1000000 steps/,
  );
  assertRefused(
    '{% set s = "0123456789abcdef" * 100000 %}{% for i in range(10) %}{{ s }}{% endfor %}',
    /output exceeds the 8 MiB limit/,
  );
  assertRefused(
    '{% set s = "abcdefghijklmnopqrstuvwxyz" * 300000 %}{{ s|replace("a", "aaaa") }}',
    /text of 8700000 characters exceeds the 8 MiB output limit/,
  );
});

test('helpers stay linear on hostile input', () => {
  const out = attempt('{% set q = "\\"" * 2000000 %}{{ strings.TrimQuotes(q ~ "x" ~ q ~ "y") }}');
  assert.deepEqual(out, { text: `x${'"'.repeat(2_000_000)}y` });
});

test('include recursion: cycles and depth are refused', () => {
  assertRefused('{% include "x" %}', /include cycle: qc\/ANY\/any\/x → qc\/ANY\/any\/x/);
  assertRefused(
    '{% include "a" %}',
    /include cycle: .* → qc\/ANY\/any\/a → qc\/ANY\/any\/b → qc\/ANY\/any\/a/,
    {
      'qc/ANY/any/a': '{% include "b" %}',
      'qc/ANY/any/b': '{% include "a" %}',
    },
  );
  const chain: Record<string, string> = {};
  for (let i = 0; i < 40; i++) chain[`qc/ANY/any/d${i}`] = `{% include "d${i + 1}" %}`;
  chain['qc/ANY/any/d40'] = 'bottom';
  assertRefused(
    '{% include "d0" %}',
    /^template error in qc\/ANY\/any\/d31 line 1: include depth exceeds the limit of 32$/,
    chain,
  );
  assertRefused(
    '{% include "../../../etc/passwd" %}{% include "/etc/passwd" %}',
    /no payload at configuration path/,
  );
});

test('through the Apricot service: a stored PID exploit is refused by processTemplate', async () => {
  const store = new MemoryConfigStore({ 'o2/components/qc/ANY/any/seed': 'seed' });
  const apricot = new ApricotService(store, { hostname: 'h', newUid: () => 'UID1' });
  const query = { component: 'qc', runType: 'ANY', role: 'any', entry: 'exploit' };
  const exploit =
    'pid={{ range.constructor("return process.pid")() }}\n{{ x.constructor.constructor("return process")().pid }}';
  await apricot.importComponentConfiguration(query, exploit, false);
  const raw = await apricot.getComponentConfiguration({ path: 'qc/ANY/any/exploit' }, false);
  assert.equal(raw.payload, exploit);
  let refused: unknown;
  try {
    const out = await apricot.getComponentConfiguration({ path: 'qc/ANY/any/exploit' }, true, { x: 'a' });
    assert.fail(`rendered ${JSON.stringify(out.payload)}`);
  } catch (e) {
    refused = e;
  }
  assert.ok(refused instanceof ApricotError, String(refused));
  assert.equal(refused.code, 'failed_precondition');
  assert.equal(
    refused.message,
    'template error in qc/ANY/any/exploit line 1: Unable to call `range.constructor`, which is undefined',
  );
  await apricot.importComponentConfiguration(query, 'pid={{ x.constructor }}{{ process.pid }}.', false);
  const harmless = await apricot.getComponentConfiguration({ path: 'qc/ANY/any/exploit' }, true, { x: 'a' });
  assert.equal(harmless.payload, 'pid=.');
});

test('through the Apricot service: payload limits are configurable and name the entry, line and limit', async () => {
  const store = new MemoryConfigStore({
    'o2/components/qc/ANY/any/big': 'header\n{% for i in range(1000) %}0123456789{% endfor %}',
  });
  const apricot = new ApricotService(store, { hostname: 'h', payloadLimits: { maxOutputBytes: 4096 } });
  let refused: unknown;
  try {
    await apricot.getComponentConfiguration({ path: 'qc/ANY/any/big' }, true);
  } catch (e) {
    refused = e;
  }
  assert.ok(refused instanceof ApricotError, String(refused));
  assert.equal(refused.message, 'template error in qc/ANY/any/big line 2: output exceeds the 4 KiB limit');
  const defaults = new ApricotService(store, { hostname: 'h' });
  const out = await defaults.getComponentConfiguration({ path: 'qc/ANY/any/big' }, true);
  assert.equal(out.payload.length, 'header\n'.length + 10_000);
});

test('scanning big text repeatedly is charged per KiB, so loops over it stop at the step limit', () => {
  const big = '{% set big = "0123456789abcdef" * 500000 %}';
  for (const body of [
    '{{ "z" in big }}',
    '{{ big == big ~ "" }}',
    '{{ big|int }}',
    '{{ json.Unmarshal(big) }}',
    '{{ strings.TrimSpace(big)|length }}',
  ]) {
    assertRefused(
      `${big}{% for i in range(100000) %}${body}{% endfor %}`,
      /evaluation exceeds the limit of 1000000 steps/,
    );
  }
});

test('filters over a big map are charged for its size, so loops over them stay bounded', () => {
  const map = JSON.stringify(Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i])));
  const loop = (body: string) =>
    `{% set m = json.Unmarshal(map) %}{% for i in range(100000) %}${body}{% endfor %}{{ m|length }}`;
  for (const [body, outcome] of [
    ['{{ m|length }}', /evaluation exceeds the limit of 1000000 steps/],
    ['{{ m|keys|length }}', /evaluation exceeds the limit of 1000000 steps/],
    ['{% if m %}{% endif %}{% if not m %}{% endif %}', '200000'],
  ] as const) {
    const renderer = new PayloadRenderer({ lookup: () => loop(body) });
    const started = Date.now();
    if (typeof outcome === 'string') assert.equal(renderer.render(ENTRY, { map }), outcome);
    else assert.throws(() => renderer.render(ENTRY, { map }), outcome);
    assert.ok(Date.now() - started < BOUND_MS, `${body} took ${Date.now() - started} ms`);
  }
});
