/** The noun table behind the lazy `axle` against the full program: same nouns, same help, noun by noun. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextFactory } from './context.ts';
import { lazyProgram, NOUNS } from './nouns.ts';
import { buildProgram } from './program.ts';

const full = buildProgram();
const fullNouns = full.commands.filter((c) => c.name() !== 'help');

test('the noun table lists the nouns of the full program, in order, with their aliases and descriptions', () => {
  assert.deepEqual(
    NOUNS.map((n) => [n.name, n.aliases, n.description]),
    fullNouns.map((c) => [c.name(), c.aliases(), c.description()]),
  );
});

test('the top-level help from the table alone is the full program help', () => {
  assert.equal(lazyProgram(() => undefined).helpInformation(), full.helpInformation());
});

test('with one noun loaded for real, the program and that noun answer as in the full program', async () => {
  for (const noun of NOUNS) {
    const program = lazyProgram(() => undefined, {
      noun,
      register: await noun.load(),
      context: contextFactory([]),
    });
    assert.equal(
      program.helpInformation(),
      full.helpInformation(),
      `top-level help with ${noun.name} loaded`,
    );
    const real = program.commands.find((c) => c.name() === noun.name);
    const expected = fullNouns.find((c) => c.name() === noun.name);
    assert.ok(real !== undefined && expected !== undefined, noun.name);
    assert.equal(real.helpInformation(), expected.helpInformation(), `help of ${noun.name}`);
    assert.deepEqual(
      real.commands.map((c) => c.name()),
      expected.commands.map((c) => c.name()),
      `verbs of ${noun.name}`,
    );
  }
});

test('the first parse only chooses the noun: stand-ins record it for runs and for help', async () => {
  const chosen: string[] = [];
  const program = (): ReturnType<typeof lazyProgram> =>
    lazyProgram((n) => chosen.push(n.name)).configureOutput({ writeOut: () => {}, writeErr: () => {} });
  await program().parseAsync(['--json', 'env', 'list', '--bogus'], { from: 'user' });
  await program().parseAsync(['conf', 'show', 'x', '--help'], { from: 'user' });
  await assert.rejects(program().parseAsync(['help', 'task'], { from: 'user' }));
  await assert.rejects(program().parseAsync(['nosuchnoun'], { from: 'user' }), /unknown command/);
  assert.deepEqual(chosen, ['environment', 'configuration', 'task']);
});
