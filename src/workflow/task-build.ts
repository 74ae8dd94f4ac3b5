/**
 * A task role plus its task template becomes a task descriptor. Variable order for the template's fields
 * (low → high): task-template defaults < task-template vars < the role's stack < special task variables
 * (task_name, task_id, task_class_name, task_hostname, environment_id, task_parent_role).
 * AliECS puts task-template vars *below* its defaults for command fields only; Axle uses one order everywhere.
 */
import { parseDuration } from '../common/duration.ts';
import { parseHookMoment } from '../common/hook-moment.ts';
import { OUTPUT_MODES } from '../common/plan.ts';
import type {
  HookMoment,
  HookTraits,
  OutputMode,
  PortRange,
  TaskCommand,
  TaskDescriptor,
} from '../common/plan.ts';
import { renderValue } from '../template/expr/index.ts';
import { ExprFunction } from '../template/expr/value.ts';
import type { Scope } from '../template/expr/value.ts';
import { toPlanChannels } from './channels.ts';
import { mergeConstraints, mergeRendered, renderChannels, renderConstraints } from './process-role.ts';
import type { ProcessedBase } from './process-role.ts';
import type { Renderer } from './render.ts';
import type { TaskRoleTemplate } from './role-template.ts';
import type { TaskTemplate } from './task-template.ts';
import { OverlayView, VarLayer } from './var-stack.ts';
import type { VarView } from './var-stack.ts';
import type { Located } from './yaml-read.ts';

export interface TaskBuildContext {
  readonly environmentId: string;
  readonly newUid: () => string;
  /** Renderer for the task template's file. */
  readonly ttRenderer: Renderer;
  readonly classId: string;
}

const PTREE_MARK = '\u0000ptree\u0000';

/** Builds the descriptor; returns undefined after recording issues when the task cannot be described. */
export function buildTask(
  p: ProcessedBase,
  tt: TaskTemplate,
  ctx: TaskBuildContext,
): TaskDescriptor | undefined {
  const t = p.template as TaskRoleTemplate;
  const r = ctx.ttRenderer;
  const taskId = ctx.newUid();
  const constraintHost = p.constraints.get('machine_id')?.value ?? '';
  let hostDependent = false;
  const special = new Map([
    ['task_id', taskId],
    ['task_class_name', ctx.classId],
    ['task_name', `${ctx.classId}#${taskId}`],
    ['environment_id', ctx.environmentId],
    ['task_parent_role', p.node.path],
  ]);
  const top: VarView = {
    get: (n) => {
      if (n !== 'task_hostname') return special.get(n);
      hostDependent ||= constraintHost === '';
      return constraintHost;
    },
    toRecord: () => ({ ...Object.fromEntries(special), task_hostname: constraintHost }),
  };
  const roleView = p.stack;
  const withSpecial: VarView = overlayTop(roleView, top);
  const defaults = new VarLayer({ kind: 'task-defaults', role: tt.name, file: tt.file });
  fill(defaults, tt.defaults, r, r.scope(withSpecial, p.objects));
  const vars = new VarLayer({ kind: 'task-vars', role: tt.name, file: tt.file });
  fill(vars, tt.vars, r, r.scope(new OverlayView(withSpecial, new Map(), defaults.values), p.objects));
  const bottom = new Map([...defaults.values, ...vars.values]);
  const view = new OverlayView(withSpecial, new Map(), bottom);
  const scope = r.scope(view, { ...p.objects, ToPtree: toPtree });

  const command = renderCommand(tt, r, scope);
  const properties = renderProperties(tt, r, scope);
  const bind = toPlanChannels(mergeRendered(p.bind, renderChannels(tt.bind, r, scope)), 'bind', p.renderer);
  const connect = toPlanChannels(
    mergeRendered(p.connect, renderChannels(tt.connect, r, scope)),
    'connect',
    p.renderer,
  );
  const constraints = mergeConstraints(
    new Map(renderConstraints(tt.constraints, r, scope).map((c) => [c.attribute, c])),
    [...p.constraints.values()],
  );
  const hook = hookTraits(t, p);
  const control = hook !== undefined ? 'hook' : tt.control;
  const timeoutMs = hook === undefined ? durationOf(t.timeout, p.renderer, p, '0s') : hook.timeoutMs;
  return {
    kind: 'task',
    path: p.node.path,
    name: p.node.name,
    taskTemplate: ctx.classId,
    control,
    command,
    wants: { ...resources(tt.wants, r, scope), ports: ports(tt.wants.ports, r, scope) },
    ...(tt.limits.cpu !== undefined || tt.limits.memory !== undefined
      ? { limits: resources(tt.limits, r, scope) }
      : {}),
    constraints: [...constraints.values()],
    bind,
    connect,
    properties,
    critical: t.critical,
    ...(hook !== undefined ? { hook } : {}),
    timeoutMs,
    hostDependent,
  };
}

function overlayTop(base: VarView, top: VarView): VarView {
  return {
    get: (n) => top.get(n) ?? base.get(n),
    toRecord: () => ({ ...base.toRecord(), ...top.toRecord() }),
  };
}

const toPtree = new ExprFunction(
  'ToPtree',
  (payload, syntax) => `${PTREE_MARK}${renderValue(syntax)}${PTREE_MARK}${renderValue(payload)}`,
);

function fill(layer: VarLayer, items: TaskTemplate['defaults'], r: Renderer, scope: Scope): void {
  for (const item of items) {
    const v = r.render(item.value, scope);
    if (v !== undefined) layer.set(item.key, v, item.value.line);
  }
}

function renderCommand(tt: TaskTemplate, r: Renderer, scope: Scope): TaskCommand {
  const c = tt.command;
  const list = (items: readonly Located[]): string[] =>
    items.map((i) => r.render(i, scope)).filter((s) => s !== undefined);
  return {
    value: r.renderOr(c.value, scope, ''),
    arguments: list(c.arguments),
    env: list(c.env),
    user: r.renderOr(c.user, scope, ''),
    shell: r.renderOr(c.shell, scope, 'false').trim().toLowerCase() === 'true',
    stdout: outputMode(c.stdout, r, scope),
    stderr: outputMode(c.stderr, r, scope),
  };
}

function outputMode(loc: Located | undefined, r: Renderer, scope: Scope): OutputMode {
  const text = r.renderOr(loc, scope, 'none').trim();
  if (text === '') return 'none';
  const mode = OUTPUT_MODES.find((m) => m === text);
  if (mode === undefined && loc !== undefined)
    r.error(loc, 'invalid_value', `output mode must be one of ${OUTPUT_MODES.join(', ')}, found "${text}"`);
  return mode ?? 'none';
}

function renderProperties(tt: TaskTemplate, r: Renderer, scope: Scope): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of tt.properties) {
    const v = r.render(item.value, scope);
    if (v === undefined) continue;
    if (v.startsWith(PTREE_MARK)) {
      const [, syntax = '', payload = ''] = v.split(PTREE_MARK);
      out[`__ptree__:${syntax}:${item.key}`] = payload;
    } else out[item.key] = v;
  }
  return out;
}

function resources(
  spec: { cpu?: Located; memory?: Located },
  r: Renderer,
  scope: Scope,
): { cpu?: number; memory?: number } {
  const out: { cpu?: number; memory?: number } = {};
  for (const key of ['cpu', 'memory'] as const) {
    const loc = spec[key];
    if (loc === undefined) continue;
    const text = r.render(loc, scope);
    const n = Number(text);
    if (text === undefined) continue;
    if (text.trim() === '' || !Number.isFinite(n) || n < 0)
      r.error(loc, 'invalid_value', `${key} must be a non-negative number, found "${text}"`);
    else out[key] = n;
  }
  return out;
}

/** `"9000,9005-9010"` → ranges; each bound an integer port. */
function ports(loc: Located | undefined, r: Renderer, scope: Scope): PortRange[] {
  if (loc === undefined) return [];
  const text = r.render(loc, scope) ?? '';
  const out: PortRange[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const begin = Number(m?.[1]);
    const end = m?.[2] === undefined ? begin : Number(m[2]);
    if (m === null || begin > end || end > 65535)
      r.error(loc, 'invalid_value', `bad port range "${part}" (expected "a" or "a-b")`);
    else out.push({ begin, end });
  }
  return out;
}

function hookTraits(t: TaskRoleTemplate, p: ProcessedBase): HookTraits | undefined {
  if (t.trigger === undefined) return undefined;
  const trigger = moment(t.trigger, p);
  const awaitAt = t.await === undefined ? trigger : moment(t.await, p);
  if (trigger === undefined || awaitAt === undefined) return undefined;
  return { trigger, await: awaitAt, timeoutMs: durationOf(t.timeout, p.renderer, p, '30s') };
}

/** Renders and validates a trigger/await moment of a role. */
export function moment(loc: Located, p: ProcessedBase): HookMoment | undefined {
  const scope = p.renderer.scope(p.stack, p.objects);
  const text = p.renderer.render(loc, scope);
  if (text === undefined) return undefined;
  const m = parseHookMoment(text);
  if (!m.ok) {
    p.renderer.error(loc, 'invalid_value', m.message);
    return undefined;
  }
  if (m.warning !== undefined) p.renderer.warn(loc, 'invalid_value', m.warning);
  return m.moment;
}

/** Renders a Go duration; `fallback` when absent. */
export function durationOf(
  loc: Located | undefined,
  r: Renderer,
  p: ProcessedBase,
  fallback: string,
): number {
  const text = loc === undefined ? fallback : r.renderOr(loc, r.scope(p.stack, p.objects), fallback);
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0) {
    if (loc !== undefined) r.error(loc, 'invalid_value', `"${text}" is not a duration such as 30s or 1m30s`);
    return parseDuration(fallback) ?? 0;
  }
  return ms;
}
