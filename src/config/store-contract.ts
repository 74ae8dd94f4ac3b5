/**
 * The contract every ConfigStore passes, as a node:test suite taking a store factory. Each test works under its own
 * key prefix, so one store serves the whole suite.
 * @module
 */
import { after, before, describe, it } from 'node:test';
import { storeBasics } from './store-contract-basics.ts';
import { storeConcurrency } from './store-contract-concurrency.ts';
import type { ContractContext, StoreFixture } from './store-contract-support.ts';
import type { ConfigStore } from './store.ts';

export type { ContractContext, StoreFixture } from './store-contract-support.ts';

/** Registers the contract suite named `name` for the stores made by `factory`. */
export function storeContract(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`ConfigStore contract: ${name}`, () => {
    const opened: ConfigStore[] = [];
    let fixture: StoreFixture | undefined;
    const ctx: ContractContext = {
      get fixture() {
        if (fixture === undefined) throw new Error('store fixture not started');
        return fixture;
      },
      get store() {
        return opened[0] ?? ctx.another();
      },
      another() {
        const store = ctx.fixture.open();
        opened.push(store);
        return store;
      },
    };
    before(async () => {
      fixture = await factory();
      ctx.another();
    });
    after(async () => {
      await Promise.all(opened.map((s) => s.close()));
      await fixture?.dispose();
    });
    storeBasics(ctx, it);
    storeConcurrency(ctx, it);
  });
}
