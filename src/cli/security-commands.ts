/**
 * `axle lock list|take|release [--force]` (detector locks in the core), `axle audit` (the core's audit log) and
 * `axle token new` (adds a user's token to the core's token file and prints the token once).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { parseDuration } from '../common/duration.ts';
import { AuditService, ListAuditReplySchema } from '../gen/axle/audit/v1/audit_pb.ts';
import { ListLocksReplySchema, LockReplySchema, LockService } from '../gen/axle/locks/v1/locks_pb.ts';
import type { DescService } from '@bufbuild/protobuf';
import { parseRole } from '../server/security/identity.ts';
import { TOKEN_FILE } from '../server/security/security.ts';
import { tokenHash } from '../server/security/token-file.ts';
import { bearer } from './cli-token.ts';
import type { CliContext, GlobalFlags } from './context.ts';
import { DEFAULT_ENDPOINT } from './control-client.ts';
import { printJson, printTable } from './output.ts';

type Ctx = (flags: GlobalFlags) => CliContext;

function client<S extends DescService>(service: S, flags: GlobalFlags): Client<S> {
  const target = flags.endpoint ?? DEFAULT_ENDPOINT;
  const baseUrl = /^https?:\/\//.test(target) ? target : `http://${target}`;
  return createClient(
    service,
    createGrpcTransport({ baseUrl, defaultTimeoutMs: 15_000, interceptors: bearer(flags.stateDir) }),
  );
}

const time = (ms: bigint): string => (ms === 0n ? '-' : new Date(Number(ms)).toISOString());

export function securityCommands(program: Command, context: Ctx): void {
  lockCommands(program, context);
  program
    .command('audit')
    .description("the core's audit log of changes (newest first)")
    .option('--user <name>', 'only this user')
    .option('--since <when>', 'only since this ISO time or this long ago (e.g. 1h30m)')
    .option('--rpc <name>', 'only this RPC, e.g. ControlEnvironment')
    .option('--limit <n>', 'at most this many entries', '100')
    .action(async (o: { user?: string; since?: string; rpc?: string; limit: string }, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      const ctx = context(flags);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit: "${o.limit}" is not a positive number`);
      const r = await client(AuditService, flags).listAudit({
        user: o.user ?? '',
        rpc: o.rpc ?? '',
        sinceMs: BigInt(o.since === undefined ? 0 : sinceMs(o.since)),
        limit,
      });
      if (ctx.json) return printJson(toJson(ListAuditReplySchema, r, { alwaysEmitImplicit: true }));
      printTable(
        ['TIME', 'USER', 'RPC', 'OUTCOME', 'ARGUMENTS'],
        r.entries.map((e) => [
          time(e.timeMs),
          `${e.user}${e.claimedUser !== '' ? ` (as ${e.claimedUser})` : ''}`,
          e.rpc.replace(/^.*\//, ''),
          e.outcome === 'ok' ? 'ok' : `${e.outcome}: ${e.error.slice(0, 120)}`,
          e.arguments.slice(0, 120),
        ]),
      );
    });
  tokenCommands(program, context);
}

function lockCommands(program: Command, context: Ctx): void {
  const lock = program.command('lock').description('per-detector locks in the core');
  lock
    .command('list')
    .alias('ls')
    .description('held locks with their holder')
    .action(async (_o: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      const r = await client(LockService, flags).listLocks({});
      if (context(flags).json)
        return printJson(toJson(ListLocksReplySchema, r, { alwaysEmitImplicit: true }));
      printTable(
        ['DETECTOR', 'HOLDER', 'SINCE'],
        r.locks.map((l) => [l.detector, l.holder, time(l.takenMs)]),
      );
    });
  for (const verb of ['take', 'release'] as const) {
    lock
      .command(verb)
      .description(`${verb} the lock of a detector (--force: admin, whoever holds it)`)
      .argument('<detector>')
      .option('--force', 'also when another user holds it (admin)')
      .action(async (detector: string, o: { force?: boolean }, cmd: Command) => {
        const flags = cmd.optsWithGlobals<GlobalFlags>();
        const c = client(LockService, flags);
        const req = { detector, force: o.force === true };
        const r = verb === 'take' ? await c.takeLock(req) : await c.releaseLock(req);
        if (context(flags).json) return printJson(toJson(LockReplySchema, r, { alwaysEmitImplicit: true }));
        const now = r.lock === undefined ? 'free' : `held by ${r.lock.holder}`;
        const before = r.previousHolder === '' ? 'free' : `held by ${r.previousHolder}`;
        process.stdout.write(`${detector.toUpperCase()}: ${now} (was ${before})\n`);
      });
  }
}

function tokenCommands(program: Command, context: Ctx): void {
  program
    .command('token')
    .description("the core's token file")
    .command('new')
    .description('add a token for a user to <state dir>/tokens.yaml (0600) and print it once')
    .requiredOption('--user <name>', 'user name')
    .option(
      '--role <role>',
      'guest, det-<detector>, global or admin (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--token-file <path>', 'token file (default: <state dir>/tokens.yaml)')
    .action((o: { user: string; role: string[]; tokenFile?: string }, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals<GlobalFlags>());
      const roles = o.role.length === 0 ? ['guest'] : o.role;
      for (const r of roles) {
        const p = parseRole(r);
        if (typeof p === 'object') throw new Error(`--role: ${p.error}`);
      }
      const file = o.tokenFile ?? join(ctx.stateDir, TOKEN_FILE);
      const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : 'tokens: []\n');
      if (doc.errors.length > 0) throw new Error(`token file ${file}: ${doc.errors[0]?.message ?? ''}`);
      const token = randomBytes(32).toString('base64url');
      const entry = doc.createNode({ sha256: tokenHash(token), user: o.user, roles });
      if (!doc.has('tokens')) doc.set('tokens', doc.createNode([]));
      doc.addIn(['tokens'], entry);
      writeFileSync(file, doc.toString(), { mode: 0o600 });
      chmodSync(file, 0o600);
      process.stdout.write(`${token}\n`);
      process.stderr.write(`added ${o.user} (${roles.join(', ')}) to ${file}; restart the core to use it\n`);
    });
}

function sinceMs(text: string): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return Date.now() - ago;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`--since: "${text}" is neither an ISO time nor a duration like 1h30m`);
  return t;
}
