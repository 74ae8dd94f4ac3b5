/**
 * Publishes every core event on Kafka as AliECS does (§ "Kafka event service"): protobuf `events.Event` on the
 * `aliecs.*` topics, keyed by task id (task events) or environment id (the others), so existing consumers decode
 * them unchanged.
 *
 * Contract: publishing never blocks or fails a transition. Events are queued in production order (bounded; the
 * oldest are dropped, and counted, past `maxQueued`) and sent by one background loop, in order per topic, with
 * acknowledgement from every in-sync replica. A broker that goes away and comes back gets the queued events then;
 * the publisher says when it cannot publish (one log line per outage, and in {@link KafkaEventPublisher.status}).
 * @module
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import type { EventBus, StampedEvent } from '../environment/events.ts';
import { EventSchema } from '../gen/protos/events_pb.ts';
import type { Event } from '../gen/protos/events_pb.ts';
import { toWireEvent } from './event-convert.ts';

export interface KafkaEventsOptions {
  /** Brokers as `host:port` (AliECS's `kafkaEndpoints`). */
  readonly brokers: readonly string[];
  readonly bus: EventBus;
  /** The core's id, sent in the `aliecs.core` CoreStart event. */
  readonly coreId: string;
  readonly log?: (line: string) => void;
  /** Queue bound (default 100,000 events). */
  readonly maxQueued?: number;
  /** Events per send (default 500). */
  readonly batchSize?: number;
}

export type KafkaPublisherState = 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

export interface KafkaPublisherStatus {
  readonly state: KafkaPublisherState;
  readonly brokers: readonly string[];
  readonly published: number;
  readonly queued: number;
  readonly dropped: number;
  readonly lastError?: string;
}

interface Outgoing {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer;
}

const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5_000;

/** The topic and key of an event, as AliECS names them. */
export function kafkaRoute(e: Event): { topic: string; key: string | null } {
  const p = e.Payload;
  switch (p.case) {
    case 'environmentEvent':
      return { topic: 'aliecs.environment', key: p.value.environmentId };
    case 'taskEvent':
      return { topic: 'aliecs.task', key: p.value.taskid };
    case 'roleEvent':
      return { topic: 'aliecs.role', key: p.value.environmentId };
    case 'callEvent':
      return { topic: 'aliecs.call', key: p.value.environmentId };
    case 'runEvent':
      return { topic: 'aliecs.run', key: p.value.environmentId };
    case 'integratedServiceEvent':
      return {
        topic: `aliecs.integrated_service.${p.value.operationName.split('.')[0] ?? ''}`,
        key: p.value.environmentId,
      };
    case 'lockEvent':
      return { topic: 'aliecs.lock', key: p.value.detector };
    case 'coreStartEvent':
    case 'frameworkEvent':
    case 'mesosHeartbeatEvent':
    case 'beamModeEvent':
    case undefined:
      return { topic: 'aliecs.core', key: null };
  }
}

export class KafkaEventPublisher {
  private readonly queue: Outgoing[] = [];
  private readonly producer: Producer;
  private state: KafkaPublisherState = 'CONNECTING';
  private published = 0;
  private dropped = 0;
  private lastError: string | undefined;
  private wake: (() => void) | undefined;
  private closing = false;
  private readonly unsubscribe: () => void;
  private readonly loop: Promise<void>;

  private constructor(private readonly o: KafkaEventsOptions) {
    const kafka = new Kafka({
      clientId: `axle-core-${o.coreId}`,
      brokers: [...o.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      requestTimeout: 10_000,
      retry: { retries: 0 },
    });
    this.producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 3 } });
    this.enqueue(
      create(EventSchema, {
        timestamp: BigInt(Date.now()),
        timestampNano: BigInt(Date.now()) * 1_000_000n,
        Payload: { case: 'coreStartEvent', value: { frameworkId: o.coreId } },
      }),
    );
    this.unsubscribe = o.bus.subscribe((s: StampedEvent) => this.enqueue(toWireEvent(s)));
    this.loop = this.run();
  }

  /** Starts publishing at once; connecting and sending happen in the background. */
  static start(o: KafkaEventsOptions): KafkaEventPublisher {
    return new KafkaEventPublisher(o);
  }

  status(): KafkaPublisherStatus {
    return {
      state: this.state,
      brokers: this.o.brokers,
      published: this.published,
      queued: this.queue.length,
      dropped: this.dropped,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** Stops taking events, sends what is queued for at most `flushMs`, and disconnects. */
  async close(flushMs = 3_000): Promise<void> {
    this.unsubscribe();
    const flushed = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.queue.length === 0 || this.state !== 'READY') resolve();
        else setTimeout(check, 20).unref();
      };
      check();
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([flushed, new Promise((r) => (timer = setTimeout(r, flushMs)))]);
    clearTimeout(timer);
    this.closing = true;
    this.wake?.();
    await this.loop;
    await this.producer.disconnect().catch(() => undefined);
    this.state = 'SHUTDOWN';
  }

  private enqueue(e: Event): void {
    const { topic, key } = kafkaRoute(e);
    this.queue.push({ topic, key, value: Buffer.from(toBinary(EventSchema, e)) });
    const max = this.o.maxQueued ?? 100_000;
    if (this.queue.length > max) {
      const over = this.queue.length - max;
      this.queue.splice(0, over);
      this.dropped += over;
    }
    this.wake?.();
  }

  private async run(): Promise<void> {
    let backoff = RETRY_FIRST_MS;
    while (!this.closing) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        if (this.state !== 'READY') await this.producer.connect();
        const batch = this.queue.slice(0, this.o.batchSize ?? 500);
        await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(batch) });
        this.queue.splice(0, batch.length);
        this.published += batch.length;
        if (this.state !== 'READY' && this.lastError !== undefined)
          this.o.log?.(`kafka: publishing events to ${this.o.brokers.join(',')} again`);
        this.state = 'READY';
        backoff = RETRY_FIRST_MS;
      } catch (e: unknown) {
        const message = e instanceof Error ? e.message : String(e);
        if (this.state !== 'TRANSIENT_FAILURE')
          this.o.log?.(
            `kafka: cannot publish events to ${this.o.brokers.join(',')}: ${message}; ${this.queue.length} queued, retrying`,
          );
        this.state = 'TRANSIENT_FAILURE';
        this.lastError = message;
        await this.producer.disconnect().catch(() => undefined);
        await sleep(backoff, () => this.closing);
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    }
  }
}

function byTopic(
  batch: readonly Outgoing[],
): { topic: string; messages: { key: string | null; value: Buffer }[] }[] {
  const topics = new Map<string, { key: string | null; value: Buffer }[]>();
  for (const m of batch) {
    let list = topics.get(m.topic);
    if (list === undefined) topics.set(m.topic, (list = []));
    list.push({ key: m.key, value: m.value });
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

async function sleep(ms: number, stop: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!stop() && Date.now() < end) await new Promise((r) => setTimeout(r, Math.min(50, ms)));
}
