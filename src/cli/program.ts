/** The full `axle` program with every command loaded at once (tests inspect it; `axle` itself loads nouns lazily). */
import type { Command } from 'commander';
import { contextFactory } from './context.ts';
import type { CliContext } from './context.ts';
import { newProgram } from './nouns.ts';
import { repoCommands, templateCommands } from './repo-commands.ts';
import { workflowCommands } from './workflow-commands.ts';
import { envCommands } from './env-commands.ts';
import { agentCommand, coreCommands } from './core-commands.ts';
import { configCommands } from './config-commands.ts';
import { clusterCommands } from './cluster-commands.ts';

/** The program; every context its commands create is added to `contexts` (closed by main). */
export function buildProgram(contexts: CliContext[] = []): Command {
  const program = newProgram();
  const context = contextFactory(contexts);
  workflowCommands(program, context);
  repoCommands(program, context);
  templateCommands(program, context);
  envCommands(program, context);
  coreCommands(program, context);
  configCommands(program, context);
  clusterCommands(program, context);
  agentCommand(program);
  return program;
}
