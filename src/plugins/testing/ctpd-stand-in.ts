/**
 * A stand-in CTP daemon (`ctpd.CTPd`): keeps the runs it was told about (global runs loaded then running,
 * standalone runs running) and lists them in RunList as the daemon does. Every request is recorded (StandIn).
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { CTPd } from '../../gen/ctpd/ctpecs_pb.ts';
import type { RunReplySchema } from '../../gen/ctpd/ctpecs_pb.ts';
import { StandIn } from './stand-in.ts';

type Reply = MessageInitShape<typeof RunReplySchema>;

interface Run {
  global: boolean;
  running: boolean;
  detectors: string;
}

export async function startCtpdStandIn(): Promise<StandIn> {
  const runs = new Map<number, Run>();
  const ok: Reply = { rc: 0, msg: '' };
  const missing = (runn: number): Reply => ({ rc: 3, msg: `run ${runn} does not exist` });
  return StandIn.start(CTPd, {
    prepareForRun: () => ok,
    runLoad: (r) => {
      runs.set(r.runn, { global: true, running: false, detectors: r.detectors });
      return ok;
    },
    runStart: (r) => {
      const run = runs.get(r.runn);
      if (run === undefined) runs.set(r.runn, { global: false, running: true, detectors: r.detector });
      else run.running = true;
      return ok;
    },
    runStop: (r) => {
      const run = runs.get(r.runn);
      if (run === undefined) return missing(r.runn);
      if (run.global) run.running = false;
      else runs.delete(r.runn);
      return ok;
    },
    runUnload: (r) => (runs.delete(r.runn) ? ok : missing(r.runn)),
    runList: () => {
      const lines = [...runs].map(([n, r]) =>
        r.global
          ? `G ${String(n).padStart(6)} ${r.running ? 'R' : 'L'}     ${r.detectors.split(' ').join(', ')}     run${n}`
          : `S ${String(n).padStart(6)} R     ${r.detectors}`,
      );
      return { rc: lines.length, msg: lines.join('\n') };
    },
  });
}
