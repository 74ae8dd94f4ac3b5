/**
 * The integrated-service events of one plugin operation (AliECS `Ev_IntegratedServiceEvent`): STARTED, then
 * DONE_OK, DONE_ERROR (with the error) or DONE_TIMEOUT when the call's time ran out. The payload is JSON of the
 * request and, when there is one, the response.
 */
import type { OpStatus } from '../environment/events.ts';
import type { PluginCallContext } from './plugin.ts';

export class Operation {
  private readonly payload: Record<string, unknown>;

  constructor(
    private readonly ctx: PluginCallContext,
    /** e.g. "perform TRG call: RunLoad". */
    private readonly step: string,
    payload: Record<string, unknown>,
  ) {
    this.payload = { ...payload };
  }

  started(): void {
    this.emit('STARTED');
  }

  done(response?: Record<string, unknown>): void {
    this.emit('DONE_OK', undefined, response);
  }

  failed(error: string, response?: Record<string, unknown>): void {
    this.emit(this.ctx.signal.aborted ? 'DONE_TIMEOUT' : 'DONE_ERROR', error, response);
  }

  private emit(status: OpStatus, error?: string, response?: Record<string, unknown>): void {
    const payload = response === undefined ? this.payload : { ...this.payload, ...response };
    this.ctx.emit({
      kind: 'integratedService',
      name: this.ctx.call.path,
      operationName: this.ctx.call.func,
      operationStatus: status,
      operationStep: this.step,
      operationStepStatus: status,
      environmentId: this.ctx.vars['environment_id'] ?? '',
      payload: JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      ...(error !== undefined ? { error } : {}),
    });
  }
}
