/**
 * Test and benchmark support: a real Apache Kafka broker on 127.0.0.1 (free ports, temporary data dir), installed,
 * started and stopped through scripts/kafka/kafka. Start-up takes 10–30 s on a busy machine.
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePorts } from '../../config/etcd-store-server.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/kafka/kafka', import.meta.url));

/** A running broker; `stop` may be followed by `start` again on the same ports and data (a broker that comes back). */
export interface KafkaBroker {
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
  pid(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the broker and removes its data. */
  dispose(): Promise<void>;
}

export async function startKafka(): Promise<KafkaBroker> {
  await run(SCRIPT, ['install'], { maxBuffer: 16 << 20 }).catch((e: unknown) => {
    throw new Error(`cannot install Kafka: ${(e as { stderr?: string }).stderr ?? String(e)}`, { cause: e });
  });
  const dir = mkdtempSync(join(tmpdir(), 'axle-kafka-'));
  const [port, controller] = await freePorts(2);
  let pid = 0;
  let running = false;
  const broker: KafkaBroker = {
    endpoint: `127.0.0.1:${port}`,
    pid: () => pid,
    async start() {
      if (running) return;
      const { stdout } = await run(SCRIPT, ['start', dir, String(port), String(controller)]).catch(
        (e: unknown) => {
          throw new Error(`cannot start Kafka: ${(e as { stderr?: string }).stderr ?? String(e)}`, {
            cause: e,
          });
        },
      );
      pid = Number(stdout.trim());
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      await run(SCRIPT, ['stop', dir]).catch(() => undefined);
    },
    async dispose() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await broker.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return broker;
}
