/**
 * `Subscribe` streams: a client subscribes with its own id, then calls NewAutoEnvironment with the same id; the stream
 * carries that environment's events and ends once its teardown completes (or creation fails). Subscribing with the id
 * of an existing environment follows that environment (used by the CLI to show transition progress).
 */
import type { EventBus, StampedEvent } from '../environment/events.ts';
import type { Event } from '../gen/protos/events_pb.ts';
import { AsyncQueue } from '../common/async-queue.ts';
import { toWireEvent } from './event-convert.ts';

interface Sub {
  readonly queue: AsyncQueue<Event>;
  envId?: string;
}

export class Subscriptions {
  private readonly subs = new Map<string, Sub>();
  private readonly early = new Map<string, string>();

  constructor(bus: EventBus) {
    bus.subscribe((e) => this.route(e));
  }

  /** Associates a subscription id with the environment created for it. */
  bind(subId: string, envId: string): void {
    const sub = this.subs.get(subId);
    if (sub === undefined) this.early.set(subId, envId);
    else sub.envId = envId;
  }

  finish(subId: string): void {
    this.subs.get(subId)?.queue.close();
    this.subs.delete(subId);
  }

  /** Events of the environment bound to `subId`; an existing environment's own id subscribes to it directly (Axle extension). */
  stream(subId: string, signal: AbortSignal, isEnvironment = false): AsyncIterable<Event> {
    const queue = new AsyncQueue<Event>();
    const envId = isEnvironment ? subId : this.early.get(subId);
    this.early.delete(subId);
    this.subs.set(subId, { queue, ...(envId !== undefined ? { envId } : {}) });
    signal.addEventListener('abort', () => this.finish(subId));
    return queue;
  }

  private route(s: StampedEvent): void {
    const envId = 'environmentId' in s.event ? s.event.environmentId : undefined;
    for (const [id, sub] of this.subs) {
      if (sub.envId === undefined || sub.envId !== envId) continue;
      sub.queue.push(toWireEvent(s));
      const e = s.event;
      const ended =
        e.kind === 'environment' &&
        e.transition === 'DESTROY' &&
        (e.transitionStatus === 'DONE_OK' || e.transitionStatus === 'DONE_ERROR');
      if (ended) this.finish(id);
    }
  }
}
