/**
 * The protobuf OCC server (`/occ_pb.Occ/*`, what the OCC library serves), on Connect-node with the gRPC protocol
 * over HTTP/2 cleartext. Statuses and replies follow the machine; proto3 defaults are simply not sent.
 */
import http2 from 'node:http2';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { DEVICE_EVENT_TYPES, STATE_CHANGE_TRIGGERS } from '../common/task-state.ts';
import { Occ, StateType } from '../gen/protos/occ_pb.ts';
import { listenHttp2 } from './http2-listen.ts';
import { GRPC_STATUS, OccStatusError } from './occ-error.ts';
import type { OccMachine, OccServeOptions, OccServer } from './occ-machine.ts';

/** Serves `machine` as `occ_pb.Occ` over gRPC (h2c) until closed. */
export function serveOccProtobuf(machine: OccMachine, opts: OccServeOptions): Promise<OccServer> {
  const handler = connectNodeAdapter({
    routes: (router) => router.service(Occ, occService(machine)),
    grpc: true,
    grpcWeb: false,
    connect: false,
  });
  return listenHttp2(http2.createServer(handler), opts);
}

function occService(machine: OccMachine): ServiceImpl<typeof Occ> {
  return {
    getState: () => ({ state: machine.state, pid: process.pid }),
    async transition(req) {
      const args: Record<string, string> = {};
      for (const e of req.arguments) args[e.key] = e.value;
      try {
        const out = await machine.transition({
          srcState: req.srcState,
          event: req.transitionEvent,
          arguments: args,
        });
        return {
          trigger: STATE_CHANGE_TRIGGERS[out.trigger],
          state: out.state,
          transitionEvent: out.event,
          ok: out.ok,
        };
      } catch (err: unknown) {
        throw toConnectError(err);
      }
    },
    async *eventStream(_req, ctx) {
      for await (const e of machine.events(ctx.signal)) yield { event: { type: DEVICE_EVENT_TYPES[e] } };
    },
    async *stateStream(_req, ctx) {
      if (machine.states === undefined)
        throw new ConnectError('StateStream not implemented', Code.Unimplemented);
      for await (const state of machine.states(ctx.signal)) yield { type: StateType.STATE_STABLE, state };
    },
  };
}

/** A machine's status error as the same gRPC status; anything else is UNKNOWN like an uncaught C++ exception. */
function toConnectError(err: unknown): ConnectError {
  if (err instanceof OccStatusError) return new ConnectError(err.message, GRPC_STATUS[err.code] as Code);
  return new ConnectError('Unexpected error in RPC handling', Code.Unknown, undefined, undefined, err);
}
