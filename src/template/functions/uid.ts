/**
 * Unique ids in the shape of AliECS environment ids: 11 characters of [0-9A-Za-z], e.g. `2oDvieFrVTi`.
 * Layout: 7 digits of a logical millisecond clock, 2 of a per-millisecond counter, 2 random.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PER_MS = 62 * 62;

let lastMs = 0;
let counter = 0;

function base62(n: number, digits: number): string {
  let out = '';
  let rest = n;
  for (let i = 0; i < digits; i++) {
    out = ALPHABET.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** A new 11-character id; never repeats within this process, and later ids sort after earlier ones. */
export function newUid(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter >= PER_MS) {
    lastMs++;
    counter = 0;
  }
  return base62(lastMs, 7) + base62(counter, 2) + base62(randomInt(PER_MS), 2);
}
