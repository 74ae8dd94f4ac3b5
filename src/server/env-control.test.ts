/**
 * ERROR is not a dead end, and errors say what is wrong: through a real core, with a grpc-js client built from our
 * o2control.proto (as coconut's) and the `axle` CLI. A START_ACTIVITY hook call fails on purpose, so the environment
 * goes to ERROR; RECOVER brings it back to DEPLOYED; the reason is in GetEnvironment and `env show`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { timeScale } from '../common/testing/time-scale.ts';
import { startCore } from './core.ts';
import type { RunningCore } from './core.ts';
import { cliBundle } from '../cli/testing/cli-bundle.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

type Reply = Record<string, unknown>;
type Unary = (req: Reply, cb: (err: grpc.ServiceError | null, res?: Reply) => void) => void;
type Stub = grpc.Client & Record<string, Unary>;

function controlStub(address: string): Stub {
  const def = protoLoader.loadSync('protos/o2control.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    arrays: true,
    includeDirs: [join(ROOT, 'proto')],
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    o2control: { Control: new (a: string, c: grpc.ChannelCredentials) => Stub };
  };
  return new pkg.o2control.Control(address, grpc.credentials.createInsecure());
}

function call(client: Stub, method: string, req: Reply): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const fn = client[method];
    if (fn === undefined) throw new Error(`no method ${method}`);
    fn.call(client, req, (err, res) => (err !== null ? reject(err) : resolve(res ?? {})));
  });
}

/** grpc-js leaves reserved characters of grpc-message percent-encoded (%3A, %2C, %2F). */
const details = (e: grpc.ServiceError): string => decodeURIComponent(e.details);

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e: unknown) {
    return e as grpc.ServiceError;
  }
  assert.fail('the call succeeded');
}

const env = (r: Reply): Reply => r['environment'] as Reply;

describe('environment control: RECOVER, refused events, last error, error codes', () => {
  let root = '';
  let core: RunningCore;
  let control: Stub;

  const axle = async (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run(
      process.execPath,
      [await cliBundle(), '--state-dir', join(root, 'cli'), '--endpoint', `127.0.0.1:${core.port}`, ...args],
      { timeout: 60_000 * timeScale() },
    );

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'axle-env-control-'));
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'workflows'), { recursive: true });
    mkdirSync(join(repo, 'tasks'), { recursive: true });
    writeFileSync(
      join(repo, 'workflows', 'fragile.yaml'),
      `name: !public fragile
defaults: { start_fails: "false" }
roles:
  - name: check
    vars: { testplugin_fail: "{{ start_fails }}", testplugin_message: "the check said no" }
    call: { func: testplugin.Test(), trigger: before_START_ACTIVITY, timeout: 5s, critical: true }
`,
    );
    writeFileSync(
      join(repo, 'workflows', 'perhost.yaml'),
      `name: !public perhost
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    roles:
      - name: check
        call: { func: testplugin.Noop(), trigger: before_START_ACTIVITY, timeout: 5s }
`,
    );
    core = await startCore({ stateDir: join(root, 'state'), port: 0 });
    await core.context.repos.add(repo);
    control = controlStub(`127.0.0.1:${core.port}`);
  });

  after(async () => {
    control.close();
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('a failed START leads to ERROR; START again is FailedPrecondition; RECOVER → DEPLOYED; the reason is shown', async () => {
    const created = await call(control, 'NewEnvironment', {
      workflowTemplate: 'fragile',
      vars: { start_fails: 'true' },
    });
    const id = String(env(created)['id']);
    const aborted = await failure(call(control, 'ControlEnvironment', { id, type: 'START_ACTIVITY' }));
    assert.equal(aborted.code, grpc.status.ABORTED);
    const inError = env(await call(control, 'GetEnvironment', { id }));
    assert.equal(inError['state'], 'ERROR');
    assert.match(String(inError['lastError']), /START_ACTIVITY failed: .*the check said no/);

    const again = await failure(call(control, 'ControlEnvironment', { id, type: 'START_ACTIVITY' }));
    assert.equal(again.code, grpc.status.FAILED_PRECONDITION, details(again));
    assert.match(details(again), /START_ACTIVITY is impossible from state ERROR/);

    const shown = await axle('env', 'show', id);
    assert.match(shown.stdout, /state: ERROR/);
    assert.match(shown.stdout, /last error: START_ACTIVITY failed: .*the check said no/);
    const json = JSON.parse((await axle('env', 'show', id, '--json')).stdout) as {
      environment: { lastError: string };
    };
    assert.match(json.environment.lastError, /the check said no/);

    const recovered = await call(control, 'ControlEnvironment', { id, type: 'RECOVER' });
    assert.equal(recovered['state'], 'DEPLOYED');
    const cli = await axle('env', 'control', id, '-e', 'configure');
    assert.match(cli.stdout, new RegExp(`environment ${id} CONFIGURED`));
    const exited = await axle('env', 'control', id, '-e', 'EXIT');
    assert.match(exited.stdout, new RegExp(`environment ${id} DONE`));
    const glob = await failure(call(control, 'GetRoles', { envId: id, pathSpec: 'fragile.{check' }));
    assert.equal(glob.code, grpc.status.INVALID_ARGUMENT);
    assert.match(
      details(glob),
      /^GetRoles: pathSpec: "fragile\.\{check" is not a valid pattern: "\{" at position 9/,
    );
    await call(control, 'DestroyEnvironment', { id });
  });

  test('the CLI offers exactly the requestable events: RECOVER and EXIT, not GO_ERROR', async () => {
    const help = (await axle('env', 'control', '--help')).stdout;
    for (const e of ['START_ACTIVITY', 'STOP_ACTIVITY', 'CONFIGURE', 'RESET', 'DEPLOY', 'EXIT', 'RECOVER'])
      assert.match(help, new RegExp(`\\b${e}\\b`));
    assert.doesNotMatch(help, /GO_ERROR/);
    await assert.rejects(axle('env', 'control', '2oDvieFrVTi', '-e', 'GO_ERROR'), (e: Error) =>
      /--event: GO_ERROR cannot be requested \(one of .*RECOVER/.test(e.message),
    );
    const goError = await failure(
      call(control, 'ControlEnvironment', { id: '2oDvieFrVTi', type: 'GO_ERROR' }),
    );
    assert.equal(goError.code, grpc.status.INVALID_ARGUMENT);
    assert.match(details(goError), /type: GO_ERROR cannot be requested/);
  });

  test('a malformed environment id is InvalidArgument naming the field, in every RPC and the CLI', async () => {
    for (const [method, field] of [
      ['GetEnvironment', 'id'],
      ['ControlEnvironment', 'id'],
      ['DestroyEnvironment', 'id'],
      ['GetRoles', 'envId'],
    ] as const) {
      const bad = await failure(call(control, method, { [field]: 'nosuchenv', type: 'CONFIGURE' }));
      assert.equal(bad.code, grpc.status.INVALID_ARGUMENT, `${method}: ${details(bad)}`);
      assert.match(
        details(bad),
        new RegExp(`^${method}: ${field}: "nosuchenv" is not a valid environment id`),
      );
    }
    const unknown = await failure(call(control, 'GetEnvironment', { id: '2oDvieFrVTi' }));
    assert.equal(unknown.code, grpc.status.NOT_FOUND);
    await assert.rejects(
      axle('env', 'show', 'nosuchenv'),
      /\[invalid_argument\] GetEnvironment: id: "nosuchenv"/,
    );
  });

  test('a workflow that does not plan is InvalidArgument from NewEnvironment with every issue, also in the CLI', async () => {
    const sync = await failure(call(control, 'NewEnvironment', { workflowTemplate: 'perhost' }));
    assert.equal(sync.code, grpc.status.INVALID_ARGUMENT);
    assert.match(details(sync), /^NewEnvironment: cannot load workflow perhost/);
    await assert.rejects(axle('env', 'create', '-w', 'perhost'), (e: Error) => {
      assert.match(
        e.message,
        /\[invalid_argument\] NewEnvironment: creation of environment \w+ failed: cannot load workflow perhost/,
      );
      assert.match(
        e.message,
        /workflows\/perhost\.yaml:\d+: error: roles\[0\]\.for\.range: .*variable `hosts`/,
      );
      return true;
    });
  });
});
