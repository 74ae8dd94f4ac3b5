/**
 * Planning limits and budgets in a real core with a local agent: an environment whose plan would explode fails
 * alone with a clear error while another environment is created and the health service keeps answering quickly;
 * oversized request variables are refused without the core keeping them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { PlanLimits } from '../common/plan-limits.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { Health } from '../gen/grpc/health/v1/health_pb.ts';
import { Control } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';

/** 36 nested roles, each doubling the inherited `s`: 16 × 2^36 characters if nothing stopped it. */
function doubling(times: number): string {
  let role: object = { name: `l${times}`, vars: { s: '{{ s + s }}' }, task: { load: 'idle' } };
  for (let i = times - 1; i >= 1; i--) role = { name: `l${i}`, vars: { s: '{{ s + s }}' }, roles: [role] };
  return JSON.stringify({ name: 'dbl', defaults: { s: 'xxxxxxxxxxxxxxxx' }, roles: [role] }, null, 1);
}

const FILES: Record<string, string> = {
  'workflows/dbl.yaml': doubling(36),
  'workflows/big.yaml': `name: big
defaults: { n: "1" }
roles:
  - name: "b-{{ i }}"
    for: { begin: "1", end: "{{ n }}", var: i }
    task: { load: idle }
`,
  'workflows/normal.yaml': `name: normal
roles:
  - name: one
    constraints: [ { attribute: machine_id, value: localhost } ]
    task: { load: idle }
`,
  'workflows/slow.yaml': `name: slow
roles:
  - name: one
    enabled: "{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' matches '^(a+)+$' ? 'false' : 'true' }}"
    task: { load: idle }
`,
  'workflows/hostsjunk.yaml': `name: hostsjunk
roles:
  - name: "one-{{ h }}"
    for: { range: "{{ hosts }}", var: h }
    task: { load: idle }
`,
  'tasks/idle.yaml': `name: idle
control: { mode: basic }
command: { value: "/bin/true" }
`,
};

async function withCore(
  limits: Partial<PlanLimits>,
  inWorker: boolean,
  body: (core: RunningCore, root: string) => Promise<void>,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-limits-'));
  let core: RunningCore | undefined;
  try {
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(join(root, 'repo', rel, '..'), { recursive: true });
      writeFileSync(join(root, 'repo', rel), text);
    }
    core = await startCore({
      stateDir: join(root, 'state'),
      port: 0,
      localAgents: [{ host: 'localhost' }],
      planLimits: limits,
      planInProcess: !inWorker,
    });
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1, 15_000);
    const pids = core.engine?.pids() ?? [];
    await body(core, root);
    await core.stop();
    core = undefined;
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), `agent ${pid} is gone`);
  } finally {
    await core?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Checks health every 20 ms until stopped; returns the slowest answer in ms. */
function watchHealth(url: string): { stop(): Promise<number> } {
  const health = createClient(Health, createGrpcTransport({ baseUrl: url }));
  let running = true;
  let worst = 0;
  const loop = (async () => {
    await health.check({});
    while (running) {
      const t0 = performance.now();
      const r = await health.check({});
      assert.equal(r.status, 1, 'SERVING');
      worst = Math.max(worst, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return worst;
    },
  };
}

async function refusal(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (e: unknown) {
    return ConnectError.from(e);
  }
  assert.fail('the request was expected to fail');
}

async function normalEnvironmentWorks(core: RunningCore): Promise<void> {
  const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
  const ok = await c.newEnvironment({ workflowTemplate: 'normal', vars: {} });
  assert.equal(ok.environment?.state, 'CONFIGURED');
  await c.destroyEnvironment({ id: ok.environment?.id ?? '', force: true });
}

test(
  'a 100,000,000-value iterator fails quickly, naming it and the limit; the core keeps serving',
  { timeout: 120_000 * timeScale() },
  async () => {
    await withCore({}, true, async (core) => {
      const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
      const health = watchHealth(core.url);
      const t0 = Date.now();
      const err = await refusal(c.newEnvironment({ workflowTemplate: 'big', vars: { n: '100000000' } }));
      const ms = Date.now() - t0;
      const worst = await health.stop();
      await normalEnvironmentWorks(core);
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(
        err.rawMessage,
        /workflows\/big\.yaml:5: error: roles\[0\]\.for\.end: iterator "i" would produce 100000000 values; the limit is 10000 per for \(maxIteratorValues\)/,
      );
      assert.ok(ms < 10_000 * timeScale(), `the refusal took ${ms} ms`);
      assert.ok(worst < 100 * timeScale(), `a health check took ${worst.toFixed(1)} ms while planning`);
    });
  },
);

test(
  'a template doubling a string 36 times fails quickly, naming the limit',
  { timeout: 120_000 * timeScale() },
  async () => {
    await withCore({}, true, async (core) => {
      const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
      const t0 = Date.now();
      const err = await refusal(c.newEnvironment({ workflowTemplate: 'dbl', vars: {} }));
      const ms = Date.now() - t0;
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(
        err.rawMessage,
        /workflows\/dbl\.yaml:\d+: error: (roles\[0\]\.)+vars\.s: string of 2097152 characters exceeds the limit of 1048576 characters per rendered value \(maxTextLength\)/,
      );
      assert.ok(err.rawMessage.length < 5_000, 'the error text is bounded');
      assert.ok(ms < 10_000 * timeScale(), `the refusal took ${ms} ms`);
    });
  },
);

test(
  'a plan over its memory budget fails alone with a clear error',
  { timeout: 120_000 * timeScale() },
  async () => {
    const unlimited = { maxIteratorValues: 1e9, maxRoles: 1e9, maxTasks: 1e9, planMemoryMb: 64 };
    await withCore(unlimited, true, async (core) => {
      const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
      const health = watchHealth(core.url);
      const bad = refusal(c.newEnvironment({ workflowTemplate: 'big', vars: { n: '400000' } }));
      await normalEnvironmentWorks(core);
      const err = await bad;
      const worst = await health.stop();
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(
        err.rawMessage,
        /planning workflow big exceeded its memory budget of 64 MB \(planMemoryMb\)/,
      );
      // Starting a worker from the TypeScript sources can stall the loop briefly; the plan itself never does.
      assert.ok(worst < 1_000 * timeScale(), `a health check took ${worst.toFixed(1)} ms while planning`);
      await normalEnvironmentWorks(core);
    });
  },
);

test(
  'a plan over its time budget is stopped with a clear error',
  { timeout: 120_000 * timeScale() },
  async () => {
    await withCore({ planTimeoutMs: 1_000 }, true, async (core) => {
      const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
      const health = watchHealth(core.url);
      const t0 = Date.now();
      const err = await refusal(c.newEnvironment({ workflowTemplate: 'slow', vars: {} }));
      const ms = Date.now() - t0;
      const worst = await health.stop();
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(
        err.rawMessage,
        /planning workflow slow exceeded its time budget of 1 s \(planTimeoutMs\)/,
      );
      assert.ok(ms < 15_000 * timeScale(), `the refusal took ${ms} ms`);
      // Starting a worker from the TypeScript sources can stall the loop briefly; the plan itself never does.
      assert.ok(worst < 1_000 * timeScale(), `a health check took ${worst.toFixed(1)} ms while planning`);
      await normalEnvironmentWorks(core);
    });
  },
);

test(
  'an oversized variable is InvalidArgument naming it and the limit',
  { timeout: 60_000 * timeScale() },
  async () => {
    await withCore({ maxVariableLength: 64 * 1024 }, true, async (core) => {
      const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
      const err = await refusal(
        c.newEnvironment({ workflowTemplate: 'normal', vars: { blob: 'b'.repeat(100_000) } }),
      );
      assert.equal(err.code, Code.InvalidArgument);
      assert.match(
        err.rawMessage,
        /variable "blob" is 100000 characters long; the limit is 65536 per variable \(maxVariableLength\)/,
      );
      assert.ok(err.rawMessage.length < 2_000, 'the value is not echoed');
    });
  },
);

test(
  'failing creations with a 50 MB variable do not grow the heap',
  { timeout: 120_000 * timeScale() },
  async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await withCore({}, true, async (core) => {
      const create = async (): Promise<void> => {
        const hosts = 'h'.repeat(50 * 1024 * 1024);
        await assert.rejects(
          core.context.manager.create({ workflow: 'hostsjunk', vars: { hosts } }),
          /variable "hosts" is 52428800 characters long/,
        );
      };
      await create();
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 6; i++) await create();
      gc();
      const grown = process.memoryUsage().heapUsed - before;
      assert.ok(
        grown < 20 * 1024 * 1024,
        `the heap grew by ${(grown / 1048576).toFixed(1)} MB over 6 failed creations`,
      );
    });
  },
);
