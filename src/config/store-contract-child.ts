/**
 * A child process for the store contract suite: opens a store from a module export and does one job, printing the
 * result as JSON on stdout. Run as `node --import tsx store-contract-child.ts '<ChildJob JSON>'`.
 * @module
 */
import type { ConfigStore } from './store.ts';
import { newRunNumber } from './store.ts';

/** How a child opens a store: `new (await import(module))[exportName](arg)`. */
export interface ChildStoreSpec {
  /** File URL of the module. */
  readonly module: string;
  readonly exportName: string;
  readonly arg: string;
}

/**
 * What the child does. `put-loop` writes `{a: i, b: i}` with putMany for i = 1, 2, … until killed;
 * `run-number-loop` takes run numbers one after the other, printing each, until killed. `run-numbers-on-go`
 * opens the store, prints `ready`, waits for a line on stdin, then asks for `count` concurrent run numbers and prints
 * `{numbers, start, end}` (epoch ms), so a caller can time several processes from a common start.
 */
export type ChildJob = ChildStoreSpec &
  (
    | { readonly action: 'run-numbers'; readonly count: number }
    | { readonly action: 'run-numbers-on-go'; readonly count: number }
    | { readonly action: 'put'; readonly key: string; readonly value: string }
    | { readonly action: 'put-loop'; readonly prefix: string }
    | { readonly action: 'run-number-loop' }
  );

type StoreClass = new (arg: string) => ConfigStore;

async function main(job: ChildJob): Promise<unknown> {
  const mod = (await import(job.module)) as Record<string, StoreClass>;
  const Store = mod[job.exportName];
  if (Store === undefined) throw new Error(`${job.module} exports no ${job.exportName}`);
  const store = new Store(job.arg);
  try {
    switch (job.action) {
      case 'run-numbers':
        return await Promise.all(Array.from({ length: job.count }, () => newRunNumber(store)));
      case 'run-numbers-on-go':
        return await runNumbersOnGo(store, job.count);
      case 'put':
        await store.put(job.key, job.value);
        return 'ok';
      case 'run-number-loop':
        for (;;) process.stdout.write(`${await newRunNumber(store)}\n`);
      case 'put-loop':
        for (let i = 1; ; i++) {
          await store.putMany({ [`${job.prefix}/a`]: String(i), [`${job.prefix}/b`]: String(i) });
          if (i === 1) process.stdout.write('started\n');
        }
    }
  } finally {
    await store.close();
  }
}

async function runNumbersOnGo(store: ConfigStore, count: number): Promise<unknown> {
  await store.get('o2/runtime/warm-up');
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  const start = Date.now();
  const numbers = await Promise.all(Array.from({ length: count }, () => newRunNumber(store)));
  return { numbers, start, end: Date.now() };
}

const arg = process.argv[2];
if (arg !== undefined) {
  main(JSON.parse(arg) as ChildJob).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
