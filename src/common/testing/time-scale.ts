/** The factor tests multiply their time limits by: AXLE_TEST_TIME_SCALE (a positive number), default 1. */
export function timeScale(): number {
  const v = Number(process.env.AXLE_TEST_TIME_SCALE ?? '1');
  return Number.isFinite(v) && v > 0 ? v : 1;
}
