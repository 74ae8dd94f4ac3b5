/**
 * Test support: throw-away git repositories in temporary directories, built with the real `git` binary.
 * Not used by production code.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from './git.ts';

const IDENTITY = ['-c', 'user.name=Axle Test', '-c', 'user.email=axle-test@example.invalid'];

/** A fresh temporary directory; remove it with `removeDir`. */
export function tempDir(prefix = 'axle-repos-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Deletes a directory tree; no error if it is already gone. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Writes files (relative path → text) under `root`, creating directories. */
export async function writeFiles(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text, 'utf8');
  }
}

/** A work-tree repository whose commits tests create one by one. */
export class GitFixture {
  private constructor(readonly dir: string) {}

  /** `git init` in `dir` with `branch` as the initial branch. */
  static async init(dir: string, branch = 'master'): Promise<GitFixture> {
    await mkdir(dir, { recursive: true });
    await git(['init', '--quiet', `--initial-branch=${branch}`], { cwd: dir });
    return new GitFixture(dir);
  }

  /** Writes files, stages everything and commits; resolves with the new commit hash. */
  async commit(files: Readonly<Record<string, string>>, message = 'change'): Promise<string> {
    await writeFiles(this.dir, files);
    await this.run(['add', '--all']);
    await this.run([...IDENTITY, 'commit', '--quiet', '--allow-empty', '-m', message]);
    return (await this.run(['rev-parse', 'HEAD'])).trim();
  }

  /** Creates (`create`) or switches to a branch. */
  async checkout(branch: string, create = false): Promise<void> {
    await this.run(create ? ['checkout', '--quiet', '-b', branch] : ['checkout', '--quiet', branch]);
  }

  /** An annotated tag on HEAD. */
  async tag(name: string): Promise<void> {
    await this.run([...IDENTITY, 'tag', '-a', '-m', name, name]);
  }

  /** Runs git in the work tree. */
  run(args: readonly string[]): Promise<string> {
    return git(args, { cwd: this.dir });
  }
}
