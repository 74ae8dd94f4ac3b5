/**
 * @module cli
 * `axle`: one command-line entry with coconut's nouns, verbs, aliases and flags where they exist. It loads only the
 * module of the noun it runs: a first parse against the noun table (src/cli/nouns.ts) finds the noun, a second parse
 * runs the arguments through that noun's real command tree.
 */
import { CommanderError } from 'commander';
import type { CliContext } from './context.ts';
import { ExtraVarsError } from './extra-vars.ts';
import { lazyProgram } from './nouns.ts';
import type { Noun } from './nouns.ts';

/** Runs the CLI; errors are printed as one clear line and set exit status 1 (2 for usage errors). */
export async function main(argv: readonly string[]): Promise<void> {
  const contexts: CliContext[] = [];
  try {
    const chosen = await chooseNoun(argv);
    if (chosen === undefined) return;
    // The context (and the control client it names the endpoint from) loads only for a noun.
    const { contextFactory } = await import('./context.ts');
    const real = { noun: chosen, register: await chosen.load(), context: contextFactory(contexts) };
    await lazyProgram(() => undefined, real).parseAsync([...argv], { from: 'user' });
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    const known = e instanceof ExtraVarsError || (e instanceof Error && /Error$/.test(e.name));
    process.stderr.write(`axle: ${known ? message : `unexpected error: ${message}`}\n`);
    process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

/** The noun `argv` runs, or undefined when the table alone answered (top-level help, errors above the nouns). */
async function chooseNoun(argv: readonly string[]): Promise<Noun | undefined> {
  let chosen: Noun | undefined;
  try {
    await lazyProgram((noun) => (chosen = noun)).parseAsync([...argv], { from: 'user' });
  } catch (e: unknown) {
    // A stand-in asked for its help ends the first parse; the real noun answers in the second.
    if (chosen === undefined) throw e;
  }
  return chosen;
}
