/** Command-line flags of the agent process (`axle agent …`, `node src/agent/main.ts …`). */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parsePortRange } from '../common/ports.ts';
import type { PortRange } from '../common/ports.ts';
import { posingHosts } from './run-agent.ts';
import type { AgentSpec } from './run-agent.ts';

export interface AgentFlags {
  readonly coreUrl: string;
  readonly agents: readonly AgentSpec[];
  readonly stateDir: string;
  readonly simulatedOnly: boolean;
  readonly controlPorts?: PortRange;
  readonly tcpPorts?: PortRange;
  /** Exit when the core stream drops (instead of reconnecting). */
  readonly exitWithCore: boolean;
  /** Exit when the parent process goes away (agents started by a local engine). */
  readonly exitWithParent: boolean;
  /** Exit, ending the tasks, when the slurmd of the agent's node exits (agents started as Slurm job steps). */
  readonly exitWithSlurmd: boolean;
  /** `--scope`: the environment id every agent of the process serves alone (cluster engines); absent: any. */
  readonly scope?: string;
  /** `--advertise-address`: host part of the TCP channel addresses the agents report (default 127.0.0.1). */
  readonly advertiseAddress?: string;
}

export const AGENT_USAGE = `usage: agent --core host:port [--host name]... [--posing N] [--cpu N] [--memory MB]
  [--attr k=v]... [--agents-json '[{"host":..,"cpu":..,"memoryMb":..,"attributes":{..}}]'] [--state-dir dir]
  [--simulated-only] [--control-ports a-b] [--tcp-ports a-b] [--exit-with-core] [--exit-with-parent]
  [--exit-with-slurmd] [--scope envId] [--advertise-address addr]
  --scope: serve this environment only (agents a cluster engine starts per environment)
  --advertise-address: host that peers dial for the TCP channels of tasks (default 127.0.0.1)`;

/** Thrown for bad flags; the message says which. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/**
 * Parses the flags. Agents: each `--host`, then `--posing N` hosts flp001…, then `--agents-json` entries; with none
 * of them, one agent named after `AXLE_HOST` or `localhost`. `--cpu/--memory/--attr` apply to the `--host` and
 * `--posing` agents. @throws FlagError
 */
export function parseAgentFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentFlags {
  const { values } = parseFlags(argv);
  if (values.core === undefined) throw new FlagError('--core host:port is required');
  const base = { ...numberFlag('cpu', values.cpu), ...numberFlag('memoryMb', values.memory) };
  const attributes = parseAttributes(values.attr ?? []);
  const hosts = [...(values.host ?? []), ...posingHosts(integer('--posing', values.posing ?? '0'))];
  const agents: AgentSpec[] = hosts.map((host) => ({ host, ...base, attributes }));
  if (values['agents-json'] !== undefined) agents.push(...parseAgentsJson(values['agents-json']));
  if (agents.length === 0) agents.push({ host: env['AXLE_HOST'] ?? 'localhost', ...base, attributes });
  return {
    coreUrl: values.core,
    agents,
    stateDir: resolve(values['state-dir'] ?? env['AXLE_STATE_DIR'] ?? defaultStateDir(env)),
    simulatedOnly: values['simulated-only'] ?? false,
    ...rangeFlag('controlPorts', '--control-ports', values['control-ports']),
    ...rangeFlag('tcpPorts', '--tcp-ports', values['tcp-ports']),
    exitWithCore: values['exit-with-core'] ?? false,
    exitWithParent: values['exit-with-parent'] ?? false,
    exitWithSlurmd: values['exit-with-slurmd'] ?? false,
    ...textFlag('scope', '--scope', values.scope),
    ...textFlag('advertiseAddress', '--advertise-address', values['advertise-address']),
  };
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        core: { type: 'string' },
        host: { type: 'string', multiple: true },
        posing: { type: 'string' },
        cpu: { type: 'string' },
        memory: { type: 'string' },
        attr: { type: 'string', multiple: true },
        'agents-json': { type: 'string' },
        'state-dir': { type: 'string' },
        'simulated-only': { type: 'boolean' },
        'control-ports': { type: 'string' },
        'tcp-ports': { type: 'string' },
        'exit-with-core': { type: 'boolean' },
        'exit-with-parent': { type: 'boolean' },
        'exit-with-slurmd': { type: 'boolean' },
        scope: { type: 'string' },
        'advertise-address': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error: unknown) {
    throw new FlagError(error instanceof Error ? error.message : String(error));
  }
}

function parseAttributes(entries: readonly string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new FlagError(`--attr expects key=value, got '${entry}'`);
    attributes[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return attributes;
}

function parseAgentsJson(text: string): AgentSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FlagError('--agents-json is not valid JSON');
  }
  if (!Array.isArray(parsed) || !parsed.every(isAgentSpec)) {
    throw new FlagError('--agents-json must be a list of {host, cpu?, memoryMb?, attributes?}');
  }
  return parsed;
}

function isAgentSpec(value: unknown): value is AgentSpec {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const attrs = v['attributes'];
  return (
    typeof v['host'] === 'string' &&
    v['host'] !== '' &&
    (v['cpu'] === undefined || typeof v['cpu'] === 'number') &&
    (v['memoryMb'] === undefined || typeof v['memoryMb'] === 'number') &&
    (attrs === undefined ||
      (typeof attrs === 'object' &&
        attrs !== null &&
        Object.values(attrs).every((a) => typeof a === 'string')))
  );
}

function numberFlag<K extends string>(key: K, text: string | undefined): Partial<Record<K, number>> {
  if (text === undefined) return {};
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new FlagError(`--${key === 'memoryMb' ? 'memory' : key}: not a number`);
  return { [key]: n } as Partial<Record<K, number>>;
}

function integer(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new FlagError(`${flag}: not a non-negative integer`);
  return n;
}

function rangeFlag<K extends string>(
  key: K,
  flag: string,
  text: string | undefined,
): Partial<Record<K, PortRange>> {
  if (text === undefined) return {};
  const range = parsePortRange(text);
  if (range === undefined) throw new FlagError(`${flag}: expected first-last within 1-65535`);
  return { [key]: range } as Partial<Record<K, PortRange>>;
}

/** A string flag that may not be blank when given. */
function textFlag<K extends string>(
  key: K,
  flag: string,
  text: string | undefined,
): Partial<Record<K, string>> {
  if (text === undefined) return {};
  if (text.trim() === '' || /\s/.test(text)) throw new FlagError(`${flag}: expected a non-empty word`);
  return { [key]: text } as Partial<Record<K, string>>;
}

function defaultStateDir(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'axle');
}
