/**
 * The reaper: a tiny detached shell process that outlives the agent only to kill its tasks' process groups when the
 * agent dies without running its exit hook (SIGKILL, OOM kill). The agent keeps the live groups in a file; the
 * reaper polls the agent's PID (a zombie counts as dead) and, once it is gone, SIGTERMs then SIGKILLs every group
 * listed there. When the agent exits normally it empties the file itself, so the reaper has nothing to do.
 */
import { spawn } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, mkdirPrivate } from './private-files.ts';
import { onGroupsChanged } from './process-group.ts';

const SCRIPT = `
agent=$1; file=$2
alive() { [ -r /proc/$agent/stat ] && [ "$(cut -d' ' -f3 /proc/$agent/stat)" != Z ]; }
while alive; do sleep 0.2; done
[ -s "$file" ] || { rm -f "$file"; exit 0; }
for g in $(cat "$file"); do kill -TERM "-$g" 2>/dev/null; done
sleep 1
for g in $(cat "$file"); do kill -KILL "-$g" 2>/dev/null; done
rm -f "$file"
`;

/** Starts the reaper for this process; returns the groups file it watches. */
export function startReaper(stateDir: string): string {
  const dir = join(stateDir, 'agents');
  mkdirPrivate(dir);
  const file = join(dir, `${process.pid}.groups`);
  onGroupsChanged((groups) => {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, groups.join('\n'), { mode: PRIVATE_FILE_MODE });
    renameSync(tmp, file);
  });
  const child = spawn('/bin/sh', ['-c', SCRIPT, 'axle-reaper', String(process.pid), file], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  process.on('exit', () => rmSync(file, { force: true }));
  return file;
}
