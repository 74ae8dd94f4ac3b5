/**
 * The plan: what a workflow template plus variables becomes. An immutable tree of roles whose leaves are fully
 * resolved task and call descriptors. Address allocation and placement happen later, at deployment; the plan only
 * records what binds and what connects to what.
 */
import type { Issue } from './issue.ts';

export const CONTROL_MODES = ['direct', 'fairmq', 'basic', 'hook'] as const;
/** How the agent drives a task; `hook` is a basic task run at a state-machine moment. */
export type ControlMode = (typeof CONTROL_MODES)[number];

export const CHANNEL_TYPES = ['push', 'pull', 'pub', 'sub'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const CHANNEL_TRANSPORTS = ['default', 'zeromq', 'nanomsg', 'shmem'] as const;
export type ChannelTransport = (typeof CHANNEL_TRANSPORTS)[number];

export const OUTPUT_MODES = ['none', 'stdout', 'all'] as const;
/** Where a task's stdout/stderr go (AliECS `command.stdout|stderr`). */
export type OutputMode = (typeof OUTPUT_MODES)[number];

interface ChannelBase {
  readonly name: string;
  readonly type: ChannelType;
  readonly sndBufSize: number;
  readonly rcvBufSize: number;
  readonly rateLogging: string;
  readonly transport: ChannelTransport;
}

/** A channel the task binds (listens on). `target` set = explicit address used as-is. */
export interface BindChannel extends ChannelBase {
  readonly addressing: 'tcp' | 'ipc';
  readonly global?: string;
  readonly target?: string;
}

/** Where an outbound channel points, resolved against the plan. */
export type ChannelTarget =
  | { readonly kind: 'address'; readonly address: string }
  | { readonly kind: 'channel'; readonly taskPath: string; readonly channel: string };

/** A channel the task connects to a bound peer. `target` is the text as written (after templating). */
export interface ConnectChannel extends ChannelBase {
  readonly target: string;
  readonly resolved?: ChannelTarget;
}

export const CONSTRAINT_OPERATORS = ['=', '!=', 'in'] as const;
/** `=` is AliECS's; `!=` and `in` (value: a comma-separated set) are Axle's additions. */
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

/**
 * Host attribute constraint. The host's value may be a comma-separated list (AliECS): `=` holds when the value is
 * an element, `in` when any of the wanted values is, `!=` when the value is not (or the attribute is absent).
 */
export interface Constraint {
  readonly attribute: string;
  readonly operator: ConstraintOperator;
  readonly value: string;
}

export interface PortRange {
  readonly begin: number;
  readonly end: number;
}

export interface Resources {
  readonly cpu?: number;
  readonly memory?: number;
}

export interface TaskCommand {
  readonly value: string;
  readonly arguments: readonly string[];
  readonly env: readonly string[];
  readonly user: string;
  readonly shell: boolean;
  readonly stdout: OutputMode;
  readonly stderr: OutputMode;
}

/** Moment of the environment state machine, e.g. `before_START_ACTIVITY` with weight 100. */
export interface HookMoment {
  readonly name: string;
  readonly weight: number;
}

export interface HookTraits {
  readonly trigger: HookMoment;
  readonly await: HookMoment;
  readonly timeoutMs: number;
}

/** Identity of a template at a commit: `<repo id>/tasks/<name>@<commit>`. */
export interface TemplateRef {
  readonly repoId: string;
  readonly name: string;
  readonly revision: string;
  readonly commit: string;
}

export interface TaskDescriptor {
  readonly kind: 'task';
  /** Role path, e.g. `datataking.host-flp001.readout`. */
  readonly path: string;
  readonly name: string;
  /** Task class id `<repo>/tasks/<name>@<commit>`. */
  readonly taskTemplate: string;
  readonly control: ControlMode;
  readonly command: TaskCommand;
  readonly wants: Resources & { readonly ports: readonly PortRange[] };
  readonly limits?: Resources;
  readonly constraints: readonly Constraint[];
  readonly bind: readonly BindChannel[];
  readonly connect: readonly ConnectChannel[];
  readonly properties: Readonly<Record<string, string>>;
  readonly critical: boolean;
  /** Present when the task runs at a state-machine moment (control mode `hook`). */
  readonly hook?: HookTraits;
  /** Timeout of a basic (non-hook) task, in ms; 0 = none. */
  readonly timeoutMs: number;
  /** True when command or properties use `task_hostname` and must be rendered again once the host is known. */
  readonly hostDependent: boolean;
}

export interface CallDescriptor {
  readonly kind: 'call';
  readonly path: string;
  readonly name: string;
  /** Expression such as `dcs.StartOfRun()`, evaluated by the plugin layer at the trigger moment. */
  readonly func: string;
  readonly trigger: HookMoment;
  readonly await: HookMoment;
  readonly timeoutMs: number;
  readonly critical: boolean;
  /** Variable that receives the call's output, on the parent role's user vars. */
  readonly returnVar?: string;
  /** The role's consolidated variables at planning, as the plugin sees them. */
  readonly vars: Readonly<Record<string, string>>;
}

export type PlanLeaf = TaskDescriptor | CallDescriptor;

export interface PlanRole {
  readonly kind: 'aggregator' | 'task' | 'call';
  readonly name: string;
  readonly path: string;
  readonly critical: boolean;
  readonly children: readonly PlanRole[];
  /** Set for `task` and `call` roles. */
  readonly leaf?: PlanLeaf;
}

export interface Plan {
  readonly workflow: TemplateRef;
  /** The workflow's root `name` carries `!public`. */
  readonly public: boolean;
  /** The workflow's root `description`, '' when absent. */
  readonly description: string;
  readonly root: PlanRole;
  readonly tasks: readonly TaskDescriptor[];
  readonly calls: readonly CallDescriptor[];
  /** Warnings (errors make planning fail). */
  readonly issues: readonly Issue[];
}
