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
        'template repository (registered on first use); default: the default repository',
      )
      .option('--revision <rev>', 'branch, tag or commit')
      .option('-e, --extra-vars <vars>', 'variables: k=v,k2=v2 or a JSON object (repeatable)', collect, [])
      .option('--config <uri>', 'configuration source, e.g. file:///path/config.yaml');

  common(wf.command('plan <workflow>').description('print the plan of a workflow')).action(
    async (workflow: string, flags: PlanFlags, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const r = await planFromRepos(await planOptions(ctx, workflow, flags));
      if (ctx.json) printJson(r.ok ? planJson(r.value) : { tasks: [], calls: [], issues: r.issues });
      else if (r.ok) printPlan(r.value);
      if (!ctx.json) printIssues(r.issues);
      process.exitCode = r.ok ? 0 : 1;
    },
  );

  common(wf.command('lint').description('check every workflow and task template of a revision'))
    .option('--plan', 'also plan every workflow with the given variables')
    .action(async (flags: PlanFlags & { plan?: boolean }, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const o = await planOptions(ctx, '', flags);
      const repo = flags.repo === undefined ? undefined : (await ctx.ensureRepo(flags.repo)).id;
      const issues = await lintFromRepos({
        ...o,
        ...(repo !== undefined ? { repo } : {}),
        planWithVars: flags.plan === true,
      });
      reportLint(ctx, issues);
    });

  common(
    wf
      .command('explain <workflow> <rolePath> <variables...>')
      .description('where each variable of a role gets its value'),
  ).action(
    async (workflow: string, rolePath: string, variables: string[], flags: PlanFlags, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const r = await explainFromRepos(await planOptions(ctx, workflow, flags), rolePath, variables);
      if (ctx.json) printJson(r);
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

async function planOptions(ctx: CliContext, workflow: string, flags: PlanFlags): Promise<RepoPlanOptions> {
  const repos = await ctx.repos();
  let ref = workflow;
  if (flags.repo !== undefined) {
    const info = await ctx.ensureRepo(flags.repo);
    if (workflow !== '' && !workflow.includes('/workflows/')) ref = `${info.id}/workflows/${workflow}`;
  }
  const config = await ctx.config(flags.config);
  return {
    repos,
    workflow: ref,
    ...(flags.revision !== undefined ? { revision: flags.revision } : {}),
    userVars: parseExtraVars(flags.extraVars),
    ...(config !== undefined ? { config } : {}),
    jit: await ctx.jit(config),
  };
}

function reportLint(ctx: CliContext, issues: readonly Issue[]): void {
  const errors = issues.filter((i) => i.severity === 'error').length;
  if (ctx.json) printJson({ errors, warnings: issues.length - errors, issues });
  else {
    printIssues(issues);
    process.stdout.write(`${errors} error(s), ${issues.length - errors} warning(s)\n`);
  }
  process.exitCode = errors > 0 ? 1 : 0;
}

/** The plan as JSON for scripts: tasks and calls flat, with the issues. */
export function planJson(plan: Plan): unknown {
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
