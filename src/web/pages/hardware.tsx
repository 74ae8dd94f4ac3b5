/** Hardware: the detectors of the inventory and the hosts tasks can run on (state, resources, attributes). */
import type { JSX } from 'preact';
import { cluster, control } from '../client.ts';
import { sortedEntries } from '../format.ts';
import { useCall } from '../use-call.ts';

export function HardwarePage(): JSX.Element {
  const hosts = useCall(() => cluster.listHosts({}), 5000);
  const info = useCall(() => control.getFrameworkInfo({}));
  const f = info.value;
  return (
    <section>
      <header class="page-head">
        <h1>Hardware</h1>
        {hosts.value !== undefined ? <span class="count">engine: {hosts.value.engine}</span> : null}
      </header>
      {[hosts.error, info.error, hosts.value?.error ?? '']
        .filter((e) => e !== '')
        .map((e) => (
          <p class="error" role="alert">
            {e}
          </p>
        ))}
      <div class="panel">
        <h2>Detectors</h2>
        {f === undefined || f.detectorsInInstance.length === 0 ? (
          <p class="dim">No detectors in the inventory.</p>
        ) : (
          <div class="chips">
            {f.detectorsInInstance.map((d) => (
              <span class={`chip ${f.activeDetectors.includes(d) ? 'state-RUNNING' : ''}`}>
                {d} {f.activeDetectors.includes(d) ? '(in use)' : '(available)'}
              </span>
            ))}
          </div>
        )}
      </div>
      <div class="panel">
        <h2>Hosts</h2>
        <table class="grid">
          <thead>
            <tr>
              <th>Host</th>
              <th>State</th>
              <th>CPU free / all</th>
              <th>Memory free / all (MB)</th>
              <th>Attributes</th>
              <th>Environments</th>
            </tr>
          </thead>
          <tbody>
            {(hosts.value?.hosts ?? []).map((h) => (
              <tr>
                <td class="mono">{h.host}</td>
                <td>
                  {h.state}
                  {h.trouble !== '' ? <span class="error"> — {h.trouble}</span> : null}
                </td>
                <td class="num">
                  {h.cpuFree.toFixed(1)} / {h.cpu.toFixed(1)}
                </td>
                <td class="num">
                  {Math.round(h.memoryFreeMb)} / {Math.round(h.memoryMb)}
                </td>
                <td class="mono small">
                  {sortedEntries(h.attributes)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')}
                </td>
                <td class="mono small">{h.environments.join(' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
