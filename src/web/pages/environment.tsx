/**
 * Environment details: state and the transition in flight, the transitions the state machine allows as buttons,
 * tasks by state and host (click a count to filter), variables, the environment's events in words, and destroy.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ENV_STATES, ENV_TRANSITIONS, REQUESTABLE_EVENTS } from '../../common/environment-fsm.ts';
import type { EnvEvent, EnvState } from '../../common/environment-fsm.ts';
import { ControlEnvironmentRequest_Optype as Optype } from '../../gen/protos/o2control_pb.ts';
import type { EnvironmentInfo, ShortTaskInfo } from '../../gen/protos/o2control_pb.ts';
import { Copyable } from '../copy.tsx';
import { control, errorText } from '../client.ts';
import { shortTaskName, sortedEntries, utcTime } from '../format.ts';
import { historyOf, onEvent, rowOf } from '../live.ts';
import { go } from '../router.ts';

/** Button words for the state machine's events (AliECS's GUI names). */
const LABEL: Readonly<Record<EnvEvent, string>> = {
  DEPLOY: 'DEPLOY',
  CONFIGURE: 'CONFIGURE',
  START_ACTIVITY: 'START',
  STOP_ACTIVITY: 'STOP',
  RESET: 'RESET',
  EXIT: 'SHUTDOWN',
  RECOVER: 'RECOVER',
  GO_ERROR: 'GO_ERROR',
};

export function allowedEvents(state: string): EnvEvent[] {
  if (!(ENV_STATES as readonly string[]).includes(state)) return [];
  return REQUESTABLE_EVENTS.filter((e) => ENV_TRANSITIONS[e].from.includes(state as EnvState));
}

function useEnvironment(id: string): { env: EnvironmentInfo | undefined; error: string } {
  const [env, setEnv] = useState<EnvironmentInfo | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let alive = true;
    const load = (): void => {
      timer = undefined;
      control.getEnvironment({ id }).then(
        (r) => {
          if (!alive) return;
          setEnv(r.environment);
          setError('');
        },
        (e: unknown) => alive && setError(errorText(e)),
      );
    };
    load();
    const off = onEvent((ev) => {
      const p = ev.Payload;
      const about = p.case === 'environmentEvent' || p.case === 'taskEvent' ? p.value.environmentId : '';
      if (about === id && timer === undefined) timer = setTimeout(load, 200);
    });
    return () => {
      alive = false;
      off();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [id]);
  return { env, error };
}

export function EnvironmentPage(props: { readonly id: string }): JSX.Element {
  const { env, error } = useEnvironment(props.id);
  const row = rowOf(props.id)?.value;
  if (env === undefined)
    return (
      <section>
        <h1>Environment {props.id}</h1>
        {error !== '' ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p class="dim">Loading…</p>
        )}
        <Events id={props.id} />
      </section>
    );
  const state = row?.state ?? env.state;
  const transition = row?.transition ?? env.currentTransition;
  return (
    <section>
      <header class="page-head">
        <h1>
          Environment <Copyable value={env.id} label="environment id" />
        </h1>
        <span class={`state big state-${state}`} data-testid="env-state">
          {state}
        </span>
        {env.currentRunNumber > 0 ? (
          <span class="run">
            Run <Copyable value={String(env.currentRunNumber)} label="run number" />
          </span>
        ) : null}
      </header>
      {env.description !== '' ? <p class="dim">{env.description}</p> : null}
      <p class="trans-line" data-testid="env-transition">
        {transition !== ''
          ? `In progress: ${transition}${row?.step ? ` · ${row.step}` : ''}`
          : 'No transition in progress.'}
      </p>
      {error !== '' ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {env.lastError !== '' ? (
        <p class="error" role="alert" data-testid="last-error">
          Last error: {env.lastError}
        </p>
      ) : null}
      <Transitions id={env.id} state={state} busy={transition !== ''} />
      <Facts env={env} />
      <Tasks tasks={env.tasks} />
      <Variables env={env} />
      <Events id={env.id} />
      <Destroy id={env.id} state={state} />
    </section>
  );
}

function Transitions(props: {
  readonly id: string;
  readonly state: string;
  readonly busy: boolean;
}): JSX.Element {
  const [sending, setSending] = useState<EnvEvent | undefined>(undefined);
  const [error, setError] = useState('');
  const send = (e: EnvEvent): void => {
    setSending(e);
    setError('');
    control
      .controlEnvironment({ id: props.id, type: Optype[e as keyof typeof Optype] })
      .then(
        () => undefined,
        (err: unknown) => setError(`${LABEL[e]} failed. ${errorText(err)}`),
      )
      .finally(() => setSending(undefined));
  };
  const events = allowedEvents(props.state);
  return (
    <div class="panel">
      <h2>Transitions</h2>
      <div class="buttons" role="group" aria-label="Transitions">
        {events.map((e) => (
          <button
            type="button"
            class={`button t-${e}`}
            disabled={sending !== undefined || props.busy}
            onClick={() => send(e)}
            title={`${e}: ${props.state} → ${ENV_TRANSITIONS[e].to}`}
          >
            {sending === e ? `${LABEL[e]}…` : LABEL[e]}
          </button>
        ))}
        {events.length === 0 ? <span class="dim">No transition is possible from {props.state}.</span> : null}
      </div>
      {error !== '' ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Facts(props: { readonly env: EnvironmentInfo }): JSX.Element {
  const e = props.env;
  return (
    <dl class="facts">
      <dt>Created</dt>
      <dd>{utcTime(e.createdWhen)} UTC</dd>
      <dt>Workflow</dt>
      <dd class="mono">{e.rootRole}</dd>
      <dt>Detectors</dt>
      <dd>{e.includedDetectors.join(' ') || '—'}</dd>
      <dt>Hosts / FLPs</dt>
      <dd>
        {e.numberOfHosts} / {e.numberOfFlps}
      </dd>
      <dt>Tasks</dt>
      <dd>
        {e.numberOfActiveTasks} active, {e.numberOfInactiveTasks} inactive, {e.numberOfTasks} in all
      </dd>
    </dl>
  );
}

function Tasks(props: { readonly tasks: readonly ShortTaskInfo[] }): JSX.Element {
  const [stateFilter, setStateFilter] = useState('');
  const [hostFilter, setHostFilter] = useState('');
  const host = (t: ShortTaskInfo): string => t.deploymentInfo?.hostname ?? '';
  const count = (key: (t: ShortTaskInfo) => string): [string, number][] => {
    const m = new Map<string, number>();
    for (const t of props.tasks) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
    return [...m].sort(([a], [b]) => a.localeCompare(b));
  };
  const shown = props.tasks.filter(
    (t) => (stateFilter === '' || t.state === stateFilter) && (hostFilter === '' || host(t) === hostFilter),
  );
  return (
    <div class="panel">
      <h2>Tasks</h2>
      <div class="filters">
        <span>By state:</span>
        {count((t) => t.state).map(([s, n]) => (
          <button
            type="button"
            class={`chip state-${s} ${stateFilter === s ? 'on' : ''}`}
            aria-pressed={stateFilter === s}
            onClick={() => setStateFilter(stateFilter === s ? '' : s)}
          >
            {s} {n}
          </button>
        ))}
        <span>By host:</span>
        {count(host).map(([h, n]) => (
          <button
            type="button"
            class={`chip ${hostFilter === h ? 'on' : ''}`}
            aria-pressed={hostFilter === h}
            onClick={() => setHostFilter(hostFilter === h ? '' : h)}
          >
            {h} {n}
          </button>
        ))}
      </div>
      <table class="grid tasks">
        <colgroup>
          <col class="t-name" />
          <col class="t-host" />
          <col class="t-state" />
          <col class="t-status" />
          <col class="t-pid" />
          <col class="t-crit" />
          <col class="t-id" />
        </colgroup>
        <thead>
          <tr>
            <th>Task</th>
            <th>Host</th>
            <th>State</th>
            <th>Status</th>
            <th>PID</th>
            <th>Critical</th>
            <th>Task id</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => (
            <tr key={t.taskId} data-task={t.taskId}>
              <td class="mono" title={t.name}>
                {shortTaskName(t.name)}
              </td>
              <td>{host(t)}</td>
              <td>
                <span class={`state state-${t.state}`}>{t.state}</span>
              </td>
              <td>{t.status}</td>
              <td class="mono num" data-testid="pid">
                {t.pid}
              </td>
              <td>{t.critical ? 'yes' : 'no'}</td>
              <td class="mono small">{t.taskId}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Variables(props: { readonly env: EnvironmentInfo }): JSX.Element {
  const sets: [string, Readonly<Record<string, string>>][] = [
    ['User variables', props.env.userVars],
    ['Variables', props.env.vars],
    ['Defaults', props.env.defaults],
  ];
  return (
    <div class="panel">
      <h2>Variables</h2>
      {sets.map(([title, m]) => (
        <details open={title === 'User variables'}>
          <summary>
            {title} ({Object.keys(m).length})
          </summary>
          <table class="grid kv">
            <tbody>
              {sortedEntries(m).map(([k, v]) => (
                <tr>
                  <td class="mono">{k}</td>
                  <td class="mono wrap">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </div>
  );
}

function Events(props: { readonly id: string }): JSX.Element {
  const lines = historyOf(props.id).value;
  return (
    <div class="panel">
      <h2>Events</h2>
      {lines.length === 0 ? <p class="dim">No events since this page was opened.</p> : null}
      <ol class="events" data-testid="events">
        {[...lines].reverse().map((l) => (
          <li class={l.isError ? 'error' : ''}>
            <span class="mono dim">{utcTime(l.ms).slice(11)}</span> {l.text}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Destroy(props: { readonly id: string; readonly state: string }): JSX.Element {
  const [keepTasks, setKeepTasks] = useState(false);
  const [allowRunning, setAllowRunning] = useState(false);
  const [force, setForce] = useState(false);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), [asking]);
  const destroy = (): void => {
    setBusy(true);
    setError('');
    control
      .destroyEnvironment({ id: props.id, keepTasks, allowInRunningState: allowRunning, force })
      .then(
        () => go('#/environments'),
        (e: unknown) => setError(`Destroy failed. ${errorText(e)}`),
      )
      .finally(() => {
        setBusy(false);
        setAsking(false);
      });
  };
  return (
    <div class="panel danger">
      <h2>Destroy</h2>
      <label>
        <input type="checkbox" checked={keepTasks} onChange={(e) => setKeepTasks(e.currentTarget.checked)} />{' '}
        Keep the tasks running (release them)
      </label>
      <label>
        <input
          type="checkbox"
          checked={allowRunning}
          onChange={(e) => setAllowRunning(e.currentTarget.checked)}
        />{' '}
        Allow while RUNNING
      </label>
      <label>
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} /> Force
        (even if tasks do not answer)
      </label>
      {!asking ? (
        <button type="button" class="button danger" onClick={() => setAsking(true)} disabled={busy}>
          Destroy…
        </button>
      ) : (
        <div class="confirm" role="alertdialog" aria-label="Confirm destroy">
          Destroy environment <span class="mono">{props.id}</span> ({props.state})?{' '}
          <button type="button" class="button danger" ref={confirmRef} onClick={destroy} disabled={busy}>
            {busy ? 'Destroying…' : 'Yes, destroy'}
          </button>{' '}
          <button type="button" class="button" onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      )}
      {error !== '' ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
