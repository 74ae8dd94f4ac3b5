/**
 * The `dcs.*` call functions (AliECS `dcs` plugin). PrepareForRun waits up to `dcs_pfr_grace_period` for detectors
 * available for PFR and prepares those; StartOfRun fails unless every detector is available for SOR within
 * `dcs_sor_grace_period`; both then read the operation's RunEvent stream until the aggregate (detector DCS) is
 * RUN_OK and succeed only when every detector reached RUN_OK. Once a SOR is sent, an EOR is owed: EndOfRun sends it
 * with `run_number`, Cleanup (GO_ERROR, DESTROY) sends the owed one, and each is sent once.
 */
import type { Client } from '@connectrpc/connect';
import { parseDuration } from '../../common/duration.ts';
import type { CallResult } from '../../environment/hooks.ts';
import { Detector, DetectorState } from '../../gen/dcs/dcs_pb.ts';
import type { Configurator, RunEvent } from '../../gen/dcs/dcs_pb.ts';
import type { GrpcEndpoint } from '../grpc-endpoint.ts';
import { Operation } from '../operation.ts';
import type { PluginCallContext, PluginFunction } from '../plugin.ts';
import type { Availability, DetectorMatrix } from './matrix.ts';
import { dcsDetectors, dcsRunType, detectorName, detectorRequests } from './request.ts';

export interface DcsLink {
  readonly endpoint: GrpcEndpoint;
  readonly client: Client<typeof Configurator>;
  readonly matrix: DetectorMatrix;
  /** environment id → run number whose EOR is owed. */
  readonly pendingEors: Map<string, number>;
}

type Op = 'PrepareForRun' | 'StartOfRun' | 'EndOfRun';

const fail = (op: Op, reason: string): CallResult => ({
  ok: false,
  output: '',
  error: `DCS ${op} call failed: ${reason}`,
});
const envOf = (ctx: PluginCallContext): string => ctx.vars['environment_id'] ?? '';
const FAILED = new Set([
  DetectorState.SOR_FAILURE,
  DetectorState.SOR_UNAVAILABLE,
  DetectorState.EOR_FAILURE,
  DetectorState.EOR_UNAVAILABLE,
  DetectorState.RUN_FAILURE,
  DetectorState.ERROR,
  DetectorState.TIMEOUT,
]);

function runNumberOf(vars: Readonly<Record<string, string>>): number {
  const text = vars['run_number'] ?? '';
  if (!/^\d+$/.test(text) || Number(text) > 0x7fffffff)
    throw new Error(`run_number: ${JSON.stringify(text)} is not a run number`);
  return Number(text);
}

function graceMs(vars: Readonly<Record<string, string>>, name: string): number {
  const text = vars[name];
  return text === undefined ? 0 : (parseDuration(text) ?? 0);
}

/** Reads an operation's stream; resolves with the detectors that did not reach RUN_OK ([] = success). */
async function readRun(
  link: DcsLink,
  ctx: PluginCallContext,
  op: Op,
  detectors: readonly Detector[],
  operation: Operation,
  open: (o: { signal?: AbortSignal; timeoutMs: number }) => AsyncIterable<RunEvent>,
): Promise<CallResult | string[]> {
  const states = new Map<Detector, DetectorState>(detectors.map((d) => [d, DetectorState.NULL_STATE]));
  let failure: string | undefined;
  try {
    await link.endpoint.consume(op, { signal: ctx.signal, timeoutMs: ctx.timeoutMs }, open, (ev) => {
      if (FAILED.has(ev.state)) {
        failure = `${detectorName(ev.detector)} ${DetectorState[ev.state]} reported by DCS${ev.message !== '' ? `: ${ev.message}` : ''}`;
        return true;
      }
      states.set(ev.detector, ev.state);
      return ev.state === DetectorState.RUN_OK && ev.detector === Detector.DCS;
    });
  } catch (e: unknown) {
    failure = e instanceof Error ? e.message : String(e);
  }
  if (failure !== undefined) {
    operation.failed(failure);
    return fail(op, failure);
  }
  return detectors.filter((d) => states.get(d) !== DetectorState.RUN_OK).map(detectorName);
}

/** Runs `f` with the parsed inputs, or fails the call naming the bad variable. */
function parsed<T>(op: Op, read: () => T, f: (v: T) => Promise<CallResult>): Promise<CallResult> {
  let v: T;
  try {
    v = read();
  } catch (e: unknown) {
    return Promise.resolve(fail(op, e instanceof Error ? e.message : String(e)));
  }
  return f(v);
}

async function available(
  link: DcsLink,
  ctx: PluginCallContext,
  detectors: readonly Detector[],
  kind: Availability,
): Promise<string[]> {
  const grace = graceMs(ctx.vars, kind === 'pfr' ? 'dcs_pfr_grace_period' : 'dcs_sor_grace_period');
  const missing = await link.matrix.waitAvailable(detectors, kind, grace, ctx.signal);
  const why = link.endpoint.connection().reason;
  return missing.length > 0 && why !== undefined ? [...missing, `(${why})`] : missing;
}

function prepareForRun(link: DcsLink): PluginFunction {
  return (ctx) =>
    parsed(
      'PrepareForRun',
      () => dcsDetectors(ctx.vars),
      async (all) => {
        const missing = await available(link, ctx, all, 'pfr');
        const ready = all.filter((d) => !missing.some((m) => m.startsWith(`${detectorName(d)} `)));
        if (ready.length === 0)
          return fail('PrepareForRun', `no detector is available for PFR: ${missing.join(', ')}`);
        return parsed(
          'PrepareForRun',
          () => detectorRequests(ctx.vars, ready, 'sor'),
          async (reqs) => {
            const req = { detectors: reqs, runType: dcsRunType(ctx.vars), partitionId: envOf(ctx) };
            const operation = new Operation(ctx, 'perform DCS call: PrepareForRun', {
              detectors: ready.map(detectorName),
              skipped: missing,
            });
            operation.started();
            const r = await readRun(link, ctx, 'PrepareForRun', ready, operation, (o) =>
              link.client.prepareForRun(req, o),
            );
            return settle('PrepareForRun', 'PFR', operation, r);
          },
        );
      },
    );
}

function settle(op: Op, short: string, operation: Operation, r: CallResult | string[]): CallResult {
  if (!Array.isArray(r)) return r;
  if (r.length === 0) {
    operation.done();
    return { ok: true, output: '' };
  }
  const reason = `${short} failed for ${r.join(', ')}`;
  operation.failed(reason, { failedDetectors: r });
  return fail(op, reason);
}

function startOfRun(link: DcsLink): PluginFunction {
  return (ctx) =>
    parsed(
      'StartOfRun',
      () => ({ detectors: dcsDetectors(ctx.vars), runNumber: runNumberOf(ctx.vars) }),
      async ({ detectors, runNumber }) => {
        const missing = await available(link, ctx, detectors, 'sor');
        if (missing.length > 0) return fail('StartOfRun', `not available for SOR: ${missing.join(', ')}`);
        return parsed(
          'StartOfRun',
          () => detectorRequests(ctx.vars, detectors, 'sor'),
          async (reqs) => {
            const req = {
              detectors: reqs,
              runType: dcsRunType(ctx.vars),
              runNumber,
              partitionId: envOf(ctx),
            };
            const operation = new Operation(ctx, 'perform DCS call: StartOfRun', {
              detectors: detectors.map(detectorName),
              runNumber,
            });
            operation.started();
            link.pendingEors.set(envOf(ctx), runNumber);
            const r = await readRun(link, ctx, 'StartOfRun', detectors, operation, (o) =>
              link.client.startOfRun(req, o),
            );
            return settle('StartOfRun', 'SOR', operation, r);
          },
        );
      },
    );
}

function endOfRun(link: DcsLink, ctx: PluginCallContext, runNumber: number): Promise<CallResult> {
  return parsed(
    'EndOfRun',
    () => dcsDetectors(ctx.vars),
    (detectors) =>
      parsed(
        'EndOfRun',
        () => detectorRequests(ctx.vars, detectors, 'eor'),
        async (reqs) => {
          const req = { detectors: reqs, runNumber, partitionId: envOf(ctx) };
          const operation = new Operation(ctx, 'perform DCS call: EndOfRun', {
            detectors: detectors.map(detectorName),
            runNumber,
          });
          operation.started();
          link.pendingEors.delete(envOf(ctx));
          const r = await readRun(link, ctx, 'EndOfRun', detectors, operation, (o) =>
            link.client.endOfRun(req, o),
          );
          return settle('EndOfRun', 'EOR', operation, r);
        },
      ),
  );
}

export function dcsFunctions(link: DcsLink): Record<string, PluginFunction> {
  return {
    PrepareForRun: prepareForRun(link),
    StartOfRun: startOfRun(link),
    EndOfRun: (ctx) =>
      parsed(
        'EndOfRun',
        () => runNumberOf(ctx.vars),
        (n) => endOfRun(link, ctx, n),
      ),
    Cleanup: (ctx) => {
      const owed = link.pendingEors.get(envOf(ctx));
      return owed === undefined ? Promise.resolve({ ok: true, output: '' }) : endOfRun(link, ctx, owed);
    },
  };
}
