// Proves the privacy check can fail: a page that sends a request to another
// origin is flagged, and the app's CSP blocks such a request outright.
// Both "other origins" are servers of this test on 127.0.0.1: nothing leaves
// the machine.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { serve, launch, openApp, recordRequests, isOwnFile, SUBPATH } from '../lib/harness.js';

let app;
let other;
let otherUrl;
let hits = 0;
let browser;

before(async () => {
  app = await serve();
  other = http.createServer((req, res) => { hits++; res.writeHead(200, { 'access-control-allow-origin': '*' }).end('leak'); });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  otherUrl = `http://127.0.0.1:${other.address().port}/collect`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await new Promise((r) => other.close(r));
});

test('the detector flags a request to another origin from a page without the CSP', async () => {
  const context = await browser.newContext();
  const net = recordRequests(context);
  const page = await context.newPage();
  // A page of the app's own origin, but not the app (no CSP): the leak goes out.
  await page.goto(`${app.origin}/not-the-app`);
  await page.evaluate(async (u) => { await fetch(u, { method: 'POST', body: 'secret', mode: 'no-cors' }).catch(() => {}); }, otherUrl);
  const bad = net.violations(app.origin);
  assert.ok(bad.some((r) => r.url === otherUrl && r.method === 'POST'), `flagged: ${JSON.stringify(bad)}`);
  assert.ok(hits >= 1, 'the request really left the page');
  await context.close();
});

test('the detector accepts only same-origin GETs under the app path', () => {
  const o = 'http://127.0.0.1:4000';
  assert.ok(isOwnFile({ url: `${o}${SUBPATH}worker_bg.wasm`, method: 'GET' }, o));
  assert.ok(!isOwnFile({ url: `${o}${SUBPATH}x`, method: 'POST' }, o));
  assert.ok(!isOwnFile({ url: `${o}/elsewhere`, method: 'GET' }, o));
  assert.ok(!isOwnFile({ url: 'http://127.0.0.1:4001/sub/path/x', method: 'GET' }, o));
  assert.ok(!isOwnFile({ url: 'https://fonts.example/x.woff2', method: 'GET' }, o));
  assert.ok(isOwnFile({ url: `blob:${o}/6c1f`, method: 'GET' }, o));
  assert.ok(!isOwnFile({ url: 'blob:http://evil.example/6c1f', method: 'GET' }, o));
});

test("the app's CSP blocks a request to another origin", async () => {
  const { page, context } = await openApp(browser, app);
  const before = hits;
  const outcome = await page.evaluate(async (u) => {
    try { await fetch(u, { mode: 'no-cors' }); return 'sent'; } catch (e) { return 'blocked'; }
  }, otherUrl);
  assert.equal(outcome, 'blocked');
  assert.equal(hits, before, 'the other server saw nothing');
  assert.ok((await page.evaluate(() => window.__cspViolations)).some((v) => v.startsWith('connect-src')));
  await context.close();
});
