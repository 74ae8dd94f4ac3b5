/**
 * sink (also installed as `sender`) — demo FairMQ device (OCClite) that counts the frames arriving on its
 * channels. While RUNNING it logs the run's count and rate every second (counted per run, from zero at each START);
 * the total since start is printed on every STOP and at exit, and written as `{"frames":N}` to the file named by
 * env AXLE_TASK_STATS (on STOP, on exit, and on SIGTERM/SIGINT, after which the signal takes its course). `--fail-on <hook>` makes that hook fail.
 */
import { optionValue } from '../occ/task-args.ts';
import { runFairMqDevice } from '../occ/task-sdk.ts';
import { channelSpecs } from './channel-spec.ts';
import { closeChannels, openChannels, type Channel } from './channel.ts';
import { failIfAsked, log, writeStats } from './demo-support.ts';
import { RunRate } from './run-rate.ts';

const argv = process.argv.slice(2);
const name = optionValue(argv, '--id') ?? 'sink';
const statsFile = process.env.AXLE_TASK_STATS;
let channels: Channel[] = [];
let frames = 0;
const rate = new RunRate(name, 'received');

const report = (when: string): void => {
  log(name, `${when}: ${frames} frames received`);
  writeStats(statsFile, { frames });
};

const device = await runFairMqDevice({
  async configure(args) {
    failIfAsked(argv, 'configure');
    channels = await openChannels(channelSpecs(args));
    for (const ch of channels)
      ch.onFrame(() => {
        frames++;
        rate.add();
      });
    log(
      name,
      `configured: ${channels.map((c) => `${c.spec.name}=${c.boundAddress}`).join(' ') || 'no channels'}`,
    );
  },
  start() {
    failIfAsked(argv, 'start');
    rate.start(device.runNumber);
  },
  stop() {
    failIfAsked(argv, 'stop');
    rate.stop();
    report('stop');
  },
  async reset() {
    failIfAsked(argv, 'reset');
    await closeChannels(channels.splice(0));
  },
  async exit() {
    failIfAsked(argv, 'exit');
    rate.stop();
    await closeChannels(channels.splice(0));
    report('exit');
  },
});
log(name, `OCC control on 127.0.0.1:${device.port}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    report(signal);
    process.kill(process.pid, signal);
  });
}
