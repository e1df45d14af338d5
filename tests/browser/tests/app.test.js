// The web app end to end in headless Chromium, served from a sub-path.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

import { serve, launch, openApp, waitDone, screenshot, shownChecks, DIST, ROOT, SUBPATH } from '../lib/harness.js';
import { hostileSignins, manyLegacySignins, jsonSignins, file, zip, csv, signin } from '../lib/fixtures.js';

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), `no build in ${DIST}: run scripts/build-web`);
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Fails when anything but a same-origin GET of the app's files happened. */
function assertPrivate(net) {
  const bad = net.violations(server.origin);
  assert.deepEqual(bad, [], `requests that are not the app's own files: ${JSON.stringify(bad, null, 1)}`);
  assert.ok(net.requests.length > 0, 'the recorder saw the app load');
}

test('the built page carries a strict CSP and no inline script or style', () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(meta, 'CSP meta tag present');
  const csp = Object.fromEntries(meta[1].split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(csp['default-src'], ["'none'"]);
  assert.deepEqual(csp['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp['connect-src'], ["'self'"]);
  assert.deepEqual(csp['style-src'], ["'self'"]);
  assert.deepEqual(csp['object-src'], ["'none'"]);
  assert.deepEqual(csp['base-uri'], ["'none'"]);
  assert.deepEqual(csp['form-action'], ["'none'"]);
  for (const [k, v] of Object.entries(csp)) {
    assert.ok(!v.includes("'unsafe-inline'") && !v.includes("'unsafe-eval'") && !v.includes('*'), `${k} is strict`);
  }
  // Every script is a file; no style attributes; every URL relative.
  for (const s of html.match(/<script\b[^>]*>/g) || []) assert.match(s, /\ssrc="\.\//, `script has a relative src: ${s}`);
  assert.doesNotMatch(html, /<script\b[^>]*>[^<\s]/, 'no inline script body');
  assert.doesNotMatch(html, /\sstyle=/, 'no style attribute');
  assert.doesNotMatch(html, /(href|src)="(https?:)?\/\//, 'no absolute or other-origin URL');
});

// What the demo tenant (web/demo/, entrascope-gen's demo preset) plants, by
// the check that finds it (web/demo/README.md). Some need the demo's
// settings.json: break-glass accounts, approved actors, business hours.
const DEMO_PLANTED = [
  'SIGN-LEGACY-AUTH', 'SIGN-PASSWORD-SPRAY', 'SIGN-BRUTE-FORCE', 'SIGN-DISTRIBUTED-PASSWORD-CRACKING', 'SIGN-MFA-FATIGUE',
  'SIGN-MFA-DENIED', 'PA-BREAK-GLASS-SIGNIN', 'AUDIT-ACCOUNT-SHORT-LIVED', 'SIGN-NEW-COUNTRY', 'SIGN-IMPOSSIBLE-TRAVEL',
  'SIGN-SUCCESS-THEN-FAIL-OTHER-NETWORK', 'AUDIT-ROLE-OUTSIDE-PIM', 'AUDIT-BULK-ROLE-CHANGES', 'AUDIT-CA-POLICY-UNAPPROVED',
  'AUDIT-CA-POLICY-WEAKENED', 'AUDIT-APP-CREDENTIAL-ADDED', 'AUDIT-APP-USER-CONSENT', 'AUDIT-APP-SENSITIVE-PERMISSION',
  'SIGN-PRIV-OUTSIDE-BUSINESS-HOURS', 'SIGN-FAILURE-VOLUME-UP', 'AUDIT-GUEST-INVITE-UNAPPROVED', 'AUDIT-CRITICAL-GROUP-MEMBERSHIP',
  // From the Connect sample's configuration.
  'SYNC-PHS-DISABLED', 'SYNC-SOURCE-ANCHOR-OBJECTGUID',
];
const DEMO_RANGE = '2025-10-13_2025-11-02';

test('demo: loads from a sub-path with its settings, analyzes in the worker, shows findings; no request leaves', async () => {
  const { page, net, errors, context } = await openApp(browser, server);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await screenshot(page, '01-home');
  assert.match(await page.textContent('#privacy-note'), /Nothing leaves this browser/);
  assert.equal(await page.getAttribute('#app', 'data-status'), 'idle');
  await page.click('#demo-button');
  await waitDone(page);
  const checks = await shownChecks(page);
  const missing = DEMO_PLANTED.filter((c) => !checks.includes(c));
  assert.deepEqual(missing, [], `every planted incident's check is shown: ${checks}`);
  assert.equal(await page.getAttribute('[data-check="PA-BREAK-GLASS-SIGNIN"]', 'data-severity'), 'high');
  const verdict = await page.textContent('#verdict');
  assert.match(verdict, /^\d+ high, \d+ medium, \d+ low findings in 1,410 sign-ins, 222 audit events and 1 Entra Connect configuration/);
  assert.match(verdict, /2025-10-13 to 2025-11-02/);
  // A log value with markup (an app's name, planted by the generator) is text.
  const consent = await page.$$eval('[data-check="AUDIT-APP-USER-CONSENT"]', (els) => els.map((e) => e.textContent).join('\n'));
  assert.ok(consent.includes('Mail Helper <script>alert(1)</script>'), consent);
  // Inputs panel: every demo file, with what it was recognized as; the
  // settings and labels files are not inputs.
  const inputs = await page.$$eval('.inputs-table tbody tr', (rows) => rows.map((r) => r.textContent));
  const has = (name, kind) => inputs.some((t) => t.includes(name) && t.includes(kind));
  assert.ok(has(`InteractiveSignIns_${DEMO_RANGE}.csv`, 'signin.interactive'), inputs.join('\n'));
  assert.ok(has(`InteractiveSignIns_AuthDetails_${DEMO_RANGE}.csv`, 'signin.authdetails'));
  assert.ok(has(`NonInteractiveSignIns_${DEMO_RANGE}.csv`, 'signin.noninteractive'));
  assert.ok(has(`ApplicationSignIns_${DEMO_RANGE}.csv`, 'signin.serviceprincipal'));
  assert.ok(has(`MSISignIns_${DEMO_RANGE}.json`, 'signin.managedidentity'));
  assert.ok(has(`AuditLogs_${DEMO_RANGE}.json`, 'audit'));
  assert.ok(inputs.some((t) => t.includes('ConnectSync-Production/')), 'Connect folder keeps its relative paths');
  assert.ok(!inputs.some((t) => /settings\.json|labels\.json/.test(t)), 'settings.json and labels.json are not read as inputs');
  assert.match(await page.textContent('#inputs'), / 0 rows rejected/);
  // Coverage: counts of every status and a settings button.
  assert.match(await page.textContent('#coverage'), /evaluated/);
  await screenshot(page, '02-overview');
  // A settings gap's button opens the editor at that key's field.
  const key = await page.getAttribute('#coverage [data-setting]', 'data-setting');
  await page.click(`#coverage [data-setting="${key}"]`);
  const fieldId = key === 'business_hours' ? 'setting-business_hours-enabled' : `setting-${key.replace(/\./g, '-')}`;
  await page.waitForFunction((id) => document.activeElement?.id === id, fieldId);
  await page.click('button.tab:has-text("Overview")');
  await page.waitForSelector('#verdict');

  // Finding view: documentation, timeline, evidence, a record. The password
  // spray: 12 sign-ins from one address in 13 minutes.
  await page.click('[data-check="SIGN-PASSWORD-SPRAY"] button');
  await page.waitForSelector('.finding-view[data-check="SIGN-PASSWORD-SPRAY"]');
  await page.waitForSelector('.vtable tr.data');
  await page.waitForSelector('.finding-doc .markdown h3');
  assert.match(await page.textContent('.finding-doc'), /Why it matters/);
  assert.ok((await page.$$('.timeline svg rect.bar')).length > 1, 'timeline drawn');
  assert.match(await page.textContent('.vtable-tools'), /12 of 12 records/);
  await screenshot(page, '03-finding');
  await page.click('.vtable tr.data');
  await page.waitForSelector('.record-drawer dl.record');
  assert.match(await page.textContent('.record-drawer'), /193\.29\.57\.118/);
  await screenshot(page, '04-record', false);
  await page.keyboard.press('Escape');
  await page.waitForSelector('.record-drawer', { state: 'detached' });

  // Explore: charts and lists. The demo's sign-ins are the admin center's
  // CSV (a country, no coordinates): the map places them at their
  // countries' centres, dashed, and says so (exact places: next test).
  await page.click('button.tab:has-text("Explore")');
  await page.waitForSelector('.over-time svg rect');
  assert.match(await page.textContent('.map figcaption'), /at the centre of their country/);
  assert.ok((await page.$$('.map circle.loc.approx')).length > 1, 'countries placed on the map');
  assert.equal((await page.$$('.map circle.loc:not(.approx)')).length, 0, 'no exact place without coordinates');
  assert.ok((await page.$$('#top-users ~ table tbody tr')).length > 0, 'top users listed');
  assert.ok((await page.$$('#top-countries ~ table tbody tr')).length > 1, 'countries listed');
  await screenshot(page, '05-explore');

  // Entra Connect: the configuration, its rules in words, an attribute's path.
  await page.click('button.tab:has-text("Entra Connect")');
  await page.waitForSelector('.connect-config');
  assert.ok((await page.$$('.connect-config li.rule')).length > 0, 'rules listed');
  await page.fill('.attr-pick input', 'userPrincipalName');
  await screenshot(page, '05b-connect');

  // Settings: the demo tenant's own (its settings.json), not remembered.
  await page.click('button.tab:has-text("Settings")');
  await page.waitForSelector('#setting-break_glass_accounts');
  assert.match(await page.inputValue('#setting-break_glass_accounts'), /bg-01@contoso\.onmicrosoft\.com/);
  assert.match(await page.inputValue('#setting-approved_actors-conditional_access'), /ca-admin@contoso\.com/);
  assert.ok(await page.isVisible('#demo-settings-note'), 'the editor says these are the demo\'s settings');
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in storage');
  await screenshot(page, '06-settings');
  await page.click('button.tab:has-text("Export")');
  await page.waitForSelector('.export-list');
  await screenshot(page, '07-export');

  assertPrivate(net);
  assert.deepEqual(dialogs, [], 'no script from a log value ran');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'no CSP violation');
  assert.deepEqual(errors, [], 'no console error');
  await context.close();
});

test('demo: its settings apply to the demo only; remembered settings stay as they were', async () => {
  const { page, context } = await openApp(browser, server);
  const mine = { break_glass_accounts: ['mine@example.com'] };
  await page.evaluate((s) => localStorage.setItem('entrascope.settings', JSON.stringify(s)), mine);
  await page.reload();
  await page.waitForSelector('#app[data-status]');
  const stored = await page.evaluate(() => localStorage.getItem('entrascope.settings'));
  assert.deepEqual(JSON.parse(stored).break_glass_accounts, mine.break_glass_accounts);
  await page.click('#demo-button');
  await waitDone(page);
  assert.ok((await shownChecks(page)).includes('PA-BREAK-GLASS-SIGNIN'), 'the demo ran with its own break-glass accounts');
  await page.click('button.tab:has-text("Settings")');
  assert.match(await page.inputValue('#setting-break_glass_accounts'), /bg-01@contoso\.onmicrosoft\.com/);
  assert.ok(await page.isChecked('#remember'));
  assert.equal(await page.evaluate(() => localStorage.getItem('entrascope.settings')), stored, 'the stored settings are untouched');
  // Closing the demo brings the user's own settings back for their files.
  await page.click('button:has-text("Close files")');
  await page.waitForSelector('#demo-button');
  await page.setInputFiles('#file-input', [file('InteractiveSignIns.csv', hostileSignins())]);
  await waitDone(page);
  await page.click('button.tab:has-text("Settings")');
  assert.equal(await page.inputValue('#setting-break_glass_accounts'), 'mine@example.com');
  assert.equal(await page.$('#demo-settings-note'), null);
  assert.equal(await page.evaluate(() => localStorage.getItem('entrascope.settings')), stored);
  await context.close();
});

test('the map places sign-ins that carry coordinates (the JSON download)', async () => {
  const { page, context } = await openApp(browser, server);
  await page.setInputFiles('#file-input', [file('InteractiveSignIns_2026-10-01_2026-10-31.json', jsonSignins(), 'application/json')]);
  await waitDone(page);
  await page.click('button.tab:has-text("Explore")');
  await page.waitForSelector('.over-time svg rect');
  assert.equal((await page.$$('.map circle.loc')).length, 3, 'one circle per place');
  assert.equal((await page.$$('.map circle.mostly-failed')).length, 1, 'the place with mostly failures stands out');
  assert.match(await page.textContent('.map figcaption'), /^7 sign-ins at 3 places from the export's coordinates/);
  assert.equal((await page.$$('.map circle.approx')).length, 0, 'nothing placed approximately when coordinates exist');
  await context.close();
});

test('files through the file input: counts, rejected rows, hostile values stay text, settings re-run', async () => {
  const { page, net, errors, context } = await openApp(browser, server);
  await page.setInputFiles('#file-input', [file('InteractiveSignIns_2026-10-01_2026-10-31.csv', hostileSignins())]);
  await waitDone(page);

  // Records and the rejected row with its reason.
  const row = await page.$eval('.inputs-table tbody tr', (r) => [...r.cells].map((c) => c.textContent));
  assert.equal(row[3], '14', `14 rows read: ${row}`);
  assert.equal(row[4], '1', `1 row rejected: ${row}`);
  await page.click('.inputs-table details summary');
  assert.match(await page.textContent('.inputs-table ul.rejected'), /line 16/);

  // bob.smith's IMAP successes and the formula-named user's.
  const legacy = await page.$$('[data-check="SIGN-LEGACY-AUTH"]');
  assert.equal(legacy.length, 2, 'one finding per user');
  assert.equal(await legacy[0].getAttribute('data-severity'), 'medium');

  // Values from the log are text: visible as typed, never markup, never run.
  const bob = await page.$$eval('[data-check="SIGN-LEGACY-AUTH"]', (els) => els.findIndex((e) => e.textContent.includes('bob.smith')));
  await (await page.$$('[data-check="SIGN-LEGACY-AUTH"] button'))[bob].click();
  await page.waitForSelector('.vtable tr.data');
  // Search narrows to bob's first IMAP sign-in (its user agent is markup).
  await page.fill('#evidence-search', '03:10');
  await page.waitForFunction(() => document.querySelectorAll('.vtable tr.data').length === 1);
  await page.click('.vtable tr.data');
  await page.waitForSelector('.record-drawer dl.record');
  const drawer = await page.textContent('.record-drawer');
  assert.ok(drawer.includes('<img src=x onerror="window.__xss=3">'), 'markup shown as text');
  assert.equal(await page.$$eval('img', (imgs) => imgs.length), 0, 'no <img> element was created');
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected code ran');
  await screenshot(page, '08-hostile-record', false);

  // A settings change re-runs the checks without reading the files again.
  const served = server.served.length;
  await page.click('button.tab:has-text("Settings")');
  await page.selectOption('#setting-legacy_authentication_blocked', 'yes');
  await page.click('#apply-settings');
  await page.waitForSelector('.message.ok');
  await waitDone(page);
  await page.click('button.tab:has-text("Overview")');
  await page.waitForSelector('[data-check="SIGN-LEGACY-AUTH"][data-severity="high"]');
  assert.equal(server.served.length, served, 'nothing fetched to re-run');
  // Nothing stored unless asked.
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in storage');
  await page.click('button.tab:has-text("Settings")');
  await page.check('#remember');
  await page.waitForFunction(() => localStorage.getItem('entrascope.settings') !== null);
  assert.match(await page.evaluate(() => localStorage.getItem('entrascope.settings')), /"legacy_authentication_blocked":true/);
  await page.uncheck('#remember');
  await page.waitForFunction(() => localStorage.length === 0);

  // Exports: HTML escapes, CSV neutralizes formulas, JSON is the CLI schema.
  await page.click('button.tab:has-text("Export")');
  const get = async (name) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${name}"]`)]);
    return fs.readFileSync(await dl.path(), 'utf8');
  };
  const html = await get('entrascope-report.html');
  assert.ok(html.includes('&lt;script&gt;window.__xss=2'), 'HTML report escapes log values (the application name)');
  assert.ok(!html.includes('<script>window.__xss') && !html.includes('<img src=x'), 'no raw markup in the HTML report');
  const csvOut = await get('entrascope-findings.csv');
  assert.ok(/'=hyperlink/i.test(csvOut), 'CSV neutralizes formulas');
  assert.ok(!/(^|,)"?=hyperlink/im.test(csvOut), 'no cell starts with a formula');
  const json = JSON.parse(await get('entrascope-report.json'));
  assert.equal(json.tool.name, 'entrascope');
  assert.ok(json.findings.some((f) => f.check === 'SIGN-LEGACY-AUTH' && f.severity === 'high'));
  assert.equal(json.inputs[0].records, 14);
  assert.equal(json.inputs[0].records + json.inputs[0].rejected.length, 15, 'every row read or rejected');
  const sarif = JSON.parse(await get('entrascope.sarif'));
  assert.equal(sarif.version, '2.1.0');

  assertPrivate(net);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('works offline once loaded; zip archives are read', async () => {
  const { page, net, context } = await openApp(browser, server);
  // "Once loaded" includes the analysis worker's script and wasm: going
  // offline while they are still downloading (a loaded machine) is not the case under test.
  await net.workerLoaded();
  await context.setOffline(true);
  const archive = zip([
    { name: 'export/InteractiveSignIns_2026-10-01_2026-10-31.csv', text: hostileSignins() },
    { name: 'export/readme.txt', text: 'not an export' },
  ]);
  await page.setInputFiles('#file-input', [file('tenant-export.zip', archive, 'application/zip')]);
  await waitDone(page);
  const paths = await page.$$eval('.inputs-table td.path', (tds) => tds.map((t) => t.firstChild.textContent));
  assert.ok(paths.includes('tenant-export.zip/export/InteractiveSignIns_2026-10-01_2026-10-31.csv'), paths.join(', '));
  assert.ok((await shownChecks(page)).includes('SIGN-LEGACY-AUTH'));
  assertPrivate(net);
  await context.close();
});

test('100,000 sign-ins: the table draws only visible rows; sort, filter and scroll stay responsive', async () => {
  const { page, context } = await openApp(browser, server);
  // A file on disk: handing Playwright a 15 MB buffer blocks the page for
  // seconds inside Playwright itself, which is not the app's doing.
  const big = path.join(os.tmpdir(), `entrascope-InteractiveSignIns-${process.pid}.csv`);
  fs.writeFileSync(big, manyLegacySignins(100_000));
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, Math.round(e.duration)]); })
      .observe({ type: 'longtask', buffered: true });
  });
  await page.setInputFiles('#file-input', big);
  const given = await page.evaluate(() => performance.now());
  await waitDone(page, 240_000);
  fs.rmSync(big, { force: true });
  assert.match(await page.textContent('#verdict'), /100,000 sign-ins/);
  await page.click('button.tab:has-text("Explore")');
  await page.waitForSelector('.vtable tr.data');
  assert.match(await page.textContent('.vtable-tools'), /100,000 of 100,000 records/);
  const rendered = await page.$$eval('.vtable tr.data', (r) => r.length);
  assert.ok(rendered > 10 && rendered <= 200, `rendered ${rendered} rows, not 100,000`);
  // Sort by date, descending: the last sign-in comes first.
  await page.click('th button.sort:has-text("Date")');
  await page.click('th button.sort:has-text("Date")');
  await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]'));
  await page.waitForFunction(() => document.querySelector('.vtable tr.data td')?.textContent.startsWith('2026-10-24'));
  // Scroll to the end: the oldest row shows, and still few rows are drawn.
  await page.$eval('.vscroll', (el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('.vtable tr.data td:first-child')].some((td) => td.textContent === '2026-10-01 00:00:00'));
  assert.ok((await page.$$eval('.vtable tr.data', (r) => r.length)) <= 200);
  // A column filter narrows 100,000 rows to one.
  await page.fill('input[aria-label="Filter IP address"]', '198.51.156.64');
  await page.waitForFunction(() => document.querySelectorAll('.vtable tr.data').length === 1);
  await screenshot(page, '09-signin-table', false);
  const long = (await page.evaluate(() => window.__long)).filter(([start]) => start >= given).map(([, d]) => d);
  console.log(`main-thread long tasks over 50 ms after the file was given (ms): ${JSON.stringify(long)}`);
  // The design target is no task over 100 ms (measured here: 70-90 ms at
  // most); the margin absorbs a shared 2-core machine's contention.
  assert.ok(long.every((d) => d < 150), `no main-thread task over 150 ms: ${long}`);
  await context.close();
});

test('cancel stops reading; the next run works (spare worker)', async () => {
  const { page, context } = await openApp(browser, server);
  const big = path.join(os.tmpdir(), `entrascope-cancel-${process.pid}.csv`);
  fs.writeFileSync(big, manyLegacySignins(150_000));
  await page.setInputFiles('#file-input', big);
  await page.waitForSelector('#app[data-status="working"]');
  await page.waitForSelector('#cancel-button');
  await screenshot(page, '12-progress', false);
  await page.click('#cancel-button');
  await page.waitForSelector('#app[data-status="idle"]');
  assert.match(await page.textContent('.messages'), /cancelled/);
  fs.rmSync(big, { force: true });
  await page.setInputFiles('#file-input', [file('InteractiveSignIns.csv', hostileSignins())]);
  await waitDone(page);
  assert.match(await page.textContent('#verdict'), /14 sign-ins/);
  await context.close();
});

test('files dropped on the drop zone are read', async () => {
  const { page, context } = await openApp(browser, server);
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'InteractiveSignIns_dropped.csv', { type: 'text/csv' }));
    const zone = document.querySelector('.dropzone');
    zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, hostileSignins());
  await waitDone(page);
  assert.match(await page.textContent('.inputs-table'), /InteractiveSignIns_dropped\.csv/);
  assert.match(await page.textContent('#verdict'), /14 sign-ins/);
  await context.close();
});

test('narrow window and dark theme', async () => {
  const { page, context } = await openApp(browser, server, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await screenshot(page, '10-home-narrow-dark');
  await page.setInputFiles('#file-input', [file('InteractiveSignIns.csv', hostileSignins())]);
  await waitDone(page);
  await screenshot(page, '11-overview-narrow-dark');
  // The toggle switches to light.
  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  await context.close();
});

test('keyboard: every control reachable, focus visible', async () => {
  const { page, context } = await openApp(browser, server);
  await page.setInputFiles('#file-input', [file('InteractiveSignIns.csv', csv([signin({ time: '2026-10-06T10:00:00Z', user: 'carol@contoso.com', client: 'POP3' })]))]);
  await waitDone(page);
  // Tab to the first finding's button and open it with Enter.
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.closest('[data-check]') !== null);
  }
  assert.ok(found, 'a finding is reachable by Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.finding-view');
  await context.close();
});

test('a folder through the folder picker keeps its relative paths', async () => {
  const { page, context } = await openApp(browser, server);
  await page.setInputFiles('#folder-input', path.join(ROOT, 'web', 'demo', 'ConnectSync-Production'));
  await waitDone(page);
  const paths = await page.$$eval('.inputs-table td.path', (tds) => tds.map((t) => t.firstChild.textContent));
  assert.ok(paths.includes('ConnectSync-Production/GlobalSettings/MV.xml'), paths.join(', '));
  assert.ok(paths.some((p) => p.startsWith('ConnectSync-Production/SynchronizationRules/')));
  assert.match(await page.textContent('#verdict'), /Entra Connect configuration/);
  await context.close();
});

test(`served only under ${SUBPATH}: nothing is requested from the server root`, async () => {
  const { page, context } = await openApp(browser, server);
  await page.click('#demo-button');
  await waitDone(page);
  const outside = server.served.filter((r) => !r.path.startsWith(SUBPATH));
  assert.deepEqual(outside, []);
  await context.close();
});
