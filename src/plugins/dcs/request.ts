/**
 * What the `dcs.*` calls derive from the variables, as AliECS's `dcs` plugin does: the detectors (`dcs_detectors`,
 * a JSON list of names; default `["NULL_DETECTOR"]`), the run type, and each detector's parameters — the JSON map
 * `<det>_dcs_<op>_parameters` over the general `dcs_<op>_parameters` (the detector's keys win).
 */
import { Detector, RunType } from '../../gen/dcs/dcs_pb.ts';

/** Detector enum value of each name in `dcs_detectors`; throws naming the variable and the bad entry. */
export function dcsDetectors(vars: Readonly<Record<string, string>>): Detector[] {
  const text = vars['dcs_detectors'] ?? '["NULL_DETECTOR"]';
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every((d) => typeof d === 'string'))
    throw new Error(`dcs_detectors: ${JSON.stringify(text)} is not a JSON list of detector names`);
  return list.map((name) => {
    const v = (Detector as unknown as Record<string, Detector | undefined>)[name.toUpperCase()];
    if (v === undefined) throw new Error(`dcs_detectors: invalid DCS detector ${name}`);
    return v;
  });
}

export const detectorName = (d: Detector): string => Detector[d] ?? String(d);

/** `run_type` as the DCS enum: same names; COSMICS is sent as PHYSICS; unknown or unset is TECHNICAL. */
export function dcsRunType(vars: Readonly<Record<string, string>>): RunType {
  const name = (vars['run_type'] ?? '').toUpperCase();
  if (name === 'COSMICS') return RunType.PHYSICS;
  const v = (RunType as unknown as Record<string, RunType | undefined>)[name];
  return v === undefined || v === RunType.NULL_RUNTYPE ? RunType.TECHNICAL : v;
}

function jsonMap(vars: Readonly<Record<string, string>>, name: string): Record<string, string> {
  const text = vars[name];
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${name}: ${JSON.stringify(text)} is not a JSON map`);
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]),
  );
}

/** Per-detector operation requests for `op` (`sor` for PFR and SOR, `eor` for EOR). */
export function detectorRequests(
  vars: Readonly<Record<string, string>>,
  detectors: readonly Detector[],
  op: 'sor' | 'eor',
): { detector: Detector; extraParameters: Record<string, string> }[] {
  const general = jsonMap(vars, `dcs_${op}_parameters`);
  return detectors.map((detector) => ({
    detector,
    extraParameters: {
      ...general,
      ...jsonMap(vars, `${detectorName(detector).toLowerCase()}_dcs_${op}_parameters`),
    },
  }));
}
