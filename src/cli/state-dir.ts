/** Axle's state directory: `--state-dir`, else `AXLE_STATE_DIR`, else `$XDG_STATE_HOME/axle` or `~/.local/state/axle`. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function stateDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    flag ??
    env['AXLE_STATE_DIR'] ??
    join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'axle');
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  return abs;
}
