/** Command-line conventions of OCC task programs (OCC library `OccGlobals.h`, FairMQ device options). */

/** The OCC library's control port when neither `--control-port` nor `OCC_CONTROL_PORT` is given. */
export const DEFAULT_CONTROL_PORT = 47100;

/** The value of `--name value` or `--name=value` (last one wins), or undefined. */
export function optionValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === name && i + 1 < argv.length) value = argv[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

/** The control port: `--control-port`, else env `OCC_CONTROL_PORT`, else 47100. Throws on a non-port value. */
export function controlPort(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): number {
  const text = optionValue(argv, '--control-port') ?? env.OCC_CONTROL_PORT;
  if (text === undefined || text === '') return DEFAULT_CONTROL_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid control port: ${text}`);
  return port;
}

/**
 * The transport a FairMQ device serves: JSON (OCClite) unless `-P` names another plugin. The executor decides the
 * same way from the other end (JSON iff the command line contains `-P OCClite`).
 */
export function fairMqTransport(argv: readonly string[]): 'json' | 'protobuf' {
  const plugin = optionValue(argv, '-P');
  return plugin === undefined || plugin === 'OCClite' ? 'json' : 'protobuf';
}
