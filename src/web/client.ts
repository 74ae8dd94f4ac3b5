/**
 * The GUI's only way to the core: its public APIs (`o2control.Control`, `axle.cluster.v1.ClusterService`), Connect
 * JSON over this page's origin.
 */
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { ClusterService } from '../gen/axle/cluster/v1/cluster_pb.ts';
import { Control } from '../gen/protos/o2control_pb.ts';

const transport = createConnectTransport({ baseUrl: window.location.origin });

export const control: Client<typeof Control> = createClient(Control, transport);
/** Axle's cluster view (hosts, their resources and attributes). */
export const cluster: Client<typeof ClusterService> = createClient(ClusterService, transport);

/** A failed call in words: what the core said, with its status in plain English. */
export function errorText(e: unknown): string {
  const err = ConnectError.from(e);
  const what = STATUS_WORDS[err.code] ?? Code[err.code];
  return `${what}: ${err.rawMessage}`;
}

const STATUS_WORDS: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: 'Refused (invalid request)',
  [Code.NotFound]: 'Not found',
  [Code.FailedPrecondition]: 'Not possible now',
  [Code.Unavailable]: 'The core is unreachable',
  [Code.Internal]: 'Failed',
  [Code.DeadlineExceeded]: 'Timed out',
  [Code.Canceled]: 'Cancelled',
  [Code.PermissionDenied]: 'Not allowed',
  [Code.ResourceExhausted]: 'Too large',
};
