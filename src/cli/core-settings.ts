/**
 * The core's integration settings as AliECS reads them: a command-line flag (`--trgServiceEndpoint …`) over the
 * environment variable `ALIECS_<NAME IN UPPER CASE>` over the YAML settings file (`--settings file.yaml`, same
 * keys) over AliECS's defaults. `integrationPlugins` and `kafkaEndpoints` are lists: comma-separated text, or a
 * YAML list in the file.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PLUGIN_SETTING_NAMES, pluginSettings } from '../plugins/settings.ts';
import type { PluginSettings } from '../plugins/settings.ts';

export interface CoreSettings {
  readonly plugins: PluginSettings;
  readonly kafkaEndpoints: readonly string[];
}

/** Every setting name read this way. */
export const CORE_SETTING_NAMES: readonly string[] = [...PLUGIN_SETTING_NAMES, 'kafkaEndpoints'];

const LISTS = new Set(['integrationPlugins', 'kafkaEndpoints']);

/** Reads the settings; throws naming the file, key or variable when a value is malformed. */
export function resolveCoreSettings(
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  file?: string,
): CoreSettings {
  const fromFile = file === undefined ? {} : readSettingsFile(file);
  const values: Record<string, string> = {};
  for (const name of CORE_SETTING_NAMES) {
    const flag = flags[name];
    const v =
      (typeof flag === 'string' ? flag : undefined) ?? env[`ALIECS_${name.toUpperCase()}`] ?? fromFile[name];
    if (v !== undefined) values[name] = v;
  }
  const { integrationPlugins = '', kafkaEndpoints = '', ...rest } = values;
  return { plugins: pluginSettings(list(integrationPlugins), rest), kafkaEndpoints: list(kafkaEndpoints) };
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function readSettingsFile(file: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e: unknown) {
    throw new Error(`--settings ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`--settings ${file}: expected a map of settings (key: value)`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!CORE_SETTING_NAMES.includes(key)) continue;
    if (LISTS.has(key) && Array.isArray(v) && v.every((x) => typeof x === 'string')) out[key] = v.join(',');
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else
      throw new Error(
        `--settings ${file}: ${key}: expected ${LISTS.has(key) ? 'a list or ' : ''}a text value`,
      );
  }
  return out;
}
