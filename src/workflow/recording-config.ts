/**
 * A configuration source that remembers its failures. AliECS template functions turn a failed lookup into the text
 * `{"error":"…"}` instead of failing the workflow; Axle does the same for compatibility and reports each failure as a
 * warning located at the template string that caused it.
 */
import type { ConfigSource } from '../common/config-source.ts';

export interface FailureLog {
  /** Failures since the last call, oldest first. */
  drain(): string[];
}

export function recordingConfig(inner: ConfigSource): ConfigSource & FailureLog {
  let failures: string[] = [];
  const guard =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return f(...args);
      } catch (e: unknown) {
        failures.push(e instanceof Error ? e.message : String(e));
        throw e;
      }
    };
  return {
    uri: inner.uri,
    getDefaults: () => inner.getDefaults(),
    getVars: () => inner.getVars(),
    getComponentConfiguration: guard((p: string, process: boolean, vars: Readonly<Record<string, string>>) =>
      inner.getComponentConfiguration(p, process, vars),
    ),
    resolveComponentQuery: guard((c: string, rt: string, role: string, entry: string) =>
      inner.resolveComponentQuery(c, rt, role, entry),
    ),
    detectorForHost: guard((h: string) => inner.detectorForHost(h)),
    detectorsForHosts: guard((hs: readonly string[]) => inner.detectorsForHosts(hs)),
    cruCardsForHost: guard((h: string) => inner.cruCardsForHost(h)),
    endpointsForCruCard: guard((h: string, s: string) => inner.endpointsForCruCard(h, s)),
    getRuntimeEntry: guard((c: string, k: string) => inner.getRuntimeEntry(c, k)),
    setRuntimeEntry: guard((c: string, k: string, v: string) => inner.setRuntimeEntry(c, k, v)),
    drain: () => {
      const out = failures;
      failures = [];
      return out;
    },
  };
}
