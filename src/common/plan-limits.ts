/**
 * Hard limits on what planning may build, so that a template or request that would expand without bound fails
 * quickly with a located issue instead of exhausting the core. One typed object, defaults below; the core's
 * options and planner requests may override any field.
 */

export interface PlanLimits {
  /** Tasks one environment's plan may hold. */
  readonly maxTasks: number;
  /** Roles (of every kind) one plan may hold, counting each iteration of an iterator. */
  readonly maxRoles: number;
  /** Values one `for` iterator may produce (range list length or end - begin + 1). */
  readonly maxIteratorValues: number;
  /** Characters one rendered template field or expression string may have. */
  readonly maxTextLength: number;
  /** Characters of one user variable's value (request variables). */
  readonly maxVariableLength: number;
  /** Characters of all user variables of one request together (names and values). */
  readonly maxUserVarsLength: number;
  /** Characters of error text kept and returned (issue messages, stored creation errors). */
  readonly maxErrorTextLength: number;
  /** Wall-clock budget of one planning run in its worker thread; then the worker is terminated. */
  readonly planTimeoutMs: number;
  /** Heap (old generation) budget of one planning worker thread, in MB. */
  readonly planMemoryMb: number;
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = Object.freeze({
  maxTasks: 20_000,
  maxRoles: 100_000,
  maxIteratorValues: 10_000,
  maxTextLength: 1024 * 1024,
  maxVariableLength: 1024 * 1024,
  maxUserVarsLength: 4 * 1024 * 1024,
  maxErrorTextLength: 4 * 1024,
  planTimeoutMs: 60_000,
  planMemoryMb: 1024,
});

/** The defaults with `overrides` applied (undefined fields keep their default). */
export function planLimits(overrides: Partial<PlanLimits> = {}): PlanLimits {
  const out: Record<string, number> = { ...DEFAULT_PLAN_LIMITS };
  for (const [k, v] of Object.entries(overrides)) if (typeof v === 'number') out[k] = v;
  return out as unknown as PlanLimits;
}

/** `text` cut to `max` characters, ending with "…(N bytes more)" when cut (N counts UTF-8 bytes left out). */
export function truncateText(text: string, max: number = DEFAULT_PLAN_LIMITS.maxErrorTextLength): string {
  if (text.length <= max) return text;
  // Never between the halves of a surrogate pair: the kept text stays well-formed.
  const cut = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, cut)}…(${byteLength(text.slice(cut))} bytes more)`;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Characters as a short human figure: 1048576 → "1 MiB", 4096 → "4 KiB", 1000 → "1000". */
export function sizeText(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return String(n);
}

/** `name=value` items (`maxTasks=5000`) as limit overrides; throws an Error naming a bad item. */
export function parseLimits(items: readonly string[]): Partial<PlanLimits> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const [name = '', text = ''] = item.split('=', 2);
    if (!Object.hasOwn(DEFAULT_PLAN_LIMITS, name))
      throw new Error(`unknown limit "${name}" (one of ${Object.keys(DEFAULT_PLAN_LIMITS).join(', ')})`);
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`limit ${name}: "${text}" is not a positive integer`);
    out[name] = value;
  }
  return out;
}
