/** The StateStore contract, run against every implementation (state-store.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Plan, TaskDescriptor } from '../../common/plan.ts';
import type { StateStore, StoredEnvironment, StoredTask } from '../persistence/state-store.ts';

/** Opens a store; `reopen` gives the same data through a new instance (closing the first). */
export interface StoreFactory {
  open(): { store: StateStore; reopen: () => StateStore };
}

function descriptor(path: string): TaskDescriptor {
  return {
    kind: 'task',
    path,
    name: path.split('.').pop() ?? path,
    taskTemplate: `repo/tasks/t@abc`,
    control: 'direct',
    command: { value: '/bin/true', arguments: ['--x=1'], env: [], shell: false, user: '' },
    wants: { cpu: 1, memory: 10, ports: [] },
    constraints: [{ attribute: 'machine_id', value: 'h1' }],
    bind: [],
    connect: [],
    properties: { a: 'b' },
    critical: true,
    timeoutMs: 0,
    hostDependent: false,
  } as unknown as TaskDescriptor;
}

export function samplePlan(paths: readonly string[]): Plan {
  return {
    workflow: { repo: 'repo', path: 'workflows/w.yaml', commit: 'abc' },
    public: true,
    description: 'd',
    root: { kind: 'aggregator', name: 'w', path: 'w', critical: true, children: [] },
    tasks: paths.map(descriptor),
    calls: [],
    issues: [],
  } as unknown as Plan;
}

export function sampleTask(taskId: string, position: number, over: Partial<StoredTask> = {}): StoredTask {
  return {
    taskId,
    position,
    host: 'h1',
    pid: 1000 + position,
    endpoints: { out: 'tcp://127.0.0.1:9000' },
    state: 'RUNNING',
    status: 'ACTIVE',
    safeToStop: false,
    error: '',
    locked: true,
    ...over,
  };
}

export function sampleEnvironment(
  id: string,
  createdAt: number,
  over: Partial<StoredEnvironment> = {},
): StoredEnvironment {
  return {
    id,
    workflow: 'repo/workflows/w',
    isPublic: true,
    description: 'd',
    detectors: ['TPC'],
    createdAt,
    plan: samplePlan(['w.a', 'w.b']),
    state: 'RUNNING',
    transition: '',
    runNumber: 7,
    lastRunNumber: 6,
    startCount: 2,
    lastError: '',
    lastUser: { name: 'alice', id: 3 },
    defaults: { d: '1' },
    vars: { run_number: '7' },
    userVars: { u: 'x', environment_id: id },
    tasks: [sampleTask(`${id}-t0`, 0), sampleTask(`${id}-t1`, 1)],
    ...over,
  };
}

export function stateStoreContract(name: string, factory: StoreFactory): void {
  test(`${name}: an environment saved is loaded back as it was, after a reopen too`, () => {
    const { store, reopen } = factory.open();
    const env = sampleEnvironment('e1', 100);
    store.saveEnvironment(env);
    assert.deepEqual(store.loadEnvironments(), [env]);
    const again = reopen();
    assert.deepEqual(again.loadEnvironments(), [env]);
    again.close();
  });

  test(`${name}: environments load oldest first; a save replaces, a removal deletes with the tasks`, () => {
    const { store, reopen } = factory.open();
    store.saveEnvironment(sampleEnvironment('late', 300));
    store.saveEnvironment(sampleEnvironment('early', 100));
    store.saveEnvironment(sampleEnvironment('mid', 200, { state: 'CONFIGURED' }));
    store.saveEnvironment(sampleEnvironment('mid', 200, { state: 'ERROR', transition: 'START_ACTIVITY' }));
    store.removeEnvironment('late');
    const loaded = reopen().loadEnvironments();
    assert.deepEqual(
      loaded.map((e) => [e.id, e.state, e.transition, e.tasks.length]),
      [
        ['early', 'RUNNING', '', 2],
        ['mid', 'ERROR', 'START_ACTIVITY', 2],
      ],
    );
  });

  test(`${name}: saveTasks updates some tasks in place and ignores unknown environments`, () => {
    const { store, reopen } = factory.open();
    store.saveEnvironment(sampleEnvironment('e1', 100));
    store.saveTasks('e1', [
      sampleTask('e1-t1', 1, { state: 'ERROR', status: 'INACTIVE', error: 'exit 1', pid: 0 }),
    ]);
    store.saveTasks('gone', [sampleTask('gone-t0', 0)]);
    const [env, ...rest] = reopen().loadEnvironments();
    assert.equal(rest.length, 0, 'no environment made up for unknown ids');
    assert.deepEqual(env?.tasks[0], sampleTask('e1-t0', 0));
    assert.deepEqual(
      env?.tasks[1],
      sampleTask('e1-t1', 1, { state: 'ERROR', status: 'INACTIVE', error: 'exit 1', pid: 0 }),
    );
  });

  test(`${name}: the run-number high-water mark only rises and survives a reopen`, () => {
    const { store, reopen } = factory.open();
    assert.equal(store.runNumberHighWater(), 0);
    store.recordRunNumber(5);
    store.recordRunNumber(3);
    assert.equal(store.runNumberHighWater(), 5);
    assert.equal(reopen().runNumberHighWater(), 5);
  });
}
