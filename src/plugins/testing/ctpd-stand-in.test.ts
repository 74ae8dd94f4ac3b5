import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { toJson } from '@bufbuild/protobuf';
import { CTPd, RunReplySchema } from '../../gen/ctpd/ctpecs_pb.ts';
import { startCtpdStandIn } from './ctpd-stand-in.ts';
import { standInContract } from './stand-in-contract.ts';

standInContract('CTPd', {
  start: startCtpdStandIn,
  method: 'RunLoad',
  send: async (s, timeoutMs) => {
    const client = createClient(CTPd, createGrpcTransport({ baseUrl: `http://127.0.0.1:${s.port}` }));
    const reply = await client.runLoad({ runn: 7, detectors: 'tpc its', config: 'c' }, { timeoutMs });
    return toJson(RunReplySchema, reply);
  },
  recorded: { runn: 7, config: 'c', detectors: 'tpc its' },
  reply: { init: { rc: 4, msg: 'busy' }, json: { rc: 4, msg: 'busy' } },
});
