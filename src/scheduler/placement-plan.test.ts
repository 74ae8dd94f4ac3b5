import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BindChannel, ConnectChannel, TaskDescriptor } from '../common/plan.ts';
import { requestsFromPlan, sameHostGroups } from './placement-plan.ts';

const base = {
  type: 'push',
  sndBufSize: 1000,
  rcvBufSize: 1000,
  rateLogging: '0',
  transport: 'default',
} as const;
const bind = (name: string, over: Partial<BindChannel> = {}): BindChannel => ({
  ...base,
  name,
  addressing: 'tcp',
  ...over,
});
const connect = (
  name: string,
  peer: string,
  channel: string,
  over: Partial<ConnectChannel> = {},
): ConnectChannel => ({
  ...base,
  name,
  type: 'pull',
  target: `${peer}:${channel}`,
  resolved: { kind: 'channel', taskPath: peer, channel },
  ...over,
});
const task = (path: string, over: Partial<TaskDescriptor> = {}): TaskDescriptor => ({
  kind: 'task',
  path,
  name: path.split('.').pop() ?? path,
  taskTemplate: 'repo/tasks/x@abc',
  control: 'direct',
  command: { value: 'x', arguments: [], env: [], user: 'flp', shell: false, stdout: 'none', stderr: 'none' },
  wants: { cpu: 0.5, memory: 128, ports: [] },
  constraints: [],
  bind: [],
  connect: [],
  properties: {},
  critical: true,
  timeoutMs: 0,
  hostDependent: false,
  ...over,
});

test('dynamic ports: one per generated TCP bind channel plus a control port for direct and fairmq', () => {
  const cases: [string, Partial<TaskDescriptor>, number, boolean, string[]][] = [
    ['direct, no channels', {}, 1, true, []],
    ['fairmq, two tcp binds', { control: 'fairmq', bind: [bind('a'), bind('b')] }, 3, true, ['a', 'b']],
    ['basic: no control port', { control: 'basic', bind: [bind('a')] }, 1, false, ['a']],
    ['hook: no control port', { control: 'hook' }, 0, false, []],
    ['ipc bind takes no port', { bind: [bind('i', { addressing: 'ipc' })] }, 1, true, []],
    ['explicit target takes no port', { bind: [bind('t', { target: 'tcp://*:5555' })] }, 1, true, []],
  ];
  for (const [name, over, dynamic, control, channels] of cases) {
    const [r] = requestsFromPlan([task('wf.t', over)]);
    assert.deepEqual([r?.dynamicPorts, r?.controlPort, r?.tcpChannels], [dynamic, control, channels], name);
  }
});

test('resources, static ports, constraints and task ids carry over', () => {
  const t = task('wf.r', {
    wants: { cpu: 2, memory: 512, ports: [{ begin: 5000, end: 5001 }] },
    constraints: [{ attribute: 'machine_id', operator: '=', value: 'flp001' }],
  });
  const [r] = requestsFromPlan([t], { taskIdOf: (x) => `id-${x.path}` });
  assert.deepEqual(r, {
    taskId: 'id-wf.r',
    path: 'wf.r',
    cpu: 2,
    memoryMb: 512,
    staticPorts: [{ begin: 5000, end: 5001 }],
    dynamicPorts: 1,
    controlPort: true,
    tcpChannels: [],
    constraints: [{ attribute: 'machine_id', operator: '=', value: 'flp001' }],
  });
  assert.deepEqual(requestsFromPlan([task('wf.n', { wants: { ports: [] } })])[0]?.cpu, 0);
});

test('same-host groups: IPC and shmem links, transitive, keyed by the smallest path; TCP links do not join', () => {
  const tasks = [
    task('wf.c.readout', { bind: [bind('out', { addressing: 'ipc' })] }),
    task('wf.c.stfb', {
      connect: [connect('in', 'wf.c.readout', 'out')],
      bind: [bind('shm', { transport: 'shmem' })],
    }),
    task('wf.b.sender', { connect: [connect('in', 'wf.c.stfb', 'shm')] }),
    task('wf.d.proc', { bind: [bind('data')] }),
    task('wf.e.tcp', { connect: [connect('in', 'wf.d.proc', 'data')] }),
    task('wf.f.shm', { connect: [connect('in', 'wf.d.proc', 'data', { transport: 'shmem' })] }),
    task('wf.g.ipclit', { bind: [bind('x', { target: 'ipc:///tmp/x' })] }),
    task('wf.h.use', { connect: [connect('in', 'wf.g.ipclit', 'x')] }),
    task('wf.i.unknown', { connect: [connect('in', 'wf.zz', 'x')] }),
    task('wf.j.addr', {
      connect: [connect('in', 'wf.g.ipclit', 'x', { resolved: { kind: 'address', address: 'ipc://@a' } })],
    }),
  ];
  assert.deepEqual(Object.fromEntries(sameHostGroups(tasks)), {
    'wf.c.readout': 'wf.b.sender',
    'wf.c.stfb': 'wf.b.sender',
    'wf.b.sender': 'wf.b.sender',
    'wf.d.proc': 'wf.d.proc',
    'wf.f.shm': 'wf.d.proc',
    'wf.g.ipclit': 'wf.g.ipclit',
    'wf.h.use': 'wf.g.ipclit',
  });
  const reqs = requestsFromPlan(tasks);
  assert.equal(reqs[0]?.sameHostAs, 'wf.b.sender');
  assert.equal(reqs[4]?.sameHostAs, undefined);
  assert.ok(!('sameHostAs' in (reqs[4] ?? {})));
});
