/**
 * Drives a task through one OCC event, the way the AliECS executor's transitioners do: a single Transition in
 * direct mode, or the FairMQ event sequence (with rollbacks when a device sticks half-way) in fairmq mode.
 */
import {
  OCC_EXPECTED_STATE,
  OCC_TO_FAIRMQ,
  isOccEvent,
  isTaskState,
  occStateOfFairMq,
  type FairMqEvent,
  type FairMqState,
} from '../common/task-state.ts';
import type { OccCallOptions, OccClient, OccTransitionReply, OccTransitionRequest } from './client-types.ts';
import { OccError, OccStatusError } from './occ-error.ts';

export type ControlMode = 'direct' | 'fairmq';

/**
 * Drives `req.event` (CONFIGURE, START, STOP, RESET, EXIT, RECOVER) from OCC state `req.srcState` and resolves to
 * the OCC state reached, which is the event's destination. Otherwise rejects with `OccError` carrying the task's
 * reason and the state it is in (UNKNOWN when it cannot be told). `opts.timeoutMs` bounds each Transition call.
 */
export async function driveTransition(
  client: OccClient,
  mode: ControlMode,
  req: OccTransitionRequest,
  opts: OccCallOptions = {},
): Promise<{ state: string }> {
  return mode === 'direct' ? driveDirect(client, req, opts) : driveFairMq(client, req, opts);
}

/** Success means ok, trigger EXECUTOR, the event echoed and the expected destination (executor `doTransition`). */
async function driveDirect(
  client: OccClient,
  req: OccTransitionRequest,
  opts: OccCallOptions,
): Promise<{ state: string }> {
  const expected = isOccEvent(req.event) ? OCC_EXPECTED_STATE[req.event] : undefined;
  const reply = await call(client, req, opts, req.event);
  if (reply.ok && reply.trigger === 'EXECUTOR' && reply.event === req.event && reply.state === expected) {
    return { state: reply.state };
  }
  throw new OccError(req.event, reply.state, describe(reply, expected));
}

async function driveFairMq(
  client: OccClient,
  req: OccTransitionRequest,
  opts: OccCallOptions,
): Promise<{ state: string }> {
  const { event, srcState } = req;
  const from = isTaskState(srcState) ? OCC_TO_FAIRMQ[srcState] : undefined;
  if (!isOccEvent(event) || from === undefined || event === 'GO_ERROR' || event === 'RECOVER') {
    throw new OccError(event, srcState, `${event} from ${srcState} is not possible in fairmq mode`);
  }
  const steps = new FairMqSteps(client, event, req.arguments, opts);
  let reached: string;
  switch (event) {
    case 'CONFIGURE':
      reached = await steps.configure(from);
      break;
    case 'START':
      reached = await steps.step('RUN', from, req.arguments);
      break;
    case 'STOP':
      reached = await steps.step('STOP', from, req.arguments);
      break;
    case 'RESET':
      reached = await steps.reset(from);
      break;
    case 'EXIT':
      reached = srcState === 'CONFIGURED' ? await steps.reset(from) : from;
      if (reached === 'IDLE' || reached === 'ERROR')
        reached = await steps.step('END', reached, req.arguments);
      break;
  }
  const state = occStateOfFairMq(reached);
  if (state !== undefined && state === OCC_EXPECTED_STATE[event]) return { state };
  throw new OccError(event, state ?? 'UNKNOWN', `device stopped in FairMQ state ${reached}${steps.reason}`);
}

/** The FairMQ sequences of one OCC event; `reason` collects what went wrong on the way. */
class FairMqSteps {
  reason = '';

  constructor(
    private readonly client: OccClient,
    private readonly event: string,
    private readonly args: Readonly<Record<string, string>>,
    private readonly opts: OccCallOptions,
  ) {}

  /** One FairMQ transition; resolves to the FairMQ state the device reports. */
  async step(
    fmqEvent: FairMqEvent,
    from: string,
    args: Readonly<Record<string, string>> = {},
  ): Promise<string> {
    const reply = await call(
      this.client,
      { srcState: from, event: fmqEvent, arguments: args },
      this.opts,
      this.event,
    );
    if (!reply.ok) this.reason = ` (${fmqEvent}: ${describe(reply, undefined)})`;
    return reply.state;
  }

  /** INIT DEVICE (arguments) → COMPLETE INIT → BIND → CONNECT → INIT TASK, rolling back with RESET DEVICE. */
  async configure(from: string): Promise<string> {
    let s = await this.step('INIT DEVICE', from, this.args);
    if (s !== 'INITIALIZING DEVICE') return s;
    s = await this.step('COMPLETE INIT', s);
    if (s !== 'INITIALIZED') return s;
    const plan: [FairMqEvent, FairMqState, FairMqState][] = [
      ['BIND', 'INITIALIZED', 'BOUND'],
      ['CONNECT', 'BOUND', 'DEVICE READY'],
      ['INIT TASK', 'DEVICE READY', 'READY'],
    ];
    for (const [fmqEvent, stuck, next] of plan) {
      s = await this.step(fmqEvent, s);
      if (s === stuck) return this.step('RESET DEVICE', stuck);
      if (s !== next) return s;
    }
    return s;
  }

  /** RESET TASK → RESET DEVICE; a device stuck in DEVICE READY is put back to READY with INIT TASK. */
  async reset(from: string): Promise<string> {
    const s = await this.step('RESET TASK', from);
    if (s !== 'DEVICE READY') return s;
    const t = await this.step('RESET DEVICE', s);
    return t === 'DEVICE READY' ? this.step('INIT TASK', t) : t;
  }
}

/** One Transition call; a non-OK status becomes an OccError naming the state the task reports afterwards. */
async function call(
  client: OccClient,
  req: OccTransitionRequest,
  opts: OccCallOptions,
  occEvent: string,
): Promise<OccTransitionReply> {
  try {
    return await client.transition(req, opts);
  } catch (err: unknown) {
    const status = OccStatusError.from(err);
    const state = await client
      .getState({ timeoutMs: 2000 })
      .then((r) => occStateOfFairMq(r.state) ?? (isTaskState(r.state) ? r.state : 'UNKNOWN'))
      .catch(() => 'UNKNOWN');
    throw new OccError(occEvent, state, `${req.event}: ${status.code}: ${status.message}`, { cause: status });
  }
}

function describe(reply: OccTransitionReply, expected: string | undefined): string {
  const want = expected === undefined ? '' : `, expected ${expected}`;
  return `task replied ok=${String(reply.ok)} trigger=${reply.trigger} state=${reply.state} event=${reply.event}${want}`;
}
