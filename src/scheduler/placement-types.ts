/**
 * Types of the engine-independent scheduler: what hosts offer, what tasks ask for, where they went, and why a task
 * could not go anywhere. Pure data; no engine (local, Slurm) appears here.
 */
import type { PortRange } from '../common/plan.ts';

export type { PortRange };

/** `=` equality, `!=` inequality, `in` set membership (value is a comma-separated set). */
export type PlacementOperator = '=' | '!=' | 'in';

/**
 * A host attribute constraint. The host's value may be a comma-separated list (AliECS): `=` holds when the wanted
 * value is an element, `in` when any wanted value is an element, `!=` when the value is not an element (or the
 * attribute is absent). `machine_id` and `hostname` are the host's name. A plan `Constraint` is assignable.
 */
export interface PlacementConstraint {
  readonly attribute: string;
  readonly operator: PlacementOperator;
  readonly value: string;
}

/**
 * What a host gives Axle in total: CPU cores, memory in MB, free port ranges and text attributes. Reservations of
 * running environments are kept apart, in the `Ledger`, and subtracted at placement.
 */
export interface HostOffer {
  readonly host: string;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly ports: readonly PortRange[];
  readonly attributes: Readonly<Record<string, string>>;
}

/** What one task needs. */
export interface PlacementRequest {
  readonly taskId: string;
  readonly path: string;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly staticPorts: readonly PortRange[];
  /** Ports to assign: one per TCP bind channel, plus one when `controlPort` is true. */
  readonly dynamicPorts: number;
  /** One of the dynamic ports is the control port (taken ≥ 30000); the others go to channels (≥ 9000). */
  readonly controlPort?: boolean;
  /** Names of the TCP bind channels, in the order of `TaskPlacement.channelPorts` (informative). */
  readonly tcpChannels?: readonly string[];
  readonly constraints: readonly PlacementConstraint[];
  /** Group key: all requests with the same key land on one host (IPC or shared-memory peers). */
  readonly sameHostAs?: string;
}

/** Where one task goes and what it holds there. */
export interface TaskPlacement {
  readonly taskId: string;
  readonly path: string;
  readonly host: string;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly staticPorts: readonly PortRange[];
  /** One port per TCP bind channel, in request order. */
  readonly channelPorts: readonly number[];
  readonly controlPort?: number;
}

/**
 * Why some hosts were refused. `hosts` lists at most 5 names; `count` is how many hosts share this reason;
 * `host` is the display form ("flp001" or "flp001, flp002, … (+198 more)").
 */
export interface HostReason {
  readonly host: string;
  readonly hosts: readonly string[];
  readonly count: number;
  readonly reason: string;
}

export interface UndeployableTask {
  readonly taskId: string;
  readonly path: string;
  readonly reasons: readonly HostReason[];
}

/** All tasks placed, or the tasks that fit nowhere with why (the placements that did succeed are kept too). */
export type PlacementResult =
  | { readonly ok: true; readonly placements: readonly TaskPlacement[] }
  | {
      readonly ok: false;
      readonly undeployable: readonly UndeployableTask[];
      readonly placements: readonly TaskPlacement[];
    };

/** Options of `placeAll`. */
export interface PlaceOptions {
  /** The environment being placed: hosts where the ledger already holds its tasks are filled first. */
  readonly envId?: string;
}
