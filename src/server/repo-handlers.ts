/**
 * Control API handlers for template repositories and workflow templates (AliECS §2.2, §6.9). Mutations carry the
 * request's signal (its deadline): an operation still queued when it passes is dropped and answers DeadlineExceeded.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import type { VarSpec } from '../common/var-spec.ts';
import { VarSpecMessage_Type, VarSpecMessage_UiWidget } from '../gen/protos/o2control_pb.ts';
import type {
  Control,
  VarSpecMessageSchema,
  WorkflowTemplateInfoSchema,
} from '../gen/protos/o2control_pb.ts';
import type { RepoInfo } from '../repos/repo-manager.ts';
import { listWorkflowTemplates } from '../repos/template-list.ts';
import type { CoreContext } from './core-context.ts';
import { nowMs } from './convert.ts';
import { globOrInvalid, isLiteralGlob } from './glob.ts';
import { invalid, rpc } from './rpc-errors.ts';

type Handlers = Pick<
  ServiceImpl<typeof Control>,
  | 'listRepos'
  | 'addRepo'
  | 'removeRepo'
  | 'refreshRepos'
  | 'setDefaultRepo'
  | 'setGlobalDefaultRevision'
  | 'setRepoDefaultRevision'
  | 'getWorkflowTemplates'
>;

const repoInfo = (
  r: RepoInfo,
): { name: string; default: boolean; defaultRevision: string; revisions: string[] } => ({
  name: r.id,
  default: r.isDefault,
  defaultRevision: r.defaultRevision,
  revisions: [...(r.revisions ?? [])],
});

export function repoHandlers(ctx: CoreContext): Handlers {
  const repos = ctx.repos;
  return {
    listRepos: (req) =>
      rpc('ListRepos', () => ({
        repos: repos.list({ withRevisions: req.getRevisions }).map(repoInfo),
        globalDefaultRevision: repos.globalDefaultRevision,
        timestamp: nowMs(),
      })),
    addRepo: (req, call) =>
      rpc('AddRepo', async () => {
        if (req.name === '') throw invalid('AddRepo', 'name', 'must be a repository URL or path');
        const info = await repos.add(req.name, {
          signal: call.signal,
          ...(req.defaultRevision !== '' ? { defaultRevision: req.defaultRevision } : {}),
        });
        return {
          newDefaultRevision: info.defaultRevision,
          info: addedInfo(info, req.defaultRevision, repos.globalDefaultRevision),
          timestamp: nowMs(),
        };
      }),
    removeRepo: (req, call) =>
      rpc('RemoveRepo', async () => {
        const removed = await repos.remove(req.index, { signal: call.signal });
        return { newDefaultRepo: removed.newDefault ?? '', timestamp: nowMs() };
      }),
    refreshRepos: (req, call) =>
      rpc('RefreshRepos', async () => {
        await repos.refresh(req.index < 0 ? undefined : req.index, { signal: call.signal });
        return {};
      }),
    setDefaultRepo: (req, call) =>
      rpc('SetDefaultRepo', async () => {
        await repos.setDefault(req.index, { signal: call.signal });
        return {};
      }),
    setGlobalDefaultRevision: (req, call) =>
      rpc('SetGlobalDefaultRevision', async () => {
        if (req.revision === '') throw invalid('SetGlobalDefaultRevision', 'revision', 'must not be empty');
        await repos.setGlobalDefaultRevision(req.revision, { signal: call.signal });
        return {};
      }),
    // As in AliECS: success leaves `info` empty (coconut reads any info as failure); an unknown revision is no
    // gRPC error, `info` lists the repository's revisions one per line.
    setRepoDefaultRevision: (req, call) =>
      rpc('SetRepoDefaultRevision', async () => {
        const r = repos.list({ withRevisions: true })[req.index];
        if (r === undefined)
          throw invalid('SetRepoDefaultRevision', 'index', `no repository at index ${req.index}`);
        if (req.revision === '') throw invalid('SetRepoDefaultRevision', 'revision', 'must not be empty');
        try {
          await repos.setRepoDefaultRevision(req.index, req.revision, { signal: call.signal });
          return { info: '', timestamp: nowMs() };
        } catch (e: unknown) {
          const known = r.revisions ?? [];
          const why = e instanceof Error ? e.message : String(e);
          return {
            info: known.length > 0 ? `${known.join('\n')}\n` : `(none: ${why})\n`,
            timestamp: nowMs(),
          };
        }
      }),
    getWorkflowTemplates: (req) =>
      rpc('GetWorkflowTemplates', async () => {
        if ((req.allBranches || req.allTags) && req.revisionPattern !== '') {
          throw invalid(
            'GetWorkflowTemplates',
            'revisionPattern',
            'cannot be combined with allBranches or allTags',
          );
        }
        // Both patterns are checked even when no repository would use them.
        globOrInvalid('GetWorkflowTemplates', 'repoPattern', req.repoPattern);
        globOrInvalid('GetWorkflowTemplates', 'revisionPattern', req.revisionPattern);
        const globalVars = ctx.config?.getVars() ?? {};
        const out: MessageInitShape<typeof WorkflowTemplateInfoSchema>[] = [];
        for (const r of selectRepos(repos.list({ withRevisions: true }), req.repoPattern)) {
          for (const revision of await selectRevisions(ctx, r, req)) {
            const snap = await repos.snapshot(r.id, revision);
            for (const t of listWorkflowTemplates(snap, { allWorkflows: req.allWorkflows, globalVars })) {
              const varSpecMap = Object.fromEntries(
                Object.entries(t.varSpecs).map(([k, v]) => [k, varSpec(v)]),
              );
              out.push({ repo: r.id, template: t.name, revision, varSpecMap, description: t.description });
            }
          }
        }
        return { workflowTemplates: out, timestamp: nowMs() };
      }),
  };
}

/** AliECS's AddRepo text, saying which default revision was chosen and, when it is not the requested one, why. */
function addedInfo(info: RepoInfo, requested: string, globalDefault: string): string {
  const chosen = info.defaultRevision;
  if (info.kind === 'dir')
    return `The repository is a plain directory, read as it is (revision "${chosen}").`;
  const set = `The default revision for this repository has been set to "${chosen}"`;
  if (requested === chosen) return `${set}.`;
  const missing = requested === '' ? '' : `Revision "${requested}" was not found. `;
  return `${missing}${set} (${chosen === globalDefault ? 'global default value' : 'fallback value'}).`;
}

function selectRepos(list: readonly RepoInfo[], pattern: string): RepoInfo[] {
  if (/^\d+$/.test(pattern)) return list.filter((r) => r.index === Number(pattern));
  const re = globOrInvalid('GetWorkflowTemplates', 'repoPattern', pattern === '' ? '*' : pattern, 'none');
  return list.filter((r) => re.test(r.id));
}

async function selectRevisions(
  ctx: CoreContext,
  r: RepoInfo,
  req: { revisionPattern: string; allBranches: boolean; allTags: boolean },
): Promise<string[]> {
  if (!req.allBranches && !req.allTags && req.revisionPattern === '') return [r.defaultRevision];
  const revs = await ctx.repos.revisions(r.id);
  const pool = [
    ...(req.allBranches || req.revisionPattern !== '' ? revs.branches : []),
    ...(req.allTags || req.revisionPattern !== '' ? revs.tags : []),
  ];
  const re = globOrInvalid(
    'GetWorkflowTemplates',
    'revisionPattern',
    req.revisionPattern === '' ? '*' : req.revisionPattern,
    'none',
  );
  const named = pool.filter((x) => re.test(x));
  if (named.length > 0 || req.revisionPattern === '' || !isLiteralGlob(req.revisionPattern)) return named;
  // A plain name that is no branch or tag may be a commit of this repository.
  const found = await ctx.repos.snapshot(r.id, req.revisionPattern).then(
    () => true,
    () => false,
  );
  return found ? [req.revisionPattern] : [];
}

function varSpec(v: VarSpec): MessageInitShape<typeof VarSpecMessageSchema> {
  return {
    defaultValue: v.value,
    type: VarSpecMessage_Type[v.type],
    label: v.label,
    description: v.description,
    widget: VarSpecMessage_UiWidget[v.widget],
    panel: v.panel,
    allowedValues: [...v.values],
    index: v.index,
    visibleIf: v.visibleIf,
    enabledIf: v.enabledIf,
    rows: v.rows,
  };
}
