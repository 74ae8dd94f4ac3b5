/**
 * The compiled program (`npm run build`) as users run it: the CLI and a core from the build folder, with every
 * TypeScript loader blocked; bin/axle.js runs a current build and falls back to the sources, saying why, otherwise.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { buildProgram, STAMP_FILE } from '../../scripts/build.ts';
import type { BuildStamp } from '../../scripts/build.ts';
import { timeScale } from '../common/testing/time-scale.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'axle.js');

/** A module hook that fails any import whose specifier matches `pattern` (a RegExp source). */
function blockImports(pattern: string): string {
  const hook = `export async function resolve(s, c, next) {
    if (new RegExp(${JSON.stringify(pattern)}).test(s)) throw new Error('blocked import of ' + s);
    return next(s, c); }`;
  return `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`,
  )}`;
}

/** Fails any import of tsx or of a .ts file: what loads under it runs compiled JavaScript only. */
const NO_TYPESCRIPT = blockImports('(^|/)tsx(/|$)|\\.ts$');

/** Modules `env list` has no use for: other nouns, repositories, configuration stores, JIT, etcd, Kafka, nunjucks. */
const NOT_FOR_ENV_LIST = blockImports(
  '(workflow|repo|core|config|cluster)-commands\\.js$|repo-manager|configuration\\.js$|jit\\.js$|^etcd3$|^kafkajs$|^nunjucks$|^yaml$',
);

// The build folder sits beside src/ like dist/ (paths from import.meta.dirname and node_modules resolve the same).
const out = mkdtempSync(join(ROOT, '.dist-test-'));
const state = mkdtempSync(join(ROOT, '.dist-test-state-'));
before(async () => {
  await buildProgram(out);
});
after(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  try {
    const r = await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const compiled = (...args: string[]): Promise<Ran> =>
  node(['--import', NO_TYPESCRIPT, join(out, 'cli', 'bin.js'), ...args]);

/** Modules the top-level help has no use for: any noun's, the control client, protobuf code, Connect. */
const NOT_FOR_HELP = blockImports('-commands\\.js$|control-client|_pb\\.js$|^@connectrpc/|^@bufbuild/');

test('the compiled CLI shows its help without any TypeScript loader, from the noun table alone', async () => {
  const help = await node([
    '--import',
    NO_TYPESCRIPT,
    '--import',
    NOT_FOR_HELP,
    join(out, 'cli', 'bin.js'),
    '--help',
  ]);
  assert.equal(help.stderr, '');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: axle \[options\] \[command\]/);
  assert.match(help.stdout, /environment\|env {2,}environments\n/);
  const envHelp = await compiled('env', '--help');
  assert.equal(envHelp.code, 0, envHelp.stderr);
  assert.match(envHelp.stdout, /Usage: axle environment\|env \[options\] \[command\][^]*list\|ls/);
  const wrong = await compiled('env', 'lst');
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /unknown command 'lst'/);
});

test('a core started by the compiled CLI serves `env list` (loading only its modules); its agent runs the bundle', async () => {
  const core = spawn(
    process.execPath,
    [
      '--import',
      NO_TYPESCRIPT,
      join(out, 'cli', 'bin.js'),
      '--state-dir',
      state,
      'core',
      '--port',
      '0',
      '--no-example',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  core.stdout.on('data', (d: Buffer) => (log += d.toString()));
  core.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => core.once('exit', r));
  const agents: number[] = [];
  try {
    const end = Date.now() + 30_000 * timeScale();
    let url: string | undefined;
    while ((url = /listening on http:\/\/(127\.0\.0\.1:\d+)/.exec(log)?.[1]) === undefined) {
      if (Date.now() > end || core.exitCode !== null)
        throw new Error(`compiled core: no listening line in:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const list = await node([
      '--import',
      NO_TYPESCRIPT,
      '--import',
      NOT_FOR_ENV_LIST,
      join(out, 'cli', 'bin.js'),
      ...['--endpoint', url, 'env', 'list'],
    ]);
    assert.equal(list.stderr, '');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^id +workflow +state +run +created +detectors +tasks\n$/);
    const json = await compiled('--endpoint', url, '--json', 'env', 'list');
    assert.deepEqual(JSON.parse(json.stdout), []);
    agents.push(...childrenOf(core.pid ?? -1));
    assert.equal(agents.length, 1, `one local agent under the core, found ${agents.length}`);
    const cmdline = readFileSync(`/proc/${agents[0]}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes(join(out, 'axle-agent.mjs')), `agent runs the bundle: ${cmdline.join(' ')}`);
    assert.ok(!cmdline.some((a) => a.includes('tsx')), `agent runs without tsx: ${cmdline.join(' ')}`);
  } finally {
    core.kill('SIGTERM');
    assert.equal(await exited, 0, `compiled core stops cleanly:\n${log}`);
  }
  for (const pid of agents) assert.ok(!existsSync(`/proc/${pid}`) || isZombie(pid), `agent ${pid} is gone`);
});

test('bin/axle.js runs a current build, and the sources through tsx (saying why) when the build is stale', async () => {
  const env = { AXLE_DIST: out };
  const current = await node(['--import', NO_TYPESCRIPT, BIN, '--help'], env);
  assert.equal(current.stderr, '');
  assert.match(current.stdout, /^Usage: axle/);

  const stampFile = join(out, STAMP_FILE);
  const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as BuildStamp;
  const newer = statSync(join(ROOT, 'src', 'cli', 'nouns.ts')).mtimeMs;
  try {
    // As if src/cli/nouns.ts had been changed after the build.
    writeFileSync(stampFile, JSON.stringify({ ...stamp, newestSourceMtimeMs: newer - 1 }));
    const stale = await node([BIN, '--help'], env);
    assert.match(
      stale.stderr,
      /^axle: running the sources through tsx \(src\/\S+\.ts changed since the build\); `npm run build`/,
    );
    assert.equal(stale.stdout, current.stdout);
    const blocked = await node(['--import', NO_TYPESCRIPT, BIN, '--help'], env);
    assert.notEqual(blocked.code, 0, 'the stale build is not run');

    writeFileSync(stampFile, JSON.stringify({ ...stamp, sourceFiles: stamp.sourceFiles - 1 }));
    const added = await node([BIN, '--help'], env);
    assert.match(added.stderr, /\(source files were added or removed since the build\)/);
    assert.equal(added.stdout, current.stdout);

    rmSync(stampFile);
    const none = await node([BIN, '--help'], env);
    assert.match(none.stderr, /\(no compiled program\)/);
  } finally {
    writeFileSync(stampFile, JSON.stringify(stamp));
  }
});

/** Live child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === true;
  } catch {
    return true;
  }
}
