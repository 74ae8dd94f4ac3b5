/**
 * The one error type of the repository layer. Raised for unknown repositories or revisions, duplicate adds and
 * failed git commands; `repo` names the repository id when one is concerned, `command`/`stderr` carry git's own
 * words when git failed.
 */
export class RepoError extends Error {
  override readonly name = 'RepoError';
  readonly repo?: string;
  /** The git command line that failed, e.g. `git fetch --prune --tags origin`. */
  readonly command?: string;
  /** git's standard error, trimmed. */
  readonly stderr?: string;

  constructor(
    message: string,
    details: { repo?: string; command?: string; stderr?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.repo !== undefined) this.repo = details.repo;
    if (details.command !== undefined) this.command = details.command;
    if (details.stderr !== undefined) this.stderr = details.stderr;
  }

  /** The same error, now naming the repository it concerns. */
  withRepo(repo: string): RepoError {
    if (this.repo !== undefined) return this;
    return new RepoError(`${repo}: ${this.message}`, {
      repo,
      ...(this.command !== undefined ? { command: this.command } : {}),
      ...(this.stderr !== undefined ? { stderr: this.stderr } : {}),
      cause: this,
    });
  }
}
