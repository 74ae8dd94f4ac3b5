/**
 * readout — demo data source, controlled in direct mode (protobuf OCC). Binds/connects the channels given in its
 * CONFIGURE arguments and, only while RUNNING, sends `--rate` frames per second (CONFIGURE property `readout_rate`
 * overrides) on its sending channels, logging the run's count and rate every second. `--eos-after N` stops after N frames of a run and signals END_OF_STREAM.
 * `--fail-on configure|start|stop|reset|exit` makes that hook fail.
 */
import { optionValue } from '../occ/task-args.ts';
import { runOccTask } from '../occ/task-sdk.ts';
import { channelSpecs, isSender } from './channel-spec.ts';
import { closeChannels, openChannels, type Channel } from './channel.ts';
import { failIfAsked, log, numberOption } from './demo-support.ts';
import { RunRate } from './run-rate.ts';

const argv = process.argv.slice(2);
const name = optionValue(argv, '--name') ?? 'readout';
const eosAfter =
  optionValue(argv, '--eos-after') === undefined ? undefined : numberOption(argv, '--eos-after', 1);
let rate = numberOption(argv, '--rate', 10);
let channels: Channel[] = [];
let timer: NodeJS.Timeout | undefined;
let produced = 0;
const sent = new RunRate(name, 'sent');

const task = await runOccTask({
  async configure(args) {
    failIfAsked(argv, 'configure');
    const configured = Number(args.readout_rate);
    if (Number.isFinite(configured) && configured > 0) rate = configured;
    channels = await openChannels(channelSpecs(args));
    log(
      name,
      `configured: ${channels.map((c) => `${c.spec.name}=${c.boundAddress}`).join(' ') || 'no channels'}`,
    );
  },
  start() {
    failIfAsked(argv, 'start');
    produced = 0;
    sent.start(task.runNumber);
    timer = setInterval(produce, Math.max(1, 1000 / rate));
    log(name, `running, run ${task.runNumber}, ${rate} frames/s`);
  },
  stop() {
    failIfAsked(argv, 'stop');
    clearInterval(timer);
    sent.stop();
    log(name, `stopped after ${produced} frames`);
  },
  async reset() {
    failIfAsked(argv, 'reset');
    await closeChannels(channels.splice(0));
  },
  async exit() {
    failIfAsked(argv, 'exit');
    clearInterval(timer);
    sent.stop();
    await closeChannels(channels.splice(0));
    log(name, 'exiting');
  },
});
log(name, `OCC control on 127.0.0.1:${task.port}`);

/** One tick: a frame on every sending channel, then END_OF_STREAM once the quota is reached. */
function produce(): void {
  if (eosAfter !== undefined && produced >= eosAfter) return;
  const payload = Buffer.from(JSON.stringify({ source: name, run: task.runNumber, seq: produced }));
  for (const ch of channels) if (isSender(ch.spec)) ch.send(payload);
  produced++;
  sent.add();
  if (eosAfter !== undefined && produced >= eosAfter) {
    clearInterval(timer);
    log(name, `end of stream after ${produced} frames`);
    task.emit('END_OF_STREAM');
  }
}
