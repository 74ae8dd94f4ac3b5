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

/** What the child does. `put-loop` writes `{a: i, b: i}` with putMany for i = 1, 2, … until killed. */
export type ChildJob = ChildStoreSpec &
  (
    | { readonly action: 'run-numbers'; readonly count: number }
    | { readonly action: 'put'; readonly key: string; readonly value: string }
    | { readonly action: 'put-loop'; readonly prefix: string }
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
      case 'put':
        await store.put(job.key, job.value);
        return 'ok';
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
