/**
 * Objects integration plugins offer to every template expression (AliECS `ObjectStack`), by plugin id. They are
 * pure functions of the role's variables and the core's settings, so a planning worker thread builds the same
 * objects from the settings alone. Only enabled plugins contribute; the built-in testplugin always does.
 */
import type { Value } from '../template/expr/value.ts';
import type { VarSource } from '../template/functions/index.ts';
import type { PluginSettings } from './settings.ts';

type ObjectFactory = (vars: VarSource, settings: PluginSettings) => Readonly<Record<string, Value>>;

const OBJECTS: Readonly<Record<string, ObjectFactory>> = {
  testplugin: () => ({ test: 'test_data' }),
};

/** The objects of the enabled plugins (names of later plugins win), for the planner's `objects`. */
export function templateObjects(
  settings: PluginSettings,
): (vars: VarSource) => Readonly<Record<string, Value>> {
  const ids = ['testplugin', ...settings.integrationPlugins.filter((id) => id !== 'testplugin')];
  const factories = ids.flatMap((id) => (OBJECTS[id] === undefined ? [] : [OBJECTS[id]]));
  return (vars) => Object.assign({}, ...factories.map((f) => f(vars, settings))) as Record<string, Value>;
}
