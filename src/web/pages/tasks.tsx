/** Tasks: every task the core knows, grouped by host, with state, PID and environment; follows task events. */
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import type { ShortTaskInfo } from '../../gen/protos/o2control_pb.ts';
import { control } from '../client.ts';
import { shortTaskName } from '../format.ts';
import { onEvent } from '../live.ts';
import { useCall } from '../use-call.ts';

export function TasksPage(): JSX.Element {
  const tasks = useCall(() => control.getTasks({}));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onEvent((e) => {
      if (e.Payload.case !== 'taskEvent' || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        tasks.reload();
      }, 300);
    });
    return () => {
      off();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
  const byHost = new Map<string, ShortTaskInfo[]>();
  for (const t of tasks.value?.tasks ?? []) {
    const h = t.deploymentInfo?.hostname ?? '';
    byHost.set(h, [...(byHost.get(h) ?? []), t]);
  }
  return (
    <section>
      <header class="page-head">
        <h1>Tasks</h1>
        <span class="count">{tasks.value?.tasks.length ?? 0} tasks</span>
      </header>
      {tasks.error !== '' ? (
        <p class="error" role="alert">
          {tasks.error}
        </p>
      ) : null}
      {byHost.size === 0 && tasks.value !== undefined ? <p class="dim">No tasks.</p> : null}
      {[...byHost]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([host, list]) => (
          <div class="panel">
            <h2>
              {host || '(no host)'} <span class="dim">{list.length}</span>
            </h2>
            <table class="grid all-tasks">
              <thead>
                <tr>
                  <th>Task</th>
                  <th>State</th>
                  <th>Status</th>
                  <th>PID</th>
                  <th>Claimable</th>
                  <th>Task id</th>
                </tr>
              </thead>
              <tbody>
                {list.map((t) => (
                  <tr key={t.taskId}>
                    <td class="mono" title={t.name}>
                      {shortTaskName(t.name)}
                    </td>
                    <td>
                      <span class={`state state-${t.state}`}>{t.state}</span>
                    </td>
                    <td>{t.status}</td>
                    <td class="mono num">{t.pid}</td>
                    <td>{t.claimable ? 'yes (orphan)' : 'no'}</td>
                    <td class="mono small">{t.taskId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
