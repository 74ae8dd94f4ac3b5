/** `axle workflow plan|lint|explain`: the workflow engine from the command line. */
import type { Command } from 'commander';
import type { Issue } from '../common/issue.ts';
import type { Plan, PlanRole } from '../common/plan.ts';
import { formatExplanation } from '../workflow/explain.ts';
import { explainFromRepos, lintFromRepos, planFromRepos } from '../workflow/repo-planning.ts';
import type { RepoPlanOptions } from '../workflow/repo-planning.ts';
import type { CliContext, GlobalFlags } from './context.ts';
import { parseExtraVars } from './extra-vars.ts';
import { printIssues, printJson } from './output.ts';
import { sourcesLine, workflowSources } from './workflow-sources.ts';
import type { WorkflowSources } from './workflow-sources.ts';

interface PlanFlags {
  repo?: string;
  revision?: string;
  extraVars: string[];
  config?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function workflowCommands(program: Command, context: (flags: GlobalFlags) => CliContext): void {
  const wf = program.command('workflow').alias('wf').description('plan, lint and explain workflow templates');
  const common = (c: Command): Command =>
    c
      .option(
        '--repo <path|url>',
        "template repository for this command (registered on first use, never made the default); default: the running core's default repository, else the default repository, else the example repository",
      )
      .option('--revision <rev>', 'branch, tag or commit')
      .option('-e, --extra-vars <vars>', 'variables: k=v,k2=v2 or a JSON object (repeatable)', collect, [])
      .option(
        '--config <uri>',
        "configuration source, e.g. file:///path/config.yaml; default: the running core's (apricot:// on --endpoint), else examples/config.yaml",
      );

  common(wf.command('plan <workflow>').description('print the plan of a workflow')).action(
    async (workflow: string, flags: PlanFlags, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const { options, sources } = await planOptions(ctx, workflow, flags, true);
      const r = await planFromRepos(options);
      if (ctx.json)
        printJson({ ...(r.ok ? planJson(r.value) : { tasks: [], calls: [], issues: r.issues }), sources });
      else if (r.ok) printPlan(r.value);
      if (!ctx.json) printIssues(r.issues);
      process.exitCode = r.ok ? 0 : 1;
    },
  );

  common(wf.command('lint').description('check every workflow and task template of a revision'))
    .option('--plan', 'also plan every workflow with the given variables')
    .action(async (flags: PlanFlags & { plan?: boolean }, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const { options, sources } = await planOptions(ctx, '', flags, flags.plan === true);
      const repo = sources.repository?.used;
      const issues = await lintFromRepos({
        ...options,
        ...(repo !== undefined ? { repo } : {}),
        planWithVars: flags.plan === true,
      });
      reportLint(ctx, issues, sources);
    });

  common(
    wf
      .command('explain <workflow> <rolePath> <variables...>')
      .description('where each variable of a role gets its value'),
  ).action(
    async (workflow: string, rolePath: string, variables: string[], flags: PlanFlags, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const { options, sources } = await planOptions(ctx, workflow, flags, true);
      const r = await explainFromRepos(options, rolePath, variables);
      if (ctx.json) printJson({ ...r, sources });
      else if (r.ok)
        process.stdout.write(`role ${r.rolePath}\n${r.explanations.map(formatExplanation).join('\n')}\n`);
      else
        process.stderr.write(
          `${r.message}; enabled roles include:\n  ${r.knownPaths.slice(0, 20).join('\n  ')}\n`,
        );
      if (!r.ok) printIssues(r.issues);
      process.exitCode = r.ok ? 0 : 1;
    },
  );
}

/** What the command plans against, and the sources chosen (told on stderr unless --json). */
async function planOptions(
  ctx: CliContext,
  workflow: string,
  flags: PlanFlags,
  withConfig: boolean,
): Promise<{ options: RepoPlanOptions; sources: WorkflowSources }> {
  const repos = await ctx.repos();
  const qualified = workflow.includes('/workflows/');
  const sources = await workflowSources(ctx, flags, { qualified, withConfig });
  if (!ctx.json) {
    const line = sourcesLine(sources);
    if (line !== undefined) process.stderr.write(`${line}\n`);
  }
  const ref =
    workflow !== '' && !qualified && sources.repoId !== undefined
      ? `${sources.repoId}/workflows/${workflow}`
      : workflow;
  const config = sources.config;
  const options: RepoPlanOptions = {
    repos,
    workflow: ref,
    ...(flags.revision !== undefined ? { revision: flags.revision } : {}),
    userVars: parseExtraVars(flags.extraVars),
    ...(config !== undefined ? { config } : {}),
    jit: await ctx.jit(config),
  };
  return { options, sources };
}

function reportLint(ctx: CliContext, issues: readonly Issue[], sources: WorkflowSources): void {
  const errors = issues.filter((i) => i.severity === 'error').length;
  if (ctx.json) printJson({ errors, warnings: issues.length - errors, issues, sources });
  else {
    printIssues(issues);
    process.stdout.write(`${errors} error(s), ${issues.length - errors} warning(s)\n`);
  }
  process.exitCode = errors > 0 ? 1 : 0;
}

/** The plan as JSON for scripts: tasks and calls flat, with the issues. */
export function planJson(plan: Plan): Record<string, unknown> {
  return { workflow: plan.workflow, tasks: plan.tasks, calls: plan.calls, issues: plan.issues };
}

function printPlan(plan: Plan): void {
  const w = plan.workflow;
  process.stdout.write(
    `workflow ${w.name} (${w.repoId}@${w.revision}, ${w.commit.slice(0, 10)}): ${plan.tasks.length} tasks, ${plan.calls.length} calls\n`,
  );
  const walk = (r: PlanRole, depth: number): void => {
    process.stdout.write(`${'  '.repeat(depth)}${r.name}${describeLeaf(r)}\n`);
    for (const c of r.children) walk(c, depth + 1);
  };
  walk(plan.root, 0);
}

function describeLeaf(r: PlanRole): string {
  const l = r.leaf;
  if (l === undefined) return '';
  const critical = l.critical ? '' : ' (non-critical)';
  if (l.kind === 'call')
    return `  call ${l.func} at ${l.trigger.name}${l.trigger.weight !== 0 ? `${l.trigger.weight > 0 ? '+' : ''}${l.trigger.weight}` : ''}${critical}`;
  const host = l.constraints.find((c) => c.attribute === 'machine_id')?.value;
  const hook = l.hook === undefined ? '' : ` at ${l.hook.trigger.name}`;
  return `  task ${l.taskTemplate.replace(/@[0-9a-f]{40}$/, '')} [${l.control}]${hook}${host !== undefined ? ` on ${host}` : ''}${critical}`;
}
