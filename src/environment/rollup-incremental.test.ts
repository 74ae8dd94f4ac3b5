import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Plan, PlanRole, TaskDescriptor } from '../common/plan.ts';
import { applyTaskUpdate } from './automation.ts';
import type { AutomationActions } from './automation.ts';
import { Environment } from './environment.ts';
import { EventBus } from './events.ts';
import { rollUp } from './rollup.ts';
import type { TaskUpdate } from './task-controller.ts';

const NO_ACTIONS: AutomationActions = { goError: () => undefined, stop: () => undefined };

function descriptor(path: string, critical: boolean): TaskDescriptor {
  return {
    kind: 'task',
    path,
    name: path.split('.').at(-1) ?? path,
    taskTemplate: 'repo/tasks/t@0',
    control: 'basic',
    command: {
      value: 'true',
      arguments: [],
      env: [],
      user: '',
      shell: false,
      stdout: 'none',
      stderr: 'none',
    },
    wants: { ports: [] },
    constraints: [],
    bind: [],
    connect: [],
    properties: {},
    critical,
    timeoutMs: 0,
    hostDependent: false,
  };
}

/** Role reads counted by a proxy around every role of the plan (any implementation's work shows up here). */
interface Counted {
  readonly plan: Plan;
  reads: number;
}

/** wf → hosts aggregators → `perHost` tasks each (every fifth one non-critical): depth 3. */
function plan(hosts: number, perHost: number): Counted {
  const counted = { reads: 0 } as { plan: Plan; reads: number };
  const watch = (role: PlanRole): PlanRole =>
    new Proxy(role, {
      get(target, key, receiver): unknown {
        counted.reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  const tasks: TaskDescriptor[] = [];
  const hostRoles = Array.from({ length: hosts }, (_, h): PlanRole => {
    const children = Array.from({ length: perHost }, (_, i): PlanRole => {
      const d = descriptor(`wf.host-${h}.t${i}`, i % 5 !== 0);
      tasks.push(d);
      return watch({
        kind: 'task',
        name: `t${i}`,
        path: d.path,
        critical: d.critical,
        children: [],
        leaf: d,
      });
    });
    return watch({ kind: 'aggregator', name: `host-${h}`, path: `wf.host-${h}`, critical: true, children });
  });
  const root = watch({ kind: 'aggregator', name: 'wf', path: 'wf', critical: true, children: hostRoles });
  counted.plan = {
    workflow: { repoId: 'repo', name: 'wf', revision: 'main', commit: '0' },
    public: false,
    description: '',
    root,
    tasks,
    calls: [],
    issues: [],
  };
  return counted;
}

function environment(p: Plan, bus = new EventBus()): Environment {
  let n = 0;
  return new Environment({
    id: 'env',
    plan: p,
    workflow: 'wf',
    isPublic: false,
    description: '',
    rootVars: { defaults: {}, vars: {}, userVars: {} },
    detectors: [],
    bus,
    newTaskId: () => `task${++n}`,
  });
}

/** Role reads per task update, averaged over `updates` updates after the first full roll-up. */
function readsPerUpdate(tasks: number, updates: number): number {
  const counted = plan(20, tasks / 20);
  const env = environment(counted.plan);
  for (const t of env.tasks) Object.assign(t, { state: 'RUNNING', status: 'ACTIVE' });
  env.roleEvents();
  counted.reads = 0;
  env.tasks.slice(0, updates).forEach((t, i) => {
    const u: TaskUpdate =
      i % 2 === 0
        ? { taskId: t.taskId, kind: 'STATE', state: 'CONFIGURED' }
        : { taskId: t.taskId, kind: 'EXITED', exitCode: 1 };
    applyTaskUpdate(env, u, NO_ACTIONS);
  });
  return counted.reads / updates;
}

test('a task update rolls up from its role to the root only: the work per update does not grow with the tree', () => {
  const small = readsPerUpdate(1_000, 200);
  const large = readsPerUpdate(4_000, 200);
  assert.ok(small <= 20, `${small} role reads per update with 1,000 tasks (depth 3)`);
  assert.ok(large <= small + 1, `${large} role reads per update with 4,000 tasks, ${small} with 1,000`);
});

/** A small deterministic random generator (tests must repeat). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

test('role events after each update say what a full roll-up of the tree says', () => {
  const rnd = random(7);
  const { plan: p } = plan(6, 7);
  const bus = new EventBus();
  const last = new Map<string, string>();
  bus.subscribe(({ event }) => {
    if (event.kind === 'role') last.set(event.rolePath, `${event.state}/${event.status}`);
  });
  const env = environment(p, bus);
  env.roleEvents();
  const states = ['STANDBY', 'CONFIGURED', 'RUNNING', 'ERROR'];
  const kinds: TaskUpdate['kind'][] = ['STATE', 'STATE', 'EXITED', 'LOST', 'REATTACHED'];
  for (let i = 0; i < 500; i++) {
    const t = env.tasks[Math.floor(rnd() * env.tasks.length)];
    assert.ok(t !== undefined);
    const kind = kinds[Math.floor(rnd() * kinds.length)] ?? 'STATE';
    const state = states[Math.floor(rnd() * states.length)] ?? 'RUNNING';
    applyTaskUpdate(env, { taskId: t.taskId, kind, state, host: 'flp001', pid: 100 + i }, NO_ACTIONS);
    const full = new Map<string, string>();
    const visit = (r: ReturnType<typeof rollUp>): void => {
      full.set(r.path, `${r.state}/${r.status}`);
      r.children.forEach(visit);
    };
    visit(rollUp(p.root, env.taskByPath(), false));
    assert.deepEqual(last, full, `after update ${i} (${kind} ${state} of ${t.desc.path})`);
  }
});
