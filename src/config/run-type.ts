/**
 * Run types as Apricot's `RunType` enum names them (`apricot/protos/apricot.proto`). The value is the name;
 * the wire number lives in one table and everything else is derived from it.
 * @module
 */

/** Apricot wire number of each run type. `NULL` is Apricot's name for "none"; `ANY` is the fallback. */
export const RUN_TYPE_NUMBERS = {
  NULL: 0,
  PHYSICS: 1,
  TECHNICAL: 2,
  PEDESTAL: 3,
  PULSER: 4,
  LASER: 5,
  CALIBRATION_ITHR_TUNING: 6,
  CALIBRATION_VCASN_TUNING: 7,
  CALIBRATION_THR_SCAN: 8,
  CALIBRATION_DIGITAL_SCAN: 9,
  CALIBRATION_ANALOG_SCAN: 10,
  CALIBRATION_FHR: 11,
  CALIBRATION_ALPIDE_SCAN: 12,
  CALIBRATION: 13,
  COSMICS: 14,
  SYNTHETIC: 15,
  NOISE: 16,
  CALIBRATION_PULSE_LENGTH: 17,
  CALIBRATION_VRESETD: 18,
  ANY: 300,
} as const;

/** A run type name, e.g. `'PHYSICS'` or `'ANY'`. */
export type RunType = keyof typeof RUN_TYPE_NUMBERS;

/** Every run type name, in wire-number order. */
export const RUN_TYPES: readonly RunType[] = Object.keys(RUN_TYPE_NUMBERS) as RunType[];

/** The run type used when no entry exists for the requested one. */
export const FALLBACK_RUN_TYPE: RunType = 'ANY';

/** True when `name` is exactly a run type name (case-sensitive, as in AliECS). */
export function isRunType(name: string): name is RunType {
  return Object.hasOwn(RUN_TYPE_NUMBERS, name);
}
