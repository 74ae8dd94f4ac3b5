/** Records when environment transitions start and end on the core's event bus, for benchmark figures. */
import type { EventBus } from '../src/environment/events.ts';

export interface TransitionMarks {
  /** Milliseconds from the start to the successful end of the last `transition` seen (NaN when missing). */
  span(transition: string): number;
  /** CPU milliseconds of this process (user + system) over the same span (NaN when missing). */
  cpu(transition: string): number;
  stop(): void;
}

export function transitionMarks(bus: EventBus): TransitionMarks {
  const marks = new Map<string, number>();
  const cpuMarks = new Map<string, number>();
  const stop = bus.subscribe((e) => {
    if (e.event.kind !== 'environment' || e.event.transitionStep !== undefined) return;
    const edge =
      e.event.message === 'transition starting'
        ? 'start'
        : e.event.message === 'transition completed successfully'
          ? 'end'
          : undefined;
    if (edge === undefined) return;
    const key = `${e.event.transition ?? ''}:${edge}`;
    marks.set(key, e.timeMs);
    const c = process.cpuUsage();
    cpuMarks.set(key, (c.user + c.system) / 1000);
  });
  return {
    span: (t) => (marks.get(`${t}:end`) ?? NaN) - (marks.get(`${t}:start`) ?? NaN),
    cpu: (t) => Math.round((cpuMarks.get(`${t}:end`) ?? NaN) - (cpuMarks.get(`${t}:start`) ?? NaN)),
    stop,
  };
}
