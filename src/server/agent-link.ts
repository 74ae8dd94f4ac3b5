/**
 * One connected agent, as the core sees it: its Hello, the stream to send commands on, and the commands awaiting a
 * result. A command whose agent disconnects resolves with an error naming the host.
 */
import { create } from '@bufbuild/protobuf';
import type { AsyncQueue } from '../common/async-queue.ts';
import {
  CommandSchema,
  CoreMessageSchema,
  KillBatchSchema,
  LaunchBatchSchema,
  TransitionBatchSchema,
} from '../gen/axle/agent/v1/agent_pb.ts';
import type {
  Command,
  CommandResult,
  CoreMessage,
  Hello,
  Kill,
  Launch,
  Transition,
} from '../gen/axle/agent/v1/agent_pb.ts';
import { Liveness } from './liveness.ts';

type Op = Command['op'];

/** Many operations in one command, answered by one CommandResults (ids `<command id>.<index>`). */
export type Batch =
  | {
      readonly case: 'transitionBatch';
      readonly items: readonly Transition[];
      readonly shared?: Readonly<Record<string, string>>;
    }
  | { readonly case: 'launchBatch'; readonly items: readonly Launch[] }
  | { readonly case: 'killBatch'; readonly items: readonly Kill[] };

export class AgentLink {
  readonly tasks = new Set<string>();
  readonly connectedAt = Date.now();
  readonly liveness = new Liveness(this.connectedAt);
  private readonly waiting = new Map<string, (r: CommandResult | Error) => void>();
  private next = 0;

  constructor(
    readonly hello: Hello,
    private readonly out: AsyncQueue<CoreMessage>,
  ) {}

  get host(): string {
    return this.hello.host;
  }

  /** Sends a command and resolves with its result, or an Error after `timeoutMs` or when the agent goes away. */
  send(op: Op, timeoutMs: number): Promise<CommandResult | Error> {
    const id = `${this.hello.agentId}-${++this.next}`;
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.settle(id, new Error(`agent on ${this.host} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.out.push(
        create(CoreMessageSchema, { kind: { case: 'command', value: create(CommandSchema, { id, op }) } }),
      );
    });
  }

  /** Sends a batch as one command; resolves with one result (or Error) per item, in order. */
  sendBatch(batch: Batch, timeoutMs: number): Promise<(CommandResult | Error)[]> {
    const id = `${this.hello.agentId}-${++this.next}`;
    const count = batch.items.length;
    const waits = batch.items.map(
      (_, i) =>
        new Promise<CommandResult | Error>((resolve) => {
          this.waiting.set(`${id}.${i}`, resolve);
        }),
    );
    const timer = setTimeout(() => {
      for (let i = 0; i < count; i++)
        this.settle(`${id}.${i}`, new Error(`agent on ${this.host} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const op = batchOp(batch);
    this.out.push(
      create(CoreMessageSchema, { kind: { case: 'command', value: create(CommandSchema, { id, op }) } }),
    );
    return Promise.all(waits).finally(() => clearTimeout(timer));
  }

  settle(commandId: string, r: CommandResult | Error): void {
    const w = this.waiting.get(commandId);
    if (w === undefined) return;
    this.waiting.delete(commandId);
    w(r);
  }

  /** Fails every pending command (the agent is gone). */
  close(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, new Error(reason));
    this.out.close();
  }
}

function batchOp(batch: Batch): Op {
  switch (batch.case) {
    case 'launchBatch':
      return { case: 'launchBatch', value: create(LaunchBatchSchema, { launches: [...batch.items] }) };
    case 'killBatch':
      return { case: 'killBatch', value: create(KillBatchSchema, { kills: [...batch.items] }) };
    case 'transitionBatch':
      return {
        case: 'transitionBatch',
        value: create(TransitionBatchSchema, {
          transitions: [...batch.items],
          ...(batch.shared === undefined ? {} : { sharedArguments: batch.shared }),
        }),
      };
  }
}
