// Test harness: a tiny static server for dist/ under a sub-path (loopback
// only), headless Chromium through playwright-core (never downloads a
// browser), and a network recorder that flags any request other than a
// same-origin GET of the app's own files.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..');
export const DIST = process.env.ENTRASCOPE_DIST || path.join(ROOT, 'dist');
export const OUT = path.join(here, '..', 'out');
export const SUBPATH = '/sub/path/';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.md': 'text/markdown',
};

/** Serves `dir` at `prefix` on 127.0.0.1 (random port). Everything else is 404. */
export async function serve(dir = DIST, prefix = SUBPATH) {
  const served = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    served.push({ method: req.method, path: url.pathname });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end('not here');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(path.resolve(dir) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}${prefix}`,
    served,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
      '--disable-default-apps', '--disable-extensions', '--metrics-recording-only', '--disable-domain-reliability',
      // No name ever resolves except loopback: nothing can leave even by mistake.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

/**
 * Records every request a browser context makes (pages and their workers).
 * `violations(origin, prefix)` lists those that are not a same-origin GET
 * under the app's path: what the privacy test forbids.
 */
export function recordRequests(context) {
  const requests = [];
  const unfinished = new Set();
  context.on('request', (r) => {
    requests.push({ url: r.url(), method: r.method(), type: r.resourceType() });
    unfinished.add(r);
  });
  context.on('requestfinished', (r) => unfinished.delete(r));
  context.on('requestfailed', (r) => unfinished.delete(r));
  return {
    requests,
    /** Resolves once the analysis worker's files (script and wasm) have been requested and every request has ended. */
    async workerLoaded(timeout = 60_000) {
      const end = Date.now() + timeout;
      while (Date.now() < end) {
        const wasm = requests.some((r) => /worker[^/]*\.wasm$/.test(r.url));
        if (wasm && unfinished.size === 0) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('the analysis worker did not finish loading');
    },
    violations(origin, prefix = SUBPATH) {
      return requests.filter((r) => !isOwnFile(r, origin, prefix));
    },
  };
}

/** Whether a request is a same-origin GET of one of the app's own files. */
export function isOwnFile(r, origin, prefix = SUBPATH) {
  let u;
  try {
    u = new URL(r.url);
  } catch {
    return false;
  }
  if (u.protocol === 'blob:' || u.protocol === 'data:') {
    // Downloads and images made in the page itself: no network.
    return r.url.startsWith(`blob:${origin}/`) || u.protocol === 'data:';
  }
  return r.method === 'GET' && u.origin === origin && u.pathname.startsWith(prefix);
}

/** A new page with the app loaded from the sub-path, console errors collected. */
export async function openApp(browser, server, { viewport = { width: 1280, height: 900 }, colorScheme = 'light', query = '' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
  const net = recordRequests(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(server.url + query);
  await page.waitForSelector('#app[data-status]');
  return { context, page, net, errors };
}

/** Waits until the app says the analysis finished (or failed). */
export async function waitDone(page, timeout = 60_000) {
  await page.waitForSelector('#app[data-status="done"], #app[data-status="error"]', { timeout });
  const status = await page.getAttribute('#app', 'data-status');
  if (status !== 'done') {
    const msg = await page.textContent('.messages').catch(() => '');
    throw new Error(`analysis ended with status ${status}: ${msg}`);
  }
}

export async function screenshot(page, name, fullPage = true) {
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
}

/** Check codes of the findings shown, in order. */
export async function shownChecks(page) {
  return page.$$eval('[data-check]', (els) => els.map((e) => e.getAttribute('data-check')));
}
