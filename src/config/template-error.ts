/**
 * Turning nunjucks errors into ConfigError messages that name the failing entry and its 1-based line.
 * nunjucks reports parser errors with 1-based lines but render-time errors with 0-based ones, and nests errors of
 * included templates through `cause`; this file hides both quirks.
 * @module
 */
import { ConfigError } from '../common/config-source.ts';

interface TemplateErrorLike {
  readonly message: string;
  readonly lineno?: unknown;
  readonly cause?: unknown;
}

/** ConfigError for a payload that does not parse; `error` is the TemplateError thrown by compilation. */
export function syntaxError(path: string, error: unknown): ConfigError {
  const e = asErrorLike(error);
  const line = typeof e.lineno === 'number' && e.lineno > 0 ? ` line ${e.lineno}` : '';
  return new ConfigError(`template syntax error in ${path}${line}: ${stripLocation(e.message)}`, path);
}

/**
 * ConfigError for a failed render of `requested`. A ConfigError raised while loading an include (missing entry,
 * syntax error) is kept and marked with the entry that included it; any other error names the innermost template
 * that failed and its line.
 */
export function renderError(requested: string, error: unknown): ConfigError {
  const raw = causeChain(error);
  const config = raw.find((e): e is ConfigError => e instanceof ConfigError);
  if (config !== undefined) {
    if (config.key === requested) return config;
    return new ConfigError(`${config.message} (included from ${requested})`, config.key);
  }
  const chain = raw.map(asErrorLike);
  const located = chain.filter((e) => typeof e.lineno === 'number').at(-1);
  const root = chain.at(-1) ?? asErrorLike(error);
  const path = located === undefined ? requested : (innermostPath(located.message) ?? requested);
  const line = typeof located?.lineno === 'number' ? ` line ${located.lineno + 1}` : '';
  return new ConfigError(`template error in ${path}${line}: ${stripLocation(root.message)}`, path);
}

/** `error`, its cause, the cause's cause, ... (bounded, in case of a cycle). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && chain.length < 64; e = asErrorLike(e).cause) {
    chain.push(e);
  }
  return chain;
}

function asErrorLike(value: unknown): TemplateErrorLike {
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const v = value as { message: unknown; lineno?: unknown; cause?: unknown };
    return { message: String(v.message), lineno: v.lineno, cause: v.cause };
  }
  return { message: String(value) };
}

/** The last `(path)` marker nunjucks prefixed to the message: the innermost template. */
function innermostPath(message: string): string | undefined {
  return [...message.matchAll(/\(([^()\n]+)\)/g)].at(-1)?.[1];
}

/** The original message without nunjucks' `(path) [Line n, Column m]` prefixes and error-name prefix. */
function stripLocation(message: string): string {
  const lines = message.split('\n').map((l) => l.trim());
  const last = lines.filter((l) => l !== '' && !/^\([^()]*\)( \[Line.*\])?$/.test(l)).at(-1) ?? message;
  return last.replace(/^(Template render error: \([^()]*\)\s*)*/, '').replace(/^\w*Error: /, '');
}
