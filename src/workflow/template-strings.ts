/** Every templatable string of a role or task template, with its location — for static checks. */
import type { ChannelTemplate } from './channel-template.ts';
import type { ConstraintTemplate, RoleTemplate } from './role-template.ts';
import type { TaskTemplate } from './task-template.ts';
import type { Located, VarItem } from './yaml-read.ts';

function* vars(items: readonly VarItem[]): Generator<Located> {
  for (const i of items) yield i.value;
}

function* channels(items: readonly ChannelTemplate[]): Generator<Located> {
  for (const c of items) for (const f of Object.values(c.fields)) if (f !== undefined) yield f;
}

function* constraints(items: readonly ConstraintTemplate[]): Generator<Located> {
  for (const c of items) yield* [c.attribute, c.value];
}

function* defined(...items: (Located | undefined)[]): Generator<Located> {
  for (const i of items) if (i !== undefined) yield i;
}

export function* roleStrings(t: RoleTemplate): Generator<Located> {
  if (t.kind === 'iterator') {
    const f = t.for;
    if (f.kind === 'range') yield f.range;
    else yield* [f.begin, f.end];
    yield* roleStrings(t.body);
    return;
  }
  yield* defined(t.name, t.enabled);
  yield* vars(t.defaults);
  yield* vars(t.vars);
  yield* constraints(t.constraints);
  yield* channels(t.bind);
  yield* channels(t.connect);
  switch (t.kind) {
    case 'aggregator':
      yield* defined(t.description);
      for (const r of t.roles) yield* roleStrings(r);
      return;
    case 'task':
      yield* defined(t.load, t.trigger, t.await, t.timeout);
      return;
    case 'call':
      yield* defined(t.func, t.trigger, t.await, t.timeout, t.returnVar);
      return;
    case 'include':
      yield t.include;
      return;
  }
}

export function* taskStrings(t: TaskTemplate): Generator<Located> {
  yield* vars(t.defaults);
  yield* vars(t.vars);
  yield* vars(t.properties);
  yield* defined(t.wants.cpu, t.wants.memory, t.wants.ports, t.limits.cpu, t.limits.memory);
  yield* channels(t.bind);
  yield* channels(t.connect);
  yield* constraints(t.constraints);
  const c = t.command;
  yield* defined(c.value, c.shell, c.user, c.stdout, c.stderr);
  yield* c.arguments;
  yield* c.env;
}

/**
 * Task-role `load` and include references written without expressions, with where they are; `conditional` when the
 * role or an ancestor has an `enabled` expression (the reference is only followed when it is enabled).
 */
export function* literalRefs(
  t: RoleTemplate,
  underCondition = false,
): Generator<{ kind: 'task' | 'workflow'; ref: Located; conditional: boolean }> {
  if (t.kind === 'iterator') {
    yield* literalRefs(t.body, underCondition);
    return;
  }
  const conditional = underCondition || (t.enabled !== undefined && t.enabled.text.trim() !== 'true');
  if (t.kind === 'task' && !t.load.text.includes('{{')) yield { kind: 'task', ref: t.load, conditional };
  if (t.kind === 'include' && !t.include.text.includes('{{'))
    yield { kind: 'workflow', ref: t.include, conditional };
  if (t.kind === 'aggregator') for (const r of t.roles) yield* literalRefs(r, conditional);
}

/** The `func` of every call role: an expression evaluated by the plugin layer (not a `{{ }}` template). */
export function* callFuncs(t: RoleTemplate): Generator<Located> {
  if (t.kind === 'iterator') {
    yield* callFuncs(t.body);
    return;
  }
  if (t.kind === 'call' && !t.func.text.includes('{{')) yield t.func;
  if (t.kind === 'aggregator') for (const r of t.roles) yield* callFuncs(r);
}
