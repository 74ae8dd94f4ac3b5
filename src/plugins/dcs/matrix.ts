/**
 * The detector-state matrix kept from the gateway's Subscribe stream: per detector its state and its availability
 * for PFR and SOR. `waitAvailable` checks the detectors of an operation until they are all available or the grace
 * period is over (rechecking at 1 Hz, as AliECS, and on every matrix update).
 */
import { DetectorState } from '../../gen/dcs/dcs_pb.ts';
import type { Detector, DetectorInfo } from '../../gen/dcs/dcs_pb.ts';
import { detectorName } from './request.ts';

export type Availability = 'pfr' | 'sor';

interface Entry {
  readonly state: DetectorState;
  readonly pfr: DetectorState;
  readonly sor: DetectorState;
  readonly timestamp: string;
}

const stateName = (s: DetectorState): string => DetectorState[s] ?? String(s);

export class DetectorMatrix {
  private readonly entries = new Map<Detector, Entry>();
  private readonly waiters = new Set<() => void>();

  update(infos: readonly DetectorInfo[]): void {
    for (const i of infos)
      this.entries.set(i.detector, {
        state: i.state,
        pfr: i.pfrAvailability,
        sor: i.sorAvailability,
        timestamp: i.timestamp,
      });
    for (const w of this.waiters) w();
  }

  /** Detectors not available for `kind`, as "TPC (SOR_UNAVAILABLE)". */
  unavailable(detectors: readonly Detector[], kind: Availability): string[] {
    const wanted = kind === 'pfr' ? DetectorState.PFR_AVAILABLE : DetectorState.SOR_AVAILABLE;
    return detectors.flatMap((d) => {
      const e = this.entries.get(d);
      const have = e === undefined ? DetectorState.NULL_STATE : kind === 'pfr' ? e.pfr : e.sor;
      return have === wanted ? [] : [`${detectorName(d)} (${stateName(have)})`];
    });
  }

  /** Resolves with the detectors still unavailable at the end ([] as soon as all are available). */
  async waitAvailable(
    detectors: readonly Detector[],
    kind: Availability,
    graceMs: number,
    signal: AbortSignal,
  ): Promise<string[]> {
    const end = Date.now() + graceMs;
    for (;;) {
      const missing = this.unavailable(detectors, kind);
      const left = end - Date.now();
      if (missing.length === 0 || left <= 0 || signal.aborted) return missing;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.min(1000, left));
        this.waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  toJSON(): Record<
    string,
    { state: string; pfrAvailability: string; sorAvailability: string; timestamp: string }
  > {
    return Object.fromEntries(
      [...this.entries].map(([d, e]) => [
        detectorName(d),
        {
          state: stateName(e.state),
          pfrAvailability: stateName(e.pfr),
          sorAvailability: stateName(e.sor),
          timestamp: e.timestamp,
        },
      ]),
    );
  }
}
