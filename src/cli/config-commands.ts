/**
 * `axle configuration …` (aliases config, conf, c): coconut's configuration commands over the Apricot API at
 * `--config_endpoint` (default: the core's endpoint, `--endpoint`), plus inventory, `serve`, `import-tree`, `export-tree`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import YAML from 'yaml';
import { parseJsonTree, readConfigFile } from '../config/read-tree.ts';
import { importTree, treeFromEntries, treeToPlain } from '../config/apricot-tree.ts';
import { isRunType, RUN_TYPE_NUMBERS } from '../config/run-type.ts';
import type { apricotClient } from '../server/apricot-client.ts';
import { startApricot } from '../server/apricot-server.ts';
import type { CliContext, GlobalFlags } from './context.ts';
import { defaultStoreUri, openStore } from './config-store.ts';
import { configClient } from './config-endpoint.ts';
import type { ConfigEndpointFlags } from './config-endpoint.ts';
import { parseExtraVars } from './extra-vars.ts';
import { printJson } from './output.ts';

type Ctx = (flags: GlobalFlags) => CliContext;
type Flags = GlobalFlags & ConfigEndpointFlags;
type Out = 'text' | 'json' | 'yaml';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function configCommands(program: Command, context: Ctx): void {
  const config = program
    .command('configuration')
    .aliases(['config', 'conf', 'c'])
    .description('configuration service (Apricot): components, payloads, inventory')
    .option(
      '--config_endpoint <uri>',
      "configuration service (default: apricot:// on the core's --endpoint)",
    );
  const client = (cmd: Command) => {
    const flags = cmd.optsWithGlobals<Flags>();
    return { c: configClient(flags), json: context(flags).json };
  };
  const print = (value: unknown, text: string, out: Out): void => {
    if (out === 'json') return printJson(value);
    process.stdout.write(out === 'yaml' ? YAML.stringify(value) : text);
  };
  const outOf = (json: boolean, o: string | undefined): Out =>
    o === 'yaml' || o === 'json' ? o : json ? 'json' : 'text';
  const lines = (items: readonly string[]): string => items.map((i) => `${i}\n`).join('');

  config
    .command('list [path]')
    .aliases(['l', 'ls'])
    .description('components, or the entries of component[/RUNTYPE/role]')
    .option('-o, --output <format>', 'yaml or json')
    .option('-t, --timestamp', 'accepted for coconut compatibility (no timestamps are kept)')
    .action(async (path: string | undefined, flags: { output?: string }, cmd: Command) => {
      const { c, json } = client(cmd);
      const items =
        path === undefined
          ? (await c.listComponents({})).payload
          : (await c.listComponentEntries({ queryPath: { case: 'path', value: path } })).payload;
      print(items, lines(items), outOf(json, flags.output));
    });

  config
    .command('show <component> [entry]')
    .alias('s')
    .description('a payload: <component> <entry> (with -r/-l, resolved) or <component/RUNTYPE/role/entry>')
    .option('-r, --runtype <runType>', 'run type for <component> <entry>', 'ANY')
    .option('-l, --role <role>', 'machine role for <component> <entry>', 'any')
    .option('-s, --simulate', 'process the template with the variables of -e')
    .option('-e, --extra-vars <vars>', 'variables: k=v,k2=v2 or a JSON object (repeatable)', collect, [])
    .option('-t, --timestamp', 'accepted for coconut compatibility')
    .action(async (component: string, entry: string | undefined, f: ShowFlags, cmd: Command) => {
      const { c, json } = client(cmd);
      const queryPath =
        entry === undefined
          ? { case: 'path' as const, value: component }
          : { case: 'query' as const, value: query(component, f.runtype, f.role, entry) };
      const r = await c.getComponentConfiguration({
        queryPath,
        processTemplate: f.simulate === true,
        varStack: parseExtraVars(f.extraVars),
      });
      if (json) return printJson({ payload: r.payload });
      process.stdout.write(r.payload.endsWith('\n') ? r.payload : `${r.payload}\n`);
    });

  config
    .command('import <args...>')
    .aliases(['i', 'imp'])
    .description('write a payload: <component> <entry> <file> or <component/RUNTYPE/role/entry> <file>')
    .option('-n, --new-component', 'create the component if it does not exist')
    .option('-f, --format <format>', 'payload format (json and yaml are syntax-checked)')
    .option('-r, --runtype <runType>', 'run type for <component> <entry> <file>', 'ANY')
    .option('-l, --role <role>', 'machine role for <component> <entry> <file>', 'any')
    .action(async (args: string[], f: ImportFlags, cmd: Command) => {
      const { c, json } = client(cmd);
      const q = importQuery(args, f);
      const payload = readFileSync(args.at(-1) ?? '', 'utf8');
      checkFormat(f.format, payload);
      const { runTypeName, ...wire } = q;
      const r = await c.importComponentConfiguration({
        query: wire,
        payload,
        newComponent: f.newComponent === true,
      });
      const result = {
        existingComponentUpdated: r.existingComponentUpdated,
        existingEntryUpdated: r.existingEntryUpdated,
      };
      const what = r.existingEntryUpdated
        ? 'updated'
        : r.existingComponentUpdated
          ? 'added'
          : 'created with component';
      print(
        result,
        `entry ${q.component}/${runTypeName}/${q.machineRole}/${q.entry} ${what}\n`,
        json ? 'json' : 'text',
      );
    });

  config
    .command('dump [key]')
    .alias('d')
    .description('a subtree of the configuration (default: everything)')
    .option('-f, --format <format>', 'yaml or json', 'yaml')
    .action(async (key: string | undefined, f: { format: string }, cmd: Command) => {
      const { c, json } = client(cmd);
      const value: unknown = JSON.parse((await c.rawGetRecursive({ rawPath: key ?? '' })).payload);
      print(value, YAML.stringify(value), json || f.format === 'json' ? 'json' : 'yaml');
    });

  inventoryCommands(config, client, print, lines);
  serviceCommands(config, client, (cmd) => context(cmd.optsWithGlobals<Flags>()).stateDir);
}

interface ShowFlags {
  runtype: string;
  role: string;
  simulate?: boolean;
  extraVars: string[];
}

interface ImportFlags {
  newComponent?: boolean;
  format?: string;
  runtype: string;
  role: string;
}

type ClientOf = (cmd: Command) => { c: ReturnType<typeof apricotClient>; json: boolean };

function inventoryCommands(
  config: Command,
  client: ClientOf,
  print: (value: unknown, text: string, out: Out) => void,
  lines: (items: readonly string[]) => string,
): void {
  config
    .command('hosts [detector]')
    .description('FLPs of a detector, or all FLPs')
    .action(async (detector: string | undefined, _f: unknown, cmd: Command) => {
      const { c, json } = client(cmd);
      const hosts = (await c.getHostInventory({ detector: detector ?? '' })).hosts;
      print(hosts, lines(hosts), json ? 'json' : 'text');
    });
  config
    .command('detectors')
    .description('detectors and their FLPs')
    .action(async (_f: unknown, cmd: Command) => {
      const { c, json } = client(cmd);
      const entries = (await c.getDetectorsInventory({})).detectorEntries;
      const inv = Object.fromEntries(
        Object.keys(entries)
          .sort()
          .map((d) => [d, entries[d]?.flps ?? []]),
      );
      const text = Object.entries(inv).map(([d, flps]) => `${d}: ${flps.join(' ')}\n`);
      print(inv, text.join(''), json ? 'json' : 'text');
    });
}

type StoreFlag = { store?: string };

function serviceCommands(config: Command, client: ClientOf, stateDir: (cmd: Command) => string): void {
  const storeOf = (f: StoreFlag, cmd: Command) => openStore(f.store ?? defaultStoreUri(stateDir(cmd)));
  config
    .command('serve')
    .description('run the configuration service alone (gRPC and the read-only HTTP API)')
    .option('--port <port>', 'gRPC port', '32101')
    .option('--http-port <port>', 'HTTP port', '32188')
    .option(
      '--store <uri>',
      'embedded://dir, etcd://host:port, memory:// or file:///x.yaml (default: state dir)',
    )
    .action(async (f: { port: string; httpPort: string } & StoreFlag, cmd: Command) => {
      const store = await storeOf(f, cmd);
      const s = await startApricot({ store, port: Number(f.port), httpPort: Number(f.httpPort) });
      process.stdout.write(`axle apricot on ${s.url} (HTTP port ${s.httpPort}), store ${store.uri}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await s.stop();
      await store.close();
    });
  config
    .command('import-tree <file>')
    .description('write every key of an AliECS YAML/JSON configuration file into a store')
    .option('--store <uri>', 'the store to write (default: the embedded store of the state dir)')
    .action(async (file: string, f: StoreFlag, cmd: Command) => {
      const store = await storeOf(f, cmd);
      const n = await importTree(store, readConfigFile(file)).finally(() => store.close());
      process.stdout.write(`${n} keys written to ${store.uri}\n`);
    });
  config
    .command('export-tree [file]')
    .description('the whole o2 tree as AliECS YAML (from the service, or --store), to a file or stdout')
    .option('--store <uri>', 'read this store instead of the service')
    .action(async (file: string | undefined, f: StoreFlag, cmd: Command) => {
      const text = YAML.stringify({ o2: await exportO2(f, cmd) });
      if (file === undefined) process.stdout.write(text);
      else writeFileSync(file, text);
    });

  /** The `o2` tree as plain objects, from `--store` when given, else from the service. */
  async function exportO2(f: StoreFlag, cmd: Command): Promise<unknown> {
    if (f.store === undefined)
      return JSON.parse((await client(cmd).c.rawGetRecursive({ rawPath: 'o2' })).payload);
    const store = await openStore(f.store);
    try {
      return treeToPlain(treeFromEntries(await store.getRecursive('o2'), 'o2'));
    } finally {
      await store.close();
    }
  }
}

function query(component: string, runType: string, role: string, entry: string) {
  if (!isRunType(runType)) throw new ConfigCommandError(`unknown run type "${runType}"`);
  return { component, runType: RUN_TYPE_NUMBERS[runType], runTypeName: runType, machineRole: role, entry };
}

function importQuery(args: readonly string[], f: ImportFlags) {
  if (args.length === 3) return query(args[0] ?? '', f.runtype, f.role, args[1] ?? '');
  if (args.length !== 2)
    throw new ConfigCommandError('usage: import <component> <entry> <file> | <c/RT/role/entry> <file>');
  const [component = '', runType = '', role = '', ...entry] = (args[0] ?? '').split('/');
  if (entry.length === 0)
    throw new ConfigCommandError(`expected component/RUNTYPE/role/entry, got "${args[0]}"`);
  return query(component, runType, role, entry.join('/'));
}

function checkFormat(format: string | undefined, payload: string): void {
  const f = format?.toLowerCase();
  try {
    if (f === 'json') parseJsonTree('payload', payload);
    if (f === 'yaml' || f === 'yml') YAML.parse(payload);
  } catch (e) {
    throw new ConfigCommandError(`payload is not valid ${f}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A usage problem of a configuration command. */
export class ConfigCommandError extends Error {
  override readonly name = 'ConfigCommandError';
}
