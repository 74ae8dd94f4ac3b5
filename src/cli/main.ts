/**
 * @module cli
 * `axle`: one command-line entry with coconut's nouns, verbs, aliases and flags where they exist.
 */
import { Command, CommanderError } from 'commander';
import { CliContext } from './context.ts';
import type { GlobalFlags } from './context.ts';
import { ExtraVarsError } from './extra-vars.ts';
import { repoCommands, templateCommands } from './repo-commands.ts';
import { workflowCommands } from './workflow-commands.ts';
import { envCommands } from './env-commands.ts';
import { agentCommand, coreCommands } from './core-commands.ts';
import { configCommands } from './config-commands.ts';
import { clusterCommands } from './cluster-commands.ts';
import { securityCommands } from './security-commands.ts';

/** The program; every context its commands create is added to `contexts` (closed by main). */
export function buildProgram(contexts: CliContext[] = []): Command {
  const program = new Command('axle')
    .description('Axle experiment control system')
    .option('--state-dir <dir>', 'state directory (default: $AXLE_STATE_DIR or ~/.local/state/axle)')
    .option('--json', 'machine-readable output')
    .option('--endpoint <host:port>', 'core control API', '127.0.0.1:32102')
    .showHelpAfterError()
    .exitOverride();
  const context = (flags: GlobalFlags): CliContext => {
    const c = new CliContext(flags);
    contexts.push(c);
    return c;
  };
  workflowCommands(program, context);
  repoCommands(program, context);
  templateCommands(program, context);
  envCommands(program, context);
  coreCommands(program, context);
  configCommands(program, context);
  clusterCommands(program, context);
  securityCommands(program, context);
  agentCommand(program);
  return program;
}

/** Runs the CLI; errors are printed as one clear line and set exit status 1 (2 for usage errors). */
export async function main(argv: readonly string[]): Promise<void> {
  const contexts: CliContext[] = [];
  try {
    await buildProgram(contexts).parseAsync([...argv], { from: 'user' });
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
