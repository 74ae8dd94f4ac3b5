import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '@connectrpc/connect';
import { timeScale } from '../../common/testing/time-scale.ts';
import { pluginSettings } from '../settings.ts';
import { startCtpdStandIn } from '../testing/ctpd-stand-in.ts';
import type { StandIn } from '../testing/stand-in.ts';
import { pluginRig, serviceEvents } from '../testing/plugin-rig.ts';
import type { PluginRig } from '../testing/plugin-rig.ts';

const call = (name: string, func: string, trigger: string, extra = ''): string =>
  `      - name: ${name}\n        call: { func: ${func}, trigger: ${trigger}, timeout: "{{ trg_timeout }}"${extra} }\n`;

/** The trigger calls where ControlWorkflows' readout-dataflow places them. */
const WF =
  `name: wf
defaults:
  trg_detectors: '["TPC","ITS"]'
  trg_global_run_enabled: "false"
  trg_global_config: "cfg-global"
  ctp_readout_enabled: "true"
  run_type: PHYSICS
  trg_timeout: 2s
roles:
  - name: w
    task: { load: worker }
  - name: trg
    roles:
` +
  call('pfr', 'trg.PrepareForRun()', 'before_START_ACTIVITY-200') +
  call('load', 'trg.RunLoad()', 'before_START_ACTIVITY+10') +
  call('start', 'trg.RunStart()', 'after_START_ACTIVITY-10') +
  call('stop', 'trg.RunStop()', 'before_STOP_ACTIVITY-10', ', critical: false') +
  call('unload', 'trg.RunUnload()', 'after_STOP_ACTIVITY-100', ', critical: false') +
  call('errorensurerunstop', 'trg.EnsureRunStop()', 'before_GO_ERROR-10', ', critical: false') +
  call('errorensurerununload', 'trg.EnsureRunUnload()', 'before_GO_ERROR-9', ', critical: false') +
  call('destroyensurerunstop', 'trg.EnsureRunStop()', 'DESTROY-100', ', critical: false') +
  call('destroyensurerununload', 'trg.EnsureRunUnload()', 'DESTROY-99', ', critical: false') +
  `  - name: late
    enabled: "{{ fail_late == 'true' }}"
    call: { func: testplugin.Test(), trigger: after_START_ACTIVITY+100 }
`;

const FILES = {
  'workflows/wf.yaml': WF,
  'tasks/worker.yaml': 'name: worker\ncommand: { value: /bin/worker }\n',
};

async function rig(
  t: Parameters<typeof pluginRig>[0],
  endpoint?: string,
): Promise<PluginRig & { ctpd: StandIn }> {
  const ctpd = await startCtpdStandIn();
  t.after(() => ctpd.stop());
  const settings = pluginSettings(['trg'], {
    trgServiceEndpoint: endpoint ?? ctpd.endpoint,
    trgPollingInterval: '50ms',
  });
  return { ...(await pluginRig(t, settings, FILES)), ctpd };
}

/** CTPd requests except the RunList polls. */
const calls = (s: StandIn): string[] => s.requests.filter((r) => r.method !== 'RunList').map((r) => r.method);
const request = (s: StandIn, method: string): unknown => s.requests.find((r) => r.method === method)?.request;

test('trg: a global run sends PrepareForRun, RunLoad, RunStart, RunStop, RunUnload with the run number', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await r.manager.control(env.id, 'START_ACTIVITY');
  assert.equal(env.state, 'RUNNING');
  assert.deepEqual(calls(r.ctpd), ['PrepareForRun', 'RunLoad', 'RunStart']);
  assert.deepEqual(request(r.ctpd, 'PrepareForRun'), { runtype: 'PHYSICS', detectors: 'tpc its' });
  assert.deepEqual(request(r.ctpd, 'RunLoad'), {
    runn: 501,
    config: 'cfg-global',
    detectors: 'tpc its',
    ctpReadoutIncluded: true,
  });
  assert.deepEqual(request(r.ctpd, 'RunStart'), { runn: 501 }, 'a global run starts with no detector');
  const started = Number(env.userVars['trg_start_time_ms']);
  assert.ok(started > 0 && started <= Date.now(), 'RunStart sets trg_start_time_ms');
  await r.manager.control(env.id, 'STOP_ACTIVITY');
  assert.deepEqual(calls(r.ctpd), ['PrepareForRun', 'RunLoad', 'RunStart', 'RunStop', 'RunUnload']);
  assert.deepEqual(request(r.ctpd, 'RunUnload'), { runn: 501 });
  assert.ok(Number(env.userVars['trg_end_time_ms']) >= started, 'RunStop sets trg_end_time_ms');
  await r.manager.destroy(env.id);
  assert.deepEqual(calls(r.ctpd).length, 5, 'nothing left to stop or unload at DESTROY');
  const load = serviceEvents(r.events).filter((e) => e.operationName === 'trg.RunLoad()');
  assert.deepEqual(
    load.map((e) => [e.name, e.operationStep, e.operationStatus]),
    [
      ['wf.trg.load', 'perform TRG call: RunLoad', 'STARTED'],
      ['wf.trg.load', 'perform TRG call: RunLoad', 'DONE_OK'],
    ],
  );
  assert.equal(load[1]?.environmentId, env.id);
  assert.deepEqual((JSON.parse(load[1]?.payload ?? '{}') as { trgResponse?: unknown }).trgResponse, {
    rc: 0,
    msg: '',
  });
});

test('trg: a standalone run has no load or unload and names its detector', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({ workflow: 'wf', vars: { trg_detectors: '["TPC"]' } });
  await r.manager.control(env.id, 'START_ACTIVITY');
  await r.manager.control(env.id, 'STOP_ACTIVITY');
  assert.deepEqual(calls(r.ctpd), ['PrepareForRun', 'RunStart', 'RunStop']);
  assert.deepEqual(request(r.ctpd, 'RunStart'), { runn: 501, detector: 'tpc' });
  assert.deepEqual(request(r.ctpd, 'RunStop'), { runn: 501, detector: 'tpc' });
});

test('trg: a refused RunStart (rc != 0) sends the environment to ERROR with the reason; EnsureRunUnload still unloads', async (t) => {
  const r = await rig(t);
  r.ctpd.behave('RunStart', { reply: { rc: 7, msg: 'LTU busy' } });
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    /TRG RunStart call failed: response code 7 from TRG: LTU busy/,
  );
  assert.equal(env.state, 'ERROR');
  assert.match(env.lastError, /trg\.RunStart\(\).*response code 7 from TRG: LTU busy/);
  assert.deepEqual(
    calls(r.ctpd),
    ['PrepareForRun', 'RunLoad', 'RunStart', 'RunUnload'],
    'GO_ERROR unloads the loaded run',
  );
  const failed = serviceEvents(r.events).find(
    (e) => e.operationName === 'trg.RunStart()' && e.operationStatus === 'DONE_ERROR',
  );
  assert.equal(failed?.error, 'response code 7 from TRG: LTU busy');
  const callEvent = r.events.find(
    (e) =>
      e.event.kind === 'call' && e.event.func === 'trg.RunStart()' && e.event.callStatus === 'DONE_ERROR',
  );
  assert.ok(callEvent !== undefined, 'the call event reports the failure');
});

test('trg: a run that fails after RunStart is stopped and unloaded at GO_ERROR, not again at DESTROY', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({
    workflow: 'wf',
    vars: { fail_late: 'true', testplugin_fail: 'true', testplugin_message: 'late failure' },
  });
  await assert.rejects(r.manager.control(env.id, 'START_ACTIVITY'), /late failure/);
  assert.equal(env.state, 'ERROR');
  assert.deepEqual(calls(r.ctpd), ['PrepareForRun', 'RunLoad', 'RunStart', 'RunStop', 'RunUnload']);
  assert.deepEqual(request(r.ctpd, 'RunStop'), { runn: 501 });
  assert.deepEqual(request(r.ctpd, 'RunUnload'), { runn: 501 });
  await r.manager.destroy(env.id);
  assert.equal(calls(r.ctpd).length, 5, 'nothing pending at DESTROY');
});

test('trg: a failed (non-critical) RunStop is sent again by EnsureRunStop at DESTROY', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await r.manager.control(env.id, 'START_ACTIVITY');
  r.ctpd.behave('RunStop', { fail: { code: Code.Internal, message: 'daemon crashed' } });
  await r.manager.control(env.id, 'STOP_ACTIVITY');
  assert.equal(env.state, 'CONFIGURED', 'RunStop is not critical');
  r.ctpd.reset();
  await r.manager.destroy(env.id);
  assert.deepEqual(calls(r.ctpd), [
    'PrepareForRun',
    'RunLoad',
    'RunStart',
    'RunStop',
    'RunUnload',
    'RunStop',
  ]);
  assert.deepEqual(r.ctpd.requests.filter((q) => q.method === 'RunStop').at(-1)?.request, { runn: 501 });
});

test('trg: a RunLoad slower than its timeout fails the start with the timeout, and nothing is pending afterwards', async (t) => {
  const r = await rig(t);
  r.ctpd.behave('RunLoad', { hang: true });
  const env = await r.manager.create({ workflow: 'wf', vars: { trg_timeout: '300ms' } });
  const t0 = Date.now();
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    /trg\.RunLoad\(\) timed out after 300 ms/,
  );
  assert.ok(Date.now() - t0 < 5_000 * timeScale(), 'the call gave up at its timeout, not later');
  assert.equal(env.state, 'ERROR');
  assert.deepEqual(calls(r.ctpd), ['PrepareForRun', 'RunLoad']);
  await r.manager.destroy(env.id);
  assert.deepEqual(calls(r.ctpd), ['PrepareForRun', 'RunLoad']);
  const ev = serviceEvents(r.events).find(
    (e) => e.operationName === 'trg.RunLoad()' && e.operationStatus !== 'STARTED',
  );
  assert.equal(ev?.operationStatus, 'DONE_TIMEOUT');
});

test('trg: an endpoint that is down is reported with its reason and its calls fail clearly', async (t) => {
  const closed = await startCtpdStandIn();
  const port = closed.port;
  await closed.stop();
  const r = await rig(t, `//127.0.0.1:${port}`);
  const svc = r.integrations.services().find((s) => s.id === 'trg');
  assert.equal(svc?.enabled, true);
  assert.equal(svc?.name, 'Trigger System');
  assert.equal(svc?.endpoint, `//127.0.0.1:${port}`);
  assert.equal(svc?.connectionState, 'TRANSIENT_FAILURE');
  assert.match(
    svc?.reason ?? '',
    new RegExp(`TRG service at //127.0.0.1:${port} unavailable: .*ECONNREFUSED`),
  );
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    new RegExp(`TRG PrepareForRun call failed: TRG service at //127.0.0.1:${port} unavailable`),
  );
  assert.equal(env.state, 'ERROR');
});

test('trg: RunList polling reports the daemon runs as data and READY', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await r.manager.control(env.id, 'START_ACTIVITY');
  const deadline = Date.now() + 5_000 * timeScale();
  let data = '';
  while (!data.includes('"state":"RUNNING"')) {
    assert.ok(Date.now() < deadline, `waiting for RunList to show run 501 running; data is ${data}`);
    await new Promise((res) => setTimeout(res, 20));
    data = r.integrations.services().find((s) => s.id === 'trg')?.data ?? '';
  }
  const parsed = JSON.parse(data) as { structured: unknown[] };
  assert.deepEqual(parsed.structured, [
    { runNumber: 501, cardinality: 'GLOBAL', state: 'RUNNING', detectors: ['TPC', 'ITS'] },
  ]);
  assert.equal(r.integrations.services().find((s) => s.id === 'trg')?.connectionState, 'READY');
  assert.deepEqual(JSON.parse(r.integrations.environmentData(env.id)['trg'] ?? '{}'), parsed.structured[0]);
});

test('trg: the CTP daemon going away during a run does not crash the core; EnsureRunStop at DESTROY fails clearly', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await r.manager.control(env.id, 'START_ACTIVITY');
  await r.ctpd.stop();
  await r.manager.destroy(env.id, { force: true });
  const ensure = r.events.find(
    (e) =>
      e.event.kind === 'call' &&
      e.event.func === 'trg.EnsureRunStop()' &&
      e.event.callStatus === 'DONE_ERROR',
  );
  assert.ok(ensure?.event.kind === 'call');
  assert.match(ensure.event.error ?? '', /TRG RunStop call failed: TRG service at \/\/127\.0\.0\.1:\d+ /);
});
