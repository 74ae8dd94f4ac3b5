/**
 * What the core needs from a cluster engine (Slurm): the machines to place on, one agent per machine and
 * environment started on demand inside an allocation, the allocation ended at teardown, and word when a machine is
 * lost. The `local` engine does not implement this: its agents connect once and serve every environment.
 */
import type { HostOffer } from '../scheduler/placement-types.ts';

/** What one environment needs on one host: the sum of its tasks' wants. */
export interface HostDemand {
  readonly host: string;
  readonly cpu: number;
  readonly memoryMb: number;
}

/** What `provision` did. */
export interface Provisioned {
  /** The engine's name for the allocation (Slurm job id). */
  readonly allocation: string;
  /** Time the engine took to grant the allocation. */
  readonly allocationMs: number;
}

/** A machine as the engine reports it, for `axle cluster hosts`. */
export interface ClusterHost {
  readonly host: string;
  readonly address: string;
  /** The engine's state word (Slurm: idle, mixed, allocated, down, …). */
  readonly state: string;
  /** Why the host cannot be used now; undefined when it can. */
  readonly trouble?: string;
  readonly cpu: number;
  readonly memoryMb: number;
  /** CPU and memory the engine has allocated on the host (to Axle and to anyone else). */
  readonly cpuAllocated: number;
  readonly memoryAllocatedMb: number;
  readonly attributes: Readonly<Record<string, string>>;
  /** Environments holding an allocation on this host. */
  readonly environments: readonly string[];
}

/** A host lost to the engine: `environmentId` set when only that environment's agent is concerned. */
export interface HostLoss {
  readonly host: string;
  readonly reason: string;
  readonly environmentId?: string;
}

/** Thrown by `provision` when the engine refuses or fails; the message says what the engine said. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
}

export interface ClusterEngine {
  /** Short name (`slurm`). */
  readonly kind: string;
  /** Why the engine could not be read at its last refresh (its view may be stale); undefined when it could. */
  readonly lastError: string | undefined;
  /**
   * Usable hosts with their capacity for Axle (total minus what others than Axle hold), port ranges and attributes.
   * Hosts the engine reports as down, drained or not responding are left out.
   */
  offers(): readonly HostOffer[];
  /** Every host the engine knows, usable or not. */
  inventory(): readonly ClusterHost[];
  /**
   * Allocates `demand` for the environment and starts one agent on each of its hosts (scoped to the environment).
   * Resolves once the agents are started; they connect to the core on their own.
   * @throws EngineError when the allocation is refused (with the engine's reason).
   */
  provision(environmentId: string, demand: readonly HostDemand[]): Promise<Provisioned>;
  /** Ends the environment's allocation; resolves when nothing of it runs anymore. Unknown ids are ignored. */
  release(environmentId: string): Promise<void>;
  /** Calls `listener` for every host loss the engine notices; returns the unsubscribe function. */
  onHostLost(listener: (loss: HostLoss) => void): () => void;
  /** Ends every allocation and stops watching the cluster. */
  stop(): Promise<void>;
}
