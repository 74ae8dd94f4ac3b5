/**
 * What library functions need of the evaluation context's variables (structurally the workflow engine's VarView).
 */
export interface VarSource {
  /** The variable's value, or undefined when it is not defined. */
  get(name: string): string | undefined;
  /** All visible variables, flattened with precedence applied (the var stack given to config.Get). */
  toRecord(): Readonly<Record<string, string>>;
}
