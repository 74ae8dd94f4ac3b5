/**
 * A test rig for plugin calls: the enabled plugins (real Integrations) driving an EnvironmentManager over the
 * in-process TestController, with in-memory workflow files; every event is kept. Closed after the test.
 */
import { EventBus } from '../../environment/events.ts';
import type { IntegratedServiceEvent, StampedEvent } from '../../environment/events.ts';
import { EnvironmentManager } from '../../environment/manager.ts';
import { planEnvironmentRequest } from '../../environment/planning.ts';
import { TestController } from '../../environment/test-controller.ts';
import { memoryFiles } from '../../workflow/memory-files.ts';
import { Integrations } from '../integrations.ts';
import type { PluginSettings } from '../settings.ts';

export interface PluginRig {
  readonly integrations: Integrations;
  readonly manager: EnvironmentManager;
  readonly events: StampedEvent[];
}

export async function pluginRig(
  t: { after: (f: () => Promise<void>) => void },
  settings: PluginSettings,
  files: Readonly<Record<string, string>>,
  firstRun = 500,
): Promise<PluginRig> {
  const integrations = await Integrations.start(settings);
  const bus = new EventBus();
  const events: StampedEvent[] = [];
  bus.subscribe((e) => events.push(e));
  let id = 0;
  let run = firstRun;
  const manager = new EnvironmentManager({
    bus,
    controller: new TestController(),
    newUid: () => `env${++id}`,
    newRunNumber: () => Promise.resolve(++run),
    callRunner: integrations.callRunner,
    plan: (workflow, vars, environmentId) =>
      planEnvironmentRequest({ workflow, files: memoryFiles(files), userVars: vars, environmentId }),
  });
  t.after(async () => {
    for (const env of manager.list()) await manager.destroy(env.id, { force: true }).catch(() => undefined);
    await integrations.destroy();
  });
  return { integrations, manager, events };
}

export const serviceEvents = (events: readonly StampedEvent[]): IntegratedServiceEvent[] =>
  events.flatMap((e) => (e.event.kind === 'integratedService' ? [e.event] : []));
