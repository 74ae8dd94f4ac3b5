/**
 * The configuration for a planning worker thread: ConfigSource is synchronous, so the worker asks the main thread
 * over a MessagePort and blocks on a shared flag (Atomics.wait) until the answer is there; the main thread answers
 * from its own ConfigSource (cached, synchronous). Errors come back as ConfigError with their key.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ConfigError } from '../common/config-source.ts';
import type { ConfigSource } from '../common/config-source.ts';

/** What the worker needs to build its ConfigSource (sent in workerData; `port` is transferred). */
export interface ConfigBridgeEnd {
  readonly port: MessagePort;
  readonly flag: SharedArrayBuffer;
  readonly uri: string;
  readonly hasListDetectors: boolean;
}

interface Call {
  readonly method: string;
  readonly args: unknown[];
}

type Answer = { ok: true; value: unknown } | { ok: false; message: string; key: string };

const METHODS = [
  'getDefaults',
  'getVars',
  'getComponentConfiguration',
  'resolveComponentQuery',
  'detectorForHost',
  'listDetectors',
  'detectorsForHosts',
  'cruCardsForHost',
  'endpointsForCruCard',
  'getRuntimeEntry',
  'setRuntimeEntry',
] as const;

/** Answers the worker's calls on `port` from `config` (main thread side). */
export function serveConfig(config: ConfigSource, port: MessagePort, flag: SharedArrayBuffer): void {
  const signal = new Int32Array(flag);
  port.on('message', (call: Call) => {
    port.postMessage(answer(config, call));
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
}

function answer(config: ConfigSource, call: Call): Answer {
  try {
    if (!(METHODS as readonly string[]).includes(call.method)) throw new Error(`no method ${call.method}`);
    const f = (config as unknown as Record<string, (...a: unknown[]) => unknown>)[call.method];
    if (f === undefined) throw new Error(`the configuration has no ${call.method}`);
    return { ok: true, value: f.apply(config, call.args) };
  } catch (e: unknown) {
    return {
      ok: false,
      message: e instanceof Error ? e.message : String(e),
      key: e instanceof ConfigError ? e.key : call.method,
    };
  }
}

/** A ConfigSource in the worker that asks the main thread synchronously (worker side). */
export function bridgedConfig(end: ConfigBridgeEnd, timeoutMs = 30_000): ConfigSource {
  const signal = new Int32Array(end.flag);
  const call = (method: string, ...args: unknown[]): unknown => {
    Atomics.store(signal, 0, 0);
    end.port.postMessage({ method, args } satisfies Call);
    if (Atomics.wait(signal, 0, 0, timeoutMs) === 'timed-out')
      throw new ConfigError(`the configuration did not answer ${method} within ${timeoutMs} ms`, method);
    const reply = receiveMessageOnPort(end.port)?.message as Answer | undefined;
    if (reply === undefined) throw new ConfigError(`no answer from the configuration for ${method}`, method);
    if (!reply.ok) throw new ConfigError(reply.message, reply.key);
    return reply.value;
  };
  const source: ConfigSource = {
    uri: end.uri,
    getDefaults: () => call('getDefaults') as Record<string, string>,
    getVars: () => call('getVars') as Record<string, string>,
    getComponentConfiguration: (path, process, varStack) =>
      call('getComponentConfiguration', path, process, varStack) as string,
    resolveComponentQuery: (c, r, role, e) => call('resolveComponentQuery', c, r, role, e) as string,
    detectorForHost: (host) => call('detectorForHost', host) as string,
    detectorsForHosts: (hosts) => call('detectorsForHosts', hosts) as string[],
    cruCardsForHost: (host) => call('cruCardsForHost', host) as string[],
    endpointsForCruCard: (host, serial) => call('endpointsForCruCard', host, serial) as string[],
    getRuntimeEntry: (c, k) => call('getRuntimeEntry', c, k) as string,
    setRuntimeEntry: (c, k, v) => void call('setRuntimeEntry', c, k, v),
  };
  return end.hasListDetectors
    ? { ...source, listDetectors: (all) => call('listDetectors', all) as string[] }
    : source;
}
