import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { EventSchema, OpStatus } from '../gen/protos/events_pb.ts';
import { toWireEvent } from './event-convert.ts';
import { kafkaRoute } from './kafka-events.ts';

test('an integrated-service event becomes Ev_IntegratedServiceEvent on aliecs.integrated_service.<plugin>, keyed by environment', () => {
  const wire = toWireEvent({
    seq: 1,
    timeMs: 1_700_000_000_123,
    event: {
      kind: 'integratedService',
      name: 'wf.trg.load',
      operationName: 'trg.RunLoad()',
      operationStatus: 'DONE_ERROR',
      operationStep: 'perform TRG call: RunLoad',
      operationStepStatus: 'DONE_ERROR',
      environmentId: 'env1',
      payload: '{"trgRequest":{"runn":5}}',
      error: 'response code 7 from TRG: busy',
    },
  });
  const decoded = fromBinary(EventSchema, toBinary(EventSchema, wire));
  assert.equal(decoded.timestamp, 1_700_000_000_123n);
  assert.equal(decoded.Payload.case, 'integratedServiceEvent');
  const v = decoded.Payload.value;
  assert.ok(v !== undefined && 'operationName' in v);
  assert.deepEqual(
    [
      v.name,
      v.operationName,
      v.operationStatus,
      v.operationStep,
      v.operationStepStatus,
      v.environmentId,
      v.payload,
      v.error,
    ],
    [
      'wf.trg.load',
      'trg.RunLoad()',
      OpStatus.DONE_ERROR,
      'perform TRG call: RunLoad',
      OpStatus.DONE_ERROR,
      'env1',
      '{"trgRequest":{"runn":5}}',
      'response code 7 from TRG: busy',
    ],
  );
  assert.deepEqual(kafkaRoute(wire), { topic: 'aliecs.integrated_service.trg', key: 'env1' });
});
