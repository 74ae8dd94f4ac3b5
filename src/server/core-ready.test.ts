/**
 * Readiness: the core is ready (startCore resolves, `axle core` says it listens, health answers SERVING) only once
 * its local agents are connected; and DEPLOY waits, bounded by deploy_timeout, for the hosts it expects instead of
 * failing at once when they are not connected yet. Tasks that cannot fit the connected hosts still fail at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { timeScale } from '../common/testing/time-scale.ts';
import { Health, HealthCheckResponse_ServingStatus } from '../gen/grpc/health/v1/health_pb.ts';
import { Control } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { scaled, within } from '../common/testing/wait.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'axle.js');

test('startCore resolves only once its local agents are connected, and health then answers SERVING', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-ready-'));
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: [{ host: 'r1' }, { host: 'r2' }],
  });
  try {
    assert.deepEqual(
      core.context.registry
        .hosts()
        .map((h) => h.host)
        .sort(),
      ['r1', 'r2'],
      'both local agents are connected when the core says it is ready',
    );
    const health = createClient(Health, createGrpcTransport({ baseUrl: core.url }));
    const r = await health.check({ service: '' });
    assert.equal(r.status, HealthCheckResponse_ServingStatus.SERVING);
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('DEPLOY waits for a host that connects after the request; a task that fits no connected host fails at once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-late-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'workflows'), { recursive: true });
  mkdirSync(join(repo, 'tasks'), { recursive: true });
  writeFileSync(
    join(repo, 'workflows', 'late.yaml'),
    'name: late\ndefaults: { deploy_timeout: 60s }\nroles:\n  - name: w\n    constraints: [ { attribute: machine_id, value: late1 } ]\n    task: { load: t }\n',
  );
  writeFileSync(
    join(repo, 'workflows', 'nofit.yaml'),
    'name: nofit\ndefaults: { deploy_timeout: 60s }\nroles:\n  - name: w\n    constraints: [ { attribute: detector, value: NONE } ]\n    task: { load: t }\n',
  );
  writeFileSync(
    join(repo, 'tasks', 't.yaml'),
    'name: t\ncontrol: { mode: basic }\ncommand: { value: /bin/sleep, arguments: [ "30" ] }\n',
  );
  const core = await startCore({ stateDir: join(root, 'state'), port: 0 });
  let agent: ReturnType<typeof spawn> | undefined;
  try {
    await core.context.repos.add(repo);
    const c = createClient(
      Control,
      createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: scaled(90_000) }),
    );
    const created = c.newEnvironment({ workflowTemplate: 'late', vars: {} });
    await new Promise((r) => setTimeout(r, 1_000));
    agent = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        '--core',
        core.url,
        '--host',
        'late1',
        '--state-dir',
        join(root, 'agent'),
        '--exit-with-parent',
      ],
      { stdio: 'ignore' },
    );
    // within() clears its timer: a pending 45 s timer kept this file's process alive long after its tests.
    const env = await within(
      'the environment deployed on host late1, which connected during DEPLOY',
      created,
      45_000,
    );
    assert.equal(env.environment?.state, 'CONFIGURED', 'deployed on the host that connected during DEPLOY');
    const t0 = Date.now();
    await assert.rejects(
      c.newEnvironment({ workflowTemplate: 'nofit', vars: {} }),
      /no host can run nofit\.w: late1: detector/,
    );
    assert.ok(
      Date.now() - t0 < 20_000 * timeScale(),
      'a task that fits no connected host is refused at once',
    );
    await c.destroyEnvironment({ id: env.environment?.id ?? '' });
  } finally {
    await core.stop();
    if (agent !== undefined && agent.exitCode === null) {
      const exited = new Promise((r) => agent?.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  }
});
