/** Picks the driver for a task: simulated, or by control mode. */
import { BasicDriver } from './basic-driver.ts';
import { ControllableDriver } from './controllable-driver.ts';
import { HookDriver } from './hook-driver.ts';
import type { OccConnector } from './occ-connector.ts';
import { SimulatedDriver } from './simulated-driver.ts';
import type { DriverContext, TaskDriver } from './task-driver.ts';

/** A new driver for the task of `ctx` (not started). */
export function createDriver(simulated: boolean, ctx: DriverContext, occ: OccConnector): TaskDriver {
  if (simulated) return new SimulatedDriver();
  switch (ctx.mode) {
    case 'basic':
      return new BasicDriver(ctx);
    case 'hook':
      return new HookDriver(ctx);
    case 'direct':
    case 'fairmq':
      return new ControllableDriver(ctx, occ);
  }
}
