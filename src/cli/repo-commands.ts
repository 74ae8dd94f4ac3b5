/** `axle repo …` and `axle template list`, with coconut's names, aliases and flags. */
import type { Command } from 'commander';
import { listWorkflowTemplates } from '../repos/template-list.ts';
import type { CliContext, GlobalFlags } from './context.ts';
import { printIssues, printJson, printTable } from './output.ts';

type Ctx = (flags: GlobalFlags) => CliContext;

const key = (s: string): string | number => (/^\d+$/.test(s) ? Number(s) : s);

export function repoCommands(program: Command, context: Ctx): void {
  const repo = program.command('repository').alias('repo').description('template repositories');
  const run =
    (f: (ctx: CliContext, ...args: string[]) => Promise<void>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      await f(
        context(cmd.optsWithGlobals<GlobalFlags>()),
        ...args.filter((a): a is string => typeof a === 'string'),
      );
    };

  repo
    .command('list')
    .alias('l')
    .alias('ls')
    .description('registered repositories with their revisions')
    .action(
      run(async (ctx) => {
        const list = (await ctx.repos()).list({ withRevisions: true });
        if (ctx.json) return printJson(list);
        printTable(
          ['#', 'repository', 'default', 'default revision', 'revisions'],
          list.map((r) => [
            String(r.index),
            r.id,
            r.isDefault ? '*' : '',
            r.defaultRevision,
            (r.revisions ?? []).join(' '),
          ]),
        );
      }),
    );
  repo
    .command('add <url>')
    .alias('new')
    .alias('a')
    .option('-d, --default-revision <rev>', 'default revision of this repository')
    .description('register a repository: a git URL, a local git repository or a plain directory')
    .action(async (url: string, flags: { defaultRevision?: string }, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const info = await (
        await ctx.repos()
      ).add(url, flags.defaultRevision !== undefined ? { defaultRevision: flags.defaultRevision } : {});
      if (ctx.json) printJson(info);
      else process.stdout.write(`added ${info.id} (default revision ${info.defaultRevision})\n`);
    });
  repo
    .command('remove <index>')
    .alias('r')
    .alias('delete')
    .alias('del')
    .alias('d')
    .action(
      run(async (ctx, index = '') => {
        await (await ctx.repos()).remove(key(index));
        if (!ctx.json) process.stdout.write(`removed ${index}\n`);
      }),
    );
  repo
    .command('refresh [index]')
    .alias('update')
    .alias('u')
    .description('fetch new commits (all repositories without index)')
    .action(
      run(async (ctx, index) => {
        await (await ctx.repos()).refresh(index === undefined ? undefined : key(index));
        if (!ctx.json) process.stdout.write('refreshed\n');
      }),
    );
  repo
    .command('default <index>')
    .description('set the default repository')
    .action(
      run(async (ctx, index = '') => {
        await (await ctx.repos()).setDefault(key(index));
      }),
    );
  repo
    .command('default-revision <indexOrRevision> [revision]')
    .description('set the global default revision, or that of one repository')
    .action(
      run(async (ctx, a = '', b) => {
        const repos = await ctx.repos();
        if (b === undefined) await repos.setGlobalDefaultRevision(a);
        else await repos.setRepoDefaultRevision(key(a), b);
      }),
    );
}

interface TemplateFlags {
  repository?: string;
  revision?: string;
  allWorkflows?: boolean;
  showDescription?: boolean;
}

export function templateCommands(program: Command, context: Ctx): void {
  const t = program.command('template').alias('templ').description('workflow templates');
  t.command('list')
    .alias('ls')
    .alias('l')
    .option('-r, --repository <repo>', 'repository index, id or URL (default: the default repository)')
    .option('-i, --revision <rev>', 'revision (default: the repository default)')
    .option('-a, --all-workflows', 'also list templates that are not public')
    .option('-d, --show-description', 'show descriptions')
    .action(async (flags: TemplateFlags, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const repos = await ctx.repos();
      const repoKey =
        flags.repository !== undefined ? key(flags.repository) : repos.list().find((r) => r.isDefault)?.id;
      if (repoKey === undefined) throw new Error('no repository: add one with `axle repo add <url>`');
      const snap = await repos.snapshot(repoKey, flags.revision);
      const list = listWorkflowTemplates(snap, { allWorkflows: flags.allWorkflows === true });
      if (ctx.json)
        return printJson({
          repository: snap.repoId,
          revision: snap.revision,
          commit: snap.commit,
          templates: list,
        });
      const headers = [
        'template',
        'public',
        'variables',
        ...(flags.showDescription === true ? ['description'] : []),
      ];
      printTable(
        headers,
        list.map((w) => [
          w.name,
          w.public ? 'yes' : 'no',
          String(Object.keys(w.varSpecs).length),
          ...(flags.showDescription === true ? [w.description] : []),
        ]),
      );
      printIssues(list.flatMap((w) => w.issues));
    });
}
