/** `axle cluster hosts`: the machines as the core sees them (engine state, attributes, reserved and free resources). */
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { Command } from 'commander';
import { toJson } from '@bufbuild/protobuf';
import { ClusterService, ListHostsReplySchema } from '../gen/axle/cluster/v1/cluster_pb.ts';
import type { CliContext, GlobalFlags } from './context.ts';
import { bearer } from './cli-token.ts';
import { DEFAULT_ENDPOINT } from './control-client.ts';
import { printJson, printTable } from './output.ts';

export function clusterCommands(program: Command, context: (flags: GlobalFlags) => CliContext): void {
  const cluster = program.command('cluster').description('the machines tasks are placed on');
  cluster
    .command('hosts')
    .description('hosts with their state, attributes, and CPU/memory reserved by Axle and still free')
    .action(async (_f: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalFlags & { endpoint?: string }>();
      const ctx = context(flags);
      const target = flags.endpoint ?? DEFAULT_ENDPOINT;
      const baseUrl = /^https?:\/\//.test(target) ? target : `http://${target}`;
      const c = createClient(
        ClusterService,
        createGrpcTransport({ baseUrl, defaultTimeoutMs: 15_000, interceptors: bearer(flags.stateDir) }),
      );
      const r = await c.listHosts({});
      if (ctx.json) return printJson(toJson(ListHostsReplySchema, r, { alwaysEmitImplicit: true }));
      process.stdout.write(`engine: ${r.engine}${r.error !== '' ? ` (stale: ${r.error})` : ''}\n`);
      printTable(
        ['HOST', 'STATE', 'CPU FREE/TOTAL', 'MEMORY MB FREE/TOTAL', 'ENVIRONMENTS', 'ATTRIBUTES'],
        r.hosts.map((h) => [
          h.host,
          h.trouble !== '' ? `${h.state} (${h.trouble})` : h.state,
          `${num(h.cpuFree)}/${num(h.cpu)}`,
          `${num(h.memoryFreeMb)}/${num(h.memoryMb)}`,
          h.environments.join(',') || '-',
          attributes(h.attributes),
        ]),
      );
    });
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function attributes(a: Readonly<Record<string, string>>): string {
  const keys = Object.keys(a).sort();
  return keys.length === 0 ? '-' : keys.map((k) => `${k}=${a[k] ?? ''}`).join(' ');
}
