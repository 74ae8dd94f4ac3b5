/**
 * Folders and files only their owner may read: the state directory and logs are created 0700 (folders) and 0600
 * (files) whatever the process umask, since logs and state carry task arguments and environment variables.
 */
import { appendFileSync, chmodSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` and any missing parents as 0700 (existing folders are left as they are); returns `dir`. */
export function mkdirPrivate(dir: string): string {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return dir;
  // the umask may have removed bits; set them on every folder this call created
  for (let p = dir; ; p = dirname(p)) {
    chmodSync(p, PRIVATE_DIR_MODE);
    if (p === first || dirname(p) === p) break;
  }
  return dir;
}

/** Opens `path` (default: for appending), creating it 0600; an existing file of ours is set to 0600 too. */
export function openPrivate(path: string, flags = 'a'): number {
  const fd = openSync(path, flags, PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

/** Appends `text` to `path`, creating it 0600. */
export function appendPrivate(path: string, text: string): void {
  appendFileSync(path, text, { mode: PRIVATE_FILE_MODE });
}
