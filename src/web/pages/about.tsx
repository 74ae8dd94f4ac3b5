/** About: the core (version, configuration, hosts, detectors), its integrated services, and its heartbeat. */
import type { JSX } from 'preact';
import { control } from '../client.ts';
import { utcTime } from '../format.ts';
import { connection } from '../live.ts';
import { useCall } from '../use-call.ts';

const HEARTBEAT_MS = 5000;

export function AboutPage(): JSX.Element {
  const info = useCall(() => control.getFrameworkInfo({}), HEARTBEAT_MS);
  const services = useCall(() => control.getIntegratedServices({}));
  const f = info.value;
  return (
    <section>
      <header class="page-head">
        <h1>About</h1>
      </header>
      {info.error !== '' ? (
        <p class="error" role="alert">
          The core does not answer. {info.error}
        </p>
      ) : null}
      {f !== undefined ? (
        <div class="cards">
          <div class="card">
            <h2>Core</h2>
            <dl class="facts">
              <dt>Version</dt>
              <dd data-testid="version">
                {f.version?.productName} {f.version?.versionStr}
              </dd>
              <dt>Instance</dt>
              <dd>{f.instanceName}</dd>
              <dt>Framework id</dt>
              <dd class="mono">{f.frameworkId}</dd>
              <dt>State</dt>
              <dd>{f.state}</dd>
              <dt>Heartbeat</dt>
              <dd>
                answered at {utcTime(f.timestamp)} UTC; event stream {connection.value}
              </dd>
            </dl>
          </div>
          <div class="card">
            <h2>Configuration and hosts</h2>
            <dl class="facts">
              <dt>Configuration</dt>
              <dd class="mono">{f.configurationEndpoint || '—'}</dd>
              <dt>Hosts</dt>
              <dd>{f.hostsCount}</dd>
              <dt>Environments</dt>
              <dd>{f.environmentsCount}</dd>
              <dt>Tasks</dt>
              <dd>{f.tasksCount}</dd>
              <dt>Detectors</dt>
              <dd>{f.detectorsInInstance.join(' ') || '—'}</dd>
              <dt>Active detectors</dt>
              <dd>{f.activeDetectors.join(' ') || '—'}</dd>
            </dl>
          </div>
          <div class="card">
            <h2>Integrated services</h2>
            {services.error !== '' ? <p class="error">{services.error}</p> : null}
            <table class="grid">
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Enabled</th>
                  <th>Endpoint</th>
                  <th>Connection</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(services.value?.services ?? {}).map(([id, s]) => (
                  <tr>
                    <td>{s.name || id}</td>
                    <td>{s.enabled ? 'yes' : 'no'}</td>
                    <td class="mono">{s.endpoint}</td>
                    <td>{s.connectionState}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : (
        <p class="dim">Loading…</p>
      )}
    </section>
  );
}
