// A large CSV export is read by two workers: the analysis worker reads the
// first half while a helper worker reads the second in pieces and sends
// their records over (web/src/worker.rs). The result must be exactly what
// one worker reading the whole file gives, including when a piece is cut
// inside a quoted field that spans lines (that piece cannot be joined and
// is read again by the analysis worker).
//
// The page's `split=BYTES` parameter (passed on to the worker) makes the
// split happen on a small file: files from twice BYTES are shared, in
// pieces of BYTES; `split=off` reads everything in one worker.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

import { serve, launch, openApp, waitDone, DIST } from '../lib/harness.js';
import { csv, signin } from '../lib/fixtures.js';

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

/**
 * About 12 MB of sign-ins by 400 users over a month: failures, legacy
 * clients, foreign IPs, and every 500th row a user agent spanning three
 * lines (a quoted field with line breaks, where a cut may land), or
 * every row when `multilineEvery` is 1.
 */
function mixedSignins(n, multilineEvery = 500) {
  const rows = new Array(n);
  const start = Date.UTC(2026, 9, 1);
  for (let i = 0; i < n; i++) {
    const t = new Date(start + i * 30_000).toISOString().replace('.000Z', 'Z');
    const user = `user${(i * 7919) % 400}@contoso.com`;
    const fail = i % 13 === 0;
    rows[i] = signin({
      time: t,
      user,
      status: fail ? 'Failure' : 'Success',
      code: fail ? '50126' : '',
      client: i % 97 === 0 ? 'IMAP4' : 'Browser',
      ip: i % 211 === 0 ? `203.0.113.${i % 250}` : `198.51.100.${i % 50}`,
      location: i % 211 === 0 ? 'Moscow, Moscow, RU' : 'Seattle, Washington, US',
      agent: i % multilineEvery === 0 ? `line one\nline two of ${i}\r\nline three` : `Mozilla/5.0 (${i % 17})`,
    });
  }
  return csv(rows);
}

/** Analyzes `file` with the page opened at `query`: what the app shows, and the worker's stats. */
async function analyze(file, query) {
  const { page, context, errors } = await openApp(browser, server, { query });
  await page.setInputFiles('#file-input', file);
  await waitDone(page, 240_000);
  const shown = {
    verdict: await page.textContent('#verdict'),
    inputs: await page.textContent('.inputs-table'),
    findings: await page.$$eval('[data-check]', (els) => els.map((e) => `${e.dataset.check} ${e.textContent.replace(/\s+/g, ' ').trim()}`)),
  };
  let stats = null;
  for (const w of page.workers()) {
    stats ??= await w.evaluate(() => self.__entrascope_stats || null).catch(() => null);
  }
  assert.deepEqual(errors, [], `no page errors with ${query}`);
  await context.close();
  return { shown, stats };
}

for (const [name, every, rereads] of [['mostly one-line rows', 500, false], ['every row spanning lines', 1, true]]) {
  test(`a file read by two workers gives exactly what one worker gives: ${name}`, async () => {
    const big = path.join(os.tmpdir(), `entrascope-split-InteractiveSignIns-${process.pid}.csv`);
    fs.writeFileSync(big, mixedSignins(40_000, every));
    try {
      const one = await analyze(big, '?split=off');
      // Pieces of 1 MiB: the helper's half of the file arrives in several.
      const two = await analyze(big, '?split=1048576');
      console.log(`${name}: pieces joined ${two.stats?.parts_joined}, read again ${two.stats?.parts_reread}`);
      assert.equal(one.stats?.parts_joined, 0, 'split=off: one worker read everything');
      assert.ok(two.stats?.parts_joined + two.stats?.parts_reread >= 2, 'split: the helper sent several pieces');
      if (rereads) {
        // Most cuts land inside a quoted field: those pieces are refused and read again.
        assert.ok(two.stats?.parts_reread >= 1, 'a piece cut inside a quoted field was read again');
      } else {
        assert.ok(two.stats?.parts_joined >= 2, 'pieces were joined');
      }
      assert.match(one.shown.verdict, /40,000 sign-ins/);
      assert.ok(one.shown.findings.length > 0, 'the file gives findings');
      assert.deepEqual(two.shown, one.shown);
    } finally {
      fs.rmSync(big, { force: true });
    }
  });
}
