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
import { globToRegExp } from './misc-handlers.ts';
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
        return { newDefaultRevision: info.defaultRevision, info: `added ${info.id}`, timestamp: nowMs() };
      }),
    removeRepo: (req, call) =>
      rpc('RemoveRepo', async () => {
        await repos.remove(req.index, { signal: call.signal });
        return { newDefaultRepo: repos.defaultRepoId ?? '', timestamp: nowMs() };
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
    setRepoDefaultRevision: async (req, call) => {
      try {
        await repos.setRepoDefaultRevision(req.index, req.revision, { signal: call.signal });
        return {
          info: `default revision of repository ${req.index} set to ${req.revision}`,
          timestamp: nowMs(),
        };
      } catch (e: unknown) {
        return { info: e instanceof Error ? e.message : String(e), timestamp: nowMs() };
      }
    },
    getWorkflowTemplates: (req) =>
      rpc('GetWorkflowTemplates', async () => {
        if ((req.allBranches || req.allTags) && req.revisionPattern !== '') {
          throw invalid(
            'GetWorkflowTemplates',
            'revisionPattern',
            'cannot be combined with allBranches or allTags',
          );
        }
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

function selectRepos(list: readonly RepoInfo[], pattern: string): RepoInfo[] {
  if (/^\d+$/.test(pattern)) return list.filter((r) => r.index === Number(pattern));
  const re = globToRegExp(pattern === '' ? '**' : pattern);
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
  const re = globToRegExp(req.revisionPattern === '' ? '**' : req.revisionPattern);
  return pool.filter((x) => re.test(x));
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
