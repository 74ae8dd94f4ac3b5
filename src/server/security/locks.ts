/**
 * The core's detector locks: held in memory, written to the security database before a change is answered, and
 * published on the event bus (`kind: 'lock'`) so that the GUI and Kafka consumers see every change.
 */
import type { EventBus } from '../../environment/events.ts';
import { decideLock } from './lock-rules.ts';
import type { LockAction } from './lock-rules.ts';
import type { LockRow, SecurityDb } from './security-db.ts';

/** A lock request that the rules refuse (the server answers FailedPrecondition). */
export class LockError extends Error {
  override readonly name = 'LockError';
}

export interface LockChange {
  readonly lock: LockRow | undefined;
  readonly previousHolder: string | undefined;
}

export class LockTable {
  private readonly held = new Map<string, LockRow>();

  constructor(
    private readonly db: SecurityDb,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    for (const row of db.locks()) this.held.set(row.detector, row);
  }

  list(): LockRow[] {
    return [...this.held.values()].sort((a, b) => a.detector.localeCompare(b.detector));
  }

  holder(detector: string): string | undefined {
    return this.held.get(normalize(detector))?.holder;
  }

  /** Applies an action for `actor`; synchronous, so two racing requests are decided one after the other. */
  apply(detectorName: string, action: LockAction, actor: string): LockChange {
    const detector = normalize(detectorName);
    const before = this.held.get(detector);
    const d = decideLock(detector, before?.holder, action, actor);
    if (!d.ok) throw new LockError(d.reason);
    if (!d.changed) return { lock: before, previousHolder: before?.holder };
    const after = d.holder === undefined ? undefined : { detector, holder: d.holder, takenMs: this.now() };
    this.db.setLock(detector, after);
    if (after === undefined) this.held.delete(detector);
    else this.held.set(detector, after);
    this.bus.publish({
      kind: 'lock',
      detector,
      action,
      holder: after?.holder ?? '',
      previousHolder: before?.holder ?? '',
      user: actor,
    });
    return { lock: after, previousHolder: before?.holder };
  }
}

/** Detector names are upper case (TPC, ITS), whatever the request says. */
export function normalize(detector: string): string {
  return detector.trim().toUpperCase();
}
