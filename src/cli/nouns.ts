/**
 * The top-level nouns of `axle` as a table: name, aliases and description for the help, and a loader for the module that
 * registers the noun's real command tree. `axle --help` needs the table only; running a noun loads its module alone.
 */
import { Command, Help } from 'commander';
import type { ContextFactory } from './context.ts';

/** Adds one or more nouns with their verbs to the program. */
export type Register = (program: Command, context: ContextFactory) => void;

export interface Noun {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  /** What the help shows after the name (`[options]`, `[flags...]`) as the real command's usage would. */
  readonly usage?: string;
  /** Loads the register function; nouns registered by one function share the same loader. */
  readonly load: () => Promise<Register>;
}

const workflow = async (): Promise<Register> => (await import('./workflow-commands.ts')).workflowCommands;
const repo = async (): Promise<Register> => (await import('./repo-commands.ts')).repoCommands;
const template = async (): Promise<Register> => (await import('./repo-commands.ts')).templateCommands;
const env = async (): Promise<Register> => (await import('./env-commands.ts')).envCommands;
const core = async (): Promise<Register> => (await import('./core-commands.ts')).coreCommands;
const config = async (): Promise<Register> => (await import('./config-commands.ts')).configCommands;
const cluster = async (): Promise<Register> => (await import('./cluster-commands.ts')).clusterCommands;
const agent = async (): Promise<Register> => (await import('./core-commands.ts')).agentCommand;
const security = async (): Promise<Register> => (await import('./security-commands.ts')).securityCommands;

/** In the order of the help (the order in which the register functions add them). */
export const NOUNS: readonly Noun[] = [
  {
    name: 'workflow',
    aliases: ['wf'],
    description: 'plan, lint and explain workflow templates',
    load: workflow,
  },
  { name: 'repository', aliases: ['repo'], description: 'template repositories', load: repo },
  { name: 'template', aliases: ['templ'], description: 'workflow templates', load: template },
  { name: 'environment', aliases: ['env', 'e'], description: 'environments', load: env },
  { name: 'task', aliases: ['t'], description: 'tasks', load: env },
  { name: 'role', aliases: ['r'], description: '', load: env },
  { name: 'info', aliases: [], description: 'core information', load: env },
  {
    name: 'core',
    aliases: [],
    description:
      'run the core: control API on 127.0.0.1:<port>, environments, and (by default) a local agent',
    usage: '[options]',
    load: core,
  },
  {
    name: 'configuration',
    aliases: ['config', 'conf', 'c'],
    description: 'configuration service (Apricot): components, payloads, inventory',
    usage: '[options]',
    load: config,
  },
  { name: 'cluster', aliases: [], description: 'the machines tasks are placed on', load: cluster },
  { name: 'lock', aliases: [], description: 'per-detector locks in the core', load: security },
  {
    name: 'audit',
    aliases: [],
    description: "the core's audit log of changes (newest first)",
    usage: '[options]',
    load: security,
  },
  { name: 'token', aliases: [], description: "the core's token file", load: security },
  {
    name: 'agent',
    aliases: [],
    description: "run an agent: connects to the core and runs its host's tasks (see --help of the agent)",
    usage: '[flags...]',
    load: agent,
  },
];

/** The program without nouns: global options and settings every command inherits. */
export function newProgram(): Command {
  return new Command('axle')
    .description('Axle experiment control system')
    .option('--state-dir <dir>', 'state directory (default: $AXLE_STATE_DIR or ~/.local/state/axle)')
    .option('--json', 'machine-readable output')
    .option('--endpoint <host:port>', 'core control API', '127.0.0.1:32102')
    .showHelpAfterError()
    .exitOverride();
}

/**
 * The program with every noun as a stand-in that only records that it was chosen (`onChosen`, also when its help is
 * asked for) — except the nouns of `real`, registered for real in their place. Help, unknown commands and option errors above the nouns behave as in the
 * full program.
 */
export function lazyProgram(
  onChosen: (noun: Noun) => void,
  real?: { noun: Noun; register: Register; context: ContextFactory },
): Command {
  const program = newProgram();
  const stubs = new Map<Command, Noun>();
  program.configureHelp({
    subcommandTerm: (cmd) => {
      const noun = stubs.get(cmd);
      if (noun === undefined) return Help.prototype.subcommandTerm.call(program.createHelp(), cmd);
      return [[noun.name, ...noun.aliases.slice(0, 1)].join('|'), noun.usage].filter(Boolean).join(' ');
    },
  });
  let registered = false;
  for (const noun of NOUNS) {
    if (real !== undefined && noun.load === real.noun.load) {
      if (!registered) real.register(program, real.context);
      registered = true;
      continue;
    }
    const stub = program
      .command(noun.name)
      .aliases([...noun.aliases])
      .description(noun.description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(() => onChosen(noun));
    // `axle help <noun>` asks the noun for its help directly: answer with the real noun's help.
    stub.outputHelp = () => onChosen(noun);
    stubs.set(stub, noun);
  }
  return program;
}
