/**
 * The one error type of the repository layer. Raised for unknown repositories or revisions, duplicate adds and
 * failed git commands; `repo` names the repository id when one is concerned, `command`/`stderr` carry git's own
 * words when git failed.
 */
/**
 * What kind of failure: `invalid_argument` (bad or unusable input, a failed git command) or `deadline_exceeded`
 * (the caller's deadline passed: git was killed, or a queued operation was dropped without being applied).
 */
export type RepoErrorCode = 'invalid_argument' | 'deadline_exceeded';

export class RepoError extends Error {
  override readonly name = 'RepoError';
  readonly code: RepoErrorCode;
  readonly repo?: string;
  /** The git command line that failed, e.g. `git fetch --prune --tags origin`. */
  readonly command?: string;
  /** git's standard error, trimmed. */
  readonly stderr?: string;

  constructor(
    message: string,
    details: { repo?: string; command?: string; stderr?: string; cause?: unknown; code?: RepoErrorCode } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code ?? 'invalid_argument';
    if (details.repo !== undefined) this.repo = details.repo;
    if (details.command !== undefined) this.command = details.command;
    if (details.stderr !== undefined) this.stderr = details.stderr;
  }

  /** The same error, now naming the repository it concerns. */
  withRepo(repo: string): RepoError {
    if (this.repo !== undefined) return this;
    return new RepoError(`${repo}: ${this.message}`, {
      repo,
      code: this.code,
      ...(this.command !== undefined ? { command: this.command } : {}),
      ...(this.stderr !== undefined ? { stderr: this.stderr } : {}),
      cause: this,
    });
  }
}
