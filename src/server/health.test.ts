import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, createRouterTransport } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus } from '../gen/grpc/health/v1/health_pb.ts';
import { healthRoutes } from './health.ts';

test('health answers NOT_SERVING until the core is ready, then SERVING', async () => {
  let ready = false;
  const client = createClient(Health, createRouterTransport(healthRoutes(() => ready)));
  assert.equal((await client.check({ service: '' })).status, HealthCheckResponse_ServingStatus.NOT_SERVING);
  assert.equal(
    (await client.check({ service: 'o2control.Control' })).status,
    HealthCheckResponse_ServingStatus.NOT_SERVING,
  );
  ready = true;
  assert.equal((await client.check({ service: '' })).status, HealthCheckResponse_ServingStatus.SERVING);
  for await (const r of client.watch({ service: 'o2control.Control' })) {
    assert.equal(r.status, HealthCheckResponse_ServingStatus.SERVING);
    break;
  }
});
