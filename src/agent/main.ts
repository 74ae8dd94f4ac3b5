/**
 * @module The agent process: `node --import tsx src/agent/main.ts --core 127.0.0.1:32102 --host flp001 …`
 * (flags in agent-flags.ts). On SIGTERM/SIGINT it ends every task's process group and exits; on any exit, crashes
 * included, remaining groups are SIGKILLed synchronously, so tasks never outlive the agent. When the core refuses
 * every agent of the process (another agent already serves the host), it prints the core's reason and exits with
 * status REFUSED_EXIT_CODE instead of retrying.
 */
import { pathToFileURL } from 'node:url';
import { AGENT_USAGE, FlagError, parseAgentFlags } from './agent-flags.ts';
import type { AgentFlags } from './agent-flags.ts';
import { PortRangeError } from './ephemeral-ports.ts';
import { PortAllocator } from './port-allocator.ts';
import { mkdirPrivate } from './private-files.ts';
import { terminateGroup, trackedGroups } from './process-group.ts';
import { startHeapTrim } from './heap-trim.ts';
import { startReaper } from './reaper.ts';
import { runAgents } from './run-agent.ts';
import { watchSlurmd } from './slurmd-watch.ts';
import type { RunningAgents } from './run-agent.ts';

/** Signal timings at agent shutdown: quick enough to finish before a supervisor's SIGKILL (5 s). */
const SHUTDOWN_KILL = { termWaitMs: 1000, intWaitMs: 500, killWaitMs: 500 } as const;
const PARENT_POLL_MS = 500;
/** Exit status of an agent process whose agents the core all refused. */
export const REFUSED_EXIT_CODE = 3;

/** Starts the agents described by `argv`, with process-level signal handling (undefined after a usage error). */
export function agentMain(argv: readonly string[]): RunningAgents | undefined {
  let flags: AgentFlags;
  let ports: PortAllocator;
  try {
    flags = parseAgentFlags(argv);
    ports = new PortAllocator({
      ...(flags.controlPorts === undefined ? {} : { control: flags.controlPorts }),
      ...(flags.tcpPorts === undefined ? {} : { tcp: flags.tcpPorts }),
    });
  } catch (error: unknown) {
    if (!(error instanceof FlagError) && !(error instanceof PortRangeError)) throw error;
    process.stderr.write(`${error.message}\n${error instanceof FlagError ? `${AGENT_USAGE}\n` : ''}`);
    process.exitCode = 2;
    return undefined;
  }
  mkdirPrivate(flags.stateDir);
  startReaper(flags.stateDir);
  startHeapTrim();
  const shutdown = once((why: string, code?: number) => void stopAndExit(why, code ?? 0));
  const refused = new Set<string>();
  const onRefused = (host: string): void => {
    refused.add(host);
    if (refused.size === flags.agents.length) shutdown('refused by the core', REFUSED_EXIT_CODE);
  };
  const running = runAgents(flags.agents, flags.coreUrl, {
    stateDir: flags.stateDir,
    simulatedOnly: flags.simulatedOnly,
    ...(flags.scope === undefined ? {} : { scope: flags.scope }),
    ...(flags.advertiseAddress === undefined ? {} : { advertiseAddress: flags.advertiseAddress }),
    ports,
    ...(flags.exitWithCore ? { onDisconnect: () => shutdown('core stream lost') } : {}),
    onRefused,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal));
  if (flags.exitWithParent) watchParent(() => shutdown('parent process gone'));
  if (flags.exitWithSlurmd) watchNodeSlurmd(flags.agents[0]?.host ?? '', shutdown);
  process.stderr.write(
    `agent ${flags.agents.map((a) => a.host).join(',')} (pid ${process.pid}) → ${flags.coreUrl}\n`,
  );
  return running;
}

/** Ends every task process group quickly and exits (a second signal exits at once; the exit hook kills the rest). */
async function stopAndExit(why: string, code: number): Promise<void> {
  process.stderr.write(`agent stopping: ${why}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(1));
  await Promise.all(trackedGroups().map((pgid) => terminateGroup(pgid, SHUTDOWN_KILL)));
  process.exit(code);
}

/** Ends the agent when its node's slurmd exits; says so when no slurmd of the node is visible. */
function watchNodeSlurmd(host: string, shutdown: (why: string) => void): void {
  const node = process.env['SLURMD_NODENAME'] ?? host;
  const watching = watchSlurmd(node, (pid) => shutdown(`the slurmd of ${node} (pid ${pid}) is gone`));
  if (watching === undefined) process.stderr.write(`no slurmd of ${node} visible here: not watching it\n`);
}

function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) onGone();
  }, PARENT_POLL_MS).unref();
}

function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  agentMain(process.argv.slice(2));
}
