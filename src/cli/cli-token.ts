/**
 * The token the CLI sends to the core (`authorization: Bearer …`): `$AXLE_TOKEN`, else the first line of
 * `<state dir>/cli-token`; none = no credentials (the core's local identity on loopback).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Interceptor } from '@connectrpc/connect';

export const CLI_TOKEN_FILE = 'cli-token';

export function cliToken(
  stateDir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromEnv = env['AXLE_TOKEN']?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const dir = resolve(
    stateDir ??
      env['AXLE_STATE_DIR'] ??
      join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'axle'),
  );
  try {
    const line = readFileSync(join(dir, CLI_TOKEN_FILE), 'utf8').split('\n')[0]?.trim();
    return line === undefined || line === '' ? undefined : line;
  } catch {
    return undefined;
  }
}

/** Adds the CLI's token, when there is one, to every request. */
export function bearer(stateDir: string | undefined): Interceptor[] {
  const token = cliToken(stateDir);
  if (token === undefined) return [];
  return [
    (next) => (req) => {
      req.header.set('authorization', `Bearer ${token}`);
      return next(req);
    },
  ];
}
