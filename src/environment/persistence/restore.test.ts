/**
 * Durable environments in-process (the real-process restart is in src/server/runtime-restart.test.ts): every
 * acknowledged change is in the store when the manager answers, a transition is marked in progress before it starts,
 * a new manager restores environments as they were (plan not planned again), an interrupted transition becomes
 * ERROR "core restarted during …" from which RECOVER and destroy work, and run numbers never go back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFiles } from '../../workflow/memory-files.ts';
import { EventBus } from '../events.ts';
import type { StampedEvent } from '../events.ts';
import type { CallResult } from '../hooks.ts';
import { EnvironmentManager } from '../manager.ts';
import { planEnvironmentRequest } from '../planning.ts';
import { TestController } from '../test-controller.ts';
import { StoreJournal } from './journal.ts';
import { MemoryStateStore } from './memory-state-store.ts';
import { durableRunNumbers, restoreFromStore } from './restore.ts';
import type { StateStore } from './state-store.ts';

const FILES = {
  'workflows/wf.yaml': `name: wf
roles:
  - name: w
    constraints: [ { attribute: machine_id, value: a } ]
    task: { load: worker }
  - name: gate
    call: { func: rec.Call(), trigger: before_START_ACTIVITY }
`,
  'tasks/worker.yaml': 'name: worker\ncommand: { value: /bin/worker }\n',
};

interface Core {
  readonly manager: EnvironmentManager;
  readonly controller: TestController;
  readonly journal: StoreJournal;
  readonly events: StampedEvent[];
  planned: number;
}

/** A manager over `store`, as one core run would have; `gate` holds START_ACTIVITY's call while set. */
function core(store: StateStore, gate?: Promise<void>): Core {
  const bus = new EventBus();
  const events: StampedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const controller = new TestController();
  const journal = new StoreJournal(store);
  let run = 0;
  let id = 0;
  const c: Core = {
    controller,
    journal,
    events,
    planned: 0,
    manager: new EnvironmentManager({
      bus,
      controller,
      journal,
      newUid: () => `id${++id}-${Math.random().toString(36).slice(2, 8)}`,
      newRunNumber: durableRunNumbers(() => Promise.resolve(++run), store),
      callRunner: async (): Promise<CallResult> => {
        await gate;
        return { ok: true, output: '' };
      },
      plan: (workflow, vars, environmentId) => {
        c.planned++;
        return planEnvironmentRequest({ workflow, files: memoryFiles(FILES), userVars: vars, environmentId });
      },
    }),
  };
  return c;
}

function restart(store: StateStore, gate?: Promise<void>): Core {
  const c = core(store, gate);
  restoreFromStore(store, new EventBus(), c.journal, (env) => c.manager.adopt(env));
  return c;
}

test('what the manager acknowledged is stored; a restarted manager has it back, plan not planned again', async () => {
  const store = new MemoryStateStore();
  const first = core(store);
  const env = await first.manager.create({ workflow: 'wf', vars: { hosts: '["a"]', mine: 'x' } });
  assert.equal(store.loadEnvironments()[0]?.state, 'CONFIGURED', 'stored when creation answers');
  await first.manager.control(env.id, 'START_ACTIVITY');
  const stored = store.loadEnvironments()[0];
  assert.deepEqual([stored?.state, stored?.runNumber, stored?.transition], ['RUNNING', 1, '']);

  const second = restart(store);
  const back = second.manager.get(env.id);
  assert.equal(second.planned, 0, 'the plan is restored, not planned again');
  assert.deepEqual(back.plan, env.plan);
  assert.deepEqual([back.state, back.runNumber, back.createdAt], ['RUNNING', 1, env.createdAt]);
  assert.deepEqual(
    back.tasks.map((t) => [t.taskId, t.host, t.state]),
    env.tasks.map((t) => [t.taskId, t.host, t.state]),
  );
  assert.equal(back.variable('mine'), 'x');
  assert.equal(back.vars['run_number'], '1');
  // The tasks' agent reports them again (here: the test controller learns them).
  await second.controller.launch(
    env.tasks.map((t) => ({ ...launchOf(t.taskId, t.desc.path), environmentId: env.id })),
  );
  await second.manager.control(env.id, 'STOP_ACTIVITY');
  assert.equal(store.loadEnvironments()[0]?.state, 'CONFIGURED');
  await second.manager.destroy(env.id);
  assert.deepEqual(store.loadEnvironments(), [], 'a destroyed environment leaves the store');
});

test('a transition is stored as in progress; interrupted, it restarts as ERROR, and RECOVER and destroy work', async () => {
  const store = new MemoryStateStore();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const first = core(store, gate);
  const env = await first.manager.create({ workflow: 'wf', vars: {} });
  const starting = first.manager.control(env.id, 'START_ACTIVITY');
  await new Promise((r) => setTimeout(r, 20));
  const during = store.loadEnvironments()[0];
  assert.deepEqual([during?.state, during?.transition], ['CONFIGURED', 'START_ACTIVITY']);
  // The core "dies" here: a new manager takes the store over.
  const second = restart(store);
  const back = second.manager.get(env.id);
  assert.deepEqual(
    [back.state, back.lastError, back.runNumber],
    ['ERROR', 'core restarted during START_ACTIVITY', 0],
  );
  assert.equal(store.loadEnvironments()[0]?.state, 'ERROR', 'the ERROR is stored at once');
  await second.manager.control(env.id, 'RECOVER');
  assert.equal(back.state, 'DEPLOYED', 'RECOVER works after the interrupted transition');
  await second.manager.destroy(env.id);
  assert.deepEqual(store.loadEnvironments(), []);
  open();
  await starting.catch(() => undefined);
});

test('run numbers stay above every number handed out, even when their source starts again', async () => {
  const store = new MemoryStateStore();
  let source = 0;
  const next = durableRunNumbers(() => Promise.resolve(++source), store);
  assert.deepEqual([await next(), await next()], [1, 2]);
  source = 0;
  const again = durableRunNumbers(() => Promise.resolve(++source), store);
  assert.equal(await again(), 3, 'a lost counter does not hand out 1 again');
  assert.equal(store.runNumberHighWater(), 3, 'recorded before it is returned');
});

function launchOf(taskId: string, path: string): Parameters<TestController['launch']>[0][number] {
  return {
    taskId,
    environmentId: '',
    name: path,
    path,
    control: 'direct',
    command: { value: '/bin/worker', arguments: [], env: [], shell: false, user: '' } as never,
    binds: [],
    constraints: [],
    wants: {},
    timeoutMs: 1000,
  };
}
