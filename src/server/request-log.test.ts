/**
 * The core's request log through real clients: one line per mutating or failed request with time, RPC, user
 * (request user, else the peer), key arguments and outcome; reads only when verbose. Also through `axle core`'s
 * stdout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { timeScale } from '../common/testing/time-scale.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { apricotClient } from './apricot-client.ts';
import { startCore } from './core.ts';

const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const PEER = 'user=127\\.0\\.0\\.1:\\d+';

test('mutations and failures are logged one line each, reads only when verbose', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-reqlog-'));
  const lines: string[] = [];
  const core = await startCore({
    stateDir: root,
    port: 0,
    config: `embedded://${join(root, 'config')}`,
    log: (l) => lines.push(l),
  });
  try {
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    await c.getEnvironments({});
    await c.listRepos({});
    assert.deepEqual(lines, [], 'successful reads are quiet by default');

    await c.setGlobalDefaultRevision({ revision: 'dev' });
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(`^${TIME} SetGlobalDefaultRevision ${PEER} revision=dev -> ok \\(\\d+ ms\\)$`),
    );

    await assert.rejects(
      c.controlEnvironment({
        id: 'nosuchenv01',
        type: Op.START_ACTIVITY,
        requestUser: { name: 'alice@flp' },
      }),
    );
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(
        `^${TIME} ControlEnvironment user=alice@flp id=nosuchenv01 type=START_ACTIVITY -> NotFound: .*nosuchenv01.* \\(\\d+ ms\\)$`,
      ),
    );
    await assert.rejects(c.getEnvironment({ id: 'bad id' }));
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(`GetEnvironment ${PEER} id="bad id" -> InvalidArgument: .*id`),
    );
    await assert.rejects(
      c.newEnvironment({ workflowTemplate: 'nowhere', vars: { hosts: '["a"]', b: 'x y' } }),
    );
    assert.match(
      lines.at(-1) ?? '',
      /NewEnvironment .*workflowTemplate=nowhere vars=\{hosts:.*,b:"x y"\} -> InvalidArgument: /,
    );
    const info = await c.setRepoDefaultRevision({ index: 3, revision: 'x' }).catch(() => undefined);
    assert.equal(info, undefined);
    assert.match(lines.at(-1) ?? '', /SetRepoDefaultRevision .*index=3 revision=x -> InvalidArgument: /);

    const a = apricotClient(`apricot://127.0.0.1:${core.port}`);
    await a.setRuntimeEntry({ component: 'COG-v1', key: 'mine', value: '{"a":\n1}' });
    assert.match(
      lines.at(-1) ?? '',
      /SetRuntimeEntry .*component=COG-v1 key=mine value="\{\\"a\\": \| 1\}" -> ok/,
    );
    await a.getRuntimeEntry({ component: 'COG-v1', key: 'mine' });
    assert.doesNotMatch(lines.at(-1) ?? '', /GetRuntimeEntry/);
    // The core also logs environment errors; the request log writes one line per logged request.
    const requests = lines.filter((l) => new RegExp(`^${TIME} [A-Z]\\w+ user=`).test(l));
    assert.equal(requests.length, 6, lines.join('\n'));
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('axle core prints the request log on stdout; --log-level debug adds reads', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-reqlog-cli-'));
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'axle.js');
  const args = [bin, 'core', '--port', '0', '--no-local-agent', '--no-example', '--log-level', 'debug'];
  const child = spawn(process.execPath, [...args, '--state-dir', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const waitFor = async (what: string, re: RegExp): Promise<RegExpExecArray> => {
    const end = Date.now() + 20_000 * timeScale();
    for (;;) {
      const m = re.exec(out);
      if (m !== null) return m;
      if (Date.now() > end || child.exitCode !== null) throw new Error(`axle core: no ${what} in:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    const url = (await waitFor('listening line', /listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] ?? '';
    const c = createClient(Control, createGrpcTransport({ baseUrl: url }));
    await c.getEnvironments({});
    await assert.rejects(c.destroyEnvironment({ id: 'nosuchenv02', requestUser: { name: 'bob@ecs' } }));
    await waitFor('read line', new RegExp(`${TIME} GetEnvironments ${PEER} -> ok`));
    await waitFor('failure line', /DestroyEnvironment user=bob@ecs id=nosuchenv02 -> NotFound: /);
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, 'axle core stops cleanly');
    rmSync(root, { recursive: true, force: true });
  }
});
