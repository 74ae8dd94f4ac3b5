/**
 * gRPC server reflection (`grpc.reflection.v1` and `v1alpha`), so that grpcurl, Postman and the like can list the
 * core's services and fetch their descriptors without local .proto files.
 */
import type { ConnectRouter } from '@connectrpc/connect';
import { Code } from '@connectrpc/connect';
import type { DescFile } from '@bufbuild/protobuf';
import { toBinary } from '@bufbuild/protobuf';
import type { GenFile } from '@bufbuild/protobuf/codegenv2';
import { nestedTypes } from '@bufbuild/protobuf/reflect';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { file_axle_agent_v1_agent } from '../gen/axle/agent/v1/agent_pb.ts';
import { file_grpc_health_v1_health } from '../gen/grpc/health/v1/health_pb.ts';
import {
  file_grpc_reflection_v1_reflection,
  ServerReflection,
} from '../gen/grpc/reflection/v1/reflection_pb.ts';
import {
  file_grpc_reflection_v1alpha_reflection,
  ServerReflection as ServerReflectionAlpha,
} from '../gen/grpc/reflection/v1alpha/reflection_pb.ts';
import { file_axle_cluster_v1_cluster } from '../gen/axle/cluster/v1/cluster_pb.ts';
import { file_axle_locks_v1_locks } from '../gen/axle/locks/v1/locks_pb.ts';
import { file_axle_audit_v1_audit } from '../gen/axle/audit/v1/audit_pb.ts';
import { file_protos_common } from '../gen/protos/common_pb.ts';
import { file_protos_events } from '../gen/protos/events_pb.ts';
import { file_protos_o2control } from '../gen/protos/o2control_pb.ts';

/** The files the core serves: the control API, the agent protocol, health and reflection. */
export const CORE_PROTO_FILES: readonly GenFile[] = [
  file_protos_o2control,
  file_protos_events,
  file_protos_common,
  file_axle_agent_v1_agent,
  file_axle_cluster_v1_cluster,
  file_axle_locks_v1_locks,
  file_axle_audit_v1_audit,
  file_grpc_health_v1_health,
  file_grpc_reflection_v1_reflection,
  file_grpc_reflection_v1alpha_reflection,
];

/** Always listed, whatever the caller passes: the core serves them on every port. */
const BUILT_IN: readonly DescFile[] = [
  file_grpc_health_v1_health,
  file_grpc_reflection_v1_reflection,
  file_grpc_reflection_v1alpha_reflection,
];

/** A reflection request of either version (they share their shape). */
interface ReflectionRequest {
  readonly host: string;
  readonly messageRequest:
    | {
        readonly case:
          'fileByFilename' | 'fileContainingSymbol' | 'allExtensionNumbersOfType' | 'listServices';
        readonly value: string;
      }
    | {
        readonly case: 'fileContainingExtension';
        readonly value: { readonly containingType: string; readonly extensionNumber: number };
      }
    | { readonly case: undefined; readonly value?: undefined };
}

type Answer =
  | { case: 'fileDescriptorResponse'; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: 'allExtensionNumbersResponse'; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: 'listServicesResponse'; value: { service: { name: string }[] } }
  | { case: 'errorResponse'; value: { errorCode: number; errorMessage: string } };

/** A reflection response of either version, as an init object. */
interface ReflectionResponse {
  validHost: string;
  originalRequest: ReflectionRequest;
  messageResponse: Answer;
}

/** Lookup tables over a set of files and, transitively, their imports. */
interface Index {
  readonly byName: Map<string, DescFile>;
  readonly bySymbol: Map<string, DescFile>;
  /** `extendee:number` → declaring file; and extendee → its extension numbers. */
  readonly byExtension: Map<string, DescFile>;
  readonly extensionNumbers: Map<string, number[]>;
  readonly services: string[];
}

/**
 * Routes for both reflection services over `files` (plus health and reflection). File requests answer the file first,
 * then its transitive imports, each a serialized FileDescriptorProto; unknown names answer error_response NOT_FOUND.
 */
export function reflectionRoutes(files: readonly GenFile[]): (router: ConnectRouter) => void {
  const index = buildIndex([...files, ...BUILT_IN]);
  const impl = {
    async *serverReflectionInfo(requests: AsyncIterable<ReflectionRequest>) {
      for await (const req of requests) yield answerReflection(index, req);
    },
  };
  return (router) => {
    router.service(ServerReflection, impl);
    router.service(ServerReflectionAlpha, impl);
  };
}

function answerReflection(index: Index, req: ReflectionRequest): ReflectionResponse {
  return { validHost: req.host, originalRequest: plainRequest(req), messageResponse: answer(index, req) };
}

function answer(index: Index, req: ReflectionRequest): Answer {
  const m = req.messageRequest;
  switch (m.case) {
    case 'listServices':
      return { case: 'listServicesResponse', value: { service: index.services.map((name) => ({ name })) } };
    case 'fileByFilename':
      return files(index.byName.get(m.value), `file ${m.value} not found`);
    case 'fileContainingSymbol':
      return files(index.bySymbol.get(m.value.replace(/^\./, '')), `symbol ${m.value} not found`);
    case 'fileContainingExtension': {
      const { containingType, extensionNumber } = m.value;
      const file = index.byExtension.get(`${containingType}:${extensionNumber}`);
      return files(file, `extension ${extensionNumber} of ${containingType} not found`);
    }
    case 'allExtensionNumbersOfType':
      if (!index.bySymbol.has(m.value)) return notFound(`type ${m.value} not found`);
      return {
        case: 'allExtensionNumbersResponse',
        value: { baseTypeName: m.value, extensionNumber: index.extensionNumbers.get(m.value) ?? [] },
      };
    case undefined:
      return {
        case: 'errorResponse',
        value: { errorCode: Code.InvalidArgument, errorMessage: 'empty request' },
      };
  }
}

function files(file: DescFile | undefined, missing: string): Answer {
  if (file === undefined) return notFound(missing);
  const fileDescriptorProto = withImports(file).map((f) => toBinary(FileDescriptorProtoSchema, f.proto));
  return { case: 'fileDescriptorResponse', value: { fileDescriptorProto } };
}

function notFound(errorMessage: string): Answer {
  return { case: 'errorResponse', value: { errorCode: Code.NotFound, errorMessage } };
}

/** The file, then every file it imports transitively, each once. */
function withImports(file: DescFile): DescFile[] {
  const out = new Map<string, DescFile>();
  const visit = (f: DescFile): void => {
    if (out.has(f.proto.name)) return;
    out.set(f.proto.name, f);
    f.dependencies.forEach(visit);
  };
  visit(file);
  return [...out.values()];
}

/** Copies the request without its version's type name, so it fits either response type. */
function plainRequest(req: ReflectionRequest): ReflectionRequest {
  const m = req.messageRequest;
  if (m.case === 'fileContainingExtension')
    return {
      host: req.host,
      messageRequest: {
        case: m.case,
        value: { containingType: m.value.containingType, extensionNumber: m.value.extensionNumber },
      },
    };
  return { host: req.host, messageRequest: m };
}

/** Indexes `roots` and their imports by file name, symbol, extension and service. */
function buildIndex(roots: readonly DescFile[]): Index {
  const index: Index = {
    byName: new Map(),
    bySymbol: new Map(),
    byExtension: new Map(),
    extensionNumbers: new Map(),
    services: [],
  };
  for (const root of roots)
    for (const file of withImports(root)) if (!index.byName.has(file.proto.name)) addFile(index, file);
  return index;
}

function addFile(index: Index, file: DescFile): void {
  index.byName.set(file.proto.name, file);
  for (const t of nestedTypes(file)) {
    index.bySymbol.set(t.typeName, file);
    if (t.kind === 'service') {
      index.services.push(t.typeName);
      for (const method of t.methods) index.bySymbol.set(`${t.typeName}.${method.name}`, file);
    } else if (t.kind === 'extension') {
      index.byExtension.set(`${t.extendee.typeName}:${t.number}`, file);
      index.extensionNumbers.set(t.extendee.typeName, [
        ...(index.extensionNumbers.get(t.extendee.typeName) ?? []),
        t.number,
      ]);
    }
  }
}
