/**
 * A stand-in DCS gateway (`dcs.Configurator`): Subscribe sends a heartbeat with the whole detector matrix, then one
 * state-change event per `setDetector`; PrepareForRun/StartOfRun/EndOfRun answer each requested detector with
 * RUN_OK (or the state set with `operationOutcome`) and end with the aggregate DCS RUN_OK. Every request is
 * recorded (StandIn).
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Configurator, Detector, DetectorState, EventType } from '../../gen/dcs/dcs_pb.ts';
import type { DetectorInfoSchema, DetectorOperationRequest, RunEventSchema } from '../../gen/dcs/dcs_pb.ts';
import { StandIn } from './stand-in.ts';

type Info = MessageInitShape<typeof DetectorInfoSchema>;
type RunEventInit = MessageInitShape<typeof RunEventSchema>;

export interface DcsStandIn {
  readonly standIn: StandIn;
  /** Changes a detector's availability (published on every open Subscribe stream). */
  setDetector(
    name: string,
    pfr: 'PFR_AVAILABLE' | 'PFR_UNAVAILABLE',
    sor: 'SOR_AVAILABLE' | 'SOR_UNAVAILABLE',
  ): void;
  /** The state a detector reports in the next operations (default RUN_OK). */
  operationOutcome(name: string, state: keyof typeof DetectorState): void;
  /** Subscribe streams open now. */
  subscribers(): number;
}

const det = (name: string): Detector =>
  (Detector as unknown as Record<string, Detector>)[name] ?? Detector.NULL_DETECTOR;

export async function startDcsStandIn(detectors: readonly string[] = ['TPC', 'ITS']): Promise<DcsStandIn> {
  const matrix = new Map<Detector, Info>(
    detectors.map((d) => [
      det(d),
      {
        detector: det(d),
        state: DetectorState.READY,
        pfrAvailability: DetectorState.PFR_AVAILABLE,
        sorAvailability: DetectorState.SOR_AVAILABLE,
      },
    ]),
  );
  const outcomes = new Map<Detector, DetectorState>();
  const listeners = new Set<(i: Info) => void>();
  async function* subscribe(_req: unknown, ctx: { signal: AbortSignal }) {
    yield { eventtype: EventType.HEARTBEAT, detectorMatrix: [...matrix.values()] };
    const queue: Info[] = [];
    let wake: () => void = () => undefined;
    const listener = (i: Info): void => {
      queue.push(i);
      wake();
    };
    listeners.add(listener);
    try {
      while (!ctx.signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) yield { eventtype: EventType.STATE_CHANGE_EVENT, detectorMatrix: [next] };
        else
          await new Promise<void>((resolve) => {
            wake = resolve;
            ctx.signal.addEventListener('abort', () => resolve(), { once: true });
          });
      }
    } finally {
      listeners.delete(listener);
    }
  }
  async function* operation(req: { detectors: DetectorOperationRequest[] }): AsyncGenerator<RunEventInit> {
    await Promise.resolve();
    for (const d of req.detectors)
      yield { detector: d.detector, state: outcomes.get(d.detector) ?? DetectorState.RUN_OK };
    yield { detector: Detector.DCS, state: DetectorState.RUN_OK };
  }
  const standIn = await StandIn.start(Configurator, {
    subscribe,
    prepareForRun: operation,
    startOfRun: operation,
    endOfRun: operation,
    getStatus: () => ({ detectorMatrix: [...matrix.values()] }),
  });
  return {
    standIn,
    setDetector: (name, pfr, sor) => {
      const info: Info = {
        detector: det(name),
        state: DetectorState.READY,
        pfrAvailability: DetectorState[pfr],
        sorAvailability: DetectorState[sor],
      };
      matrix.set(det(name), info);
      for (const l of listeners) l(info);
    },
    operationOutcome: (name, state) => outcomes.set(det(name), DetectorState[state]),
    subscribers: () => listeners.size,
  };
}
