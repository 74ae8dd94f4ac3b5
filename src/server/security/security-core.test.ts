/**
 * Security through a real core and real gRPC clients sending `authorization` metadata: every role against a
 * representative RPC of each class, detector scope and locks on environments, locks under contention and across a
 * restart, the audit log (API and CLI), request users from the identity, and the start-time listen check.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { DescService } from '@bufbuild/protobuf';
import { timeScale } from '../../common/testing/time-scale.ts';
import type { StampedEvent } from '../../environment/events.ts';
import { Apricot } from '../../gen/apricot/apricot_pb.ts';
import { AuditService } from '../../gen/axle/audit/v1/audit_pb.ts';
import { LockService } from '../../gen/axle/locks/v1/locks_pb.ts';
import { Control } from '../../gen/protos/o2control_pb.ts';
import { ControlEnvironmentRequest_Optype } from '../../gen/protos/o2control_pb.ts';
import { startCore } from '../core.ts';
import type { CoreOptions, RunningCore } from '../core.ts';
import { toWireEvent } from '../event-convert.ts';
import { SecurityDb } from './security-db.ts';
import { tokenHash } from './token-file.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

const USERS = {
  gus: 'guest',
  alice: 'det-tpc',
  bob: 'det-its',
  gina: 'global',
  adam: 'admin',
} as const;
type User = keyof typeof USERS;
const token = (u: User): string => `token-of-${u}-0123456789`;

const userName = (json: string | undefined): unknown => (JSON.parse(json ?? '{}') as { name?: unknown }).name;

async function code(p: Promise<unknown>): Promise<{ code: Code | 'ok'; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (e: unknown) {
    const err = ConnectError.from(e);
    return { code: err.code, message: err.rawMessage };
  }
}

describe('security through a real core', () => {
  let root = '';
  let core: RunningCore;
  let options: CoreOptions;
  const events: StampedEvent[] = [];

  const clients = <S extends DescService>(service: S, u: User | undefined): Client<S> =>
    createClient(
      service,
      createGrpcTransport({
        baseUrl: core.url,
        interceptors:
          u === undefined
            ? []
            : [
                (next) => (req) => {
                  req.header.set('authorization', `Bearer ${token(u)}`);
                  return next(req);
                },
              ],
      }),
    );
  const control = (u?: User): Client<typeof Control> => clients(Control, u);
  const locks = (u?: User): Client<typeof LockService> => clients(LockService, u);
  const audit = (u?: User): Client<typeof AuditService> => clients(AuditService, u);
  const create = (u: User, detectors: string[], requestUser?: string) =>
    control(u).newEnvironment({
      workflowTemplate: 'noop',
      vars: { detectors: JSON.stringify(detectors) },
      ...(requestUser !== undefined ? { requestUser: { name: requestUser } } : {}),
    });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'axle-security-'));
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'workflows'), { recursive: true });
    mkdirSync(join(repo, 'tasks'), { recursive: true });
    writeFileSync(
      join(repo, 'workflows', 'noop.yaml'),
      `name: !public noop
roles:
  - name: check
    call: { func: testplugin.Noop(), trigger: before_START_ACTIVITY, timeout: 5s }
`,
    );
    const state = join(root, 'state');
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const tokens = Object.entries(USERS).map(
      ([u, role]) => `  - { sha256: ${tokenHash(token(u as User))}, user: ${u}, roles: [${role}] }`,
    );
    writeFileSync(join(state, 'tokens.yaml'), `tokens:\n${tokens.join('\n')}\n`);
    chmodSync(join(state, 'tokens.yaml'), 0o600);
    options = {
      stateDir: state,
      port: 0,
      config: `embedded://${join(root, 'config')}`,
      // flp001 belongs to detector TST.
      seedConfig: join(ROOT, 'examples', 'config.yaml'),
      security: { requireAuth: true },
    };
    core = await startCore(options);
    core.context.bus.subscribe((e) => events.push(e));
    await core.context.repos.add(repo);
  });

  after(async () => {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('every role against a representative RPC of each class: allowed or PermissionDenied naming what is missing', async () => {
    const missing = 'aaaaaaaaaaa';
    const rpcs: Record<string, { call: (u: User) => Promise<unknown>; allowed: User[]; needs: RegExp }> = {
      read: {
        call: (u) => control(u).getEnvironments({}),
        allowed: ['gus', 'alice', 'bob', 'gina', 'adam'],
        needs: /./,
      },
      'environment-control': {
        call: (u) => control(u).destroyEnvironment({ id: missing }),
        allowed: ['alice', 'bob', 'gina', 'adam'],
        needs:
          /DestroyEnvironment: user gus \(guest\) may not control environments: needs det-<detector>, global or admin/,
      },
      'repository-admin': {
        call: (u) => control(u).setGlobalDefaultRevision({ revision: 'master' }),
        allowed: ['adam'],
        needs: /may not change repositories: needs admin/,
      },
      'configuration-write': {
        call: (u) =>
          clients(Apricot, u).setRuntimeEntry({ component: 'security-test', key: 'k', value: 'v' }),
        allowed: ['adam'],
        needs: /SetRuntimeEntry: user \w+ \(.*\) may not change the configuration: needs admin/,
      },
      'tasks-cleanup': {
        call: (u) => control(u).cleanupTasks({ taskIds: [] }),
        allowed: ['adam'],
        needs: /CleanupTasks: .* may not clean up tasks: needs admin/,
      },
      'lock-admin': {
        call: (u) => locks(u).takeLock({ detector: 'MCH', force: true }),
        allowed: ['adam'],
        // A guest is refused before the force flag is looked at: it may not take locks at all.
        needs: /TakeLock: user \w+ \(.*\) may not (force the lock of MCH: needs admin|control environments)/,
      },
    };
    for (const [cls, r] of Object.entries(rpcs)) {
      for (const u of Object.keys(USERS) as User[]) {
        const got = await code(r.call(u));
        if (r.allowed.includes(u)) {
          assert.ok(
            got.code !== Code.PermissionDenied && got.code !== Code.Unauthenticated,
            `${cls} ${u}: ${got.message}`,
          );
        } else {
          assert.equal(got.code, Code.PermissionDenied, `${cls} ${u}: ${got.message}`);
          assert.match(got.message, r.needs, `${cls} ${u}`);
        }
      }
    }
    await locks('adam').releaseLock({ detector: 'MCH', force: true });
  });

  test('without credentials or with a bad token: Unauthenticated (authentication required on this core)', async () => {
    const none = await code(control().getEnvironments({}));
    assert.equal(none.code, Code.Unauthenticated);
    assert.match(none.message, /GetEnvironments: authentication required/);
    const bad = await code(
      createClient(Control, createGrpcTransport({ baseUrl: core.url })).getEnvironments(
        {},
        { headers: { authorization: 'Bearer nope' } },
      ),
    );
    assert.equal(bad.code, Code.Unauthenticated);
    assert.match(bad.message, /unknown token/);
  });

  test('creating and controlling needs the detector scope and the locks; requestUser comes from the identity', async () => {
    const scope = await code(create('alice', ['ITS', 'TPC']));
    assert.equal(scope.code, Code.PermissionDenied);
    assert.match(
      scope.message,
      /NewEnvironment: user alice \(det-tpc\) may not create an environment using detectors \[ITS, TPC\]: needs global or det-its/,
    );
    const unlocked = await code(create('alice', ['TPC']));
    assert.equal(unlocked.code, Code.PermissionDenied);
    assert.match(unlocked.message, /needs the lock of TPC \(axle lock take TPC\)/);
    assert.equal(core.context.manager.list().length, 0, 'nothing was created');

    await locks('alice').takeLock({ detector: 'tpc', force: false });
    const hosts = await code(
      control('alice').newEnvironment({
        workflowTemplate: 'noop',
        vars: { hosts: '["flp001"]', detectors: '["TPC"]' },
      }),
    );
    assert.equal(hosts.code, Code.PermissionDenied, 'the hosts count, whatever the detectors variable says');
    assert.match(hosts.message, /using detectors \[TPC, TST\]: needs global or det-tst/);
    const created = await create('alice', ['TPC'], 'mallory');
    const id = created.environment?.id ?? '';
    assert.equal(userName(created.environment?.userVars['last_request_user']), 'alice');

    const otherScope = await code(
      control('bob').controlEnvironment({ id, type: ControlEnvironmentRequest_Optype.START_ACTIVITY }),
    );
    assert.equal(otherScope.code, Code.PermissionDenied);
    assert.match(
      otherScope.message,
      new RegExp(
        `ControlEnvironment: user bob \\(det-its\\) may not control environment ${id} using detectors \\[TPC\\]: needs global or det-tpc`,
      ),
    );
    const lockedOut = await code(control('gina').destroyEnvironment({ id }));
    assert.equal(lockedOut.code, Code.PermissionDenied);
    assert.match(lockedOut.message, /may not destroy environment .*: the lock of TPC is held by alice/);

    const started = await control('alice').controlEnvironment({
      id,
      type: ControlEnvironmentRequest_Optype.START_ACTIVITY,
    });
    assert.equal(started.state, 'RUNNING');
    assert.equal(core.context.manager.get(id).lastUser?.name, 'alice');
    await control('alice').destroyEnvironment({ id, force: true });
    await locks('alice').releaseLock({ detector: 'TPC', force: false });
  });

  test('locks under contention: exactly one of two racing takers wins; non-holders cannot release; admin forces', async () => {
    const before = events.length;
    const race = await Promise.all([
      code(locks('gina').takeLock({ detector: 'ITS', force: false })),
      code(locks('bob').takeLock({ detector: 'ITS', force: false })),
    ]);
    assert.deepEqual(race.map((r) => r.code).sort(), [Code.FailedPrecondition, 'ok'].sort());
    const holder = (await locks('gus').listLocks({})).locks.find((l) => l.detector === 'ITS')?.holder;
    const loser = race[0]?.code === 'ok' ? 'bob' : 'gina';
    assert.equal(holder, loser === 'bob' ? 'gina' : 'bob');
    assert.match(
      race.find((r) => r.code !== 'ok')?.message ?? '',
      new RegExp(`the lock of ITS is held by ${holder}`),
    );

    const release = await code(locks(loser).releaseLock({ detector: 'ITS', force: false }));
    assert.equal(release.code, Code.FailedPrecondition);
    assert.match(release.message, new RegExp(`held by ${holder}, not by ${loser}`));
    const forced = await locks('adam').takeLock({ detector: 'ITS', force: true });
    assert.equal(forced.lock?.holder, 'adam');
    assert.equal(forced.previousHolder, holder);
    const scope = await code(locks('alice').takeLock({ detector: 'ITS', force: false }));
    assert.equal(scope.code, Code.PermissionDenied);
    assert.match(scope.message, /may not take the lock of ITS: needs global or det-its/);

    const lockEvents = events.slice(before).flatMap((e) => {
      const w = toWireEvent(e).Payload;
      return w.case === 'lockEvent' ? [`${w.value.action} ${w.value.previousHolder}->${w.value.holder}`] : [];
    });
    assert.deepEqual(lockEvents, [`take ->${holder}`, `force_take ${holder}->adam`]);
  });

  test('the audit log has every mutating request with its outcome; filters by user, RPC and time; the CLI reads it', async () => {
    const since = BigInt(Date.now());
    await code(control('gus').destroyEnvironment({ id: 'bbbbbbbbbbb' }));
    await code(control('bob').destroyEnvironment({ id: 'bbbbbbbbbbb' }));
    const gus = (await audit('gus').listAudit({ user: 'gus', sinceMs: since })).entries;
    assert.equal(gus.length, 1);
    assert.equal(gus[0]?.rpc, 'o2control.Control/DestroyEnvironment');
    assert.equal(gus[0]?.outcome, 'permission_denied');
    assert.match(gus[0]?.arguments ?? '', /"id":"bbbbbbbbbbb"/);
    const bob = (await audit('gus').listAudit({ user: 'bob', rpc: 'DestroyEnvironment', sinceMs: since }))
      .entries;
    assert.equal(bob[0]?.outcome, 'not_found');
    const created = (await audit('gus').listAudit({ user: 'alice', rpc: 'NewEnvironment', limit: 10 }))
      .entries;
    assert.deepEqual(created.map((e) => e.outcome).reverse(), [
      'permission_denied',
      'permission_denied',
      'permission_denied',
      'ok',
    ]);
    assert.equal(created[0]?.claimedUser, 'mallory');
    const reads = (await audit('gus').listAudit({ rpc: 'GetEnvironments' })).entries;
    assert.equal(reads.length, 0, 'reads are not audited');
    assert.equal((await audit('gus').listAudit({ limit: 2 })).entries.length, 2);

    const cli = await run(
      process.execPath,
      [
        join(ROOT, 'bin', 'axle.js'),
        '--state-dir',
        join(root, 'cli'),
        '--endpoint',
        `127.0.0.1:${core.port}`,
        'audit',
        '--user',
        'gus',
        '--since',
        '10m',
      ],
      { env: { ...process.env, AXLE_TOKEN: token('gus') }, timeout: 60_000 * timeScale() },
    );
    assert.match(
      cli.stdout,
      /gus\s+DestroyEnvironment\s+permission_denied: DestroyEnvironment: user gus \(guest\)/,
    );
    const list = await run(
      process.execPath,
      [
        join(ROOT, 'bin', 'axle.js'),
        '--state-dir',
        join(root, 'cli'),
        '--endpoint',
        `127.0.0.1:${core.port}`,
        'lock',
        'list',
      ],
      { env: { ...process.env, AXLE_TOKEN: token('gus') }, timeout: 60_000 * timeScale() },
    );
    assert.match(list.stdout, /ITS\s+adam/);
    const refused = await run(
      process.execPath,
      [
        join(ROOT, 'bin', 'axle.js'),
        '--state-dir',
        join(root, 'cli'),
        '--endpoint',
        `127.0.0.1:${core.port}`,
        'lock',
        'take',
        'TPC',
      ],
      { env: { ...process.env, AXLE_TOKEN: '' }, timeout: 60_000 * timeScale() },
    ).catch((e: unknown) => e as { stderr: string; code: number });
    assert.equal((refused as { code: number }).code, 1);
    assert.match((refused as { stderr: string }).stderr, /TakeLock: authentication required/);
  });

  test('locks and the audit log survive a restart of the core', async () => {
    await core.stop();
    core = await startCore(options);
    const held = (await locks('gus').listLocks({})).locks.map((l) => `${l.detector}:${l.holder}`);
    assert.deepEqual(held, ['ITS:adam']);
    const again = await code(locks('gina').takeLock({ detector: 'ITS', force: false }));
    assert.equal(again.code, Code.FailedPrecondition);
    assert.ok((await audit('gus').listAudit({ user: 'adam', rpc: 'TakeLock' })).entries.length >= 2);
  });

  test('the core refuses to start when authentication is required and there is nothing to check it with', async () => {
    const state = join(root, 'empty-state');
    await assert.rejects(
      startCore({ stateDir: state, port: 0, security: { requireAuth: true } }),
      /refusing to listen on 127\.0\.0\.1: authentication is required but there is no token file entry/,
    );
    const open = join(root, 'open-state');
    mkdirSync(open, { recursive: true });
    writeFileSync(join(open, 'tokens.yaml'), 'tokens: []\n', { mode: 0o644 });
    chmodSync(join(open, 'tokens.yaml'), 0o644);
    await assert.rejects(startCore({ stateDir: open, port: 0 }), /mode 644 lets other users read it/);
  });
});

describe('axle core says at start who may connect, and refuses an open listener', () => {
  const axleCore = (state: string, ...flags: string[]) =>
    spawn(
      process.execPath,
      [
        join(ROOT, 'bin', 'axle.js'),
        '--state-dir',
        state,
        'core',
        '--port',
        '0',
        '--no-example',
        '--no-local-agent',
        ...flags,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );

  test('--require-auth without tokens: exit status 1 with the reason; with tokens: one line saying a token is needed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axle-core-start-'));
    try {
      const refused = axleCore(join(root, 'a'), '--require-auth');
      let stderr = '';
      refused.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
      assert.equal(status, 1);
      assert.match(
        stderr,
        /axle: refusing to listen on 127\.0\.0\.1: authentication is required but there is no token/,
      );

      const state = join(root, 'b');
      mkdirSync(state, { recursive: true, mode: 0o700 });
      writeFileSync(
        join(state, 'tokens.yaml'),
        `tokens:\n  - { sha256: ${tokenHash('t')}, user: u, roles: [guest] }\n`,
        {
          mode: 0o600,
        },
      );
      const core = axleCore(state, '--require-auth');
      try {
        let out = '';
        const line = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`axle core printed no security line in ${30 * timeScale()} s: ${out}`)),
            30_000 * timeScale(),
          );
          core.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /^security: .*$/m.exec(out);
            if (m !== null) {
              clearTimeout(timer);
              resolve(m[0]);
            }
          });
        });
        assert.match(line, /^security: every request to 127\.0\.0\.1 must carry a token; 1 token\(s\) in /);
      } finally {
        const gone = new Promise((resolve) => core.once('exit', resolve));
        core.kill('SIGTERM');
        await gone;
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the local identity (requests without credentials on loopback)', () => {
  let root = '';
  let core: RunningCore;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'axle-local-identity-'));
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'workflows'), { recursive: true });
    writeFileSync(
      join(repo, 'workflows', 'noop.yaml'),
      `name: !public noop\nroles:\n  - name: check\n    call: { func: testplugin.Noop(), trigger: before_START_ACTIVITY, timeout: 5s }\n`,
    );
    const state = join(root, 'state');
    mkdirSync(state, { recursive: true, mode: 0o700 });
    // bob holds ITS from an earlier run of the core.
    const db = new SecurityDb(state);
    db.setLock('ITS', { holder: 'bob', takenMs: Date.now() });
    db.close();
    core = await startCore({ stateDir: state, port: 0, security: { localIdentity: 'global' } });
    await core.context.repos.add(repo);
  });
  after(async () => {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('acts with the configured role, may use a free lock but not one held by another, keeps the client requestUser', async () => {
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const refused = await code(c.cleanupTasks({ taskIds: [] }));
    assert.equal(refused.code, Code.PermissionDenied);
    assert.match(refused.message, /CleanupTasks: user local \(global\) may not clean up tasks: needs admin/);
    const created = await c.newEnvironment({
      workflowTemplate: 'noop',
      vars: { detectors: '["TPC"]' },
      requestUser: { name: 'alice@flp' },
    });
    assert.equal(userName(created.environment?.userVars['last_request_user']), 'alice@flp');
    const held = await code(c.newEnvironment({ workflowTemplate: 'noop', vars: { detectors: '["ITS"]' } }));
    assert.equal(held.code, Code.PermissionDenied);
    assert.match(
      held.message,
      /user local \(global\) may not create an environment using detectors \[ITS\]: the lock of ITS is held by bob/,
    );
    await c.destroyEnvironment({ id: created.environment?.id ?? '', force: true });
  });
});
