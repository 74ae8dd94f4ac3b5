/**
 * The README and docs/ are what a user of a clone has: every relative link resolves inside the repository, nothing
 * points outside it, and every `npx axle …` command they show names a real command with options it accepts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AGENT_USAGE } from '../agent/agent-flags.ts';
import { buildProgram } from './program.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => join('docs', f))].filter((f) =>
  f.endsWith('.md'),
);

test('README and docs link only to files inside the repository', () => {
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    assert.doesNotMatch(text, /\.\.\/shared/, `${doc} points to ../shared, which a clone does not have`);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
      if (target === undefined || /^[a-z]+:/.test(target)) continue;
      const file = resolve(ROOT, dirname(doc), target);
      assert.ok(file.startsWith(ROOT + '/'), `${doc}: link ${target} leaves the repository`);
      assert.ok(existsSync(file), `${doc}: link ${target} does not resolve (${file})`);
    }
  }
});

test('every `npx axle` command in the README exists and accepts the options shown', () => {
  const program = buildProgram();
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .map((l) => /^\s*npx axle (.*)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  assert.ok(lines.length > 10, `expected the README to show commands, found ${lines.length}`);
  for (const line of lines) checkCommand(program, line);
});

function checkCommand(program: Command, line: string): void {
  const words = line
    .replace(/#.*$/, '')
    .replace(/\\$/, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  let command = program;
  const known = new Set(optionNames(program));
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub !== undefined && !word.startsWith('-')) {
      command = sub;
      for (const o of optionNames(sub)) known.add(o);
      continue;
    }
    const flag = /^(--?[A-Za-z][\w-]*)/.exec(word.replace(/^\[/, ''))?.[1];
    if (flag !== undefined)
      assert.ok(known.has(flag), `README: \`axle ${line}\`: ${command.name()} has no option ${flag}`);
  }
  assert.notEqual(command, program, `README: \`axle ${line}\` names no command`);
}

function optionNames(c: Command): string[] {
  // `axle agent` hands its arguments to the agent's own parser, whose usage lists its flags.
  if (c.name() === 'agent') return [...AGENT_USAGE.matchAll(/--[\w-]+/g)].map((m) => m[0]);
  return c.options
    .flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined))
    .concat('--help', '-h');
}
