// Browser flows in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): a member of the public reports with JavaScript off and
// on and adds information with the receipt; the form passes axe-core's WCAG
// 2.2 AA rules; a triage officer signs in with TOTP, sees the immediate-
// danger report first with its factors, and grades it 3x5x2; an
// investigator walks case DEMO-1 to its exhibit list and MG6C schedule; the
// prosecutor inspects, decides and serves, the disclosure officer answers
// the inspection request and reviews after a defence statement; an examiner
// reviews seized images that stay hidden until held, blurred and grey.
// Screenshots go to $SCREENSHOT_DIR (default target/screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const VIGIL = process.env.VIGIL;
const SHOTS = process.env.SCREENSHOT_DIR || 'target/screenshots';
mkdirSync(SHOTS, { recursive: true });

let server, url, browser, data, secrets = {}, password;

function base32(s) {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, buf = 0; const out = [];
  for (const c of s) { buf = (buf << 5) | a.indexOf(c); bits += 5; if (bits >= 8) { out.push((buf >>> (bits - 8)) & 255); bits -= 8; } }
  return Buffer.from(out);
}

// Vigil never accepts a TOTP step twice for one officer, so a second
// sign-in within the same 30 s waits for the next step (see signIn).
const usedStep = {};
const currentStep = () => Math.floor(Date.now() / 1000 / 30);

function totp(secret) {
  const step = currentStep();
  usedStep[secret] = step;
  const msg = Buffer.alloc(8); msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = h[19] & 15;
  const bin = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1000000).padStart(6, '0');
}

before(async () => {
  assert.ok(VIGIL, 'set VIGIL to the vigil binary');
  data = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
  server = spawn(VIGIL, ['--data', join(data, 'd'), 'demo', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('vigil demo did not start: ' + out)), 60000);
    server.stdout.on('data', (b) => {
      out += b.toString();
      const m = out.match(/running at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (c) => reject(new Error('vigil demo exited ' + c + ': ' + out)));
  });
  for (const m of out.matchAll(/^\s+(demo\.\w+)\s+\S+\s+TOTP secret (\w+)/gm)) secrets[m[1]] = m[2];
  password = out.match(/password "([^"]+)"/)[1];
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGINT');
  if (data) rmSync(data, { recursive: true, force: true });
});

// Clicks and waits for the page the click navigates to to finish loading.
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function fileReport(page, name, danger) {
  await page.goto(url + '/report');
  await page.screenshot({ path: join(SHOTS, `${name}-1-form.png`), fullPage: true });
  await page.check('#kind-grooming');
  await page.check(danger ? '#immediate_danger-yes' : '#immediate_danger-no');
  await page.check('#meeting_planned-no');
  await page.check('#images_exchanged-no');
  await page.fill('#platform', 'ExampleChat (fictional)');
  await page.fill('#identifiers', 'browser_test_user');
  await page.fill('#account', `SYNTHETIC BROWSER TEST (${name}): an adult asked a child to move to a private app.`);
  await submit(page, 'button[type=submit]');
  await page.screenshot({ path: join(SHOTS, `${name}-2-receipt.png`), fullPage: true });
  const receipts = await page.locator('.receipt').allTextContents();
  assert.equal(receipts.length, 2, 'a receipt code and a secret');
  assert.match(receipts[0], /^VR-/);
  return { code: receipts[0], secret: receipts[1] };
}

test('anonymous report with JavaScript off, then information added with the receipt', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const { code, secret } = await fileReport(page, 'public-nojs', false);
  await page.goto(url + '/report/add');
  await page.fill('#code', code);
  await page.fill('#secret', 'WRONG-WRONG-WRONG-WRONG');
  await page.fill('#text', 'They also use the name browser_test_user_2.');
  await submit(page, 'button[type=submit]');
  assert.match(await page.content(), /do not match a report/);
  await page.screenshot({ path: join(SHOTS, 'public-nojs-3-wrong-secret.png'), fullPage: true });
  await page.fill('#secret', secret);
  await submit(page, 'button[type=submit]');
  assert.match(await page.content(), /added this to your report/);
  await page.screenshot({ path: join(SHOTS, 'public-nojs-4-added.png'), fullPage: true });
  await ctx.close();
});

test('anonymous report with JavaScript on', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await fileReport(page, 'public-js', true);
  await ctx.close();
});

test('the public pages meet WCAG 2.2 AA (axe-core)', async () => {
  // CSP forbids injected script; the audit alone bypasses it.
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  for (const path of ['/report', '/report/add', '/login']) {
    await page.goto(url + path);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    const problems = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
    assert.deepEqual(problems, [], `${path}: ${problems.join('; ')}`);
  }
  await ctx.close();
});

test('a triage officer signs in with TOTP, sees immediate danger first, grades it and opens a case', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url + '/login');
  await page.fill('#username', 'demo.triage');
  await page.fill('#password', password);
  await page.fill('#code', totp(secrets['demo.triage']));
  await page.screenshot({ path: join(SHOTS, 'officer-1-sign-in.png'), fullPage: true });
  await submit(page, 'button[type=submit]');
  assert.match(await page.content(), /Signed in as demo\.triage/);
  await page.goto(url + '/queue');
  await page.screenshot({ path: join(SHOTS, 'officer-2-queue.png'), fullPage: true });
  const firstRow = await page.locator('tbody tr').first().textContent();
  assert.match(firstRow, /IMMEDIATE DANGER/);
  assert.match(firstRow, /a child is in immediate danger \(\+100\)/);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('tbody tr').first().locator('a').click()]);
  await page.check('#source-2');
  await page.check('#intelligence-B');
  await page.check('#handling-P');
  await page.fill('#grade-reason', 'untested reporter; the chat export corroborates the account');
  await page.screenshot({ path: join(SHOTS, 'officer-3-report.png'), fullPage: true });
  await submit(page, 'form[action$="/grade"] button[type=submit]');
  assert.match(await page.content(), /Current: 2\/B\/P/);
  await page.fill('#case', 'OP-BROWSER-2026');
  await page.fill('#title', 'Synthetic browser-test case');
  await submit(page, 'form[action$="/case"] button[type=submit]');
  assert.match(await page.locator('main').textContent(), /In case\(s\): OP-BROWSER-2026/);
  await page.screenshot({ path: join(SHOTS, 'officer-4a-case-opened.png'), fullPage: true });
  // In a case now, it has left the new reports for the "in a case" tab.
  await page.goto(url + '/queue?state=in-case');
  assert.match(await page.locator('tbody tr').first().textContent(), /2\/B\/P/);
  await page.screenshot({ path: join(SHOTS, 'officer-4-graded.png'), fullPage: true });
  await ctx.close();
});

test('an immediate-danger report shows as a banner on an open officer page without a reload', async () => {
  const officer = await browser.newContext();
  const page = await officer.newPage();
  await page.goto(url + '/login');
  await page.fill('#username', 'demo.supervisor');
  await page.fill('#password', password);
  await page.fill('#code', totp(secrets['demo.supervisor']));
  await submit(page, 'button[type=submit]');
  await page.goto(url + '/queue');
  assert.equal(await page.locator('#alert').isHidden(), true);
  // Give the event stream a moment to connect before the report is sent.
  await page.waitForTimeout(300);
  const pub = await browser.newContext();
  const reporter = await pub.newPage();
  const sent = Date.now();
  await fileReport(reporter, 'public-danger', true);
  await page.waitForSelector('#alert:not([hidden])', { timeout: 1000 });
  const shownWithin = Date.now() - sent;
  assert.match(await page.locator('#alert').textContent(), /immediate danger/);
  await page.screenshot({ path: join(SHOTS, 'officer-5-danger-banner.png'), fullPage: true });
  assert.ok(shownWithin < 5000, `banner shown ${shownWithin} ms after the report was sent`);
  await pub.close();
  await officer.close();
});

test('an investigator walks case DEMO-1: the case, a decision, the exhibit list and the MG6C schedule', async () => {
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(url + '/login');
  await page.fill('#username', 'demo.investigator');
  await page.fill('#password', password);
  await page.fill('#code', totp(secrets['demo.investigator']));
  await submit(page, 'button[type=submit]');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/cases"]')]);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/cases/DEMO-1"]')]);
  const caseHtml = await page.content();
  assert.match(caseHtml, /Operation Lantern/);
  assert.match(caseHtml, /WARNING: graded B \(corroborated\), but the corroborating source is not recorded/);
  await page.screenshot({ path: join(SHOTS, 'case-1-overview.png'), fullPage: true });
  await page.fill('#decision-decision', 'Interview the account holder under caution after the device search');
  await page.fill('#decision-reason', 'Search approved with a welfare plan; attribution still needs corroboration');
  await page.fill('#decision-alternatives', 'Arrest now\nNo further action');
  await submit(page, 'form[action$="/records/decision"] button[type=submit]');
  assert.match(await page.content(), /Decided: Interview the account holder/);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/cases/DEMO-1/exhibits"]')]);
  assert.match(await page.content(), /MG12 exhibit list: used material only/);
  assert.match(await page.content(), /DI\/1/);
  await page.screenshot({ path: join(SHOTS, 'case-2-exhibit-list.png'), fullPage: true });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/cases/DEMO-1/schedules"]')]);
  assert.match(await page.content(), /MG6C: unused, not sensitive/);
  await page.locator('#mg6c').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'case-3-mg6c-schedule.png'), fullPage: true });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/cases/DEMO-1/schedules/versions/1"]')]);
  assert.match(await page.content(), /Schedules version 1 as revealed/);
  await page.screenshot({ path: join(SHOTS, 'case-4-version-1-as-revealed.png'), fullPage: true });
  for (const path of ['/cases/DEMO-1', '/cases/DEMO-1/exhibits', '/cases/DEMO-1/schedules', '/cases/DEMO-1/schedules/versions/1']) {
    await page.goto(url + path);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    const problems = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
    assert.deepEqual(problems, [], `${path}: ${problems.join('; ')}`);
  }
  await ctx.close();
});

async function signIn(ctx, who) {
  while (usedStep[secrets[who]] === currentStep()) await new Promise((r) => setTimeout(r, 500));
  const page = await ctx.newPage();
  await page.goto(url + '/login');
  await page.fill('#username', who);
  await page.fill('#password', password);
  await page.fill('#code', totp(secrets[who]));
  await submit(page, 'button[type=submit]');
  return page;
}

async function axeProblems(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`);
}

test('a triage officer works the queue from the keyboard: filter, sort, open, grade, close with a reason', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx, 'demo.triage');
  // Sort by age: the longest waiting first; the wait is shown at the top.
  await page.goto(url + '/queue?state=new&sort=age');
  assert.equal(await page.locator('nav[aria-label=Order] a[aria-current]').textContent(), 'Longest waiting first');
  assert.match(await page.locator('main').textContent(), /Longest waiting open report: received/);
  await page.screenshot({ path: join(SHOTS, 'queue-1-by-age.png'), fullPage: true });
  // Open the first report with the keyboard alone.
  await page.locator('tbody tr a').first().focus();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  const report = page.url();
  // Grade it: Space picks a radio, Tab moves to the next group, arrows move within one.
  await page.focus('#source-2');
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('graded from the keyboard alone');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  assert.match(await page.locator('main').textContent(), /Current: 2\/B\/P/);
  await page.screenshot({ path: join(SHOTS, 'report-1-graded.png'), fullPage: true });
  // Close it with a reason, from the keyboard.
  await page.focus('#close-duplicate');
  await page.keyboard.press('Space');
  await page.focus('#close-note');
  await page.keyboard.type('the same concern as an earlier report');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  // The closed tab lists it with its reason.
  await page.goto(url + '/queue?state=closed');
  const closed = await page.locator('tbody').textContent();
  assert.match(closed, /closed: Duplicate/i);
  assert.ok(await page.locator(`tbody a[href="${new URL(report).pathname}"]`).count() === 1, 'the closed report is listed');
  await page.screenshot({ path: join(SHOTS, 'queue-2-closed.png'), fullPage: true });
  await ctx.close();
});

test('an investigator finds a report by an identifier and reaches its case', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx, 'demo.investigator');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('header a[href="/search"]')]);
  await page.fill('#q', 'demo_user_a');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  const found = await page.locator('main').textContent();
  assert.match(found, /Read as the identifier/);
  assert.match(found, /Reports \([1-9]/);
  await page.screenshot({ path: join(SHOTS, 'search-1-results.png'), fullPage: true });
  // The report found is reached through its case, the way for roles outside triage.
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main ul').first().locator('a[href="/cases/DEMO-1"]').first().click()]);
  assert.match(await page.locator('h1').textContent(), /Case DEMO-1/);
  assert.match(await page.locator('.breadcrumbs').textContent(), /Cases/);
  await page.screenshot({ path: join(SHOTS, 'case-0-from-search.png'), fullPage: true });
  await ctx.close();
});

test('a supervisor reads the dashboard: charts, each with its table and CSV', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx, 'demo.supervisor');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('header a[href="/figures"]')]);
  assert.match(await page.locator('h1').textContent(), /Team figures/);
  assert.ok(await page.locator('svg[role=img]').count() >= 7, 'the charts are drawn on the server');
  assert.match(await page.locator('main').textContent(), /Time to triage against the target/);
  assert.match(await page.locator('main').textContent(), /Workload per officer/);
  const csv = await page.evaluate(async () => { const r = await fetch('/figures/reports-by-week.csv'); return [r.status, await r.text()]; });
  assert.equal(csv[0], 200);
  assert.match(csv[1], /^Week beginning,/);
  await page.screenshot({ path: join(SHOTS, 'dashboard-1.png'), fullPage: true });
  await ctx.close();
});

test('every officer page meets WCAG 2.2 AA (axe-core)', async () => {
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await signIn(ctx, 'demo.supervisor');
  const pages = ['/officer', '/queue', '/queue?state=closed&sort=age', '/reports/1', '/cases', '/cases/DEMO-1',
    '/cases/DEMO-1/exhibits', '/cases/DEMO-1/schedules', '/cases/DEMO-1/timeline', '/cases/DEMO-1/chats/DI/4',
    '/search', '/search?q=demo_user_a', '/figures', '/cases/DEMO-1/review/counts', '/review/settings',
    '/review/second-opinions', '/access?object=case:DEMO-1', '/retention', '/break-glass'];
  const all = [];
  for (const path of pages) {
    const res = await page.goto(url + path);
    assert.equal(res.status(), 200, `${path} answers`);
    for (const p of await axeProblems(page)) all.push(`${path}: ${p}`);
  }
  assert.deepEqual(all, []);
  await ctx.close();
});

// Opens a collapsed form (a <details>) by its summary's words.
async function openForm(page, words) {
  const details = page.locator('details', { has: page.locator('summary', { hasText: words }) }).first();
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  return details;
}

// The disclosure officer accounts, in the ledger, for anything earlier
// flows added to the case (the investigator's decision, say), each as the
// ledger proposes, and reveals the schedules again if anything was.
async function accountForEverything(disc) {
  await disc.goto(url + '/cases/DEMO-1/ledger');
  let changed = false;
  while (await disc.locator('details[open] form[action$="/records/scheduled"]').count() > 0) {
    const form = disc.locator('details[open] form[action$="/records/scheduled"]').first();
    await form.locator('textarea[name=reason]').fill('added by an earlier flow; scheduled as proposed (browser test)');
    await Promise.all([disc.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
    changed = true;
  }
  assert.match(await disc.locator('main').textContent(), /none unaccounted for/);
  if (changed) {
    await disc.goto(url + '/cases/DEMO-1/schedules');
    await disc.fill('#reveal-to', 'demo.prosecutor');
    await disc.fill('#reveal-note', 'items added since scheduled (browser test)');
    await Promise.all([disc.waitForNavigation({ waitUntil: 'load' }), disc.click('form[action="/cases/DEMO-1/reveal"] button[type=submit]')]);
  }
}

// The prosecutor decides each line still to decide: D on the MG6C, CND
// (with a rebuttal, in case it is presumed material) on the MG6D.
async function decideWhatIsOpen(cps) {
  await cps.goto(url + '/cases/DEMO-1/schedules');
  for (const row of await cps.locator('#items + p + table tbody tr', { hasText: 'TO DECIDE' }).all()) {
    const line = await row.locator('td').first().textContent();
    const item = await row.locator('td a').first().textContent();
    const form = await openForm(cps, 'Record your decision on an item');
    await form.locator('#prosecutor-decision-item').fill(item);
    await form.locator('#prosecutor-decision-decision').selectOption(line.startsWith('MG6C') ? 'disclose' : 'clearly-not-disclosable');
    await form.locator('#prosecutor-decision-reason').fill('decided in the browser test');
    await form.locator('#prosecutor-decision-rebuttal').fill('nothing in it bears on the issues (browser test)');
    await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  }
}

test('the prosecutor inspects, decides and serves; the disclosure officer answers the inspection request and reviews after a defence statement', async () => {
  const ctx2 = await browser.newContext({ bypassCSP: true });
  const disc = await signIn(ctx2, 'demo.disclosure');
  await accountForEverything(disc);
  const ctx = await browser.newContext({ bypassCSP: true });
  const cps = await signIn(ctx, 'demo.prosecutor');
  await decideWhatIsOpen(cps);
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), cps.click('header a[href="/cases"]')]);
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), cps.click('a[href="/cases/DEMO-1/schedules"]')]);
  assert.match(await cps.locator('h1').textContent(), /Prosecutor's workspace: DEMO-1/);
  assert.equal(await cps.locator('#items + p + table', { hasText: 'TO DECIDE' }).count(), 0);
  assert.match(await cps.locator('main').textContent(), /None: the schedules stand as revealed/);
  // Inspect the phone's export: its content, the read recorded.
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), cps.click('#items + p + table a[href="/cases/DEMO-1/inspect?item=exhibit:DI/3"]')]);
  assert.match(await cps.locator('pre').textContent(), /I told my mum/);
  await cps.screenshot({ path: join(SHOTS, 'prosecutor-2-inspecting.png'), fullPage: true });
  await cps.goBack();
  // Ask to inspect the first account before deciding it.
  let form = await openForm(cps, 'Record your decision on an item');
  await form.locator('#prosecutor-decision-item').fill('exhibit:PR/1');
  await form.locator('#prosecutor-decision-decision').selectOption('inspect');
  await form.locator('#prosecutor-decision-reason').fill('I will see the first account before deciding');
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  assert.match(await cps.locator('#items + p + table').textContent(), /AWAITING YOUR INSPECTION/);
  // Service waits for the decision.
  await cps.fill('#serve-letter', 'CPIA s.3 letter (browser test)');
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), cps.click('form[action="/cases/DEMO-1/serve"] button[type=submit]')]);
  assert.match(await cps.locator('h1').textContent(), /awaiting the prosecutor's inspection/);
  assert.match(await cps.locator('header').textContent(), /Vigil/, 'an officer error page, not the public form');

  // The disclosure officer answers the inspection request (its task), in a
  // browser of their own.
  await disc.goto(url + '/cases/DEMO-1');
  const row = disc.locator('tr', { hasText: 'asks to inspect exhibit:PR/1' }).first();
  const task = (await row.locator('td').first().textContent()).replace('record:', '');
  form = await openForm(disc, 'Mark a task done');
  await form.locator('#task-done-task').fill(task);
  await form.locator('#task-done-note').fill('PR/1 made available to the prosecutor in the workspace');
  await Promise.all([disc.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  assert.match(await disc.locator('main').textContent(), new RegExp(`task record:${task} done`));

  // The prosecutor inspects PR/1, decides CND with the rebuttal, and serves.
  await cps.goto(url + '/cases/DEMO-1/inspect?item=exhibit:PR/1');
  assert.match(await cps.locator('main').textContent(), /recorded in the custody log/);
  await cps.goto(url + '/cases/DEMO-1/schedules');
  form = await openForm(cps, 'Record your decision on an item');
  await form.locator('#prosecutor-decision-item').fill('exhibit:PR/1');
  await form.locator('#prosecutor-decision-decision').selectOption('clearly-not-disclosable');
  await form.locator('#prosecutor-decision-reason').fill('inspected: identifies the reporter');
  await form.locator('#prosecutor-decision-rebuttal').fill('its account is the used chat DI/1; only the identity is withheld');
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  await cps.fill('#serve-letter', 'CPIA s.3 letter (browser test)');
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), cps.click('form[action="/cases/DEMO-1/serve"] button[type=submit]')]);
  assert.match(await cps.locator('#service + p + table').textContent(), /CPIA s\.3 letter \(browser test\)/);
  // The defence statement arrives.
  form = await openForm(cps, 'Record a defence statement received');
  await form.locator('#ds-received').fill('6 Dec 2026');
  await form.locator('#ds-issues').fill('alibi: elsewhere on 27 October (browser test)');
  await Promise.all([cps.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  const statement = (await cps.locator('#dmd + table tr', { hasText: 'alibi: elsewhere' }).locator('td').first().textContent()).replace('record:', '');

  // The disclosure officer reviews every item against it and reveals again.
  await disc.goto(url + '/cases/DEMO-1');
  form = await openForm(disc, 'Continuing review of unused material');
  await form.locator('#disclosure-review-statement').fill(statement);
  await form.locator('#disclosure-review-result').fill('every item reviewed against the alibi (browser test)');
  await Promise.all([disc.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  await disc.goto(url + '/cases/DEMO-1/schedules');
  await disc.fill('#reveal-to', 'demo.prosecutor');
  await disc.fill('#reveal-note', 'reviewed after the defence statement (browser test)');
  await Promise.all([disc.waitForNavigation({ waitUntil: 'load' }), disc.click('form[action="/cases/DEMO-1/reveal"] button[type=submit]')]);
  await disc.goto(url + '/cases/DEMO-1/ledger');
  assert.match(await disc.locator('main').textContent(), /none unaccounted for/);
  await disc.screenshot({ path: join(SHOTS, 'disclosure-officer-ledger.png'), fullPage: true });

  // The prosecutor's workspace: the new version, every line to decide again.
  await cps.goto(url + '/cases/DEMO-1/schedules');
  assert.match(await cps.locator('main').textContent(), /reviewed after the defence statement \(browser test\)/);
  assert.ok(await cps.locator('#items + p + table .tag-danger', { hasText: 'DECIDE AGAIN' }).count() > 10);
  await cps.screenshot({ path: join(SHOTS, 'prosecutor-1-workspace.png'), fullPage: true });
  for (const path of ['/cases/DEMO-1/schedules', '/cases/DEMO-1/inspect?item=exhibit:DI/3']) {
    await cps.goto(url + path);
    assert.deepEqual(await axeProblems(cps), [], path);
  }
  await disc.goto(url + '/cases/DEMO-1/ledger');
  assert.deepEqual(await axeProblems(disc), [], 'the ledger');
  await ctx.close();
  await ctx2.close();
});

// Pixels of a PNG (a screenshot) read back in a page without a CSP:
// how many distinct values, whether any is coloured, and the edge energy.
async function pixels(ctx, png) {
  const scratch = await ctx.newPage();
  const r = await scratch.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let coloured = 0, edges = 0;
    for (let i = 0; i < d.length; i += 4) {
      seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 12) coloured++;
      if ((i / 4) % c.width > 0) edges += Math.abs(d[i] - d[i - 4]);
    }
    return { distinct: seen.size, coloured, edges: edges / (c.width * c.height) };
  }, png.toString('base64'));
  await scratch.close();
  return r;
}

test('an examiner reviews seized images that stay hidden until held, blurred and grey; an unassigned one gets 404', async () => {
  const other = await browser.newContext();
  const analyst = await signIn(other, 'demo.analyst');
  const refused = await analyst.goto(url + '/cases/DEMO-1/review');
  assert.equal(refused.status(), 404, 'an examiner not assigned to the case is told it does not exist');
  assert.equal((await analyst.goto(url + '/cases/DEMO-1/review/items/1/preview')).status(), 404);
  await other.close();

  // bypassCSP lets axe-core's script in; the page's own script is same-origin.
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await signIn(ctx, 'demo.examiner');
  const previews = [];
  page.on('request', (r) => { if (r.url().includes('/preview')) previews.push(r.url()); });
  await page.goto(url + '/cases/DEMO-1/review');
  // Nothing is shown by default: no picture element, no background image, no preview fetched.
  const pictures = await page.evaluate(() => document.querySelectorAll('img, picture, canvas, video, svg image, object, embed').length);
  assert.equal(pictures, 0, 'the review page holds no picture');
  const backgrounds = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => getComputedStyle(e).backgroundImage !== 'none').length);
  assert.equal(backgrounds, 0);
  assert.equal(previews.length, 0);
  const before = Number(await page.locator('#exposure-today').textContent());
  await page.screenshot({ path: join(SHOTS, 'review-1-placeholders.png'), fullPage: true });
  const first = page.locator('article.review-item').first();
  const item = await first.getAttribute('data-item');
  const slot = first.locator('.reveal-slot');
  const empty = await pixels(ctx, await slot.screenshot());
  assert.ok(empty.distinct <= 2 && empty.coloured === 0, `the preview's place is blank: ${JSON.stringify(empty)}`);
  assert.equal((await axeProblems(page)).join('\n'), '');

  // Hold R on the focused item: its preview appears, blurred and grey by default.
  await first.focus();
  await page.keyboard.down('r');
  await first.locator('.reveal-slot img').waitFor();
  await page.waitForFunction(() => { const i = document.querySelector('.reveal-slot img'); return i && i.complete && i.naturalWidth > 0; });
  await page.screenshot({ path: join(SHOTS, 'review-2-held.png'), fullPage: true });
  const held = await pixels(ctx, await first.locator('.reveal-slot img').screenshot());
  await page.keyboard.up('r');
  assert.equal(await first.locator('.reveal-slot img').count(), 0, 'letting go hides it');
  assert.ok(held.distinct > 10, `a picture was shown: ${JSON.stringify(held)}`);
  assert.equal(held.coloured, 0, 'grey by default');
  assert.equal(previews.length, 1);

  // With no blur and colour (the officer's own setting), the same preview has colour and far sharper edges.
  await page.goto(url + '/review/settings');
  await page.fill('#blur', '0');
  await page.uncheck('#grey');
  await submit(page, 'form[action="/review/settings"] button');
  await page.goto(url + '/cases/DEMO-1/review');
  const again = page.locator(`#item-${item}`);
  await again.focus();
  await page.keyboard.down('r');
  await page.waitForFunction(() => { const i = document.querySelector('.reveal-slot img'); return i && i.complete && i.naturalWidth > 0; });
  const clear = await pixels(ctx, await again.locator('.reveal-slot img').screenshot());
  await page.keyboard.up('r');
  assert.ok(clear.coloured > 0, 'colour once chosen');
  assert.ok(clear.edges > held.edges * 1.5, `blurred by default: edges ${held.edges} against ${clear.edges} unblurred`);
  await page.goto(url + '/review/settings');
  await page.fill('#blur', '10');
  await page.check('#grey');
  await submit(page, 'form[action="/review/settings"] button');

  // Categorise from the keyboard: A on the focused item records the decision.
  await page.goto(url + '/cases/DEMO-1/review');
  const after = Number(await page.locator('#exposure-today').textContent());
  assert.equal(after, before + 2, 'the exposure counter moved with each reveal');
  await page.locator(`#item-${item}`).focus();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('a')]);
  assert.match(await page.locator(`#item-${item} .status`).textContent(), /Category A \(decided by demo\.examiner\)/);
  await page.screenshot({ path: join(SHOTS, 'review-3-decided.png'), fullPage: true });
  await page.goto(url + '/cases/DEMO-1/review/counts');
  assert.match(await page.locator('table').textContent(), /reviewed by officer demo\.examiner/);
  await page.screenshot({ path: join(SHOTS, 'review-4-counts.png'), fullPage: true });
  await ctx.close();
});

test('accountability: an unassigned examiner breaks glass with a reason; the supervisor sees it, the retention queue and who has seen the case', async () => {
  const ctx = await browser.newContext({ bypassCSP: true });
  const fe = await signIn(ctx, 'demo.analyst');
  const hidden = await fe.goto(url + '/cases/DEMO-1');
  assert.equal(hidden.status(), 404, 'not assigned: as if there were no such case');
  await fe.goto(url + '/break-glass');
  assert.equal((await axeProblems(fe)).join('\n'), '');
  await fe.fill('#case', 'DEMO-1');
  await fe.fill('#justification', 'a linked report names the same account; checking for a child at risk (browser test)');
  await fe.screenshot({ path: join(SHOTS, 'break-glass-1-form.png'), fullPage: true });
  await submit(fe, 'form[action="/break-glass"] button[type=submit]');
  assert.match(fe.url(), /\/cases\/DEMO-1$/);
  assert.match(await fe.locator('h1').textContent(), /DEMO-1/);

  const sup = await signIn(ctx, 'demo.supervisor');
  await sup.goto(url + '/break-glass');
  assert.match(await sup.locator('main').textContent(), /demo\.analyst.*checking for a child at risk/s);
  await sup.screenshot({ path: join(SHOTS, 'break-glass-2-reads.png'), fullPage: true });
  await sup.goto(url + '/access?object=case:DEMO-1');
  assert.match(await sup.locator('table').textContent(), /demo\.analyst/);
  await sup.screenshot({ path: join(SHOTS, 'access-1-case.png'), fullPage: true });
  await Promise.all([sup.waitForNavigation({ waitUntil: 'load' }), sup.click('header a[href="/retention"]')]);
  assert.match(await sup.locator('h1').textContent(), /Retention review/);
  assert.match(await sup.locator('table').textContent(), /case:DEMO-1[\s\S]*LIVE PROSECUTION/);
  await sup.screenshot({ path: join(SHOTS, 'retention-1-queue.png'), fullPage: true });
  await ctx.close();
});
