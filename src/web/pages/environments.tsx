/**
 * Environments: the live table. The table re-renders only when an environment comes or goes; an event re-renders the
 * one row it concerns (each row follows its own signal). Fixed column widths: updates never move the layout.
 */
import type { JSX } from 'preact';
import { Copyable } from '../copy.tsx';
import { shortUtcTime, utcTime } from '../format.ts';
import { envIds, rowOf } from '../live.ts';

export function EnvironmentsPage(): JSX.Element {
  const ids = envIds.value;
  return (
    <section>
      <header class="page-head">
        <h1>Environments</h1>
        <span class="count" data-testid="env-count">
          {ids.length} {ids.length === 1 ? 'environment' : 'environments'}
        </span>
        <a class="button primary" href="#/create">
          Create…
        </a>
      </header>
      <div class="table-scroll">
        <table class="grid envs">
          <colgroup>
            <col class="c-id" />
            <col class="c-run" />
            <col class="c-state" />
            <col class="c-trans" />
            <col class="c-det" />
            <col class="c-n" />
            <col class="c-n" />
            <col class="c-svc" />
            <col class="c-time" />
            <col class="c-time" />
            <col class="c-time" />
          </colgroup>
          <thead>
            <tr>
              <th>Environment</th>
              <th>Run</th>
              <th>State</th>
              <th>Transition</th>
              <th>Detectors</th>
              <th title="FLP hosts">FLPs</th>
              <th>Tasks</th>
              <th>Services</th>
              <th title="Times are UTC">Created</th>
              <th title="Times are UTC">Run start</th>
              <th title="Times are UTC">Run end</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => (
              <EnvRowView key={id} id={id} />
            ))}
            {ids.length === 0 ? (
              <tr>
                <td colSpan={11} class="empty">
                  No environments. <a href="#/create">Create one</a>.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function EnvRowView(props: { readonly id: string }): JSX.Element | null {
  const r = rowOf(props.id)?.value;
  if (r === undefined) return null;
  const services = Object.entries(r.services);
  return (
    <tr data-env={r.id} class={r.state === 'ERROR' ? 'row-error' : ''}>
      <td>
        <a href={`#/environment/${encodeURIComponent(r.id)}`} class="mono">
          {r.id}
        </a>
        <CopyButton value={r.id} label="environment id" />
      </td>
      <td>
        {r.runNumber > 0 ? (
          <Copyable value={String(r.runNumber)} label="run number" />
        ) : (
          <span class="dim">—</span>
        )}
      </td>
      <td>
        <span class={`state state-${r.state}`} data-testid="state">
          {r.state}
        </span>
      </td>
      <td class="trans" data-testid="transition">
        {r.transition === '' ? (
          <span class="dim">—</span>
        ) : (
          `${r.transition}${r.step !== '' ? ` · ${r.step}` : ''}`
        )}
      </td>
      <td>{r.detectors.length === 0 ? <span class="dim">—</span> : r.detectors.join(' ')}</td>
      <td class="num">{r.flps}</td>
      <td class="num">
        {r.activeTasks}/{r.tasks}
      </td>
      <td>
        {services.length === 0 ? (
          <span class="dim">—</span>
        ) : (
          services.map(([k, v]) => `${k}: ${v}`).join(', ')
        )}
      </td>
      <td class="mono" title={utcTime(r.createdMs)}>
        {shortUtcTime(r.createdMs)}
      </td>
      <td class="mono" title={utcTime(r.runStartMs)}>
        {shortUtcTime(r.runStartMs)}
      </td>
      <td class="mono" title={utcTime(r.runEndMs)}>
        {r.runEndMs > r.runStartMs ? shortUtcTime(r.runEndMs) : ''}
      </td>
    </tr>
  );
}

function CopyButton(props: { readonly value: string; readonly label: string }): JSX.Element {
  return (
    <button
      type="button"
      class="copy"
      aria-label={`Copy ${props.label} ${props.value}`}
      onClick={() => void navigator.clipboard?.writeText(props.value).catch(() => undefined)}
    >
      copy
    </button>
  );
}
