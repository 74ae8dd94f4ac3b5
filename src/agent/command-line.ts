/**
 * Turns a task's CommandSpec into what `spawn` needs: file, argv and environment, with the additions that the
 * control mode requires (AliECS `BuildTaskCommand`: `--control-port`, and for fairmq `--id` and `-P OCClite`).
 */
import type { CommandSpec, ControlMode } from './types.ts';

export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
  /** The arguments after the command value (mode additions included). */
  readonly taskArgs: readonly string[];
  /** OCC transport the task speaks: JSON iff the command line contains `-P OCClite` (AliECS rule). */
  readonly transport: 'protobuf' | 'json';
}

/** Quotes one argument for `/bin/sh` (single quotes; plain words stay as they are). */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The arguments with the control-mode additions appended (none for basic/hook). */
export function taskArguments(
  spec: CommandSpec,
  mode: ControlMode,
  taskId: string,
  controlPort: number | undefined,
): string[] {
  const args = [...spec.arguments];
  if (mode === 'fairmq') {
    if (!args.includes('--id') && !spec.value.includes('--id ')) args.push('--id', taskId);
    if (!joined(spec.value, args).includes('-P OCClite')) args.push('-P', 'OCClite');
  }
  if ((mode === 'direct' || mode === 'fairmq') && controlPort !== undefined) {
    args.push('--control-port', String(controlPort));
  }
  return args;
}

/**
 * Builds the command line: `shell` → `/bin/sh -c "<value> <quoted args…>"`, else the value is the executable and the
 * arguments are passed as they are.
 */
export function buildCommandLine(
  spec: CommandSpec,
  mode: ControlMode,
  taskId: string,
  controlPort?: number,
): CommandLine {
  const taskArgs = taskArguments(spec, mode, taskId, controlPort);
  const transport = joined(spec.value, taskArgs).includes('-P OCClite') ? 'json' : 'protobuf';
  if (spec.shell) {
    const script = [spec.value, ...taskArgs.map(shellQuote)].join(' ');
    return { file: '/bin/sh', args: ['-c', script], taskArgs, transport };
  }
  return { file: spec.value, args: taskArgs, taskArgs, transport };
}

/**
 * The task's environment: the agent's own, then `KEY=VALUE` entries of the command (later wins), then
 * `OCC_CONTROL_PORT` for controllable tasks. Entries without `=` set the variable to an empty string.
 */
export function buildTaskEnv(
  agentEnv: Readonly<Record<string, string | undefined>>,
  entries: readonly string[],
  controlPort?: number,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(agentEnv)) if (value !== undefined) env[key] = value;
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq === 0) continue;
    if (eq < 0) env[entry] = '';
    else env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  if (controlPort !== undefined) env['OCC_CONTROL_PORT'] = String(controlPort);
  return env;
}

function joined(value: string, args: readonly string[]): string {
  return [value, ...args].join(' ');
}
