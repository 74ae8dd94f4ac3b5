/**
 * Agent streams are not compressed: the core answers an agent that accepts gzip (as agents before this release did,
 * Connect's default) with uncompressed messages, and the agent's own transport asks for none.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { runAgent } from '../agent/run-agent.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { startCore } from './core.ts';

test('the core sends uncompressed agent streams even to an agent that accepts gzip', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-nogzip-'));
  const core = await startCore({ stateDir: join(root, 'state'), port: 0 });
  const encodings: (string | null)[] = [];
  const record: Interceptor = (next) => async (req) => {
    const res = await next(req);
    encodings.push(res.header.get('grpc-encoding'));
    return res;
  };
  // Connect's default transport: accepts gzip and br responses.
  const transport = createGrpcTransport({ baseUrl: core.url, interceptors: [record] });
  const agent = runAgent({
    coreUrl: core.url,
    host: 'z1',
    stateDir: join(root, 'agent'),
    simulatedOnly: true,
    transport,
    log: () => undefined,
  });
  try {
    const deadline = Date.now() + 10_000 * timeScale();
    while (core.context.registry.hosts().length === 0 || encodings.length === 0) {
      assert.ok(Date.now() < deadline, 'waiting for the agent z1 to connect and to see the response headers');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(encodings, [null], 'the Connect stream is answered without grpc-encoding');
  } finally {
    await agent.stop();
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
