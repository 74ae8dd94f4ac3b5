import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SlurmCli, SlurmError, lastLines } from './slurm-cli.ts';
import { scaled } from '../../common/testing/wait.ts';

test('env() adds SLURM_CONF only when a conf is given', () => {
  assert.equal(new SlurmCli({ conf: '/x/slurm.conf' }).env()['SLURM_CONF'], '/x/slurm.conf');
  assert.equal(new SlurmCli().env()['PATH'], process.env['PATH']);
  assert.equal(new SlurmCli({ binDir: '/opt/slurm/bin' }).bin('srun'), '/opt/slurm/bin/srun');
});

const dir = mkdtempSync(join(tmpdir(), 'axle-slurm-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('run() resolves with stdout and stderr, passing SLURM_CONF and no shell', async () => {
  const cli = new SlurmCli({ conf: '/x/slurm.conf' });
  const r = await cli.run('sh', ['-c', 'echo "$SLURM_CONF"; echo "$1" >&2', 'sh', 'a b;$HOME']);
  assert.deepEqual(r, { stdout: '/x/slurm.conf\n', stderr: 'a b;$HOME\n' });
});

test('a failing Slurm command gives a SlurmError with the command line, exit code and stderr', async () => {
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, '# no ClusterName\n');
  const cli = new SlurmCli({ conf });
  const err = await cli.run('sinfo', ['--json']).then(
    () => assert.fail('sinfo succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof SlurmError);
  assert.equal(err.commandLine, 'sinfo --json');
  assert.equal(err.exitCode, 1);
  assert.equal(err.timedOut, false);
  assert.match(err.message, /^sinfo --json failed \(exit 1\): .*ClusterName needs to be specified/);
  assert.match(err.reason, /Unable to process configuration file$/);
});

test('a command past its deadline is killed and reported as timed out', async () => {
  const started = Date.now();
  await assert.rejects(
    new SlurmCli({ timeoutMs: 5000 }).run('sleep', ['10'], { timeoutMs: 200 }),
    (e: unknown) => {
      assert.ok(e instanceof SlurmError);
      assert.equal(e.timedOut, true);
      assert.match(e.message, /^sleep 10 timed out after 200 ms/);
      return true;
    },
  );
  assert.ok(Date.now() - started < scaled(3000), `the command was stopped after ${Date.now() - started} ms`);
});

test('a missing program is reported, not thrown synchronously', async () => {
  const cli = new SlurmCli({ binDir: '/nonexistent' });
  await assert.rejects(cli.run('srun', []), /^SlurmError: srun could not run: ENOENT/);
});

test('lastLines keeps the last non-empty lines', () => {
  assert.equal(lastLines('a\n\nb\nc\n\n', 2), 'b | c');
  assert.equal(lastLines('', 3), '');
});
