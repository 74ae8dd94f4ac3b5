/** The state of a task that has no OCC server (basic, hook): every known event just moves it, like AliECS. */
import { OCC_EXPECTED_STATE, isOccEvent, occNext } from '../../common/task-state.ts';
import type { TransitionOutcome } from './task-driver.ts';

/** The outcome of `event` on a virtual machine in `state`: allowed edges first, else the event's destination. */
export function virtualTransition(state: string, event: string): TransitionOutcome {
  if (!isOccEvent(event)) return { ok: false, state, error: `unknown event '${event}'` };
  return { ok: true, state: occNext(state, event) ?? OCC_EXPECTED_STATE[event] };
}
