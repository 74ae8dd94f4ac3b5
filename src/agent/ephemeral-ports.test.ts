import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { timeScale } from '../common/testing/time-scale.ts';
import { agentPortRanges, readEphemeralRange } from './ephemeral-ports.ts';
import { tempDir } from './test-fixtures.ts';

const dir = tempDir();
after(() => dir.remove());

test('the ephemeral range is read from the file, else it is Linux default 32768-60999', () => {
  const file = join(dir.path, 'range');
  writeFileSync(file, '20000\t50000\n');
  assert.deepEqual(readEphemeralRange(file), { first: 20000, last: 50000 });
  writeFileSync(file, 'garbage\n');
  assert.deepEqual(readEphemeralRange(file), { first: 32768, last: 60999 });
  assert.deepEqual(readEphemeralRange(join(dir.path, 'missing')), { first: 32768, last: 60999 });
});

test('default ranges avoid the ephemeral range; configured ones are kept or refused', () => {
  assert.deepEqual(agentPortRanges({}, { first: 32768, last: 60999 }), {
    control: { first: 30000, last: 32767 },
    tcp: { first: 9000, last: 29999 },
  });
  assert.deepEqual(agentPortRanges({}, { first: 20000, last: 31000 }), {
    control: { first: 31001, last: 32767 },
    tcp: { first: 9000, last: 19999 },
  });
  const tcp = { first: 61000, last: 62000 };
  assert.deepEqual(agentPortRanges({ tcp }, { first: 32768, last: 60999 }).tcp, tcp);
  assert.throws(
    () =>
      agentPortRanges({ tcp: { first: 20000, last: 20010 }, control: tcp }, { first: 15000, last: 60999 }),
    /tcp port range 20000-20010 overlaps the ephemeral port range 15000-60999 of this host/,
  );
});

test('an agent given a control range inside the ephemeral range exits with the error, starting nothing', () => {
  const ephemeral = readEphemeralRange();
  const inside = `${ephemeral.first}-${ephemeral.first + 99}`;
  const main = join(import.meta.dirname, 'main.ts');
  const args = ['--import', 'tsx', main, '--core', '127.0.0.1:1', '--control-ports', inside];
  const run = spawnSync(process.execPath, [...args, '--state-dir', join(dir.path, 'state')], {
    encoding: 'utf8',
    timeout: 30_000 * timeScale(),
  });
  assert.equal(run.signal, null, 'the agent did not exit on its own within its time limit');
  assert.equal(run.status, 2, `exit status (stderr: ${run.stderr})`);
  assert.match(
    run.stderr,
    new RegExp(
      `control port range ${inside} overlaps the ephemeral port range ${ephemeral.first}-${ephemeral.last}`,
    ),
  );
  assert.equal(existsSync(join(dir.path, 'state')), false, 'no state was created');
});
