/**
 * Entry point of the OCC client used by the agent: one constructor for both transports.
 * @example
 *   const occ = createOccClient(31000, 'protobuf');
 *   const { state } = await occ.getState({ timeoutMs: 1000 });
 */
import type { OccClient, OccTransport } from './client-types.ts';
import { createJsonOccClient } from './json-client.ts';
import { createProtoOccClient } from './proto-client.ts';

export type {
  OccCallOptions,
  OccClient,
  OccTransitionReply,
  OccTransitionRequest,
  OccTransport,
} from './client-types.ts';

/**
 * A client for the task listening on 127.0.0.1:`port`: `protobuf` for OCC library tasks (direct mode and FairMQ
 * devices with the protobuf plugin), `json` for FairMQ devices run with `-P OCClite`. Nothing is dialled until the
 * first call.
 */
export function createOccClient(port: number, transport: OccTransport): OccClient {
  return transport === 'json' ? createJsonOccClient(port) : createProtoOccClient(port);
}
