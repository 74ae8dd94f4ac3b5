/**
 * The live view of the core: one signal per environment row (so an event re-renders only its row), the list of ids,
 * recent events per environment, and the connection state. Fed by `Subscribe` with id `*` (every event); a row is
 * re-read with GetEnvironment shortly after its events (coalesced), and the list with GetEnvironments on reconnect.
 */
import { batch, signal } from '@preact/signals';
import type { Signal } from '@preact/signals';
import type { EnvironmentInfo } from '../gen/protos/o2control_pb.ts';
import { OpStatus } from '../gen/protos/events_pb.ts';
import type { Event } from '../gen/protos/events_pb.ts';
import { control, errorText } from './client.ts';

export interface EnvRow {
  readonly id: string;
  readonly state: string;
  /** The transition in flight and its step ('' when idle). */
  readonly transition: string;
  readonly step: string;
  readonly runNumber: number;
  readonly detectors: readonly string[];
  readonly flps: number;
  readonly tasks: number;
  readonly activeTasks: number;
  readonly createdMs: number;
  readonly runStartMs: number;
  readonly runEndMs: number;
  readonly lastError: string;
  readonly description: string;
  /** Integrated-service states (e.g. odc, trg, dcs) when the core reports them. */
  readonly services: Readonly<Record<string, string>>;
}

/** One line of an environment's history, in words. */
export interface EventLine {
  readonly ms: number;
  readonly text: string;
  readonly isError: boolean;
}

export const envIds = signal<readonly string[]>([]);
export const connection = signal<'connecting' | 'live' | 'lost'>('connecting');
export const connectionError = signal('');
const rows = new Map<string, Signal<EnvRow>>();
const history = new Map<string, Signal<readonly EventLine[]>>();
/** Listeners for every event (pages that show details of one environment). */
const listeners = new Set<(e: Event) => void>();

const HISTORY_LIMIT = 300;
const REFRESH_DELAY_MS = 150;

export function rowOf(id: string): Signal<EnvRow> | undefined {
  return rows.get(id);
}

export function historyOf(id: string): Signal<readonly EventLine[]> {
  let h = history.get(id);
  if (h === undefined) {
    h = signal([]);
    history.set(id, h);
  }
  return h;
}

export function onEvent(f: (e: Event) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function toRow(e: EnvironmentInfo): EnvRow {
  const num = (k: string): number => Number(e.userVars[k] ?? e.vars[k] ?? 0) || 0;
  return {
    id: e.id,
    state: e.state,
    transition: e.currentTransition,
    step: '',
    runNumber: e.currentRunNumber,
    detectors: e.includedDetectors,
    flps: e.numberOfFlps,
    tasks: e.numberOfTasks,
    activeTasks: e.numberOfActiveTasks,
    createdMs: Number(e.createdWhen),
    runStartMs: num('run_start_time_ms'),
    runEndMs: num('run_end_time_ms'),
    lastError: e.lastError,
    description: e.description,
    services: e.integratedServicesData,
  };
}

function put(row: EnvRow): void {
  const s = rows.get(row.id);
  if (s !== undefined) {
    s.value = { ...row, step: row.transition === '' ? '' : s.value.step };
    return;
  }
  rows.set(row.id, signal(row));
  envIds.value = [...envIds.value, row.id].sort(
    (a, b) => (rows.get(b)?.value.createdMs ?? 0) - (rows.get(a)?.value.createdMs ?? 0),
  );
}

function drop(id: string): void {
  if (!rows.has(id)) return;
  rows.delete(id);
  envIds.value = envIds.value.filter((x) => x !== id);
}

/** Reads the whole list again (start and reconnect). */
async function reload(): Promise<void> {
  const reply = await control.getEnvironments({ showAll: true });
  batch(() => {
    const seen = new Set(reply.environments.map((e) => e.id));
    for (const id of [...rows.keys()]) if (!seen.has(id)) drop(id);
    for (const e of reply.environments) put(toRow(e));
  });
}

const pending = new Map<string, ReturnType<typeof setTimeout>>();

/** Re-reads one environment soon (coalescing the bursts of events a transition sends). */
export function refreshSoon(id: string): void {
  if (pending.has(id)) return;
  pending.set(
    id,
    setTimeout(() => {
      pending.delete(id);
      control.getEnvironment({ id }).then(
        (r) => r.environment !== undefined && put(toRow(r.environment)),
        () => drop(id),
      );
    }, REFRESH_DELAY_MS),
  );
}

function remember(id: string, line: EventLine): void {
  const h = historyOf(id);
  const next = [...h.value, line];
  h.value = next.length > HISTORY_LIMIT ? next.slice(next.length - HISTORY_LIMIT) : next;
}

function statusWord(s: OpStatus): string {
  return OpStatus[s] ?? String(s);
}

/** Applies what an event says at once (state, step), then re-reads the row for the counts. */
function apply(ev: Event): void {
  const ms = Number(ev.timestamp);
  const p = ev.Payload;
  if (p.case === 'environmentEvent') {
    const e = p.value;
    const id = e.environmentId;
    const words = [e.transition, e.transitionStep, statusWord(e.transitionStatus), e.message].filter(
      (x) => x !== '',
    );
    remember(id, {
      ms,
      text: words.join(' · ') + (e.error !== '' ? ` — ${e.error}` : ''),
      isError: e.error !== '',
    });
    const row = rows.get(id);
    if (row !== undefined) {
      const inFlight = e.transitionStatus === OpStatus.STARTED || e.transitionStatus === OpStatus.ONGOING;
      row.value = {
        ...row.value,
        ...(e.state !== '' ? { state: e.state } : {}),
        ...(e.runNumber !== 0 ? { runNumber: e.runNumber } : {}),
        transition: inFlight ? e.transition : '',
        step: inFlight ? e.transitionStep : '',
        ...(e.error !== '' ? { lastError: e.error } : {}),
      };
    }
    const gone = e.transition === 'DESTROY' && e.transitionStatus === OpStatus.DONE_OK;
    if (gone || e.message === 'cannot create new environment') drop(id);
    else refreshSoon(id);
  } else if (p.case === 'taskEvent') {
    const t = p.value;
    if (t.environmentId !== '') {
      if (t.state === 'ERROR' || t.status === 'INACTIVE')
        remember(t.environmentId, {
          ms,
          text: `task ${t.name} on ${t.hostname}: ${t.state} ${t.status}`,
          isError: t.state === 'ERROR',
        });
      refreshSoon(t.environmentId);
    }
  } else if (p.case === 'callEvent' && p.value.error !== '') {
    remember(p.value.environmentId, { ms, text: `call ${p.value.func}: ${p.value.error}`, isError: true });
  }
  for (const f of listeners) f(ev);
}

/** Follows the core for as long as the page is open; reconnects after a lost stream. */
export async function follow(): Promise<void> {
  for (;;) {
    const ac = new AbortController();
    try {
      connection.value = 'connecting';
      const stream = control.subscribe({ id: '*' }, { signal: ac.signal });
      await reload();
      connection.value = 'live';
      connectionError.value = '';
      for await (const ev of stream) apply(ev);
      connectionError.value = 'the event stream ended';
    } catch (e) {
      connectionError.value = errorText(e);
    }
    ac.abort();
    connection.value = 'lost';
    await new Promise((r) => setTimeout(r, 2000));
  }
}
