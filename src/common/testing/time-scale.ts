/** Factor for test time limits (`AXLE_TEST_TIME_SCALE`, default 1) so loaded machines can stretch them. */
export function timeScale(): number {
  const v = Number(process.env.AXLE_TEST_TIME_SCALE ?? '1');
  return Number.isFinite(v) && v > 0 ? v : 1;
}
