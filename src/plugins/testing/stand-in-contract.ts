/**
 * The contract every stand-in keeps (run by each stand-in's test): it records each request with its method and
 * fields, and on request delays, fails with a gRPC status, answers a given reply, or hangs until the client gives up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, ConnectError } from '@connectrpc/connect';
import { timeScale } from '../../common/testing/time-scale.ts';
import type { StandIn } from './stand-in.ts';

export interface ContractSubject {
  readonly start: () => Promise<StandIn>;
  /** A unary method of the service and how to send it (with a deadline), returning the reply as JSON. */
  readonly method: string;
  readonly send: (s: StandIn, timeoutMs: number) => Promise<unknown>;
  /** What the recorded request of `send` looks like. */
  readonly recorded: unknown;
  /** A reply to force with `behave({ reply })`, and how it comes back from `send`. */
  readonly reply: { readonly init: Record<string, unknown>; readonly json: unknown };
}

export function standInContract(name: string, subject: ContractSubject): void {
  const withStandIn = async (f: (s: StandIn) => Promise<void>): Promise<void> => {
    const s = await subject.start();
    try {
      await f(s);
    } finally {
      await s.stop();
    }
  };
  const limit = 5_000 * timeScale();

  test(`${name} stand-in records every request with its fields`, () =>
    withStandIn(async (s) => {
      await subject.send(s, limit);
      await subject.send(s, limit);
      assert.deepEqual(s.methods(), [subject.method, subject.method]);
      assert.deepEqual(s.requests[0]?.request, subject.recorded);
    }));

  test(`${name} stand-in delays, answers a forced reply, fails and hangs when told`, () =>
    withStandIn(async (s) => {
      s.behave(subject.method, { delayMs: 200 });
      const t0 = Date.now();
      await subject.send(s, limit);
      assert.ok(Date.now() - t0 >= 190, 'the answer came after the delay');
      s.behave(subject.method, { reply: subject.reply.init });
      assert.deepEqual(await subject.send(s, limit), subject.reply.json);
      s.behave(subject.method, { fail: { code: Code.FailedPrecondition, message: 'told to fail' } });
      await assert.rejects(subject.send(s, limit), (e: unknown) => {
        const err = ConnectError.from(e);
        return err.code === Code.FailedPrecondition && err.rawMessage === 'told to fail';
      });
      s.behave(subject.method, { hang: true });
      const t1 = Date.now();
      await assert.rejects(
        subject.send(s, 300),
        (e: unknown) => ConnectError.from(e).code === Code.DeadlineExceeded,
      );
      assert.ok(Date.now() - t1 < limit, 'the client gave up at its deadline');
      s.reset();
      await subject.send(s, limit);
      assert.equal(s.requests.length, 5, 'every request was recorded, the failed and hanging ones too');
    }));
}
