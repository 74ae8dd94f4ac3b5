/**
 * Child program of env-lifetime.test.ts (run with --expose-gc): a real core with posing agents and simulated tasks
 * creates, starts, stops and destroys environments one after another and prints, as one JSON line, the core's heap
 * (after full garbage collections) following each destroy.
 * Arguments: cycles, hosts, tasks per host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../../gen/protos/o2control_pb.ts';
import { startCore } from '../core.ts';
import { waitForAgents } from './agents.ts';
import { scaled } from '../../common/testing/wait.ts';

const [cycles, hosts, perHost] = process.argv.slice(2).map(Number) as [number, number, number];
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc?.();
  }
  return process.memoryUsage().heapUsed;
}

const root = mkdtempSync(join(tmpdir(), 'axle-heap-'));
const repo = join(root, 'repo');
mkdirSync(join(repo, 'workflows'), { recursive: true });
mkdirSync(join(repo, 'tasks'), { recursive: true });
writeFileSync(
  join(repo, 'workflows', 'many.yaml'),
  `name: !public many
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: "t{{ i }}"
        for: { begin: "1", end: "${perHost}", var: i }
        task: { load: sim }
`,
);
writeFileSync(join(repo, 'tasks', 'sim.yaml'), 'name: sim\ncommand: { value: /bin/true }\n');
const agents = Array.from({ length: hosts }, (_, i) => ({ host: `flp${String(i + 1).padStart(3, '0')}` }));
const core = await startCore({
  stateDir: join(root, 'state'),
  port: 0,
  localAgents: agents,
  agentProcesses: 1,
  simulatedTasks: true,
});
try {
  await core.context.repos.add(repo);
  await waitForAgents(core, hosts, 60_000);
  const c = createClient(
    Control,
    createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: scaled(300_000) }),
  );
  const heaps: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const created = await c.newEnvironment({
      workflowTemplate: 'many',
      vars: { hosts: JSON.stringify(agents.map((a) => a.host)) },
    });
    const id = created.environment?.id ?? '';
    await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
    await c.destroyEnvironment({ id });
    heaps.push(await heapAfterGc());
  }
  process.stdout.write(`${JSON.stringify({ heaps })}\n`);
} finally {
  await core.stop();
  rmSync(root, { recursive: true, force: true });
}
