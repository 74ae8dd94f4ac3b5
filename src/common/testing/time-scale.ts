/** Factor for every time limit in tests: `AXLE_TEST_TIME_SCALE` (a positive number), else 1. */
export function timeScale(): number {
  const v = Number(process.env.AXLE_TEST_TIME_SCALE ?? '1');
  return Number.isFinite(v) && v > 0 ? v : 1;
}
