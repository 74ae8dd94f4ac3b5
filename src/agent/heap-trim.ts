/**
 * Keeps a long-running agent's heap near its live size. Bursts (deploying many tasks at once) grow V8's heap, and V8
 * keeps the pages long after the garbage is gone. When the process runs with `--expose-gc` (compiled agents do), a
 * full collection runs whenever `growthBytes` more heap is in use than after the previous one (checked every
 * `intervalMs`: at most one collection of a small heap, a few ms, per interval while the agent is busy; none while
 * it is idle), which keeps V8 from growing the heap. Without a collector it does nothing.
 */
export interface HeapTrimOptions {
  readonly intervalMs?: number;
  readonly growthBytes?: number;
  /** The collector; default `globalThis.gc` (present with `--expose-gc`). */
  readonly gc?: () => void;
}

/** Starts the check (the timer does not keep the process alive); returns the stop function. */
export function startHeapTrim(o: HeapTrimOptions = {}): () => void {
  const gc = o.gc ?? (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return () => undefined;
  const growth = o.growthBytes ?? 1024 * 1024;
  let baseline = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    if (process.memoryUsage().heapUsed - baseline < growth) return;
    gc();
    baseline = process.memoryUsage().heapUsed;
  }, o.intervalMs ?? 1_000);
  timer.unref();
  return () => clearInterval(timer);
}
