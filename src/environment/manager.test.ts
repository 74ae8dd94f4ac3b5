import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFiles } from '../workflow/memory-files.ts';
import { EventBus } from './events.ts';
import type { StampedEvent } from './events.ts';
import { EnvironmentManager } from './manager.ts';
import { planEnvironmentRequest } from './planning.ts';
import { TestController } from './test-controller.ts';
import type { TestBehaviour } from './test-controller.ts';
import type { CallResult } from './hooks.ts';
import { EnvError } from './env-error.ts';

const TASKS = {
  'tasks/worker.yaml':
    'name: worker\nbind: [ { name: out, type: push } ]\ncommand: { value: /bin/worker }\nproperties: { p: "{{ it }}" }\n',
  'tasks/sink.yaml': 'name: sink\ncommand: { value: /bin/sink }\n',
  'tasks/hook.yaml': 'name: hook\ncontrol: { mode: basic }\ncommand: { value: /bin/true }\n',
};

const WF = `name: wf
roles:
  - name: "h-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: w
        task: { load: worker }
      - name: s
        connect: [ { name: in, type: pull, target: "{{ Parent().Path }}.w:out" } ]
        task: { load: sink }
  - name: pre
    task: { load: hook, trigger: before_START_ACTIVITY+5, critical: false }
  - name: calls
    roles:
      - name: late
        call: { func: rec.Call(), trigger: before_START_ACTIVITY+10 }
      - name: early
        call: { func: rec.Call(), trigger: before_START_ACTIVITY-10 }
      - name: long
        call: { func: rec.Call(), trigger: before_START_ACTIVITY, await: after_START_ACTIVITY }
      - name: fails
        enabled: "{{ fail_call == 'true' }}"
        call: { func: rec.Fail(), trigger: before_STOP_ACTIVITY }
`;

interface Harness {
  readonly manager: EnvironmentManager;
  readonly controller: TestController;
  readonly events: StampedEvent[];
  readonly calls: string[];
}

function harness(
  behaviour: TestBehaviour = {},
  files: Record<string, string> = { 'workflows/wf.yaml': WF, ...TASKS },
): Harness {
  const bus = new EventBus();
  const events: StampedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const controller = new TestController(behaviour);
  const calls: string[] = [];
  let run = 100;
  let id = 0;
  const manager = new EnvironmentManager({
    bus,
    controller,
    newUid: () => `id${++id}`,
    newRunNumber: () => Promise.resolve(++run),
    callRunner: (call, vars): Promise<CallResult> => {
      calls.push(call.path.split('.').pop() ?? '');
      const fail = call.func.startsWith('rec.Fail');
      return Promise.resolve(
        fail
          ? { ok: false, output: '', error: 'told to fail' }
          : { ok: true, output: vars['environment_id'] ?? '' },
      );
    },
    plan: (workflow, vars, environmentId) =>
      planEnvironmentRequest({ workflow, files: memoryFiles(files), userVars: vars, environmentId }),
  });
  return { manager, controller, events, calls };
}

const envMessages = (events: readonly StampedEvent[]): string[] =>
  events.flatMap((e) =>
    e.event.kind === 'environment'
      ? [`${e.event.transition ?? ''}/${e.event.transitionStep ?? ''}:${e.event.message}`]
      : [],
  );

test('create deploys and configures with channel addresses; START/STOP/RESET with run numbers', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a","b"]' } });
  assert.equal(env.state, 'CONFIGURED');
  assert.deepEqual(h.controller.log.filter((l) => l.startsWith('launch')).length, 5);
  const sink = env.tasks.find((t) => t.desc.path === 'wf.h-a.s');
  const worker = env.tasks.find((t) => t.desc.path === 'wf.h-a.w');
  assert.equal(sink?.state, 'CONFIGURED');
  assert.equal(worker?.host, 'a');
  await h.manager.control(env.id, 'START_ACTIVITY');
  assert.equal(env.state, 'RUNNING');
  assert.equal(env.runNumber, 101);
  assert.deepEqual(h.calls, ['early', 'long', 'late']);
  assert.ok(h.controller.log.includes('hook wf.pre'));
  assert.ok(h.controller.log.includes('START wf.h-a.w run=101'));
  assert.ok(
    env.userVars['run_start_time_ms'] !== undefined &&
      env.userVars['run_start_completion_time_ms'] !== undefined,
  );
  await h.manager.control(env.id, 'STOP_ACTIVITY');
  assert.equal(env.runNumber, 0);
  assert.equal(env.vars['last_run_number'], '101');
  await h.manager.control(env.id, 'RESET');
  assert.equal(env.state, 'DEPLOYED');
  await h.manager.control(env.id, 'CONFIGURE');
  await h.manager.control(env.id, 'START_ACTIVITY');
  assert.equal(env.runNumber, 102);
  const messages = envMessages(h.events);
  assert.ok(messages.includes('START_ACTIVITY/:transition starting'));
  assert.ok(messages.includes('START_ACTIVITY/tasks_START_ACTIVITY:transition step starting'));
  assert.ok(messages.includes('START_ACTIVITY/:transition completed successfully'));
  const order = [
    'before_START_ACTIVITY',
    'leave_CONFIGURED',
    'tasks_START_ACTIVITY',
    'enter_RUNNING',
    'after_START_ACTIVITY',
  ];
  const steps = h.events.flatMap((e) =>
    e.event.kind === 'environment' &&
    e.event.transition === 'START_ACTIVITY' &&
    e.event.message === 'transition step starting'
      ? [e.event.transitionStep]
      : [],
  );
  assert.deepEqual(steps.slice(0, 5), order);
});

test('START and STOP arguments are built once per transition and shared by every task', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a","b","c"]' } });
  for (const [event, expected] of [
    ['START_ACTIVITY', 'START'],
    ['STOP_ACTIVITY', 'STOP'],
  ] as const) {
    await h.manager.control(env.id, event);
    const batch = h.controller.batches.at(-1) ?? [];
    assert.equal(batch.length, 6, `one ${expected} item per work task`);
    assert.ok(batch.every((i) => i.event === expected));
    const first = batch[0]?.args;
    assert.ok(
      batch.every((i) => i.args === first),
      `every ${expected} item carries the one arguments object built for the transition`,
    );
    assert.ok(Object.isFrozen(first), 'shared arguments cannot be changed for one task');
  }
  assert.equal(h.controller.batches.at(-2)?.[0]?.args['runNumber'], '101');
});

test('CONFIGURE arguments carry properties and resolved channel addresses', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]' } });
  const worker = env.tasks.find((t) => t.desc.path === 'wf.h-a.w');
  const sink = env.tasks.find((t) => t.desc.path === 'wf.h-a.s');
  const { configureArgs } = await import('./task-args.ts');
  const args = configureArgs(sink!, env.taskByPath());
  assert.ok(args.ok);
  assert.equal(args.args['chans.in.0.address'], worker?.endpoints['out']);
  assert.equal(args.args['chans.in.0.method'], 'connect');
  const wargs = configureArgs(worker!, env.taskByPath());
  assert.ok(wargs.ok);
  assert.equal(wargs.args['p'], 'a');
  assert.equal(wargs.args['chans.out.0.method'], 'bind');
  assert.equal(wargs.args['environment_id'], env.id);
});

test('impossible transitions are refused naming state and event; a failed one drives GO_ERROR', async () => {
  const h = harness({ failOn: { 'wf.h-a.w': 'STOP' } });
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]' } });
  await assert.rejects(
    h.manager.control(env.id, 'STOP_ACTIVITY'),
    (e: unknown) =>
      e instanceof EnvError &&
      e.code === 'failed_precondition' &&
      /STOP_ACTIVITY is impossible from state CONFIGURED/.test(e.message),
  );
  await h.manager.control(env.id, 'START_ACTIVITY');
  await assert.rejects(
    h.manager.control(env.id, 'STOP_ACTIVITY'),
    (e: unknown) => e instanceof EnvError && e.code === 'aborted' && /wf\.h-a\.w/.test(e.message),
  );
  assert.equal(env.state, 'ERROR');
  await assert.rejects(
    h.manager.control('nope', 'CONFIGURE'),
    (e: unknown) => e instanceof EnvError && e.code === 'not_found',
  );
  await assert.rejects(
    h.manager.control(env.id, 'GO_ERROR'),
    (e: unknown) => e instanceof EnvError && e.code === 'invalid_argument',
  );
});

test('a critical call failure aborts the transition; RECOVER brings ERROR back to DEPLOYED', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]', fail_call: 'true' } });
  await h.manager.control(env.id, 'START_ACTIVITY');
  await assert.rejects(h.manager.control(env.id, 'STOP_ACTIVITY'), /told to fail/);
  assert.equal(env.state, 'ERROR');
  await h.manager.control(env.id, 'RECOVER');
  assert.equal(env.state, 'DEPLOYED');
  assert.ok(env.tasks.every((t) => t.state === 'STANDBY'));
});

test('a critical task that exits drives GO_ERROR with task and host in the reason; non-critical does not', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]' } });
  await h.manager.control(env.id, 'START_ACTIVITY');
  h.controller.emit('wf.pre', { kind: 'EXITED', exitCode: 1 });
  assert.equal(env.state, 'RUNNING');
  h.controller.emit('wf.h-a.s', { kind: 'EXITED', exitCode: 3, reason: 'task exited with code 3' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(env.state, 'ERROR');
  assert.match(
    env.lastError,
    /critical task 'wf\.h-a\.s' on host 'a' transitioned to ERROR: task exited with code 3/,
  );
});

test('END_OF_STREAM from every task stops the run; auto_stop_timeout stops it too', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]' } });
  await h.manager.control(env.id, 'START_ACTIVITY');
  h.controller.emit('wf.h-a.w', { kind: 'END_OF_STREAM' });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(env.state, 'RUNNING');
  h.controller.emit('wf.h-a.s', { kind: 'END_OF_STREAM' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(env.state, 'CONFIGURED');
  const h2 = harness();
  const env2 = await h2.manager.create({
    workflow: 'wf',
    vars: { hosts: '["a"]', auto_stop_timeout: '50ms' },
  });
  await h2.manager.control(env2.id, 'START_ACTIVITY');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(env2.state, 'CONFIGURED');
});

test('END_OF_STREAM updates cost O(tasks) per run in all, not per update, and still stop the run', async () => {
  const hosts = Array.from({ length: 40 }, (_, i) => `x${i}`);
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: JSON.stringify(hosts) } });
  await h.manager.control(env.id, 'START_ACTIVITY');
  let reads = 0;
  for (const t of env.tasks) {
    let safe = t.safeToStop;
    Object.defineProperty(t, 'safeToStop', {
      get: () => {
        reads++;
        return safe;
      },
      set: (v: boolean) => {
        safe = v;
      },
    });
  }
  const work = env.workTasks();
  for (const t of work) {
    h.controller.emit(t.desc.path, { kind: 'END_OF_STREAM' });
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(env.state, 'CONFIGURED', 'the last END_OF_STREAM stopped the run');
  // One look per task and per update, and one exact check at the end; a scan per update would be ~n²/2 (3,200).
  assert.ok(reads <= 4 * work.length, `${reads} reads of safeToStop for ${work.length} updates`);
});

test('destroy in every state, with and without force and keepTasks', async () => {
  for (const [to, opts, ok] of [
    ['CONFIGURED', {}, true],
    ['RUNNING', {}, false],
    ['RUNNING', { allowInRunningState: true }, true],
    ['RUNNING', { force: true }, true],
    ['DEPLOYED', { keepTasks: true }, true],
    ['ERROR', {}, true],
  ] as const) {
    const h = harness({ failOn: { 'wf.h-a.w': 'STOP' } });
    const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]' } });
    if (to === 'RUNNING' || to === 'ERROR') await h.manager.control(env.id, 'START_ACTIVITY');
    if (to === 'ERROR') await h.manager.control(env.id, 'STOP_ACTIVITY').catch(() => undefined);
    if (to === 'DEPLOYED') await h.manager.control(env.id, 'RESET');
    assert.equal(env.state, to);
    if (!ok) {
      await assert.rejects(h.manager.destroy(env.id, opts), /is RUNNING/);
      continue;
    }
    const r = await h.manager.destroy(env.id, opts);
    assert.equal(env.state, 'DONE', `${to} ${JSON.stringify(opts)}`);
    if ('keepTasks' in opts) assert.equal(r.kept.length, env.tasks.length);
    else assert.ok(r.killed.length > 0);
    assert.throws(() => h.manager.get(env.id), EnvError);
    assert.ok(envMessages(h.events).includes('DESTROY/after_DESTROY:environment teardown complete'));
  }
});

test('detectors are exclusive between environments', async () => {
  const files = { 'workflows/wf.yaml': WF, ...TASKS };
  const h = harness({}, files);
  const config = { detectors: '["TPC"]' };
  const a = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a"]', ...config } });
  assert.deepEqual(h.manager.activeDetectors(), ['TPC']);
  await assert.rejects(
    h.manager.create({ workflow: 'wf', vars: { hosts: '["b"]', ...config } }),
    /detector TPC is already in use by environment/,
  );
  await h.manager.create({ workflow: 'wf', vars: { hosts: '["b"]', detectors: '["ITS"]' } });
  await h.manager.destroy(a.id);
  await h.manager.create({ workflow: 'wf', vars: { hosts: '["c"]', ...config } });
});

test('a workflow that does not plan is refused with every issue', async () => {
  const h = harness();
  await assert.rejects(
    h.manager.create({ workflow: 'nope', vars: {} }),
    (e: unknown) => e instanceof EnvError && e.code === 'invalid_argument' && e.issues.length > 0,
  );
  const env2 = harness({ undeployable: ['wf.h-a.w'] });
  await assert.rejects(
    env2.manager.create({ workflow: 'wf', vars: { hosts: '["a"]' } }),
    /DEPLOY failed: workflow deployment failed/,
  );
  assert.deepEqual(env2.manager.list(), []);
});

test('a task whose command uses an undefined variable is refused naming the variable, the task template and line', async () => {
  const h = harness(
    {},
    {
      'workflows/wf.yaml':
        'name: wf\ndefaults: { empty: "" }\nroles:\n  - name: m\n    task: { load: mod }\n',
      'tasks/mod.yaml':
        'name: mod\ncontrol: { mode: basic }\ncommand:\n  env: [ "A={{ empty }}" ]\n  value: /bin/run\n  arguments:\n    - "--path={{ modulepath }}"\n',
    },
  );
  await assert.rejects(h.manager.create({ workflow: 'wf', vars: {} }), (e: unknown) => {
    assert.ok(e instanceof EnvError && e.code === 'invalid_argument', String(e));
    assert.match(
      e.message,
      /tasks\/mod\.yaml:7: error: command\.arguments\[0\]: undefined variable "modulepath" in the command of task template tasks\/mod\.yaml: refusing to deploy/,
    );
    assert.doesNotMatch(e.message, /"empty"/, 'a variable that is defined but empty is not undefined');
    return true;
  });
  assert.deepEqual(h.manager.list(), []);
  assert.deepEqual(h.controller.log, [], 'nothing was launched');
});

test('released tasks are listed and cleaned up without scanning the task list per task', async () => {
  const h = harness();
  const env = await h.manager.create({ workflow: 'wf', vars: { hosts: '["a","b","c","d"]' } });
  let scans = 0;
  const tasks = env.tasks;
  for (const name of ['find', 'filter', 'some', 'includes', 'indexOf', 'findIndex'] as const) {
    const original = tasks[name].bind(tasks) as (...a: unknown[]) => unknown;
    Object.defineProperty(tasks, name, {
      value: (...a: unknown[]) => {
        scans++;
        return original(...a);
      },
    });
  }
  const r = await h.manager.destroy(env.id, { keepTasks: true });
  assert.equal(r.kept.length, env.tasks.length);
  scans = 0;
  const released = h.manager.releasedTasks();
  assert.deepEqual(released.map((t) => t.taskId).sort(), [...r.kept].sort());
  await h.manager.cleanupReleased(r.kept);
  assert.deepEqual(h.manager.releasedTasks(), []);
  assert.equal(scans, 0, 'no scan of the environment task list per released task');
});
