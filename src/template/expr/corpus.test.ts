/**
 * Compatibility with the expressions of the real AliceO2Group/ControlWorkflows templates: a literal sample always,
 * and every `{{ }}` of workflows/ and tasks/ when a git mirror of that repository is present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isScalar, parseAllDocuments, visit } from 'yaml';
import type { ConfigSource } from '../../common/config-source.ts';
import { createFunctionLibrary } from '../functions/index.ts';
import { compileTemplate, renderTemplate } from '../interpolate.ts';
import { compileExpression } from './compile.ts';
import { ExprFunction } from './value.ts';
import type { Scope, Value } from './value.ts';

const SAMPLE = [
  'it',
  'uid.New()',
  'Up(2).Path',
  'Parent().Path',
  "detector == 'ITS'",
  "dcs_enabled == 'true'",
  "detectors contains 'ITS'",
  "it == 'alio2-cr1-flp145'",
  'inventory.DetectorForHost(it)',
  'inventory.CRUCardsForHost( it )',
  "dpl.GenerateFromUri('tpc-cmv')",
  "roc_config_uri_enabled != 'true'",
  "'TPC' in json.Unmarshal(detectors)",
  "'MCH' in json.Unmarshal(detectors)",
  'inventory.DetectorsForHosts(hosts)',
  '!strings.IsFalsy(auto_stop_timeout)',
  'strings.IsFalsy(qc_remote_workflow)',
  "rocConfigNoGBT == 'true' ? '--no-gbt' : ''",
  'inventory.EndpointsForCRUCard( host, card )',
  "runtime.Get('trg/ctp', trg_load_parameters)",
  "epn_enabled == 'true' && dd_enabled == 'true'",
  "util.PrefixedOverride( 'dpl_command', 'ctp' )",
  'ddsched_enabled == "true" ? "" : "--stand-alone"',
  'json.Marshal(json.Sort(json.Unmarshal(detectors)))',
  "rocConfigDynOffset == 'true' ? '--dyn-offset' : ''",
  'len(modulepath)>0 ? _module_cmdline : _plain_cmdline',
  "util.SuffixInRange(it, 'alio2-cr1-flp', '001', '072')",
  "stfb_enable_datasink == 'true' ? '--data-sink-enable' : ' '",
  'odc_enabled == "true" ? odc.GenerateEPNWorkflowScript() : ""',
  "qc_remote_jit_enabled == 'true' && !strings.IsFalsy(qc_dpl_command)",
  "flp_workflows_jit_enabled == 'true' ? dpl.Generate(dpl_command) : ''",
  "util.PrefixedOverride( 'qc_dpl_command', strings.ToLower( detector ) )",
  'dd_enabled == "true" ? readout_cfg_uri_stfb : readout_cfg_uri_standalone',
  "config.Resolve('readout', run_type, readout_folder, 'readout-stfb-' + it)",
  "stfb_enable_datasink == 'true' ? '--data-sink-dir=' +  stfb_datasink_dir : ' '",
  'ctp_readout_enabled == \'true\' ? inventory.DetectorForHost( ctp_readout_host ) : "" ',
  "util.PrefixedOverride( 'dpl_workflow', strings.ToLower( inventory.DetectorForHost( it ) ) )",
  "(flp_workflows_jit_enabled == 'false' || detector == 'TPC') && !strings.IsFalsy(dpl_workflow)",
  "glo_fwd_mtch_qc_enabled == 'true' && qc_remote_jit_enabled == 'true' && 'MFT' in json.Unmarshal(detectors) && !('MID' in json.Unmarshal(detectors))",
  "(qcdd_enabled == 'true' || minimal_dpl_enabled == 'true' || !strings.IsFalsy(dpl_workflow) || !strings.IsFalsy(dpl_command)) && dd_enabled == 'true'",
  "dd_enabled == 'true' && (qcdd_enabled == 'false' && minimal_dpl_enabled == 'false' && strings.IsFalsy(dpl_workflow) && strings.IsFalsy(dpl_command))",
];

const VARS: Record<string, string> = {
  it: 'alio2-cr1-flp145',
  host: 'alio2-cr1-flp145',
  card: '0228',
  hosts: '["alio2-cr1-flp145","alio2-cr1-flp001"]',
  detector: 'ITS',
  detectors: '["TPC","ITS"]',
  dcs_enabled: 'false',
  epn_enabled: 'true',
  dd_enabled: 'true',
  qcdd_enabled: 'false',
  minimal_dpl_enabled: 'false',
  flp_workflows_jit_enabled: 'false',
  qc_remote_jit_enabled: 'false',
  odc_enabled: 'false',
  ctp_readout_enabled: 'false',
  dpl_workflow: 'none',
  dpl_command: '',
  ctp_dpl_command: 'o2-ctp-reco',
  run_type: 'PHYSICS',
  readout_folder: 'flp',
  readout_cfg_uri_stfb: 'consul-ini://stfb',
  readout_cfg_uri_standalone: 'consul-ini://standalone',
  trg_load_parameters: 'load',
  auto_stop_timeout: 'none',
};

function fakeConfig(): ConfigSource {
  const fail = (): never => {
    throw new Error('not in this fake');
  };
  return {
    uri: 'fake://',
    getDefaults: () => ({}),
    getVars: () => ({}),
    getComponentConfiguration: fail,
    resolveComponentQuery: (c, r, role, e) => `${c}/${r}/${role}/${e}`,
    detectorForHost: (h) => (h.includes('flp145') ? 'ITS' : 'TPC'),
    detectorsForHosts: () => ['ITS', 'TPC'],
    cruCardsForHost: () => ['0228', '0229'],
    endpointsForCruCard: () => ['0', '1'],
    getRuntimeEntry: (c, k) => `${c}:${k}`,
    setRuntimeEntry: () => undefined,
  };
}

function corpusScope(): Scope {
  const vars = new Map(Object.entries(VARS));
  const view = { get: (n: string) => vars.get(n), toRecord: () => ({ ...VARS }) };
  const fns = createFunctionLibrary({ config: fakeConfig(), newUid: () => '2oDvieFrVTi' })(view);
  const objects: Record<string, Value> = {
    Up: new ExprFunction('Up', () => ({ Name: 'readout', Path: 'root.flp.readout' })),
    Parent: new ExprFunction('Parent', () => ({ Name: 'flp', Path: 'root.flp' })),
    dpl: {
      Generate: new ExprFunction('dpl.Generate', () => 'jit'),
      GenerateFromUri: new ExprFunction('dpl.GenerateFromUri', () => 'jit'),
    },
  };
  return { get: (n) => objects[n] ?? fns[n] ?? vars.get(n) };
}

test('a sample of real ControlWorkflows expressions parses and evaluates', () => {
  const scope = corpusScope();
  const results = new Map(SAMPLE.map((src) => [src, renderTemplate(`{{${src}}}`, scope)]));
  assert.equal(results.size, SAMPLE.length);
  assert.equal(results.get('Up(2).Path'), 'root.flp.readout');
  assert.equal(results.get("'TPC' in json.Unmarshal(detectors)"), 'true');
  assert.equal(results.get('inventory.DetectorsForHosts(hosts)'), '["ITS","TPC"]');
  assert.equal(results.get('inventory.CRUCardsForHost( it )'), '["0228","0229"]');
  assert.equal(results.get("util.PrefixedOverride( 'dpl_command', 'ctp' )"), 'o2-ctp-reco');
  assert.equal(results.get("util.SuffixInRange(it, 'alio2-cr1-flp', '001', '072')"), 'false');
  assert.equal(results.get('json.Marshal(json.Sort(json.Unmarshal(detectors)))'), '["ITS","TPC"]');
  assert.equal(results.get('len(modulepath)>0 ? _module_cmdline : _plain_cmdline'), '');
  assert.equal(results.get('!strings.IsFalsy(auto_stop_timeout)'), 'false');
  assert.equal(
    results.get("config.Resolve('readout', run_type, readout_folder, 'readout-stfb-' + it)"),
    'readout/PHYSICS/flp/readout-stfb-alio2-cr1-flp145',
  );
  assert.equal(
    results.get(
      "(qcdd_enabled == 'true' || minimal_dpl_enabled == 'true' || !strings.IsFalsy(dpl_workflow) || !strings.IsFalsy(dpl_command)) && dd_enabled == 'true'",
    ),
    'false',
  );
});

const MIRROR =
  process.env['AXLE_CONTROL_WORKFLOWS_GIT'] ?? '/work/.mirror/AliceO2Group+ControlWorkflows/repo';

function mirrorStrings(): string[] {
  const git = (...args: string[]): string =>
    execFileSync('git', [`--git-dir=${MIRROR}`, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const files = git('ls-tree', '-r', '--name-only', 'HEAD')
    .split('\n')
    .filter((f) => /^(workflows|tasks)\/.*\.ya?ml$/.test(f));
  const out: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(git('show', `HEAD:${file}`), { logLevel: 'silent' })) {
      if (!('contents' in doc)) continue;
      visit(doc, {
        Scalar: (_key, node) => {
          if (isScalar(node) && typeof node.value === 'string' && node.value.includes('{{'))
            out.push(node.value);
        },
      });
    }
  }
  return out;
}

test(
  'every {{ }} in the ControlWorkflows mirror parses',
  { skip: !existsSync(MIRROR) && 'no mirror' },
  () => {
    const strings = mirrorStrings();
    assert.ok(strings.length > 200, `found ${strings.length} templated strings`);
    const failures: string[] = [];
    for (const s of strings) {
      try {
        compileTemplate(s);
      } catch (e) {
        failures.push(`${s}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    assert.deepEqual(failures, []);
  },
);

test('expressions compile once and evaluate many times', () => {
  const e = compileExpression(SAMPLE[SAMPLE.length - 1]!);
  const scope = corpusScope();
  assert.deepEqual([e.evaluate(scope), e.evaluate(scope)], [true, true]);
});
