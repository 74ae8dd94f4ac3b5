/**
 * Server reflection as grpcurl-like tools see it: a plain grpc-js client, built from our reflection .proto files, talks
 * to a real core over both `grpc.reflection.v1` and `v1alpha`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { startCore } from './core.ts';
import type { RunningCore } from './core.ts';

type Version = 'v1' | 'v1alpha';

/** The response fields as proto-loader decodes them (keepCase, oneofs, arrays). */
interface Response {
  valid_host: string;
  original_request: Record<string, unknown> | null;
  message_response: string;
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  list_services_response?: { service: { name: string }[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  error_response?: { error_code: number; error_message: string };
}

type StreamCall = grpc.ClientDuplexStream<Record<string, unknown>, Response>;
type ReflectionClient = grpc.Client & { ServerReflectionInfo(): StreamCall };
type ClientCtor = new (address: string, creds: grpc.ChannelCredentials) => ReflectionClient;

function reflectionClient(version: Version, address: string): ReflectionClient {
  const def = protoLoader.loadSync(join('proto', 'grpc', 'reflection', version, 'reflection.proto'), {
    keepCase: true,
    oneofs: true,
    arrays: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: Record<Version, { ServerReflection: ClientCtor }> };
  };
  return new pkg.grpc.reflection[version].ServerReflection(address, grpc.credentials.createInsecure());
}

/** Sends the requests on one stream and collects every response until the server ends it. */
function reflect(client: ReflectionClient, requests: Record<string, unknown>[]): Promise<Response[]> {
  return new Promise((resolve, reject) => {
    const out: Response[] = [];
    const call = client.ServerReflectionInfo();
    call.on('data', (r: Response) => out.push(r));
    call.on('error', reject);
    call.on('end', () => resolve(out));
    for (const r of requests) call.write(r);
    call.end();
  });
}

async function one(client: ReflectionClient, request: Record<string, unknown>): Promise<Response> {
  const [response] = await reflect(client, [request]);
  assert.ok(response !== undefined, 'no response');
  return response;
}

function descriptors(r: Response): FileDescriptorProto[] {
  assert.equal(r.message_response, 'file_descriptor_response', JSON.stringify(r.error_response));
  return (r.file_descriptor_response?.file_descriptor_proto ?? []).map((b) =>
    fromBinary(FileDescriptorProtoSchema, b),
  );
}

describe('server reflection', () => {
  let dir: string;
  let core: RunningCore;
  const clients: ReflectionClient[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'axle-reflection-'));
    core = await startCore({ stateDir: dir, port: 0 });
  });

  after(async () => {
    for (const c of clients) c.close();
    await core.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (version: Version): ReflectionClient => {
    const c = reflectionClient(version, `127.0.0.1:${core.port}`);
    clients.push(c);
    return c;
  };

  for (const version of ['v1', 'v1alpha'] as const) {
    test(`${version}: list_services names the control API, the agent protocol, health and reflection`, async () => {
      const r = await one(client(version), { host: 'h', list_services: '*' });
      assert.equal(r.valid_host, 'h');
      assert.equal(r.original_request?.['list_services'], '*');
      const names = (r.list_services_response?.service ?? []).map((s) => s.name);
      for (const name of [
        'o2control.Control',
        'axle.agent.v1.AgentService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ])
        assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
    });

    test(`${version}: file_containing_symbol o2control.Control answers the file and its imports`, async () => {
      const files = descriptors(await one(client(version), { file_containing_symbol: 'o2control.Control' }));
      assert.deepEqual(
        files.map((f) => f.name),
        ['protos/o2control.proto', 'protos/events.proto', 'protos/common.proto'],
      );
      const control = files[0]?.service.find((s) => s.name === 'Control');
      const method = control?.method.find((m) => m.name === 'NewEnvironment');
      assert.equal(method?.inputType, '.o2control.NewEnvironmentRequest');
      assert.equal(method?.outputType, '.o2control.NewEnvironmentReply');
    });

    test(`${version}: unknown symbols and files answer error_response NOT_FOUND`, async () => {
      const [symbol, file] = await reflect(client(version), [
        { file_containing_symbol: 'o2control.NoSuchThing' },
        { file_by_filename: 'nope.proto' },
      ]);
      assert.equal(symbol?.message_response, 'error_response');
      assert.equal(symbol.error_response?.error_code, 5);
      assert.match(symbol.error_response?.error_message ?? '', /o2control\.NoSuchThing/);
      assert.equal(file?.error_response?.error_code, 5);
    });
  }

  test('one stream answers several requests in order', async () => {
    const rs = await reflect(client('v1'), [
      { file_by_filename: 'axle/agent/v1/agent.proto' },
      { file_containing_symbol: 'o2control.Control.GetFrameworkInfo' },
      { file_containing_symbol: 'common.User' },
      { all_extension_numbers_of_type: 'o2control.Empty' },
    ]);
    assert.equal(rs.length, 4);
    assert.equal(descriptors(rs[0] as Response)[0]?.package, 'axle.agent.v1');
    assert.equal(descriptors(rs[1] as Response)[0]?.name, 'protos/o2control.proto');
    assert.deepEqual(
      descriptors(rs[2] as Response).map((f) => f.name),
      ['protos/common.proto'],
    );
    assert.deepEqual(rs[3]?.all_extension_numbers_response, {
      base_type_name: 'o2control.Empty',
      extension_number: [],
    });
  });

  test('file_containing_extension with no such extension answers NOT_FOUND', async () => {
    const r = await one(client('v1alpha'), {
      file_containing_extension: { containing_type: 'o2control.Empty', extension_number: 100 },
    });
    assert.equal(r.error_response?.error_code, 5);
    assert.deepEqual(r.original_request?.['file_containing_extension'], {
      containing_type: 'o2control.Empty',
      extension_number: 100,
    });
  });
});
