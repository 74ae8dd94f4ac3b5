/** Addresses of the channels a task binds: explicit targets, IPC abstract sockets, or TCP ports from the allocator. */
import type { PortAllocator } from './port-allocator.ts';
import type { BindRequest } from './types.ts';

export interface EndpointOptions {
  readonly environmentId: string;
  readonly taskId: string;
  /** Host part of TCP addresses (what peers dial). */
  readonly tcpHost: string;
  /** False for simulated tasks: ports are reserved but not probed. */
  readonly probe: boolean;
}

/** The IPC address of a channel: an abstract unix socket unique per environment, task and channel. */
export function ipcAddress(environmentId: string, taskId: string, channel: string): string {
  return `ipc://@axle-${[environmentId, taskId, channel].map(token).join('-')}`;
}

/**
 * Picks one address per bind request (channel → address). TCP ports are held by the task id in `ports` until
 * released. @throws PortExhaustedError when no TCP port is left (ports taken so far stay held by the task).
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
      const port = await ports.allocate('tcp', options.taskId, options.probe);
      endpoints[bind.channel] = `tcp://${options.tcpHost}:${port}`;
    }
  }
  return endpoints;
}

function token(text: string): string {
  return text.replace(/[^A-Za-z0-9_.]/g, '_');
}
