/**
 * A cross-process write lock for the embedded store: a kernel `flock` held by a tiny long-lived perl child (Node has
 * no flock). The kernel drops the lock when the holder dies, so there is no stale-lock recovery to get wrong; if the
 * Node process dies, the child reads end-of-file and exits. In-process callers queue before the child is asked.
 * @module
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { ConfigStoreError } from './store.ts';

const HELPER = [
  'use Fcntl qw(:flock);',
  'open(my $f, ">>", $ARGV[0]) or die "cannot open $ARGV[0]: $!\\n";',
  '$| = 1; print "ready\\n";',
  'while (my $c = <STDIN>) {',
  '  if ($c =~ /^l/) { flock($f, LOCK_EX) or die "flock: $!\\n"; print "ok\\n"; } else { flock($f, LOCK_UN); }',
  '}',
].join(' ');

/** An exclusive lock on `path` shared by every process using the same file. */
export class FileLock {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly replies: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private buffered = '';
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(private readonly path: string) {}

  /** Runs `fn` while holding the lock; in-process callers run one at a time, in call order. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise((resolve) => (done = resolve));
    await previous;
    try {
      const child = await this.ensureChild();
      const locked = this.awaitReply();
      child.stdin.write('l\n');
      await locked;
      try {
        return await fn();
      } finally {
        // no reply: the pipe keeps commands in order, so a later lock request waits behind this unlock
        this.child?.stdin.write('u\n');
      }
    } finally {
      done();
    }
  }

  /** Stops the helper (releasing the lock if held). */
  close(): void {
    const child = this.child;
    this.child = undefined;
    child?.stdin.end();
    child?.kill();
  }

  private async ensureChild(): Promise<ChildProcessWithoutNullStreams> {
    if (this.failure !== undefined) throw this.failure;
    if (this.child !== undefined) return this.child;
    const child = spawn('perl', ['-e', HELPER, this.path], { stdio: 'pipe' });
    this.child = child;
    const ready = this.awaitReply();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (e) => this.fail(`cannot start the lock helper (perl): ${e.message}`));
    child.on('exit', (code) => {
      if (this.child === child) this.fail(`lock helper for ${this.path} exited (${code}): ${stderr.trim()}`);
    });
    child.unref();
    await ready;
    return child;
  }

  private awaitReply(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.replies.push({ resolve, reject });
      this.setRef(true);
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline = this.buffered.indexOf('\n');
    while (newline >= 0) {
      this.buffered = this.buffered.slice(newline + 1);
      this.replies.shift()?.resolve();
      newline = this.buffered.indexOf('\n');
    }
    if (this.replies.length === 0) this.setRef(false);
  }

  private fail(message: string): void {
    this.failure = new ConfigStoreError('io', message);
    this.child = undefined;
    for (const r of this.replies.splice(0)) r.reject(this.failure);
  }

  /** Keeps the event loop alive only while a reply is awaited. */
  private setRef(on: boolean): void {
    for (const stream of [this.child?.stdout, this.child?.stdin, this.child?.stderr]) {
      const socket = stream as unknown as Socket | undefined;
      if (on) socket?.ref();
      else socket?.unref();
    }
  }
}
