/**
 * builder — demo FairMQ device (OCClite). Opens its CONFIGURE channels and, while RUNNING, forwards every frame
 * received on a receiving channel (pull/sub, or connect when untyped) to all its sending channels (push/pub),
 * logging the run's count and rate every second.
 * `--fail-on <hook>` makes that hook fail (configure, start, stop, reset, exit).
 */
import { optionValue } from '../occ/task-args.ts';
import { runFairMqDevice } from '../occ/task-sdk.ts';
import { channelSpecs, isSender } from './channel-spec.ts';
import { closeChannels, openChannels, type Channel } from './channel.ts';
import { failIfAsked, log } from './demo-support.ts';
import { RunRate } from './run-rate.ts';

const argv = process.argv.slice(2);
const name = optionValue(argv, '--id') ?? 'builder';
let channels: Channel[] = [];
let running = false;
let forwarded = 0;
const rate = new RunRate(name, 'forwarded');

const device = await runFairMqDevice({
  async configure(args) {
    failIfAsked(argv, 'configure');
    channels = await openChannels(channelSpecs(args));
    const outputs = channels.filter((c) => isSender(c.spec));
    for (const input of channels.filter((c) => !isSender(c.spec))) {
      input.onFrame((frame) => {
        if (!running) return;
        for (const out of outputs) out.send(frame);
        forwarded++;
        rate.add();
      });
    }
    log(
      name,
      `configured: ${channels.map((c) => `${c.spec.name}=${c.boundAddress}`).join(' ') || 'no channels'}`,
    );
  },
  start() {
    failIfAsked(argv, 'start');
    rate.start(device.runNumber);
    running = true;
  },
  stop() {
    failIfAsked(argv, 'stop');
    running = false;
    rate.stop();
    log(name, `stopped, ${forwarded} frames forwarded since CONFIGURE`);
  },
  async reset() {
    failIfAsked(argv, 'reset');
    await closeChannels(channels.splice(0));
  },
  async exit() {
    failIfAsked(argv, 'exit');
    running = false;
    rate.stop();
    await closeChannels(channels.splice(0));
    log(name, 'exiting');
  },
});
log(name, `OCC control on 127.0.0.1:${device.port}`);
