/** Factor for every time limit in tests (AXLE_TEST_TIME_SCALE, default 1), for slow or loaded machines. */
export function timeScale(): number {
  const v = Number(process.env.AXLE_TEST_TIME_SCALE ?? '1');
  return Number.isFinite(v) && v > 0 ? v : 1;
}
