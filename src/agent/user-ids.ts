/** Looks up the uid/gid a task runs as, the way AliECS's executor does (only when the user is not the agent's). */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

export interface UserIds {
  readonly uid: number;
  readonly gid: number;
}

/** Thrown when the requested user does not exist on this host. */
export class UnknownUserError extends Error {
  constructor(readonly user: string) {
    super(`unknown user '${user}'`);
    this.name = 'UnknownUserError';
  }
}

/**
 * The ids to run as: undefined when `user` is empty or the agent's own user (no switch needed), else the ids from
 * `id -u/-g <user>`.
 * @throws UnknownUserError when `id` does not know the user.
 */
export async function resolveUser(user: string): Promise<UserIds | undefined> {
  if (user === '' || user === currentUser()) return undefined;
  const [uid, gid] = await Promise.all([idOf(user, '-u'), idOf(user, '-g')]);
  return { uid, gid };
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

function idOf(user: string, flag: '-u' | '-g'): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('id', [flag, '--', user], { timeout: 5000 }, (error, stdout) => {
      const id = Number(stdout.trim());
      if (error !== null || stdout.trim() === '' || !Number.isInteger(id)) reject(new UnknownUserError(user));
      else resolve(id);
    });
  });
}
