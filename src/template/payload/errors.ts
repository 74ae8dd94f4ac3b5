/**
 * The one error of the payload template engine. `kind` says what went wrong: the text does not parse, evaluation
 * failed, or a work/size limit was hit. `entry` is the template that failed (the innermost one, for includes).
 */
export type PayloadErrorKind = 'syntax' | 'render' | 'limit';

export class PayloadTemplateError extends Error {
  override readonly name = 'PayloadTemplateError';
  constructor(
    readonly kind: PayloadErrorKind,
    readonly entry: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${entry} line ${line}: ${detail}`);
  }
}

/** A failure raised deep inside evaluation before the entry and line are known; the renderer adds them. */
export class EvalFailure extends Error {
  override readonly name = 'EvalFailure';
  constructor(
    readonly kind: 'render' | 'limit',
    message: string,
  ) {
    super(message);
  }
}

/** Shorthand for a render-time failure. */
export function fail(message: string): never {
  throw new EvalFailure('render', message);
}
