/**
 * `Subscribe` streams: a client subscribes with its own id, then calls NewAutoEnvironment with the same id; the stream
 * carries that environment's events and ends once its teardown completes (or creation fails). Subscribing with the id
 * of an existing environment follows that environment (used by the CLI to show transition progress); the id `*`
 * streams every event of every environment (used by the web GUI).
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
  /** Subscriptions to every event (id `*`). */
  private readonly all = new Set<AsyncQueue<Event>>();
  /** Recent events per environment, replayed to late subscribers (the CLI subscribes right after creating). */
  private readonly recent = new Map<string, StampedEvent[]>();

  /** `allBacklog`: events an id-`*` subscriber may leave unread before its stream is ended (default ALL_BACKLOG). */
  constructor(
    bus: EventBus,
    private readonly allBacklog = ALL_BACKLOG,
  ) {
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
    if (subId === ALL_EVENTS) return this.everything(signal);
    const queue = new AsyncQueue<Event>();
    // Until NewAutoEnvironment binds it, a subscription follows the environment with its own id (Axle extension: the
    // CLI subscribes to an environment it just created asynchronously).
    const envId = isEnvironment ? subId : (this.early.get(subId) ?? subId);
    this.early.delete(subId);
    this.subs.set(subId, { queue, envId });
    for (const e of this.recent.get(envId) ?? []) queue.push(toWireEvent(e));
    signal.addEventListener('abort', () => this.finish(subId));
    return queue;
  }

  /** Every event of every environment (and the core's own), from now until the client goes (Axle extension; the GUI). */
  private everything(signal: AbortSignal): AsyncIterable<Event> {
    const queue = new AsyncQueue<Event>();
    this.all.add(queue);
    signal.addEventListener('abort', () => {
      queue.close();
      this.all.delete(queue);
    });
    return queue;
  }

  private route(s: StampedEvent): void {
    if (this.all.size > 0) {
      const wire = toWireEvent(s);
      for (const q of this.all) {
        q.push(wire);
        // A client that does not keep up is cut off (it re-reads the list when it subscribes again), so that its
        // backlog cannot grow without bound in the core.
        if (q.length > this.allBacklog) {
          q.close();
          this.all.delete(q);
        }
      }
    }
    const envId = 'environmentId' in s.event ? s.event.environmentId : undefined;
    if (envId !== undefined) this.remember(envId, s);
    for (const [id, sub] of this.subs) {
      if (sub.envId !== envId) continue;
      sub.queue.push(toWireEvent(s));
      const e = s.event;
      const ended =
        e.kind === 'environment' &&
        ((e.transition === 'DESTROY' &&
          (e.transitionStatus === 'DONE_OK' || e.transitionStatus === 'DONE_ERROR')) ||
          (e.transition === 'CREATE' && e.message === 'cannot create new environment'));
      if (ended) this.finish(id);
    }
  }

  private remember(envId: string, s: StampedEvent): void {
    const list = this.recent.get(envId) ?? [];
    if (list.length === 0) this.recent.set(envId, list);
    list.push(s);
    if (list.length > REPLAY_LIMIT) list.shift();
    const e = s.event;
    const over =
      e.kind === 'environment' &&
      (e.message === 'environment teardown complete' || e.message === 'cannot create new environment');
    if (!over) return;
    // The environment is gone: keep only its last events, briefly, for a subscriber that comes late.
    list.splice(0, list.length - REPLAY_AFTER_END);
    for (const [subId, bound] of this.early) if (bound === envId) this.early.delete(subId);
    setTimeout(() => {
      if (this.recent.get(envId) === list) this.recent.delete(envId);
    }, REPLAY_KEEP_MS).unref();
  }
}

/** The subscription id that streams every event of the core (the web GUI's live view). */
export const ALL_EVENTS = '*';
/** Unread events after which an id-`*` stream is ended. */
export const ALL_BACKLOG = 50_000;

const REPLAY_LIMIT = 500;
/** Events kept after an environment's end (its last steps: teardown, DESTROY done). */
const REPLAY_AFTER_END = 10;
const REPLAY_KEEP_MS = 30_000;
