/**
 * Moments of an environment transition at which hooks and calls run: `before_<EVENT>`, `leave_<STATE>`,
 * `enter_<STATE>`, `after_<EVENT>`, `DESTROY`, `after_DESTROY`, each with an optional weight (`+100`, `-10`).
 */
import { ENV_EVENTS, ENV_STATES } from './environment-fsm.ts';
import type { HookMoment } from './plan.ts';

const MOMENT = /^([A-Za-z_]+?)([+-]\d+)?$/;

export type MomentCheck =
  | { readonly ok: true; readonly moment: HookMoment; readonly warning?: string }
  | { readonly ok: false; readonly message: string };

/** Parses and validates a trigger or await text. */
export function parseHookMoment(text: string): MomentCheck {
  const m = MOMENT.exec(text.trim());
  if (m === null)
    return { ok: false, message: `"${text}" is not a moment such as before_START_ACTIVITY+100` };
  const name = m[1] ?? '';
  const moment = { name, weight: m[2] === undefined ? 0 : Number(m[2]) };
  if (name === 'DESTROY' || name === 'after_DESTROY') return { ok: true, moment };
  const events: readonly string[] = ENV_EVENTS;
  const states: readonly string[] = ENV_STATES;
  if (events.includes(name)) {
    return {
      ok: true,
      moment,
      warning: `bare event trigger "${name}" never fires in AliECS; use before_${name} or after_${name}`,
    };
  }
  const [, prefix, rest] = /^(before|after|leave|enter)_(.+)$/.exec(name) ?? [];
  if (prefix === undefined || rest === undefined) return { ok: false, message: `unknown moment "${name}"` };
  const valid = prefix === 'before' || prefix === 'after' ? events.includes(rest) : states.includes(rest);
  if (!valid) {
    const kind = prefix === 'before' || prefix === 'after' ? 'event' : 'state';
    return { ok: false, message: `unknown ${kind} "${rest}" in moment "${name}"` };
  }
  return { ok: true, moment };
}

export function formatHookMoment(m: HookMoment): string {
  return m.weight === 0 ? m.name : `${m.name}${m.weight > 0 ? '+' : ''}${m.weight}`;
}
