/** Support for the core's liveness tests: a template repository of marked sleepers, a droppable TCP proxy, waits. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { waitUntil } from '../../common/testing/wait.ts';

/**
 * A repository whose workflow `sleepers` runs `count` critical basic tasks on `host`; each task's command line
 * carries `mark`, so the test finds (and counts) its processes with pgrep.
 */
export function sleeperRepo(dir: string, host: string, count: number, mark: string): void {
  mkdirSync(join(dir, 'workflows'), { recursive: true });
  mkdirSync(join(dir, 'tasks'), { recursive: true });
  const roles = Array.from(
    { length: count },
    (_, i) =>
      `  - name: s${i}\n    constraints: [ { attribute: machine_id, value: ${host} } ]\n    task: { load: sleeper }\n`,
  ).join('');
  writeFileSync(join(dir, 'workflows', 'sleepers.yaml'), `name: sleepers\nroles:\n${roles}`);
  writeFileSync(
    join(dir, 'tasks', 'sleeper.yaml'),
    `name: sleeper\ncontrol: { mode: basic }\ncommand:\n  shell: true\n` +
      `  value: "exec ${process.execPath} -e 'setTimeout(() => {}, 300000)' ${mark}"\n`,
  );
}

/** PIDs of the processes whose command line contains `mark`. */
export function marked(mark: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', mark], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Polls `predicate` until it holds; rejects after `timeoutMs` × timeScale() naming `what` it waited for. */
export function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return waitUntil(what, predicate, timeoutMs, 50);
}

/** Holds this process's event loop for `ms` (a synchronous busy wait), as a long plan in the core would. */
export function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Busy: nothing else runs in this process meanwhile.
  }
}

/** A TCP proxy on 127.0.0.1 to `targetPort` whose connections the test can cut (both sides see them drop). */
export class DroppableProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<void> {
    const server = createServer((downstream) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [downstream, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => {
          downstream.destroy();
          upstream.destroy();
        });
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Cuts every connection through the proxy (new ones are accepted again). */
  drop(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }
}
