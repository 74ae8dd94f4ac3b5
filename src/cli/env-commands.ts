/** `axle environment …` (aliases env, e), `axle task …`, `axle role query`, `axle info`: coconut's control commands. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConnectError } from '@connectrpc/connect';
import { isRequestableEvent, REQUESTABLE_EVENTS } from '../common/environment-fsm.ts';
import { ControlEnvironmentRequest_Optype } from '../gen/protos/o2control_pb.ts';
import type { EnvironmentInfo, RoleInfo } from '../gen/protos/o2control_pb.ts';
import { controlClient, requestUser } from './control-client.ts';
import type { CliContext, GlobalFlags } from './context.ts';
import { parseExtraVars } from './extra-vars.ts';
import { printJson, printTable } from './output.ts';

type Ctx = (flags: GlobalFlags) => CliContext;
type Flags = GlobalFlags & { endpoint?: string };

const collect = (v: string, prev: string[]): string[] => [...prev, v];
/** The events `env control -e` offers: exactly those the core accepts in ControlEnvironment. */
const EVENTS = REQUESTABLE_EVENTS;

export function envCommands(program: Command, context: Ctx): void {
  const env = program.command('environment').alias('env').alias('e').description('environments');
  const client = (cmd: Command): { c: ReturnType<typeof controlClient>; ctx: CliContext } => {
    const flags = cmd.optsWithGlobals<Flags>();
    return { c: controlClient(flags.endpoint, flags.stateDir), ctx: context(flags) };
  };

  env
    .command('list')
    .aliases(['ls', 'l'])
    .option('-s, --show-all', 'include non-public environments')
    .action(async (flags: { showAll?: boolean }, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const r = await c.getEnvironments({ showAll: flags.showAll === true });
      if (ctx.json) return printJson(r.environments.map(plainEnv));
      printTable(
        ['id', 'workflow', 'state', 'run', 'created', 'detectors', 'tasks'],
        r.environments.map((e) => [
          e.id,
          e.rootRole,
          e.state,
          e.currentRunNumber === 0 ? '' : String(e.currentRunNumber),
          new Date(Number(e.createdWhen)).toISOString(),
          e.includedDetectors.join(','),
          String(e.numberOfTasks),
        ]),
      );
    });

  env
    .command('create')
    .aliases(['new', 'c', 'n'])
    .requiredOption(
      '-w, --workflow-template <workflow>',
      'workflow: name, name@rev or <repo>/workflows/<name>[@rev]',
    )
    .option('-e, --extra-vars <vars>', 'variables: k=v,k2=v2 or a JSON object (repeatable)', collect, [])
    .option('-c, --configuration <file>', 'a saved configuration (.json with "variables" and "workflow")')
    .option('-a, --auto', 'auto-transition: start, run, stop, destroy, streaming events')
    .option('-y, --asynchronous', 'return at once with the new id')
    .action(
      async (
        flags: {
          workflowTemplate: string;
          extraVars: string[];
          configuration?: string;
          auto?: boolean;
          asynchronous?: boolean;
        },
        cmd: Command,
      ) => {
        const { c, ctx } = client(cmd);
        const saved = flags.configuration === undefined ? {} : savedVariables(flags.configuration);
        const vars = { ...saved, ...parseExtraVars(flags.extraVars) };
        const req = {
          workflowTemplate: flags.workflowTemplate,
          vars,
          public: true,
          requestUser: requestUser(),
        };
        if (flags.auto === true) return runAuto(c, ctx, req);
        const r = await c.newEnvironmentAsync(req);
        const id = r.environment?.id ?? '';
        const env = flags.asynchronous === true ? r.environment : await followCreation(c, id, !ctx.json);
        if (ctx.json) return printJson(plainEnv(env));
        process.stdout.write(`environment ${env?.id ?? '?'} ${env?.state ?? ''}\n`);
      },
    );

  env
    .command('show <id>')
    .aliases(['get', 's', 'g'])
    .option('-t, --tasks', 'show tasks')
    .option('-w, --workflow', 'show the role tree')
    .action(async (id: string, flags: { tasks?: boolean; workflow?: boolean }, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const r = await c.getEnvironment({ id, showWorkflowTree: flags.workflow === true });
      if (ctx.json)
        return printJson({
          environment: plainEnv(r.environment),
          ...(r.workflow ? { workflow: r.workflow } : {}),
        });
      const e = r.environment;
      if (e === undefined) return;
      const lines = [
        `id: ${e.id}`,
        `workflow: ${e.rootRole}`,
        `state: ${e.state}${e.currentTransition !== '' ? ` (in ${e.currentTransition})` : ''}`,
        `run number: ${e.currentRunNumber === 0 ? '-' : e.currentRunNumber}`,
        `detectors: ${e.includedDetectors.join(', ') || '-'}`,
        `tasks: ${e.numberOfTasks} (${e.numberOfActiveTasks} active) on ${e.numberOfHosts} host(s)`,
        ...(e.lastError !== '' ? [`last error: ${e.lastError}`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      if (flags.tasks === true)
        printTable(
          ['task', 'template', 'host', 'state', 'status', 'pid', 'critical'],
          e.tasks.map((t) => [
            t.taskId,
            (t.name.split('#')[0]?.split('/').pop() ?? '').replace(/@[0-9a-f]{40}$/, ''),
            t.deploymentInfo?.hostname ?? '',
            t.state,
            t.status,
            t.pid,
            String(t.critical),
          ]),
        );
      if (r.workflow !== undefined) printRoles(r.workflow, 0);
    });

  env
    .command('control <id>')
    .aliases(['ctl', 'ct', 't'])
    .requiredOption('-e, --event <event>', `one of ${EVENTS.join(', ')} (case-insensitive)`)
    .action(async (id: string, flags: { event: string }, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const event = flags.event.toUpperCase();
      const type = isRequestableEvent(event) ? ControlEnvironmentRequest_Optype[event] : undefined;
      if (type === undefined)
        throw new Error(`--event: ${flags.event} cannot be requested (one of ${EVENTS.join(', ')})`);
      const progress = ctx.json ? undefined : showProgress(c, id);
      const r = await c
        .controlEnvironment({ id, type, requestUser: requestUser() })
        .finally(() => progress?.abort());
      if (ctx.json)
        return printJson({
          id: r.id,
          state: r.state,
          currentRunNumber: r.currentRunNumber,
          transitionDurationMs: Number(r.transitionDuration),
        });
      process.stdout.write(
        `environment ${r.id} ${r.state}${r.currentRunNumber !== 0 ? ` run ${r.currentRunNumber}` : ''} (${r.transitionDuration} ms)\n`,
      );
    });

  env
    .command('destroy <id>')
    .aliases(['des', 'd'])
    .option('-k, --keep-tasks', 'leave the tasks running (release them)')
    .option('-a, --allow-in-running-state', 'stop the run first when RUNNING')
    .option('-f, --force', 'tear down in any state')
    .action(
      async (
        id: string,
        flags: { keepTasks?: boolean; allowInRunningState?: boolean; force?: boolean },
        cmd: Command,
      ) => {
        const { c, ctx } = client(cmd);
        const r = await c.destroyEnvironment({
          id,
          keepTasks: flags.keepTasks === true,
          allowInRunningState: flags.allowInRunningState === true,
          force: flags.force === true,
          requestUser: requestUser(),
        });
        if (ctx.json)
          return printJson({
            killed: r.cleanupTasksReply?.killedTasks.length ?? 0,
            kept: r.cleanupTasksReply?.runningTasks.length ?? 0,
          });
        process.stdout.write(
          `environment ${id} destroyed (${r.cleanupTasksReply?.killedTasks.length ?? 0} tasks killed)\n`,
        );
      },
    );
  taskAndRoleCommands(program, client);
}

function taskAndRoleCommands(
  program: Command,
  client: (cmd: Command) => { c: ReturnType<typeof controlClient>; ctx: CliContext },
): void {
  const task = program.command('task').alias('t').description('tasks');
  task
    .command('list')
    .aliases(['ls', 'l'])
    .action(async (_f: unknown, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const r = await c.getTasks({});
      if (ctx.json) return printJson(r.tasks);
      printTable(
        ['task', 'class', 'host', 'state', 'status', 'locked', 'pid'],
        r.tasks.map((t) => [
          t.taskId,
          t.className,
          t.deploymentInfo?.hostname ?? '',
          t.state,
          t.status,
          String(t.locked),
          t.pid,
        ]),
      );
    });
  task
    .command('clean [taskIds...]')
    .aliases(['cleanup', 'cl'])
    .action(async (ids: string[], _f: unknown, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const r = await c.cleanupTasks({ taskIds: ids });
      if (ctx.json) return printJson({ killed: r.killedTasks.map((t) => t.taskId) });
      process.stdout.write(`${r.killedTasks.length} task(s) killed\n`);
    });
  task
    .command('log <taskId>')
    .option('-n, --lines <n>', 'last N lines', '200')
    .description("show a task's stdout/stderr log (from the state directory of the local agents)")
    .action((taskId: string, flags: { lines: string }, cmd: Command) => {
      const { ctx } = client(cmd);
      const file = findTaskLog(join(ctx.stateDir, 'logs'), taskId);
      if (file === undefined)
        throw new Error(`no log for task ${taskId} under ${join(ctx.stateDir, 'logs')}`);
      const lines = readFileSync(file, 'utf8').split('\n');
      process.stdout.write(`${lines.slice(-Number(flags.lines) - 1).join('\n')}`);
    });
  program
    .command('role')
    .alias('r')
    .command('query <envId> <pathGlob>')
    .alias('q')
    .action(async (envId: string, glob: string, _f: unknown, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const r = await c.getRoles({ envId, pathSpec: glob });
      if (ctx.json) return printJson(r.roles);
      printTable(
        ['role', 'state', 'status', 'tasks'],
        r.roles.map((x) => [x.fullPath, x.state, x.status, String(x.taskIds.length)]),
      );
    });
  program
    .command('info')
    .description('core information')
    .action(async (_f: unknown, cmd: Command) => {
      const { c, ctx } = client(cmd);
      const r = await c.getFrameworkInfo({});
      const services = Object.entries((await c.getIntegratedServices({})).services).filter(
        ([, s]) => s.enabled,
      );
      if (ctx.json)
        return printJson({
          ...r,
          timestamp: Number(r.timestamp),
          integratedServices: Object.fromEntries(services.map(([id, s]) => [id, { ...s }])),
        });
      process.stdout.write(
        `${r.version?.productName ?? 'Axle'} ${r.version?.versionStr ?? ''} core ${r.frameworkId}\nenvironments: ${r.environmentsCount}, tasks: ${r.tasksCount}, hosts: ${r.hostsCount}\nconfiguration: ${r.configurationEndpoint}\nactive detectors: ${r.activeDetectors.join(', ') || '-'}\n`,
      );
      process.stdout.write('integrated services:\n');
      printTable(
        ['id', 'name', 'endpoint', 'state', 'data'],
        services.map(([id, s]) => [id, s.name, s.endpoint || '-', s.connectionState, short(s.data)]),
      );
    });
}

function findTaskLog(root: string, taskId: string): string | undefined {
  if (!existsSync(root)) return undefined;
  for (const dir of [root, ...readdirNames(root).map((d) => join(root, d))]) {
    const f = join(dir, `${taskId}.log`);
    if (existsSync(f)) return f;
  }
  return undefined;
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function savedVariables(file: string): Record<string, string> {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { variables?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(parsed.variables ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

function plainEnv(e: EnvironmentInfo | undefined): unknown {
  if (e === undefined) return undefined;
  return { ...e, createdWhen: Number(e.createdWhen), tasks: e.tasks.map((t) => ({ ...t })) };
}

function printRoles(r: RoleInfo, depth: number): void {
  process.stdout.write(`${'  '.repeat(depth)}${r.name}  ${r.state} ${r.status}\n`);
  for (const c of r.roles) printRoles(c, depth + 1);
}

async function runAuto(
  c: ReturnType<typeof controlClient>,
  ctx: CliContext,
  req: { workflowTemplate: string; vars: Record<string, string>; requestUser: { name: string } },
): Promise<void> {
  const id = `sub${Date.now().toString(36)}`;
  const stream = c.subscribe({ id });
  const started = c.newAutoEnvironment({
    id,
    workflowTemplate: req.workflowTemplate,
    vars: req.vars,
    requestUser: req.requestUser,
  });
  await started;
  for await (const ev of stream) {
    const p = ev.Payload;
    if (ctx.json)
      process.stdout.write(
        `${JSON.stringify({ case: p.case, ...(p.value ?? {}) }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`,
      );
    else if (p.case === 'environmentEvent')
      process.stdout.write(
        `${p.value.environmentId} ${p.value.state} ${p.value.transition} ${p.value.transitionStep} ${p.value.message}${p.value.error !== '' ? `: ${p.value.error}` : ''}\n`,
      );
    else if (p.case === 'taskEvent')
      process.stdout.write(
        `  task ${p.value.path} ${p.value.state} ${p.value.status} on ${p.value.hostname}\n`,
      );
  }
}

/** Prints the environment's transition steps as they happen (Subscribe on the environment id); abort to stop. */
function showProgress(c: ReturnType<typeof controlClient>, id: string): AbortController {
  const ac = new AbortController();
  const since = BigInt(Date.now() - 50);
  void (async () => {
    try {
      for await (const ev of c.subscribe({ id }, { signal: ac.signal })) {
        const p = ev.Payload;
        if (p.case !== 'environmentEvent' || p.value.transitionStep === '' || ev.timestamp < since) continue;
        const v = p.value;
        process.stderr.write(
          `  ${v.transition} ${v.transitionStep}: ${v.message}${v.error !== '' ? ` (${v.error})` : ''}\n`,
        );
      }
    } catch {
      // the stream ends when the command does
    }
  })();
  return ac;
}

/**
 * Waits for an asynchronous creation to finish, printing its steps as they happen (Subscribe on the new id), with
 * GetEnvironment polled to learn the outcome; resolves with the environment, or throws the creation's error.
 */
async function followCreation(
  c: ReturnType<typeof controlClient>,
  id: string,
  progress: boolean,
): Promise<EnvironmentInfo | undefined> {
  const ac = new AbortController();
  void (async () => {
    try {
      for await (const ev of c.subscribe({ id }, { signal: ac.signal })) {
        const p = ev.Payload;
        if (progress && p.case === 'environmentEvent' && p.value.transitionStep !== '') {
          process.stderr.write(
            `  ${p.value.transition} ${p.value.transitionStep}: ${p.value.message}${p.value.error !== '' ? ` (${p.value.error})` : ''}\n`,
          );
        }
      }
    } catch {
      // ends with the creation
    }
  })();
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const env = await c.getEnvironment({ id }).catch((e: unknown) => {
        const failed = creationError(e);
        if (failed !== undefined) throw failed;
        return undefined;
      });
      const info = env?.environment;
      if (info !== undefined && info.currentTransition === '' && info.state === 'CONFIGURED') return info;
    }
  } finally {
    ac.abort();
  }
}

/**
 * The outcome of a creation polled through GetEnvironment is NewEnvironment's: its failure keeps the core's code
 * (InvalidArgument for a workflow that does not plan) and is labelled NewEnvironment. Other errors mean "not yet".
 */
function creationError(e: unknown): ConnectError | undefined {
  if (!(e instanceof ConnectError) || !/creation of environment/.test(e.rawMessage)) return undefined;
  return new ConnectError(e.rawMessage.replace(/^GetEnvironment: /, 'NewEnvironment: '), e.code);
}

/** A plugin's data JSON cut to one table cell. */
function short(data: string): string {
  if (data === '') return '-';
  return data.length > 80 ? `${data.slice(0, 79)}…` : data;
}
