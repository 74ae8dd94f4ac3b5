/**
 * Waiting for agents that a cluster engine starts: resolves when every awaited link key is attached, with the
 * reason when one of their hosts is reported lost first or when the time is up.
 */
import type { HostLoss } from '../engine/cluster-engine.ts';
import type { AgentLink } from './agent-link.ts';

/** Registry key of a link: the host, or `host#<environment id>` for an agent started for one environment. */
export function linkKey(link: AgentLink): string {
  const scope = link.hello.scope;
  return scope === '' ? link.host : `${link.host}#${scope}`;
}

interface Wait {
  readonly keys: Set<string>;
  readonly settle: (reason: string | undefined) => void;
}

export class AgentWaiter {
  private readonly waits = new Set<Wait>();

  /**
   * Resolves undefined once every key is attached (`present` tells which already are), or with why not.
   * Never rejects.
   */
  waitFor(
    keys: readonly string[],
    timeoutMs: number,
    present: (key: string) => boolean,
  ): Promise<string | undefined> {
    const missing = new Set(keys.filter((k) => !present(k)));
    if (missing.size === 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const wait: Wait = {
        keys: missing,
        settle: (reason) => {
          clearTimeout(timer);
          this.waits.delete(wait);
          resolve(reason);
        },
      };
      const timer = setTimeout(() => {
        const hosts = [...wait.keys].map((k) => k.split('#')[0]).join(', ');
        wait.settle(`the agent on ${hosts} did not connect within ${timeoutMs} ms`);
      }, timeoutMs);
      this.waits.add(wait);
    });
  }

  /** A link with this key attached. */
  attached(key: string): void {
    for (const w of [...this.waits]) {
      w.keys.delete(key);
      if (w.keys.size === 0) w.settle(undefined);
    }
  }

  /** A host was lost: waits for an agent there (of that environment, when given) end with the reason. */
  fail(loss: HostLoss): void {
    for (const w of [...this.waits]) {
      const hit = [...w.keys].some((k) => {
        const [host, env] = k.split('#');
        return host === loss.host && (loss.environmentId === undefined || env === loss.environmentId);
      });
      if (hit) w.settle(loss.reason);
    }
  }

  /** Ends the waits for an environment's agents. */
  cancel(environmentId: string): void {
    for (const w of [...this.waits])
      if ([...w.keys].some((k) => k.endsWith(`#${environmentId}`))) w.settle('cancelled');
  }
}
