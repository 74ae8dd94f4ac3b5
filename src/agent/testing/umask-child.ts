/** Test support: runs a module's `main` in a child Node process whose umask is 000, and waits for it. */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Runs `node --import tsx` with umask 000 and `code` as an ES module body (it may `await` and `import()` modules by
 * {@link moduleUrl}). Resolves with the child's stdout; rejects with its stderr when it fails or runs longer than
 * `timeoutMs`.
 */
export function runWithUmask0(code: string, timeoutMs: number): Promise<string> {
  const script = `process.umask(0);\n${code}`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else
          reject(
            new Error(`umask-000 child failed or ran over ${timeoutMs} ms: ${error.message}\n${stderr}`),
          );
      },
    );
  });
}

/** A `file://` URL for importing `path` from the child's code. */
export function moduleUrl(path: string): string {
  return pathToFileURL(path).href;
}
