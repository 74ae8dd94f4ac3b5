/**
 * Test and benchmark support: a real etcd-server on 127.0.0.1 (free ports, temporary data dir), started and stopped
 * through scripts/etcd. Fails with a clear message when etcd is not installed (scripts/test installs it).
 * When `AXLE_TEST_ETCD` names a running etcd (`127.0.0.1:<port>`, as scripts/test starts one per run), that one is
 * used instead and `stop` leaves it running; its users keep to their own key prefixes.
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/etcd', import.meta.url));

/** A running etcd; `stop` is idempotent. */
export interface EtcdServer {
  /** `etcd://127.0.0.1:<port>` */
  readonly uri: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The etcd named by `AXLE_TEST_ETCD`, if set: shared by the whole test run, so `stop` does not stop it. */
function sharedEtcd(): EtcdServer | undefined {
  const endpoint = process.env.AXLE_TEST_ETCD ?? '';
  if (endpoint === '') return undefined;
  if (!/^127\.0\.0\.1:\d+$/.test(endpoint))
    throw new Error(`AXLE_TEST_ETCD must be 127.0.0.1:<port>, not '${endpoint}'`);
  return {
    uri: `etcd://${endpoint}`,
    pid: Number(process.env.AXLE_TEST_ETCD_PID ?? '0'),
    stop: async () => {},
  };
}

/**
 * Starts an etcd-server on free loopback ports, or returns the shared one (see the module) unless `own` asks for an
 * empty etcd of the caller's own; throws when etcd is missing or does not become healthy.
 */
export async function startEtcd(o: { readonly own?: boolean } = {}): Promise<EtcdServer> {
  const shared = o.own === true ? undefined : sharedEtcd();
  if (shared !== undefined) return shared;
  try {
    await run('sh', ['-c', 'command -v etcd && command -v etcdctl']);
  } catch {
    throw new Error(
      'etcd is not installed: run scripts/test (it installs etcd-server) or apt-get install etcd-server etcd-client',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'axle-etcd-'));
  const [client, peer] = await freePorts(2);
  let pid: number;
  try {
    const { stdout } = await run(SCRIPT, ['start', dir, String(client), String(peer)]);
    pid = Number(stdout.trim());
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start etcd: ${(e as { stderr?: string }).stderr ?? String(e)}`, {
      cause: e,
    });
  }
  let stopped = false;
  return {
    uri: `etcd://127.0.0.1:${client}`,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(SCRIPT, ['stop', dir]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `count` distinct free TCP ports on 127.0.0.1 (held open together, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
