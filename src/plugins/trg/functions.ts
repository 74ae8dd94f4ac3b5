/**
 * The `trg.*` call functions (AliECS `trg` plugin): each builds its CTPd request from the call's variables, sends it
 * with the call's deadline, and reports the operation as integrated-service events. Failures set the call's error to
 * "TRG <Op> call failed: <reason>" (`__call_error`: `__call_error_reason`). Run numbers of started and loaded runs
 * are remembered per environment so that EnsureRunStop/EnsureRunUnload (GO_ERROR, DESTROY) reach the daemon.
 */
import type { Client } from '@connectrpc/connect';
import type { CallResult } from '../../environment/hooks.ts';
import type { CTPd, RunReply } from '../../gen/ctpd/ctpecs_pb.ts';
import type { GrpcEndpoint } from '../grpc-endpoint.ts';
import { Operation } from '../operation.ts';
import type { PluginCallContext, PluginFunction } from '../plugin.ts';
import { isStandaloneForLoad, runNumberOf, startStopDetector, trgDetectors } from './run-kind.ts';

export interface TrgLink {
  readonly endpoint: GrpcEndpoint;
  readonly client: Client<typeof CTPd>;
  /** environment id → run number started and not yet stopped. */
  readonly pendingStops: Map<string, number>;
  /** environment id → run number loaded and not yet unloaded. */
  readonly pendingUnloads: Map<string, number>;
}

type Op = 'PrepareForRun' | 'RunLoad' | 'RunStart' | 'RunStop' | 'RunUnload';

const fail = (op: string, reason: string): CallResult => ({
  ok: false,
  output: '',
  error: `TRG ${op} call failed: ${reason}`,
});

const envOf = (ctx: PluginCallContext): string => ctx.vars['environment_id'] ?? '';

/** Sends one request; ok when the reply's rc is 0. */
async function perform(
  link: TrgLink,
  ctx: PluginCallContext,
  op: Op,
  request: Record<string, unknown>,
  send: (opts: { signal?: AbortSignal; timeoutMs: number }) => Promise<RunReply>,
): Promise<CallResult> {
  const operation = new Operation(ctx, `perform TRG call: ${op}`, { trgRequest: request });
  operation.started();
  let reply: RunReply;
  try {
    reply = await link.endpoint.invoke(op, { signal: ctx.signal, timeoutMs: ctx.timeoutMs }, send);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    operation.failed(reason);
    return fail(op, reason);
  }
  const trgResponse = { trgResponse: { rc: reply.rc, msg: reply.msg } };
  if (reply.rc !== 0) {
    const reason = `response code ${reply.rc} from TRG: ${reply.msg}`;
    operation.failed(reason, trgResponse);
    return fail(op, reason);
  }
  operation.done(trgResponse);
  return { ok: true, output: '' };
}

/** Runs `f` with the detector string, or fails the call when `trg_detectors` is malformed. */
function withDetectors(op: Op, ctx: PluginCallContext, f: (detectors: string) => Promise<CallResult>) {
  let detectors: string;
  try {
    detectors = trgDetectors(ctx.vars);
  } catch (e: unknown) {
    return Promise.resolve(fail(op, e instanceof Error ? e.message : String(e)));
  }
  return f(detectors);
}

function withRun(
  op: Op,
  ctx: PluginCallContext,
  f: (detectors: string, runn: number) => Promise<CallResult>,
) {
  return withDetectors(op, ctx, (detectors) => {
    let runn: number;
    try {
      runn = runNumberOf(ctx.vars);
    } catch (e: unknown) {
      return Promise.resolve(fail(op, e instanceof Error ? e.message : String(e)));
    }
    return f(detectors, runn);
  });
}

function prepareForRun(link: TrgLink): PluginFunction {
  return (ctx) =>
    withDetectors('PrepareForRun', ctx, (detectors) => {
      const req = { runtype: ctx.vars['run_type'] ?? 'NONE', detectors };
      return perform(link, ctx, 'PrepareForRun', req, (o) => link.client.prepareForRun(req, o));
    });
}

function runLoad(link: TrgLink): PluginFunction {
  return (ctx) =>
    withRun('RunLoad', ctx, async (detectors, runn) => {
      const cleared = { trg_start_time_ms: null, trg_end_time_ms: null };
      if (isStandaloneForLoad(detectors, ctx.vars)) return { ok: true, output: '', vars: cleared };
      const req = {
        runn,
        config: ctx.vars['trg_global_config'] ?? '',
        detectors,
        ctpReadoutIncluded: ctx.vars['ctp_readout_enabled']?.toLowerCase() === 'true',
      };
      const r = await perform(link, ctx, 'RunLoad', req, (o) => link.client.runLoad(req, o));
      if (r.ok) link.pendingUnloads.set(envOf(ctx), runn);
      return { ...r, vars: cleared };
    });
}

function runStart(link: TrgLink): PluginFunction {
  return (ctx) =>
    withRun('RunStart', ctx, async (detectors, runn) => {
      const req = {
        runn,
        config: ctx.vars['trg_runtime_config'] ?? '',
        detector: startStopDetector(detectors, ctx.vars),
      };
      const r = await perform(link, ctx, 'RunStart', req, (o) => link.client.runStart(req, o));
      if (!r.ok) return r;
      link.pendingStops.set(envOf(ctx), runn);
      return { ...r, vars: { trg_start_time_ms: String(Date.now()), trg_end_time_ms: null } };
    });
}

async function stop(
  link: TrgLink,
  ctx: PluginCallContext,
  detectors: string,
  runn: number,
): Promise<CallResult> {
  const req = { runn, detector: startStopDetector(detectors, ctx.vars) };
  const r = await perform(link, ctx, 'RunStop', req, (o) => link.client.runStop(req, o));
  if (!r.ok) return r;
  link.pendingStops.delete(envOf(ctx));
  return { ...r, vars: { trg_end_time_ms: String(Date.now()) } };
}

async function unload(
  link: TrgLink,
  ctx: PluginCallContext,
  detectors: string,
  runn: number,
): Promise<CallResult> {
  if (isStandaloneForLoad(detectors, ctx.vars)) return { ok: true, output: '' };
  const req = { runn, detector: '' };
  const r = await perform(link, ctx, 'RunUnload', req, (o) => link.client.runUnload(req, o));
  if (r.ok) link.pendingUnloads.delete(envOf(ctx));
  return r;
}

/** RunStop/RunUnload of `run_number`; EnsureRunStop/EnsureRunUnload of the pending run, when there is one. */
function pendingOr(
  op: 'RunStop' | 'RunUnload',
  pending: Map<string, number> | undefined,
  act: (ctx: PluginCallContext, detectors: string, runn: number) => Promise<CallResult>,
): PluginFunction {
  return (ctx) => {
    if (pending === undefined) return withRun(op, ctx, (detectors, runn) => act(ctx, detectors, runn));
    const runn = pending.get(envOf(ctx));
    if (runn === undefined) return Promise.resolve({ ok: true, output: '' });
    return withDetectors(op, ctx, (detectors) => act(ctx, detectors, runn));
  };
}

export function trgFunctions(link: TrgLink): Record<string, PluginFunction> {
  const doStop = (ctx: PluginCallContext, d: string, n: number): Promise<CallResult> => stop(link, ctx, d, n);
  const doUnload = (ctx: PluginCallContext, d: string, n: number): Promise<CallResult> =>
    unload(link, ctx, d, n);
  const ensureStop = pendingOr('RunStop', link.pendingStops, doStop);
  const ensureUnload = pendingOr('RunUnload', link.pendingUnloads, doUnload);
  return {
    PrepareForRun: prepareForRun(link),
    RunLoad: runLoad(link),
    RunStart: runStart(link),
    RunStop: pendingOr('RunStop', undefined, doStop),
    RunUnload: pendingOr('RunUnload', undefined, doUnload),
    EnsureRunStop: ensureStop,
    EnsureRunUnload: ensureUnload,
    /** Obsolete: EnsureRunStop then EnsureRunUnload. */
    Cleanup: async (ctx) => {
      const s = await ensureStop(ctx);
      const u = await ensureUnload(ctx);
      return s.ok ? u : s;
    },
  };
}
