/**
 * Create: pick a repository and revision, a workflow (with its description), fill the panels generated from its
 * `!public` var specs and the advanced key–value panel, then create. Requests in progress and their outcome (errors
 * in the core's words) stay listed on the page.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signal } from '@preact/signals';
import type { RepoInfo, WorkflowTemplateInfo } from '../../gen/protos/o2control_pb.ts';
import { control, errorText } from '../client.ts';
import { utcTime } from '../format.ts';
import { VarPanels, defaultValues } from '../var-panels.tsx';

interface CreateRequest {
  readonly n: number;
  readonly workflow: string;
  readonly startMs: number;
  readonly status: 'pending' | 'ok' | 'error';
  readonly envId: string;
  readonly message: string;
}

/** Requests of this page, kept while the GUI is open (the page can be left and come back). */
const requests = signal<readonly CreateRequest[]>([]);
let counter = 0;

function update(n: number, patch: Partial<CreateRequest>): void {
  requests.value = requests.value.map((r) => (r.n === n ? { ...r, ...patch } : r));
}

export function CreatePage(): JSX.Element {
  const [repos, setRepos] = useState<readonly RepoInfo[]>([]);
  const [repo, setRepo] = useState('');
  const [revision, setRevision] = useState('');
  const [templates, setTemplates] = useState<readonly WorkflowTemplateInfo[]>([]);
  const [chosen, setChosen] = useState<WorkflowTemplateInfo | undefined>(undefined);
  const [values, setValues] = useState<Record<string, string>>({});
  const [extra, setExtra] = useState<readonly [string, string][]>([]);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    control.listRepos({ getRevisions: true }).then(
      (r) => {
        setRepos(r.repos);
        const def = r.repos.find((x) => x.default) ?? r.repos[0];
        if (def !== undefined) {
          setRepo(def.name);
          setRevision(def.defaultRevision || r.globalDefaultRevision);
        }
      },
      (e: unknown) => setError(`Cannot list the repositories. ${errorText(e)}`),
    );
  }, []);

  useEffect(() => {
    if (repo === '' || revision === '') return;
    setLoading(true);
    setChosen(undefined);
    control
      .getWorkflowTemplates({ repoPattern: repo, revisionPattern: revision })
      .then(
        (r) => {
          setTemplates(r.workflowTemplates);
          setError('');
        },
        (e: unknown) => {
          setTemplates([]);
          setError(`Cannot read the workflows of ${repo}@${revision}. ${errorText(e)}`);
        },
      )
      .finally(() => setLoading(false));
  }, [repo, revision]);

  const choose = (t: WorkflowTemplateInfo): void => {
    setChosen(t);
    setValues(defaultValues(t.varSpecMap));
  };
  const repoInfo = repos.find((r) => r.name === repo);
  const create = (): void => {
    if (chosen === undefined) return;
    const workflow = `${chosen.repo}/workflows/${chosen.template}@${chosen.revision}`;
    const vars: Record<string, string> = { ...values };
    for (const [k, v] of extra) if (k.trim() !== '') vars[k.trim()] = v;
    const n = ++counter;
    requests.value = [
      { n, workflow, startMs: Date.now(), status: 'pending', envId: '', message: 'creating…' },
      ...requests.value,
    ];
    control.newEnvironment({ workflowTemplate: workflow, vars, public: true }).then(
      (r) =>
        update(n, {
          status: 'ok',
          envId: r.environment?.id ?? '',
          message: `created, ${r.environment?.state ?? ''}`,
        }),
      (e: unknown) => update(n, { status: 'error', message: errorText(e) }),
    );
  };

  return (
    <section>
      <header class="page-head">
        <h1>Create an environment</h1>
      </header>
      {error !== '' ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="panel pickers">
        <label>
          Repository{' '}
          <select
            id="repo"
            value={repo}
            onChange={(e) => {
              const r = repos.find((x) => x.name === e.currentTarget.value);
              setRepo(e.currentTarget.value);
              if (r !== undefined && r.defaultRevision !== '') setRevision(r.defaultRevision);
            }}
          >
            {repos.map((r) => (
              <option value={r.name}>
                {r.name}
                {r.default ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Revision{' '}
          <select id="revision" value={revision} onChange={(e) => setRevision(e.currentTarget.value)}>
            {[...new Set([revision, ...(repoInfo?.revisions ?? [])])].map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
        </label>
        {repos.length === 0 && error === '' ? (
          <span class="dim">No repository yet: add one with `axle repo add`.</span>
        ) : null}
      </div>
      <div class="create-grid">
        <div class="panel workflows">
          <h2>Workflow</h2>
          {loading ? <p class="dim">Reading workflows…</p> : null}
          <ul class="wf-list" aria-label="Workflows">
            {templates.map((t) => (
              <li>
                <button
                  type="button"
                  aria-pressed={chosen?.template === t.template}
                  class={`wf ${chosen?.template === t.template ? 'on' : ''}`}
                  data-workflow={t.template}
                  onClick={() => choose(t)}
                >
                  <span class="mono">{t.template}</span>
                  {t.description !== '' ? <span class="help">{t.description}</span> : null}
                </button>
              </li>
            ))}
          </ul>
          {!loading && templates.length === 0 && repo !== '' ? (
            <p class="dim">No public workflow at this revision.</p>
          ) : null}
        </div>
        <div class="vars">
          {chosen === undefined ? (
            <p class="dim">Choose a workflow to see its variables.</p>
          ) : (
            <>
              <VarPanels
                specs={chosen.varSpecMap}
                values={values}
                onChange={(k, v) => setValues({ ...values, [k]: v })}
              />
              <Advanced rows={extra} set={setExtra} />
              <button type="button" class="button primary" id="create" onClick={create}>
                Create {chosen.template}
              </button>
            </>
          )}
        </div>
      </div>
      <Requests />
    </section>
  );
}

function Advanced(props: {
  readonly rows: readonly [string, string][];
  readonly set: (rows: readonly [string, string][]) => void;
}): JSX.Element {
  const edit = (i: number, at: 0 | 1, v: string): void =>
    props.set(props.rows.map((r, j) => (j !== i ? r : at === 0 ? [v, r[1]] : [r[0], v])));
  return (
    <fieldset class="panel advanced">
      <legend>Advanced (any variable)</legend>
      {props.rows.map(([k, v], i) => (
        <div class="kv-row">
          <input
            aria-label="Variable name"
            class="mono"
            value={k}
            onInput={(e) => edit(i, 0, e.currentTarget.value)}
          />
          <input
            aria-label="Value"
            class="mono"
            value={v}
            onInput={(e) => edit(i, 1, e.currentTarget.value)}
          />
          <button
            type="button"
            class="button"
            aria-label={`Remove ${k}`}
            onClick={() => props.set(props.rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="button" id="add-var" onClick={() => props.set([...props.rows, ['', '']])}>
        Add variable
      </button>
    </fieldset>
  );
}

function Requests(): JSX.Element | null {
  const list = requests.value;
  if (list.length === 0) return null;
  return (
    <div class="panel">
      <h2>Requests</h2>
      <ul class="requests" data-testid="requests">
        {list.map((r) => (
          <li class={`req req-${r.status}`} data-status={r.status}>
            <span class="mono dim">{utcTime(r.startMs).slice(11)}</span>{' '}
            <span class="mono">{r.workflow}</span>:{' '}
            {r.status === 'ok' ? (
              <>
                {r.message} — <a href={`#/environment/${encodeURIComponent(r.envId)}`}>{r.envId}</a>
              </>
            ) : (
              <span role={r.status === 'error' ? 'alert' : undefined}>{r.message}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
