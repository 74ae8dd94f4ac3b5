/**
 * Runs a call role's `func` (an expression such as `testplugin.Test()` or `dcs.StartOfRun()`) against the registered
 * plugins. A call that exceeds its timeout fails with "timed out" (the plugin is told the timeout via `__call_timeout`).
 */
import type { CallDescriptor } from '../common/plan.ts';
import type { CallResult, CallRunner } from '../environment/hooks.ts';
import { calleeName } from '../template/expr/ast.ts';
import { parseExpression } from '../template/expr/parser.ts';
import type { Plugin } from './plugin.ts';

export type { Plugin, PluginCallContext, PluginFunction } from './plugin.ts';

export function createCallRunner(plugins: readonly Plugin[]): CallRunner {
  const byId = new Map(plugins.flatMap((p) => p.ids.map((id) => [id, p] as const)));
  return async (call, vars, emit) => {
    const target = callTarget(call.func);
    if (typeof target === 'string') return { ok: false, output: '', error: target };
    const plugin = byId.get(target.plugin);
    if (plugin === undefined)
      return {
        ok: false,
        output: '',
        error: `unknown plugin "${target.plugin}" in ${call.func} (known: ${[...byId.keys()].join(', ')})`,
      };
    const f = plugin.functions[target.fn];
    if (f === undefined)
      return { ok: false, output: '', error: `plugin ${target.plugin} has no function ${target.fn}` };
    return withTimeout(call, (signal) => f({ call, vars, signal, timeoutMs: call.timeoutMs, emit }));
  };
}

/** `plugin.Function(...)` of a call func, or an error message. */
export function callTarget(func: string): { plugin: string; fn: string } | string {
  try {
    const ast = parseExpression(func);
    const name = ast.kind === 'call' ? calleeName(ast.callee) : undefined;
    const dot = name?.indexOf('.') ?? -1;
    if (name === undefined || dot <= 0)
      return `call func "${func}" must be a plugin call such as testplugin.Noop()`;
    return { plugin: name.slice(0, dot), fn: name.slice(dot + 1) };
  } catch (e: unknown) {
    return `call func "${func}": ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function withTimeout(
  call: CallDescriptor,
  run: (signal: AbortSignal) => Promise<CallResult>,
): Promise<CallResult> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CallResult>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve({ ok: false, output: '', error: `${call.func} timed out after ${call.timeoutMs} ms` });
    }, call.timeoutMs);
  });
  try {
    return await Promise.race([run(ac.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
