/**
 * Just-in-time sub-workflows (AliECS dpl.Generate*): a DPL command run with `--o2-control <name>` in a work copy of the
 * repository writes `workflows/<name>.yaml` and task templates, which the include then grafts. Results are cached by a
 * content hash of the command, `jit_env_vars` and any configuration payloads it names, in memory and on disk.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConfigSource } from '../common/config-source.ts';
import { renderValue } from '../template/expr/index.ts';
import { DeferredSignal, ExprError, ExprFunction } from '../template/expr/value.ts';
import type { Value } from '../template/expr/value.ts';
import { renderTemplate } from '../template/interpolate.ts';
import type { PendingWork } from './pending.ts';
import type { TemplateFiles } from './template-store.ts';
import type { VarView } from './var-stack.ts';

const run = promisify(execFile);

export interface JitOptions {
  /** Directory for generated files: `<cacheDir>/<name>/{workflows,tasks}/…`. */
  readonly cacheDir: string;
  /** Extra environment for the generator (e.g. PATH with the DPL tools). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly config?: ConfigSource;
}

/** Files of the repository that the generator can run in. */
export interface ExportableFiles extends TemplateFiles {
  exportTo?(dir: string): Promise<void>;
}

export class JitService {
  private readonly files = new Map<string, string>();

  constructor(private readonly opts: JitOptions) {}

  /** A generated `workflows/…` or `tasks/…` file, if any JIT run wrote it. */
  generated(relPath: string): string | undefined {
    return this.files.get(relPath);
  }

  /** The `dpl` namespace and deprecated aliases for templates of `repo`. */
  objects(repo: ExportableFiles, vars: VarView, pending: PendingWork): Record<string, Value> {
    const generate = (cmd: Value): string => this.generate(renderValue(cmd), repo, vars, pending);
    const fromUri = (name: Value): string => generate(this.jitCommand(renderValue(name), repo, vars, false));
    const fromUriOrTemplate = (name: Value): string => {
      const n = renderValue(name);
      const cmd = this.jitCommand(n, repo, vars, true);
      return cmd === undefined ? n : generate(cmd);
    };
    const dpl = {
      Generate: new ExprFunction('dpl.Generate', generate),
      GenerateFromUri: new ExprFunction('dpl.GenerateFromUri', fromUri),
      GenerateFromUriOrFallbackToTemplate: new ExprFunction(
        'dpl.GenerateFromUriOrFallbackToTemplate',
        fromUriOrTemplate,
      ),
    };
    return { dpl, GenerateDplSubworkflow: dpl.Generate, GenerateDplSubworkflowFromUri: dpl.GenerateFromUri };
  }

  private jitCommand(name: string, repo: TemplateFiles, vars: VarView, optional: true): string | undefined;
  private jitCommand(name: string, repo: TemplateFiles, vars: VarView, optional: false): string;
  private jitCommand(
    name: string,
    repo: TemplateFiles,
    vars: VarView,
    optional: boolean,
  ): string | undefined {
    const text = repo.readFile(`jit/${name}`);
    if (text === undefined) {
      if (optional) return undefined;
      throw new ExprError(
        'evaluation_error',
        `no JIT command jit/${name} in ${repo.repoId}@${repo.revision}`,
      );
    }
    return renderTemplate(text.trim(), { get: (n) => vars.get(n) });
  }

  private generate(command: string, repo: ExportableFiles, vars: VarView, pending: PendingWork): string {
    const cmd = command.trim();
    if (cmd === '' || cmd === 'none')
      throw new ExprError('evaluation_error', `cannot generate a JIT workflow from "${cmd}"`);
    const envVars = vars.get('jit_env_vars') ?? '';
    const name = `jit-${createHash('sha1')
      .update([cmd, envVars, ...this.payloads(cmd, vars)].join('\n'))
      .digest('hex')}`;
    if (this.files.has(`workflows/${name}.yaml`) || this.loadFromDisk(name)) return name;
    const failed = pending.failure(name);
    if (failed !== undefined)
      throw new ExprError('evaluation_error', `JIT generation of ${name} failed: ${failed.message}`);
    pending.add(name, () => this.runGenerator(name, cmd, envVars, repo));
    throw new DeferredSignal();
  }

  /** Payloads of up to two configuration URIs named in the command, so that a changed payload changes the hash. */
  private payloads(cmd: string, vars: VarView): string[] {
    const config = this.opts.config;
    if (config === undefined) return [];
    const uris = [
      ...cmd.matchAll(/(?:consul-json|apricot):\/\/[^/\s'"]*\/o2\/components\/([^\s'"?]+)/g),
    ].slice(0, 2);
    return uris.map((m) => {
      try {
        return config.getComponentConfiguration(m[1] ?? '', true, vars.toRecord());
      } catch {
        return '';
      }
    });
  }

  private loadFromDisk(name: string): boolean {
    const dir = join(this.opts.cacheDir, name);
    if (!existsSync(join(dir, 'workflows', `${name}.yaml`))) return false;
    for (const sub of ['workflows', 'tasks']) {
      const d = join(dir, sub);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) this.files.set(`${sub}/${f}`, readFileSync(join(d, f), 'utf8'));
    }
    return true;
  }

  private async runGenerator(
    name: string,
    cmd: string,
    envVars: string,
    repo: ExportableFiles,
  ): Promise<void> {
    const work = mkdtempSync(join(this.opts.cacheDir, '.work-'));
    try {
      if (repo.exportTo !== undefined) await repo.exportTo(work);
      for (const sub of ['workflows', 'tasks']) mkdirSync(join(work, sub), { recursive: true });
      const before = new Map(listYaml(work).map((rel) => [rel, readFileSync(join(work, rel), 'utf8')]));
      const exports = envVars.trim() === '' ? '' : `export ${envVars} && `;
      await run('bash', ['-c', `${exports}${cmd} --o2-control ${name}`], {
        cwd: work,
        timeout: this.opts.timeoutMs ?? 120_000,
        env: { ...process.env, ...this.opts.env },
        maxBuffer: 16 * 1024 * 1024,
      }).catch((e: unknown) => {
        const err = e as { stderr?: string; message?: string };
        throw new Error(`${cmd}: ${(err.stderr ?? '').trim() || err.message || 'failed'}`);
      });
      if (!existsSync(join(work, 'workflows', `${name}.yaml`)))
        throw new Error(`${cmd}: the generator wrote no workflows/${name}.yaml`);
      this.store(name, work, before);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Keeps what the generator wrote: new files, and repository files it changed (unchanged ones stay the repo's). */
  private store(name: string, work: string, before: ReadonlyMap<string, string>): void {
    const dir = join(this.opts.cacheDir, name);
    for (const rel of listYaml(work)) {
      const text = readFileSync(join(work, rel), 'utf8');
      if (before.get(rel) === text && rel !== `workflows/${name}.yaml`) continue;
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
      this.files.set(rel, text);
    }
  }
}

function listYaml(root: string): string[] {
  return ['workflows', 'tasks'].flatMap((sub) => {
    const d = join(root, sub);
    return existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => `${sub}/${f}`)
      : [];
  });
}
