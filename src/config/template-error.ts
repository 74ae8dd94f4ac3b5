/**
 * Turning payload template failures into ConfigError messages that name the failing entry and its 1-based line:
 * `template syntax error in <entry> line <n>: …` for text that does not parse, `template error in <entry> line
 * <n>: …` for evaluation failures and exceeded limits (the innermost entry, for includes).
 * @module
 */
import { ConfigError } from '../common/config-source.ts';
import { PayloadTemplateError } from '../template/payload/index.ts';

/** ConfigError for the payload at `path` that does not parse. */
export function syntaxError(path: string, error: unknown): ConfigError {
  if (error instanceof PayloadTemplateError) {
    return new ConfigError(
      `template syntax error in ${error.entry} line ${error.line}: ${error.detail}`,
      error.entry,
    );
  }
  return new ConfigError(`template syntax error in ${path}: ${messageOf(error)}`, path);
}

/**
 * ConfigError for a failed render of `requested`. A ConfigError raised while loading an include (missing entry,
 * syntax error) is kept and marked with the entry that was requested; an evaluation failure names the innermost
 * entry that failed and its line.
 */
export function renderError(requested: string, error: unknown): ConfigError {
  if (error instanceof ConfigError) {
    if (error.key === requested) return error;
    return new ConfigError(`${error.message} (included from ${requested})`, error.key);
  }
  if (error instanceof PayloadTemplateError) {
    return new ConfigError(
      `template error in ${error.entry} line ${error.line}: ${error.detail}`,
      error.entry,
    );
  }
  return new ConfigError(`template error in ${requested}: ${messageOf(error)}`, requested);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
