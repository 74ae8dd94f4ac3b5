/**
 * Task templates (`tasks/<name>.yaml`): what a task is — control mode, command, resources, channels, properties and
 * constraints. Parsed without evaluation; every templatable string keeps its location.
 */
import { CONTROL_MODES } from '../common/plan.ts';
import type { ControlMode } from '../common/plan.ts';
import { getEntry } from '../template/yaml-tree.ts';
import type { YMap, YNode } from '../template/yaml-tree.ts';
import { readChannels } from './channel-template.ts';
import type { ChannelTemplate } from './channel-template.ts';
import { readConstraints } from './role-template.ts';
import type { ConstraintTemplate } from './role-template.ts';
import { readList, readMap, readString, readVarMap } from './yaml-read.ts';
import type { Located, ReadContext, VarItem } from './yaml-read.ts';

export interface CommandTemplate {
  readonly value?: Located;
  readonly arguments: readonly Located[];
  readonly env: readonly Located[];
  readonly shell?: Located;
  readonly user?: Located;
  readonly stdout?: Located;
  readonly stderr?: Located;
}

export interface TaskTemplate {
  readonly file: string;
  readonly name: string;
  readonly control: Exclude<ControlMode, 'hook'>;
  readonly defaults: readonly VarItem[];
  readonly vars: readonly VarItem[];
  readonly wants: { readonly cpu?: Located; readonly memory?: Located; readonly ports?: Located };
  readonly limits: { readonly cpu?: Located; readonly memory?: Located };
  readonly bind: readonly ChannelTemplate[];
  readonly connect: readonly ChannelTemplate[];
  readonly properties: readonly VarItem[];
  readonly constraints: readonly ConstraintTemplate[];
  readonly command: CommandTemplate;
}

const TOP_KEYS = [
  'name',
  'control',
  'defaults',
  'vars',
  'wants',
  'limits',
  'bind',
  'connect',
  'properties',
  'constraints',
  'command',
];
const COMMAND_KEYS = ['env', 'shell', 'user', 'arguments', 'value', 'stdout', 'stderr', 'log'];

/** Parses a task template; `expectedName` (from the file name) must equal `name`. */
export function readTaskTemplate(
  root: YNode,
  expectedName: string,
  ctx: ReadContext,
): TaskTemplate | undefined {
  const map = readMap(root, TOP_KEYS, ctx, 'task template');
  if (map === undefined) return undefined;
  const name = readString(map, 'name', ctx, true);
  if (name !== undefined && name.text !== expectedName) {
    ctx.error(
      name,
      'name_mismatch',
      `task template name "${name.text}" must equal its file name "${expectedName}"`,
    );
  }
  const connect = readChannels(readList(map, 'connect', ctx), 'connect', ctx);
  for (const c of connect) {
    if (c.fields.target !== undefined)
      ctx.warn(
        c.fields.target,
        'channel_target',
        'targets of connect channels in task templates are ignored; set them in the workflow',
      );
  }
  return {
    file: ctx.file,
    name: expectedName,
    control: readControlMode(map, ctx),
    defaults: readVarMap(map, 'defaults', ctx),
    vars: readVarMap(map, 'vars', ctx),
    wants: readResources(map, 'wants', ['cpu', 'memory', 'ports'], ctx),
    limits: readResources(map, 'limits', ['cpu', 'memory'], ctx),
    bind: readChannels(readList(map, 'bind', ctx), 'bind', ctx),
    connect,
    properties: readVarMap(map, 'properties', ctx),
    constraints: readConstraints(readList(map, 'constraints', ctx), ctx),
    command: readCommand(map, ctx),
  };
}

function readControlMode(map: YMap, ctx: ReadContext): Exclude<ControlMode, 'hook'> {
  const node = getEntry(map, 'control');
  if (node === undefined) return 'direct';
  const control = readMap(node, ['mode'], ctx, 'control');
  const mode = control === undefined ? undefined : readString(control, 'mode', ctx);
  if (mode === undefined || mode.text === '') return 'direct';
  const allowed = CONTROL_MODES.filter((m) => m !== 'hook');
  const found = allowed.find((m) => m === mode.text);
  if (found === undefined)
    ctx.error(mode, 'invalid_value', `unknown control mode "${mode.text}" (one of ${allowed.join(', ')})`);
  return found ?? 'direct';
}

function readResources<K extends string>(
  map: YMap,
  key: string,
  keys: readonly K[],
  ctx: ReadContext,
): Partial<Record<K, Located>> {
  const node = getEntry(map, key);
  if (node === undefined) return {};
  const m = readMap(node, keys, ctx, key);
  if (m === undefined) return {};
  const out: Partial<Record<K, Located>> = {};
  for (const k of keys) {
    const v = readString(m, k, ctx);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function readCommand(map: YMap, ctx: ReadContext): CommandTemplate {
  const node = getEntry(map, 'command');
  const m = node === undefined ? undefined : readMap(node, COMMAND_KEYS, ctx, 'command');
  if (m === undefined) return { arguments: [], env: [] };
  const strings = (key: string): Located[] =>
    readList(m, key, ctx).flatMap((item) => {
      if (item.kind === 'scalar') return [{ text: item.text, path: item.path, line: item.line }];
      ctx.error(item, 'invalid_value', `items of "${key}" must be strings`);
      return [];
    });
  const out: { -readonly [K in keyof CommandTemplate]: CommandTemplate[K] } = {
    arguments: strings('arguments'),
    env: strings('env'),
  };
  for (const key of ['value', 'shell', 'user', 'stdout', 'stderr'] as const) {
    const v = readString(m, key, ctx);
    if (v !== undefined) out[key] = v;
  }
  const legacyLog = readString(m, 'log', ctx);
  if (out.stdout === undefined && legacyLog !== undefined) out.stdout = legacyLog;
  return out;
}
