/** Core events → `events.Event` (timestamps in ms and ns, one oneof case per kind). */
import { create } from '@bufbuild/protobuf';
import type { OpStatus, RequestUser, StampedEvent } from '../environment/events.ts';
import { EventSchema, OpStatus as WireOpStatus } from '../gen/protos/events_pb.ts';
import type { Event } from '../gen/protos/events_pb.ts';

const status = (s: OpStatus): WireOpStatus => WireOpStatus[s];

const user = (
  u: RequestUser | undefined,
): { lastRequestUser?: { name: string; id?: number; externalId?: number } } =>
  u === undefined
    ? {}
    : {
        lastRequestUser: {
          name: u.name,
          ...(u.id !== undefined ? { id: u.id } : {}),
          ...(u.externalId !== undefined ? { externalId: u.externalId } : {}),
        },
      };

export function toWireEvent(s: StampedEvent): Event {
  const e = s.event;
  const base = { timestamp: BigInt(s.timeMs), timestampNano: BigInt(s.timeMs) * 1_000_000n };
  switch (e.kind) {
    case 'environment':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'environmentEvent',
          value: {
            environmentId: e.environmentId,
            state: e.state,
            runNumber: e.runNumber,
            error: e.error ?? '',
            message: e.message,
            transition: e.transition ?? '',
            transitionStep: e.transitionStep ?? '',
            transitionStatus: status(e.transitionStatus),
            vars: { ...e.vars },
            ...user(e.lastRequestUser),
          },
        },
      });
    case 'task':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'taskEvent',
          value: {
            name: e.name,
            taskid: e.taskId,
            state: e.state,
            status: e.status,
            hostname: e.hostname,
            className: e.className,
            environmentId: e.environmentId,
            path: e.path,
            ...(e.traits ? { traits: e.traits } : {}),
          },
        },
      });
    case 'role':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'roleEvent',
          value: {
            name: e.name,
            status: e.status,
            state: e.state,
            rolePath: e.rolePath,
            environmentId: e.environmentId,
          },
        },
      });
    case 'call':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'callEvent',
          value: {
            func: e.func,
            callStatus: status(e.callStatus),
            return: e.return ?? '',
            traits: e.traits,
            output: e.output ?? '',
            error: e.error ?? '',
            environmentId: e.environmentId,
            path: e.path,
          },
        },
      });
    case 'run':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'runEvent',
          value: {
            environmentId: e.environmentId,
            runNumber: e.runNumber,
            state: e.state,
            error: e.error ?? '',
            transition: e.transition,
            transitionStatus: status(e.transitionStatus),
            ...user(e.lastRequestUser),
          },
        },
      });
    case 'integratedService':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'integratedServiceEvent',
          value: {
            name: e.name,
            error: e.error ?? '',
            operationName: e.operationName,
            operationStatus: status(e.operationStatus),
            operationStep: e.operationStep,
            operationStepStatus: status(e.operationStepStatus),
            environmentId: e.environmentId,
            payload: e.payload,
          },
        },
      });
    case 'lock':
      return create(EventSchema, {
        ...base,
        Payload: {
          case: 'lockEvent',
          value: {
            detector: e.detector,
            action: e.action,
            holder: e.holder,
            previousHolder: e.previousHolder,
            user: e.user,
          },
        },
      });
  }
}
