/** Test support: waiting for a core's agents. */
import { waitUntil } from '../../common/testing/wait.ts';
import type { RunningCore } from '../core.ts';

/** Waits until `count` agents are connected; rejects after `timeoutMs` × timeScale() saying how many did. */
export async function waitForAgents(core: RunningCore, count: number, timeoutMs = 15_000): Promise<void> {
  const hosts = (): number => core.context.registry.hosts().length;
  try {
    await waitUntil(`${count} agents to connect`, () => hosts() >= count, timeoutMs, 50);
  } catch (e) {
    throw new Error(`${(e as Error).message}: only ${hosts()} connected`, { cause: e });
  }
}
