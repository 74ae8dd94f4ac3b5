/**
 * `axle core` (the hub, with embedded defaults: local engine with one agent, the example repository as default
 * repository, the example configuration) and `axle agent` (one per host).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { agentMain } from '../agent/main.ts';
import { parseLimits } from '../common/plan-limits.ts';
import { startCore } from '../server/core.ts';
import type { SlurmCoreOptions } from '../server/core.ts';
import type { CliContext, GlobalFlags } from './context.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface CoreFlags {
  port: string;
  listen: string;
  engine: string;
  slurmConf?: string;
  slurmBin?: string;
  slurmPartition?: string;
  advertise?: string;
  agentCommand?: string;
  nodeStateDir?: string;
  config?: string;
  agentHost: string;
  posing?: string;
  localAgent: boolean;
  example: boolean;
  limit: string[];
  planInProcess?: boolean;
  kafkaEndpoints?: string;
  logLevel: string;
  verbose?: boolean;
}

function kafkaOption(list: string | undefined): { kafkaEndpoints?: string[] } {
  const brokers = (list ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  return brokers.length === 0 ? {} : { kafkaEndpoints: brokers };
}

export function coreCommands(program: Command, context: (flags: GlobalFlags) => CliContext): void {
  program
    .command('core')
    .description(
      'run the core: control API on 127.0.0.1:<port>, environments, and (by default) a local agent',
    )
    .option('--port <port>', 'control API port', '32102')
    .option('--listen <address>', 'address the control API listens on', '127.0.0.1')
    .option('--engine <name>', 'where tasks run: local (agents on this machine) or slurm', 'local')
    .option(
      '--slurm-conf <path>',
      "slurm engine: slurm.conf of the cluster (default: $SLURM_CONF or Slurm's own)",
    )
    .option(
      '--slurm-bin <dir>',
      'slurm engine: folder of salloc, srun, sinfo, squeue, scancel (default: PATH)',
    )
    .option('--slurm-partition <name>', 'slurm engine: use only this partition')
    .option('--advertise <url>', 'slurm engine: the core URL as nodes reach it (default: the listen address)')
    .option(
      '--agent-command <command>',
      'slurm engine: how a node runs the agent, e.g. "node /opt/axle/bin/axle.js agent" (default: this checkout)',
    )
    .option('--node-state-dir <dir>', 'slurm engine: agent state folder on the nodes, {node} = node name')
    .option(
      '--config <uri>',
      'configuration: embedded://<dir> (default: the state directory, seeded from the example configuration), etcd://host:port, apricot://host:port or file:///path.yaml',
    )
    .option('--agent-host <name>', 'host name of the local agent', 'localhost')
    .option('--posing <n>', 'start N agents posing as hosts flp001… (development and benchmarks)')
    .option('--no-local-agent', 'start no agent (agents connect by themselves)')
    .option('--no-example', 'do not register the example repository')
    .option(
      '--kafkaEndpoints <brokers>',
      'publish every event on Kafka (aliecs.* topics), comma-separated host:port (default: $ALIECS_KAFKAENDPOINTS)',
    )
    .option(
      '--log-level <level>',
      'request log: info (changes and failures) or debug (also every read)',
      'info',
    )
    .option('-v, --verbose', 'same as --log-level debug')
    .option(
      '--limit <name=value>',
      'planning limit or budget over its default, e.g. maxTasks=5000 or planTimeoutMs=30000 (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--plan-in-process', 'plan on the core thread (no memory or time budget; debugging)')
    .action(async (flags: CoreFlags, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      if (flags.engine !== 'local' && flags.engine !== 'slurm')
        throw new Error(`--engine: unknown engine ${flags.engine} (local or slurm)`);
      if (flags.logLevel !== 'info' && flags.logLevel !== 'debug')
        throw new Error(`--log-level: unknown level ${flags.logLevel} (info or debug)`);
      const slurm = flags.engine === 'slurm';
      if (flags.example) await registerExample(ctx);
      const posing = flags.posing === undefined ? 0 : Number(flags.posing);
      const agents =
        !flags.localAgent || slurm
          ? []
          : posing > 0
            ? Array.from({ length: posing }, (_, i) => ({ host: `flp${String(i + 1).padStart(3, '0')}` }))
            : [{ host: flags.agentHost }];
      const planLimits = parseLimits(flags.limit);
      const core = await startCore({
        stateDir: ctx.stateDir,
        planLimits,
        ...(flags.planInProcess === true ? { planInProcess: true } : {}),
        port: Number(flags.port),
        host: flags.listen,
        ...kafkaOption(flags.kafkaEndpoints ?? process.env['ALIECS_KAFKAENDPOINTS']),
        ...(slurm ? { slurm: slurmOptions(flags) } : {}),
        config: flags.config ?? `embedded://${join(ctx.stateDir, 'config')}`,
        ...(flags.example ? { seedConfig: join(ROOT, 'examples', 'config.yaml') } : {}),
        localAgents: agents,
        agentsOutliveCore: true,
        compiledAgents: true,
        extraDefaults: { axle_task_bin: join(ROOT, 'examples', 'tasks') },
        jitEnv: { PATH: `${join(ROOT, 'examples', 'jit-tool')}:${process.env['PATH'] ?? ''}` },
        log: (line) => process.stdout.write(`${line}\n`),
        logReads: flags.verbose === true || flags.logLevel === 'debug',
      });
      const engine = slurm
        ? `slurm engine, ${core.cluster?.inventory().length ?? 0} node(s)`
        : `${agents.length} local agent(s)`;
      process.stdout.write(
        `axle core ${core.context.coreId} listening on ${core.url} (state ${ctx.stateDir}); ${engine}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stdout.write('stopping: destroying environments, stopping agents\n');
      await core.stop();
    });
}

function slurmOptions(flags: CoreFlags): SlurmCoreOptions {
  const conf = flags.slurmConf ?? process.env['SLURM_CONF'];
  return {
    ...(conf !== undefined ? { conf } : {}),
    ...(flags.slurmBin !== undefined ? { binDir: flags.slurmBin } : {}),
    ...(flags.slurmPartition !== undefined ? { partition: flags.slurmPartition } : {}),
    ...(flags.advertise !== undefined ? { coreUrl: flags.advertise } : {}),
    ...(flags.agentCommand !== undefined
      ? { agentCommand: flags.agentCommand.split(/\s+/).filter(Boolean) }
      : {}),
    ...(flags.nodeStateDir !== undefined ? { nodeStateDir: flags.nodeStateDir } : {}),
    log: (line) => process.stderr.write(`slurm: ${line}\n`),
  };
}

/** `axle agent …`: the per-host agent (flags as in src/agent/agent-flags.ts: --core, --host, --cpu, --memory, --attr…). */
export function agentCommand(program: Command): void {
  program
    .command('agent')
    .description("run an agent: connects to the core and runs its host's tasks (see --help of the agent)")
    .allowUnknownOption()
    .helpOption(false)
    .argument('[flags...]')
    .action((flags: string[]) => {
      agentMain(flags);
    });
}

/** Makes the example template repository (a git repository in the state directory) the default repository. */
async function registerExample(ctx: CliContext): Promise<void> {
  const info = await ctx.exampleRepo();
  const repos = await ctx.repos();
  if (!info.isDefault) await repos.setDefault(info.id);
}
