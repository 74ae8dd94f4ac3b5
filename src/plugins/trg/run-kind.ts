/**
 * What the trigger calls derive from the variables, as AliECS's `trg` plugin does: the detector string (lower-case
 * names of the JSON list `trg_detectors`, space-separated), global versus standalone runs, and the run number.
 */

/** `["TPC","ITS"]` → `tpc its`; throws when `trg_detectors` is not a JSON list of strings. */
export function trgDetectors(vars: Readonly<Record<string, string>>): string {
  const text = vars['trg_detectors'];
  if (text === undefined) return '';
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every((d) => typeof d === 'string'))
    throw new Error(`trg_detectors: ${JSON.stringify(text)} is not a JSON list of detector names`);
  return list.join(' ').toLowerCase();
}

const count = (detectors: string): number => detectors.split(' ').length;

/** RunLoad/RunUnload are skipped for a standalone run: fewer than 2 detectors and `trg_global_run_enabled` false. */
export function isStandaloneForLoad(detectors: string, vars: Readonly<Record<string, string>>): boolean {
  return count(detectors) < 2 && vars['trg_global_run_enabled'] === 'false';
}

/** The `detector` field of RunStart/RunStop: empty for a global run (≥2 detectors or forced), else the detector. */
export function startStopDetector(detectors: string, vars: Readonly<Record<string, string>>): string {
  return count(detectors) >= 2 || vars['trg_global_run_enabled'] === 'true' ? '' : detectors;
}

/** `run_number` as an unsigned 32-bit number; throws when it is missing or not a number. */
export function runNumberOf(vars: Readonly<Record<string, string>>): number {
  const text = vars['run_number'] ?? '';
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n > 0xffffffff)
    throw new Error(`run_number: ${JSON.stringify(text)} is not a run number`);
  return n;
}
