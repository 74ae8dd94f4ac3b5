/** Axle's state directory (created 0700): `--state-dir`, else `AXLE_STATE_DIR`, else `$XDG_STATE_HOME/axle` or `~/.local/state/axle`. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirPrivate } from '../agent/private-files.ts';

export function stateDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    flag ??
    env['AXLE_STATE_DIR'] ??
    join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'axle');
  const abs = resolve(dir);
  return mkdirPrivate(abs);
}
