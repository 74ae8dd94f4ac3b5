import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { toJson } from '@bufbuild/protobuf';
import { Configurator, DetectorState, StatusReplySchema } from '../../gen/dcs/dcs_pb.ts';
import { startDcsStandIn } from './dcs-stand-in.ts';
import { standInContract } from './stand-in-contract.ts';

standInContract('DCS gateway', {
  start: async () => (await startDcsStandIn(['TPC'])).standIn,
  method: 'GetStatus',
  send: async (s, timeoutMs) => {
    const client = createClient(Configurator, createGrpcTransport({ baseUrl: `http://127.0.0.1:${s.port}` }));
    return toJson(StatusReplySchema, await client.getStatus({ detector: [13] }, { timeoutMs }));
  },
  recorded: { detector: ['TPC'] },
  reply: {
    init: { detectorMatrix: [{ detector: 6, state: DetectorState.ERROR }] },
    json: { detectorMatrix: [{ detector: 'ITS', state: 'ERROR' }] },
  },
});
