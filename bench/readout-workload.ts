/**
 * The readout-dataflow workload shared by the readout planning benchmarks: ControlWorkflows' mirror (bare git,
 * AXLE_CONTROL_WORKFLOWS_GIT, default /work/.mirror/AliceO2Group+ControlWorkflows/repo) and a configuration file in
 * the AliECS layout (examples/config.yaml with N FLP hosts added to detector TST).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export const CONTROL_WORKFLOWS =
  process.env['AXLE_CONTROL_WORKFLOWS_GIT'] ?? '/work/.mirror/AliceO2Group+ControlWorkflows/repo';

export function controlWorkflowsPresent(): boolean {
  return existsSync(CONTROL_WORKFLOWS);
}

/**
 * Site-wide defaults a real installation keeps in its configuration, which ControlWorkflows' task templates use
 * (AliECS refuses a task command with an undefined variable, so its loader needs them to plan at all).
 */
const SITE_DEFAULTS: Record<string, string> = {
  consul_endpoint: '127.0.0.1:8500',
  modulepath: '/opt/alisw/el9/modulefiles',
  infologger_mode: 'infoLogger',
};

/** `flp001`…: the hosts of an N-host plan. */
export function hostNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `flp${String(i + 1).padStart(3, '0')}`);
}

/** Writes `<dir>/config-<n>.yaml` (the example configuration with the N hosts in detector TST); returns its path. */
export function writeConfig(dir: string, n: number): string {
  const root = join(import.meta.dirname, '..', 'examples');
  const config = parse(readFileSync(join(root, 'config.yaml'), 'utf8')) as {
    o2: { hardware: { detectors: Record<string, { flps: Record<string, unknown> }> } };
  };
  const dets = config.o2.hardware.detectors;
  for (const d of Object.values(dets)) for (const h of hostNames(n)) delete d.flps[h];
  const tst = dets['TST'];
  if (tst === undefined) throw new Error('examples/config.yaml has no TST detector');
  for (const h of hostNames(n)) tst.flps[h] = {};
  const defaults = (
    config as unknown as { o2: { runtime: { aliecs: { defaults: Record<string, string> } } } }
  ).o2.runtime.aliecs.defaults;
  Object.assign(defaults, SITE_DEFAULTS);
  const path = join(dir, `config-${n}.yaml`);
  writeFileSync(path, stringify(config));
  return path;
}
