/**
 * The web GUI end to end: Debian's Chromium (playwright-core) against a real core with a real local agent and a git
 * template repository. Creates an environment through the generated var panels, watches it become CONFIGURED without
 * a reload, STARTs and STOPs it with the buttons, reads its tasks' PIDs (live processes), shows a planning error in
 * words, visits every page and destroys; the task processes and the browser are gone afterwards. Screenshots of each
 * page go to docs/screenshots/ (shown in the README).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';
import { launchBrowser, processesWith } from './testing/browser.ts';
import type { TestBrowser } from './testing/browser.ts';

const MARK = `axle-gui-${process.pid}`;
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

function templateRepo(dir: string): void {
  const files: Record<string, string> = {
    'workflows/gui-demo.yaml': `name: !public gui-demo
description: !public "GUI demo: one worker on every host of hosts"
defaults:
  hosts: '["localhost"]'
  run_type: !public
    value: "PHYSICS"
    type: string
    label: "Run type"
    description: "Run type recorded with the run"
    widget: comboBox
    panel: General
    index: 0
    values: [PHYSICS, COSMICS, TECHNICAL]
  qc_enabled: !public
    value: "false"
    type: bool
    label: "Local QC"
    description: "Run a QC task next to the worker"
    widget: checkBox
    panel: General
    index: 1
  qc_rate: !public
    value: "5"
    type: number
    label: "QC rate (Hz)"
    widget: editBox
    panel: General
    index: 2
    visibleif: $$qc_enabled === "true"
  readout_rate: !public
    value: "50"
    type: number
    label: "Readout rate (Hz)"
    description: "Pages per second"
    widget: editBox
    panel: Readout
    index: 0
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: worker
        task: { load: sleeper }
`,
    'workflows/broken.yaml': `name: !public broken
description: !public "Does not plan: loads a task that does not exist"
roles:
  - name: missing
    task: { load: nosuchtask }
`,
    'tasks/sleeper.yaml': `name: sleeper
control: { mode: basic }
command:
  shell: true
  value: "exec ${process.execPath} -e 'setTimeout(() => {}, 300000)' ${MARK}"
`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const git = (...args: string[]): void => void execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'master');
  git('add', '-A');
  git('-c', 'user.name=axle', '-c', 'user.email=axle@localhost', 'commit', '-q', '-m', 'gui templates');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ms = (n: number): number => n * timeScale();

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/**
 * What functions that run in the page see, as `globalThis as unknown as PageGlobals` inside them (the test's TypeScript
 * has no DOM types; the functions are sent as source, so they may use nothing of this module; the page's CSP forbids
 * string expressions).
 */
interface PageGlobals {
  axleNoReload?: boolean;
  readonly document: {
    querySelector(selector: string): { textContent: string | null; axleMark?: boolean } | null;
  };
}

/** Follows a link of the navigation bar. */
async function nav(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
}

/** The page's text of `selector`, waited for until it matches (failing with what was awaited and what was seen). */
async function expectText(
  page: Page,
  selector: string,
  re: RegExp,
  what: string,
  timeout = 20_000,
): Promise<string> {
  try {
    await page.waitForFunction(
      ([sel, src]) =>
        new RegExp(src).test(
          (globalThis as unknown as PageGlobals).document.querySelector(sel)?.textContent ?? '',
        ),
      [selector, re.source] as const,
      { timeout: ms(timeout), polling: 100 },
    );
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const seen = await page
      .locator(selector)
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => '(absent)');
    assert.fail(
      `waited ${ms(timeout)} ms for ${what} (${selector} ~ ${re}); it shows: ${seen ?? ''} (${why})`,
    );
  }
  return (await page.locator(selector).first().textContent()) ?? '';
}

test('the web GUI creates, runs, stops and destroys an environment live, and shows errors in words', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-gui-'));
  let core: RunningCore | undefined;
  let browser: TestBrowser | undefined;
  try {
    templateRepo(join(root, 'repo'));
    await buildWeb(join(root, 'web'));
    core = await startCore({
      stateDir: join(root, 'state'),
      port: 0,
      localAgents: [{ host: 'localhost' }],
      webDir: join(root, 'web'),
    });
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // Environments: empty, live.
    await page.goto(`${core.url}/#/environments`);
    await expectText(page, '.conn', /^Live/, 'the event stream to be live');
    await expectText(page, '[data-testid=env-count]', /^0 environments/, 'an empty table');
    await page.evaluate(() => void ((globalThis as unknown as PageGlobals).axleNoReload = true));

    // Create: panels generated from the var specs, visibleIf, the advanced panel.
    await nav(page, 'Create');
    await page.locator('[data-workflow=gui-demo]').click();
    await expectText(page, 'fieldset[data-panel=General] legend', /^General$/, 'the General panel');
    await expectText(
      page,
      'fieldset[data-panel=Readout] [data-var=readout_rate] label',
      /Readout rate \(Hz\)/,
      'a label',
    );
    assert.equal(await page.locator('#var-readout_rate').getAttribute('type'), 'number');
    assert.equal(await page.locator('#var-readout_rate').inputValue(), '50', 'the default fills the field');
    assert.equal(
      await page.locator('#var-run_type').getAttribute('list'),
      'var-run_type-values',
      'comboBox offers values',
    );
    assert.equal(
      await page.locator('#var-qc_rate').count(),
      0,
      'qc_rate is hidden while QC is off (visibleIf)',
    );
    await page.locator('#var-qc_enabled').check();
    await page.locator('#var-qc_rate').waitFor({ timeout: ms(5000) });
    await page.locator('#var-readout_rate').fill('20');
    await page.locator('#add-var').click();
    await page.getByLabel('Variable name').fill('gui_note');
    await page.getByLabel('Value').fill('made in the browser');
    await shot(page, 'create');
    await page.locator('#create').click();

    // Environments: the new environment appears and becomes CONFIGURED without a reload.
    await nav(page, 'Environments');
    await expectText(
      page,
      'tr[data-env] [data-testid=state]',
      /^CONFIGURED$/,
      'the environment to be CONFIGURED',
      60_000,
    );
    const envId = (await page.locator('tr[data-env]').first().getAttribute('data-env')) ?? '';
    assert.match(envId, /^\w+$/);
    const env = (await c.getEnvironment({ id: envId })).environment;
    assert.equal(env?.userVars['readout_rate'], '20', 'the edited panel value reached the core');
    assert.equal(env?.userVars['qc_enabled'], 'true');
    assert.equal(
      env?.userVars['gui_note'],
      'made in the browser',
      'the advanced panel value reached the core',
    );
    // Details: the buttons the state machine allows.
    await page.locator(`tr[data-env="${envId}"] a`).first().click();
    await expectText(page, '[data-testid=env-state]', /^CONFIGURED$/, 'the details page');
    const buttons = await page
      .getByRole('group', { name: 'Transitions' })
      .getByRole('button')
      .allTextContents();
    assert.deepEqual(
      buttons.sort(),
      ['RESET', 'SHUTDOWN', 'START'],
      'CONFIGURED allows START, RESET and EXIT',
    );
    await shot(page, 'environment-configured');

    // START and STOP with the buttons.
    await page.getByRole('button', { name: 'START', exact: true }).click();
    await expectText(page, '[data-testid=env-state]', /^RUNNING$/, 'START to make it RUNNING', 30_000);
    await expectText(page, '.run', /Run \d+/, 'the run number');
    // A basic task's process runs while RUNNING: the GUI shows its PID.
    const pid = Number(await expectText(page, '[data-testid=pid]', /^\d+$/, 'a task PID'));
    assert.ok(alive(pid), `the PID the GUI shows (${pid}) is a live process`);
    assert.ok(processesWith(MARK).includes(pid), 'the PID is the worker task');
    await shot(page, 'environment-running');
    await nav(page, 'Environments');
    await expectText(
      page,
      `tr[data-env="${envId}"] [data-testid=state]`,
      /^RUNNING$/,
      'the table to show RUNNING',
    );
    await shot(page, 'environments');
    await page.locator(`tr[data-env="${envId}"] a`).first().click();
    // With the keyboard: focus and Enter.
    await page.getByRole('button', { name: 'STOP', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expectText(page, '[data-testid=env-state]', /^CONFIGURED$/, 'STOP to make it CONFIGURED', 30_000);
    await expectText(page, '[data-testid=events]', /STOP_ACTIVITY/, 'the STOP in the event list');

    // Another client's transition shows up live; the row's element is updated in place (no full re-render).
    await nav(page, 'Environments');
    await expectText(page, `tr[data-env="${envId}"] [data-testid=state]`, /^CONFIGURED$/, 'the table row');
    await page.evaluate((id) => {
      const row = (globalThis as unknown as PageGlobals).document.querySelector(`tr[data-env="${id}"]`);
      if (row !== null) row.axleMark = true;
    }, envId);

    await c.controlEnvironment({ id: envId, type: Op.RESET });
    await expectText(
      page,
      `tr[data-env="${envId}"] [data-testid=state]`,
      /^DEPLOYED$/,
      'RESET by another client',
    );
    assert.ok(
      await page.evaluate(
        (id) =>
          (globalThis as unknown as PageGlobals).document.querySelector(`tr[data-env="${id}"]`)?.axleMark ===
          true,
        envId,
      ),
      "the row's element was updated in place, not re-created",
    );

    // A workflow that does not plan: the error in words on the Create page.
    await nav(page, 'Create');
    await page.locator('[data-workflow=broken]').click();
    await page.locator('#create').click();
    const error = await expectText(
      page,
      '[data-testid=requests] li[data-status=error]',
      /nosuchtask/,
      'the planning error',
    );
    assert.match(error, /Refused \(invalid request\)/, `the status in words: ${error}`);
    await shot(page, 'create-error');

    // The other pages.
    await nav(page, 'About');
    await expectText(page, '[data-testid=version]', /Axle 0\.1\.0/, 'the core version');
    await shot(page, 'about');
    await nav(page, 'Tasks');
    await expectText(page, '.page table.all-tasks', /sleeper/, 'the worker task among all tasks');
    await shot(page, 'tasks');
    await nav(page, 'Hardware');
    await expectText(page, '.page table', /localhost/, 'the local host');
    await shot(page, 'hardware');
    await nav(page, 'Locks');
    await expectText(page, '[data-testid=locks-unavailable]', /not available/, 'the locks notice');
    await shot(page, 'locks');

    // Destroy with the confirmation.
    await page.goto(`${core.url}/#/environment/${envId}`);
    await page.getByRole('button', { name: 'Destroy…' }).click();
    // The confirmation takes the focus: Enter confirms.
    const confirm = page.getByRole('button', { name: 'Yes, destroy' });
    await confirm.waitFor({ timeout: ms(5000) });
    // A live update may re-render the page under the dialog: make sure the confirmation holds the focus, then Enter.
    await confirm.focus();
    await page.keyboard.press('Enter');
    await expectText(
      page,
      '[data-testid=env-count]',
      /^0 environments/,
      'the environment to leave the table',
      30_000,
    );
    assert.deepEqual(processesWith(MARK), [], 'no task process is left after destroy');
    assert.ok(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).axleNoReload === true),
      'all of this happened without a page reload',
    );
    assert.deepEqual(pageErrors, [], 'no script error in the page');
  } finally {
    const profile = browser?.profile;
    await browser?.close();
    await core?.stop();
    if (profile !== undefined) assert.deepEqual(processesWith(profile), [], 'no browser process is left');
    assert.deepEqual(processesWith(MARK), [], 'no task process is left');
    rmSync(root, { recursive: true, force: true });
  }
});
