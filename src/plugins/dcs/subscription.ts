/**
 * The gateway's Subscribe stream, kept open for the plugin's life: every Event's detector matrix updates the
 * DetectorMatrix. When the stream fails or ends it is opened again after `retryMs`; the connection state says why.
 */
import type { Client } from '@connectrpc/connect';
import type { Configurator } from '../../gen/dcs/dcs_pb.ts';
import type { GrpcEndpoint } from '../grpc-endpoint.ts';
import type { DetectorMatrix } from './matrix.ts';

export class Subscription {
  private readonly stopping = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  /** Resolves at the first event (or failure) of the first attempt. */
  readonly first: Promise<void>;
  private settleFirst: () => void = () => undefined;

  constructor(
    private readonly endpoint: GrpcEndpoint,
    private readonly client: Client<typeof Configurator>,
    private readonly matrix: DetectorMatrix,
    private readonly instanceId: string,
    private readonly retryMs: number,
  ) {
    this.first = new Promise((resolve) => (this.settleFirst = resolve));
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        for await (const ev of this.client.subscribe({ instanceId: this.instanceId }, { signal })) {
          this.endpoint.note({ ok: true });
          this.matrix.update(ev.detectorMatrix);
          this.settleFirst();
        }
        if (!signal.aborted)
          this.endpoint.note({ ok: false, error: new Error('Subscribe stream ended by the gateway') });
      } catch (e: unknown) {
        if (!signal.aborted) this.endpoint.note({ ok: false, error: e });
      }
      this.settleFirst();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.retryMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
