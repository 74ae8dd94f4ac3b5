/**
 * A configuration source that answers each inventory read and component query once per plan: templates ask the same
 * question for many roles (`inventory.DetectorForHost` per host and task, `config.Resolve` with the same arguments
 * for every host). Answers and failures are both remembered, so a failing lookup is neither repeated nor rebuilt.
 * Not cached: defaults and vars (read once by the planner), processed payloads (they depend on the variables) and
 * runtime entries (they may change while a plan runs).
 */
import type { ConfigSource } from '../common/config-source.ts';

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Memoises `f` by a text key; a failure is kept and thrown again (the same error) on later calls. */
function memo<A extends unknown[], R>(key: (...args: A) => string, f: (...args: A) => R): (...args: A) => R {
  const seen = new Map<string, Outcome<R>>();
  return (...args: A): R => {
    const k = key(...args);
    let o = seen.get(k);
    if (o === undefined) {
      try {
        o = { ok: true, value: f(...args) };
      } catch (error: unknown) {
        o = { ok: false, error };
      }
      seen.set(k, o);
    }
    if (o.ok) return o.value;
    throw o.error;
  };
}

const join = (...parts: readonly string[]): string => parts.join('\u0000');

/** Wraps `inner` for one plan; lists returned are shared between calls, so callers must not change them. */
export function cachedConfig(inner: ConfigSource): ConfigSource {
  const out: ConfigSource = {
    uri: inner.uri,
    getDefaults: () => inner.getDefaults(),
    getVars: () => inner.getVars(),
    getComponentConfiguration: (path, process, vars) => inner.getComponentConfiguration(path, process, vars),
    resolveComponentQuery: memo(join, (c: string, rt: string, role: string, entry: string) =>
      inner.resolveComponentQuery(c, rt, role, entry),
    ),
    detectorForHost: memo(String, (h: string) => inner.detectorForHost(h)),
    detectorsForHosts: memo(
      (hs: readonly string[]) => join(...hs),
      (hs: readonly string[]) => inner.detectorsForHosts(hs),
    ),
    cruCardsForHost: memo(String, (h: string) => inner.cruCardsForHost(h)),
    endpointsForCruCard: memo(join, (h: string, s: string) => inner.endpointsForCruCard(h, s)),
    getRuntimeEntry: (c, k) => inner.getRuntimeEntry(c, k),
    setRuntimeEntry: (c, k, v) => inner.setRuntimeEntry(c, k, v),
  };
  const list = inner.listDetectors?.bind(inner);
  return list === undefined ? out : { ...out, listDetectors: list };
}
