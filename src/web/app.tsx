/** The frame: navigation on the left, the connection state, and the page the URL names. */
import type { JSX } from 'preact';
import { connection, connectionError } from './live.ts';
import { route } from './router.ts';
import type { Route } from './router.ts';
import { AboutPage } from './pages/about.tsx';
import { CreatePage } from './pages/create.tsx';
import { EnvironmentPage } from './pages/environment.tsx';
import { EnvironmentsPage } from './pages/environments.tsx';
import { HardwarePage } from './pages/hardware.tsx';
import { LocksPage } from './pages/locks.tsx';
import { TasksPage } from './pages/tasks.tsx';

const NAV: readonly { readonly hash: string; readonly label: string; readonly page: Route['page'] }[] = [
  { hash: '#/environments', label: 'Environments', page: 'environments' },
  { hash: '#/create', label: 'Create', page: 'create' },
  { hash: '#/tasks', label: 'Tasks', page: 'tasks' },
  { hash: '#/locks', label: 'Locks', page: 'locks' },
  { hash: '#/hardware', label: 'Hardware', page: 'hardware' },
  { hash: '#/about', label: 'About', page: 'about' },
];

export function App(): JSX.Element {
  const r = route.value;
  const current = r.page === 'environment' ? 'environments' : r.page;
  return (
    <div class="frame">
      <nav class="nav" aria-label="Pages">
        <div class="brand">Axle</div>
        {NAV.map((n) => (
          <a
            href={n.hash}
            class={n.page === current ? 'active' : ''}
            aria-current={n.page === current ? 'page' : undefined}
          >
            {n.label}
          </a>
        ))}
        <Connection />
      </nav>
      <main class="page">{page(r)}</main>
    </div>
  );
}

function Connection(): JSX.Element {
  const c = connection.value;
  const words = { connecting: 'Connecting…', live: 'Live', lost: 'Connection lost, retrying' }[c];
  return (
    <div class={`conn conn-${c}`} role="status" title={connectionError.value}>
      {words}
      {c === 'lost' && connectionError.value !== '' ? (
        <div class="conn-why">{connectionError.value}</div>
      ) : null}
    </div>
  );
}

function page(r: Route): JSX.Element {
  switch (r.page) {
    case 'environments':
      return <EnvironmentsPage />;
    case 'environment':
      return <EnvironmentPage id={r.id} />;
    case 'create':
      return <CreatePage />;
    case 'tasks':
      return <TasksPage />;
    case 'locks':
      return <LocksPage />;
    case 'hardware':
      return <HardwarePage />;
    case 'about':
      return <AboutPage />;
  }
}
