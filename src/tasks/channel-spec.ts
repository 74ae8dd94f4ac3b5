/**
 * Channel declarations as a task receives them in its CONFIGURE arguments (AliECS `chans.<name>.0.address`,
 * `.method`, `.type`, …) and the socket address each one stands for.
 */

export interface ChannelSpec {
  readonly name: string;
  /** As given: `tcp://*:9001`, `tcp://127.0.0.1:9001`, `ipc://@name` (abstract), `ipc:///path`. */
  readonly address: string;
  readonly method: 'bind' | 'connect';
  /** ZeroMQ socket type (push, pull, pub, sub, pair…); empty when not given. */
  readonly type: string;
}

/** Where node:net should listen or dial. */
export type SocketAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'ipc'; readonly path: string };

/** Every channel whose sub-socket 0 has an address, in key order. Unknown methods read as connect. */
export function channelSpecs(args: Readonly<Record<string, string>>): ChannelSpec[] {
  const specs: ChannelSpec[] = [];
  for (const [key, address] of Object.entries(args)) {
    const m = /^chans\.([^.]+)\.0\.address$/.exec(key);
    if (m === null || m[1] === undefined || address === '') continue;
    const name = m[1];
    const method = args[`chans.${name}.0.method`] === 'bind' ? 'bind' : 'connect';
    specs.push({ name, address, method, type: args[`chans.${name}.0.type`] ?? '' });
  }
  return specs;
}

/**
 * Parses a channel address. `*` (and an empty host) means every interface when binding; `ipc://@name` is a Linux
 * abstract socket. Throws on other schemes or a bad port.
 */
export function socketAddress(address: string): SocketAddress {
  if (address.startsWith('ipc://')) {
    const rest = address.slice('ipc://'.length);
    if (rest === '') throw new Error(`empty ipc address: ${address}`);
    return { kind: 'ipc', path: rest.startsWith('@') ? `\0${rest.slice(1)}` : rest };
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:]*):(\d+)$/.exec(address);
  if (m === null) throw new Error(`unsupported channel address: ${address}`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`bad port in channel address: ${address}`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  return { kind: 'tcp', host: host === '*' || host === '' ? '0.0.0.0' : host, port };
}

/** True when the channel's socket type sends data (push, pub); pull and sub receive. */
export function isSender(spec: ChannelSpec): boolean {
  if (spec.type === 'push' || spec.type === 'pub') return true;
  if (spec.type === 'pull' || spec.type === 'sub') return false;
  return spec.method === 'bind';
}
