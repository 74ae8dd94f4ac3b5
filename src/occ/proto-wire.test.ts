// Checks that the generated protobuf-es code (src/gen) and the .proto files in proto/ agree on the wire:
// a message encoded by one side decodes on the other (protobufjs via @grpc/proto-loader) to the same fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { create, equals, fromBinary, fromJson, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, DescMethod, DescService, JsonObject, MessageShape } from '@bufbuild/protobuf';
import {
  Control,
  ControlEnvironmentRequestSchema,
  ControlEnvironmentRequest_Optype,
  ControlEnvironmentRequest_OptypeSchema,
  GetEnvironmentReplySchema,
} from '../gen/protos/o2control_pb.ts';
import { EventSchema } from '../gen/protos/events_pb.ts';
import {
  Occ,
  StateChangeTrigger,
  TransitionReplySchema,
  TransitionRequestSchema,
} from '../gen/protos/occ_pb.ts';
// The layer glob `**/agent/*` also matches the generated path gen/axle/agent/; this is generated code, not src/agent.
import { AgentMessageSchema, AgentService, CoreMessageSchema } from '../gen/axle/agent/v1/agent_pb.ts';

const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));
const definition = protoLoader.loadSync(
  ['protos/o2control.proto', 'protos/occ.proto', 'axle/agent/v1/agent.proto'],
  {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  },
);

interface Codec {
  encode(value: object): Buffer;
  decode(bytes: Buffer): object;
}

/** The proto-loader definition of one RPC, looked up by service full name and method name. */
function rpc(service: string, method: string): protoLoader.MethodDefinition<object, object> {
  const def = (definition[service] as protoLoader.ServiceDefinition | undefined)?.[method];
  assert.ok(def, `${service}/${method} missing from the .proto files`);
  return def;
}

const request = (service: string, method: string): Codec => {
  const def = rpc(service, method);
  return { encode: (v) => def.requestSerialize(v), decode: (b) => def.requestDeserialize(b) };
};
const response = (service: string, method: string): Codec => {
  const def = rpc(service, method);
  return { encode: (v) => def.responseSerialize(v), decode: (b) => def.responseDeserialize(b) };
};

/** Generated → bytes → proto-loader gives `plain`; `plain` → bytes → generated gives `message` back. */
function checkBothWays<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
  codec: Codec,
  plain: object,
): void {
  assert.deepEqual(codec.decode(Buffer.from(toBinary(schema, message))), plain);
  const back = fromBinary(schema, codec.encode(plain));
  assert.ok(equals(schema, back, message), `${schema.typeName} differs after proto-loader encoding`);
}

const methodPath = (m: DescMethod): string => `/${m.parent.typeName}/${m.name}`;

test('EnvironmentInfo and RoleInfo (GetEnvironmentReply) agree on every field number', () => {
  const message = create(GetEnvironmentReplySchema, {
    environment: {
      id: '2oDvieFrVTi',
      createdWhen: 1700000000123n,
      state: 'RUNNING',
      tasks: [
        {
          name: 'readout',
          locked: true,
          taskId: 't1',
          status: 'ACTIVE',
          state: 'RUNNING',
          className: 'repo/tasks/readout@abc',
          deploymentInfo: { hostname: 'flp001', agentId: 'a1', offerId: 'o1', executorId: 'e1' },
          pid: '4242',
          sandboxStdout: 'log',
          claimable: true,
          critical: true,
        },
      ],
      rootRole: 'readout-dataflow',
      currentRunNumber: 42,
      defaults: { a: '1' },
      vars: { b: '2' },
      userVars: { hosts: '["flp001"]' },
      numberOfFlps: 1,
      includedDetectors: ['ITS', 'TPC'],
      description: 'demo',
      numberOfHosts: 2,
      integratedServicesData: { odc: '{"state":"ok"}' },
      numberOfTasks: 3,
      currentTransition: 'STOP_ACTIVITY',
      numberOfActiveTasks: 4,
      numberOfInactiveTasks: 5,
    },
    workflow: {
      name: 'root',
      fullPath: 'root',
      taskIds: ['t1'],
      roles: [{ name: 'r' }],
      consolidatedStack: { k: 'v' },
    },
    public: true,
    timestamp: 17n,
  });
  const task = {
    ...{ name: 'readout', locked: true, taskId: 't1', status: 'ACTIVE', state: 'RUNNING' },
    ...{
      className: 'repo/tasks/readout@abc',
      pid: '4242',
      sandboxStdout: 'log',
      claimable: true,
      critical: true,
    },
    deploymentInfo: { hostname: 'flp001', agentId: 'a1', offerId: 'o1', executorId: 'e1' },
  };
  const plain = {
    environment: {
      ...{ id: '2oDvieFrVTi', createdWhen: '1700000000123', state: 'RUNNING', tasks: [task] },
      ...{ rootRole: 'readout-dataflow', currentRunNumber: 42, defaults: { a: '1' }, vars: { b: '2' } },
      ...{
        userVars: { hosts: '["flp001"]' },
        numberOfFlps: 1,
        includedDetectors: ['ITS', 'TPC'],
        description: 'demo',
      },
      ...{ numberOfHosts: 2, integratedServicesData: { odc: '{"state":"ok"}' }, numberOfTasks: 3 },
      ...{ currentTransition: 'STOP_ACTIVITY', numberOfActiveTasks: 4, numberOfInactiveTasks: 5 },
    },
    workflow: {
      name: 'root',
      fullPath: 'root',
      taskIds: ['t1'],
      roles: [{ name: 'r' }],
      consolidatedStack: { k: 'v' },
    },
    public: true,
    timestamp: '17',
  };
  checkBothWays(GetEnvironmentReplySchema, message, response('o2control.Control', 'GetEnvironment'), plain);
});

test('ControlEnvironmentRequest with Optype and an explicitly present optional user id', () => {
  const message = create(ControlEnvironmentRequestSchema, {
    id: '2oDvieFrVTi',
    type: ControlEnvironmentRequest_Optype.START_ACTIVITY,
    requestUser: { externalId: 0, id: 7, name: 'alice@host' },
  });
  const plain = {
    id: '2oDvieFrVTi',
    type: 'START_ACTIVITY',
    requestUser: { externalId: 0, _externalId: 'externalId', id: 7, _id: 'id', name: 'alice@host' },
  };
  const codec = request('o2control.Control', 'ControlEnvironment');
  checkBothWays(ControlEnvironmentRequestSchema, message, codec, plain);
  for (const value of ControlEnvironmentRequest_OptypeSchema.values) {
    const m = create(ControlEnvironmentRequestSchema, { id: 'x', type: value.number });
    checkBothWays(
      ControlEnvironmentRequestSchema,
      m,
      codec,
      value.number === 0 ? { id: 'x' } : { id: 'x', type: value.name },
    );
  }
});

test('events.Event: each oneof payload keeps its field number (Subscribe stream)', () => {
  const codec = response('o2control.Control', 'Subscribe');
  const payloads: JsonObject[] = [
    {
      taskEvent: {
        taskid: 't1',
        traits: { trigger: 'START_ACTIVITY', critical: true },
        environmentId: 'e',
        path: 'a.b',
      },
    },
    { environmentEvent: { environmentId: 'e', runNumber: 9, transitionStatus: 'DONE_OK', vars: { k: 'v' } } },
    {
      environmentEvent: { lastRequestUser: { name: 'u' }, workflowTemplateInfo: { name: 'w', public: true } },
    },
    { roleEvent: { name: 'r', rolePath: 'a.r', environmentId: 'e' } },
    {
      callEvent: {
        func: 'testplugin.Test()',
        callStatus: 'DONE_ERROR',
        return: 'x',
        error: 'boom',
        path: 'a.c',
      },
    },
    {
      integratedServiceEvent: {
        operationName: 'dcs.StartOfRun()',
        operationStepStatus: 'ONGOING',
        payload: '{}',
      },
    },
    {
      runEvent: {
        runNumber: 12,
        transitionStatus: 'STARTED',
        lastRequestUser: { externalId: 60, name: 'LHC' },
      },
    },
    { frameworkEvent: { frameworkId: 'f', message: 'm' } },
    { mesosHeartbeatEvent: {} },
    { coreStartEvent: { frameworkId: 'f' } },
    {
      beamModeEvent: {
        timestamp: '5',
        beamInfo: { stableBeamsStart: '6', fillNumber: 8, beamMode: 'STABLE_BEAMS' },
      },
    },
  ];
  for (const payload of payloads) {
    const message = fromJson(EventSchema, { timestamp: '1700000000000', timestampNano: '2', ...payload });
    const [name] = Object.keys(payload);
    assert.equal(message.Payload.case, name);
    const plain = {
      timestamp: '1700000000000',
      timestampNano: '2',
      ...withUserPresence(payload),
      Payload: name,
    };
    checkBothWays(EventSchema, message, codec, plain);
  }
});

/** proto-loader marks each set proto3 `optional` field of common.User with a synthetic oneof (`_externalId`). */
function withUserPresence(value: JsonObject, inUser = false): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
    out[key] = isObject ? withUserPresence(v, key === 'lastRequestUser') : v;
    if (inUser && (key === 'externalId' || key === 'id')) out[`_${key}`] = key;
  }
  return out;
}

test('occ_pb TransitionRequest and TransitionReply', () => {
  const req = create(TransitionRequestSchema, {
    srcState: 'STANDBY',
    transitionEvent: 'CONFIGURE',
    arguments: [
      { key: 'chans.data.0.address', value: 'tcp://127.0.0.1:9000' },
      { key: 'environment_id', value: 'e1' },
    ],
  });
  checkBothWays(TransitionRequestSchema, req, request('occ_pb.Occ', 'Transition'), {
    srcState: 'STANDBY',
    transitionEvent: 'CONFIGURE',
    arguments: [
      { key: 'chans.data.0.address', value: 'tcp://127.0.0.1:9000' },
      { key: 'environment_id', value: 'e1' },
    ],
  });
  const codec = response('occ_pb.Occ', 'Transition');
  const failed = create(TransitionReplySchema, {
    trigger: StateChangeTrigger.DEVICE_ERROR,
    state: 'ERROR',
    transitionEvent: 'CONFIGURE',
  });
  checkBothWays(TransitionReplySchema, failed, codec, {
    trigger: 'DEVICE_ERROR',
    state: 'ERROR',
    transitionEvent: 'CONFIGURE',
  });
  const ok = create(TransitionReplySchema, { state: 'RUNNING', transitionEvent: 'START', ok: true });
  checkBothWays(TransitionReplySchema, ok, codec, { state: 'RUNNING', transitionEvent: 'START', ok: true });
});

test('axle.agent.v1 AgentMessage and CoreMessage', () => {
  const hello = create(AgentMessageSchema, {
    kind: {
      case: 'hello',
      value: {
        ...{
          host: 'flp001',
          agentId: 'a1',
          cpu: 8,
          memoryMb: 16384.5,
          attributes: { role: 'flp' },
          version: '0.1.0',
        },
        tasks: [
          { taskId: 't1', environmentId: 'e1', state: 'RUNNING', pid: 99, endpoints: { out: 'ipc://@x' } },
        ],
      },
    },
  });
  checkBothWays(AgentMessageSchema, hello, request('axle.agent.v1.AgentService', 'Connect'), {
    hello: {
      ...{
        host: 'flp001',
        agent_id: 'a1',
        cpu: 8,
        memory_mb: 16384.5,
        attributes: { role: 'flp' },
        version: '0.1.0',
      },
      tasks: [
        { task_id: 't1', environment_id: 'e1', state: 'RUNNING', pid: 99, endpoints: { out: 'ipc://@x' } },
      ],
    },
    kind: 'hello',
  });
  const launch = create(CoreMessageSchema, {
    kind: {
      case: 'command',
      value: {
        id: 'c1',
        op: {
          case: 'launch',
          value: {
            ...{
              taskId: 't1',
              environmentId: 'e1',
              name: 'readout',
              path: 'a.readout',
              controlMode: 'direct',
            },
            command: { value: 'readout', arguments: ['--rate', '10'], env: ['A=1'], user: 'u', shell: true },
            binds: [{ channel: 'out', addressing: 'tcp', target: '' }],
            ...{ simulated: true, timeoutMs: 30000n, labels: { l: 'v' } },
          },
        },
      },
    },
  });
  checkBothWays(CoreMessageSchema, launch, response('axle.agent.v1.AgentService', 'Connect'), {
    command: {
      id: 'c1',
      launch: {
        ...{
          task_id: 't1',
          environment_id: 'e1',
          name: 'readout',
          path: 'a.readout',
          control_mode: 'direct',
        },
        command: { value: 'readout', arguments: ['--rate', '10'], env: ['A=1'], user: 'u', shell: true },
        binds: [{ channel: 'out', addressing: 'tcp' }],
        ...{ simulated: true, timeout_ms: '30000', labels: { l: 'v' } },
      },
      op: 'launch',
    },
    kind: 'command',
  });
});

test('full method names and streaming kinds match between generated services and the .proto files', () => {
  assert.equal(methodPath(Control.method.newEnvironment), '/o2control.Control/NewEnvironment');
  assert.equal(methodPath(Occ.method.transition), '/occ_pb.Occ/Transition');
  assert.equal(methodPath(AgentService.method.connect), '/axle.agent.v1.AgentService/Connect');
  assert.equal(Control.method.subscribe.methodKind, 'server_streaming');
  assert.equal(AgentService.method.connect.methodKind, 'bidi_streaming');
  assert.equal(Control.methods.length, 26);
  const services: DescService[] = [Control, Occ, AgentService];
  for (const service of services) {
    const loaded = definition[service.typeName] as protoLoader.ServiceDefinition;
    assert.equal(Object.keys(loaded).length, service.methods.length, service.typeName);
    for (const m of service.methods) {
      const def = rpc(service.typeName, m.name);
      assert.equal(def.path, methodPath(m));
      assert.equal(
        def.requestStream,
        m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming',
      );
      assert.equal(
        def.responseStream,
        m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming',
      );
    }
  }
});
