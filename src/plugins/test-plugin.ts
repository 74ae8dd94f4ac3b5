/**
 * The built-in test plugin (AliECS `testplugin`): `Noop()` succeeds at once; `Test()` waits `testplugin_delay` (Go
 * duration, default 0), then fails when `testplugin_fail` is true, or never returns when `testplugin_hang` is true;
 * its output is `testplugin_message` (default "test call ok"). `CallOrderObserver()` and `TimestampObserver()` return
 * the call's path and the time, for ordering tests.
 */
import { parseDuration } from '../common/duration.ts';
import type { Plugin, PluginCallContext } from './call-runner.ts';
import type { CallResult } from '../environment/hooks.ts';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

async function test(ctx: PluginCallContext): Promise<CallResult> {
  const v = ctx.vars;
  await sleep(parseDuration(v['testplugin_delay'] ?? '0') ?? 0, ctx.signal);
  if (v['testplugin_hang'] === 'true')
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  if (v['testplugin_fail'] === 'true')
    return {
      ok: false,
      output: '',
      error: v['testplugin_message'] ?? 'test call failed as asked (testplugin_fail)',
    };
  return { ok: true, output: v['testplugin_message'] ?? 'test call ok' };
}

export const testPlugin: Plugin = {
  ids: ['testplugin', 'test'],
  functions: {
    Noop: () => Promise.resolve({ ok: true, output: '' }),
    Test: test,
    CallOrderObserver: (ctx) => Promise.resolve({ ok: true, output: ctx.call.path }),
    TimestampObserver: () => Promise.resolve({ ok: true, output: String(Date.now()) }),
  },
};
