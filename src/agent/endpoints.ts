/**
 * Addresses of the channels a task binds: explicit targets, IPC abstract sockets, TCP ports assigned by the core,
 * or TCP ports from the allocator.
 */
import { PortBusyError } from './port-allocator.ts';
import type { PortAllocator, PortKind } from './port-allocator.ts';
import type { BindRequest } from './types.ts';

export interface EndpointOptions {
  readonly environmentId: string;
  readonly taskId: string;
  /** Host part of TCP addresses (what peers dial). */
  readonly tcpHost: string;
  /** False for simulated tasks: ports are reserved but not probed. */
  readonly probe: boolean;
  /** The agent's host name, for error messages. */
  readonly host: string;
}

/** The IPC address of a channel: an abstract unix socket unique per environment, task and channel. */
export function ipcAddress(environmentId: string, taskId: string, channel: string): string {
  return `ipc://@axle-${[environmentId, taskId, channel].map(token).join('-')}`;
}

/**
 * Picks one address per bind request (channel → address). A TCP port assigned by the core (`bind.port`) is used as
 * is; other TCP ports come from the allocator. All are held by the task id in `ports` until released (ports taken
 * before a failure stay held by the task).
 * @throws PortExhaustedError when no TCP port is left; Error "port P assigned to channel C is busy on H (…)" when
 * an assigned port is taken.
 */
export async function allocateEndpoints(
  binds: readonly BindRequest[],
  ports: PortAllocator,
  options: EndpointOptions,
): Promise<Record<string, string>> {
  const endpoints: Record<string, string> = {};
  for (const bind of binds) {
    if (bind.target !== '') endpoints[bind.channel] = bind.target;
    else if (bind.addressing === 'ipc') {
      endpoints[bind.channel] = ipcAddress(options.environmentId, options.taskId, bind.channel);
    } else {
      const port = await tcpPort(bind, ports, options);
      endpoints[bind.channel] = `tcp://${options.tcpHost}:${port}`;
    }
  }
  return endpoints;
}

/**
 * Holds the port the core assigned for `use` ("channel out", "control port"), turning a {@link PortBusyError} into
 * an Error whose message says which port, what for and on which host. Other errors pass unchanged.
 */
export async function claimAssigned(
  ports: PortAllocator,
  kind: PortKind,
  port: number,
  use: string,
  options: { readonly taskId: string; readonly probe: boolean; readonly host: string },
): Promise<number> {
  try {
    await ports.claim(kind, port, options.taskId, options.probe);
    return port;
  } catch (error: unknown) {
    if (!(error instanceof PortBusyError)) throw error;
    const why = error.holder === undefined ? 'something else listens on it' : `held by task ${error.holder}`;
    throw new Error(`port ${port} assigned to ${use} is busy on ${options.host} (${why})`, { cause: error });
  }
}

function tcpPort(bind: BindRequest, ports: PortAllocator, options: EndpointOptions): Promise<number> {
  if (bind.port === undefined) return ports.allocate('tcp', options.taskId, options.probe);
  return claimAssigned(ports, 'tcp', bind.port, `channel ${bind.channel}`, options);
}

function token(text: string): string {
  return text.replace(/[^A-Za-z0-9_.]/g, '_');
}
