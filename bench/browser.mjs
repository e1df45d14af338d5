// Browser side of the benchmark: one tool, one run, in a fresh headless
// Chromium (Debian's /usr/bin/chromium through playwright-core, fresh
// user-data-dir). Serves on one loopback origin:
//   /app/     the built entrascope app (dist/)
//   /duckdb/  bench/duckdb-wasm/ (a tiny page running DuckDB-WASM)
//   /nm/      the npm packages that page loads (duckdb-wasm, apache-arrow, flatbuffers)
// gives the files to the page's file input and waits for
// #app[data-status="done"]. Measures wall time (input given → done), the
// renderer processes' peak resident memory (VmHWM from /proc, polled, plus
// the sum of their RSS over time), the main thread's peak JS heap
// (performance.memory, polled in the page), wasm memory (the app worker's
// self.__entrascope_stats / DuckDB's reported size), and long tasks on the
// main thread (PerformanceObserver installed before load).
//
// usage: node bench/browser.mjs --tool entrascope|duckdb-wasm --dist DIR
//          [--settings FILE] [--timeout SECONDS] [--query ?split=off] FILE...
// Prints one JSON object.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
  // performance.memory in whole bytes, not rounded buckets.
  '--enable-precise-memory-info',
];

function parseArgs(argv) {
  const a = { tool: 'entrascope', dist: null, settings: null, timeout: 900, files: [], now: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--tool') a.tool = argv[++i];
    else if (v === '--dist') a.dist = argv[++i];
    else if (v === '--settings') a.settings = argv[++i];
    else if (v === '--timeout') a.timeout = Number(argv[++i]);
    else if (v === '--query') a.query = argv[++i];
    else a.files.push(path.resolve(v));
  }
  if (!a.files.length) throw new Error('no files given');
  return a;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.map': 'application/json', '.sql': 'text/plain; charset=utf-8',
};

/** Static files of `mounts` ({prefix: dir}) on 127.0.0.1, a random port. */
async function serve(mounts) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const prefix = Object.keys(mounts).find((p) => url.pathname.startsWith(p));
    if (!prefix || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const root = path.resolve(mounts[prefix]);
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

// --- process tree ---------------------------------------------------------

function readStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((text.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [0, 0])[1]);
    return { ppid: Number((text.match(/^PPid:\s+(\d+)/m) || [0, 0])[1]), rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Chromium processes descended from this node process, with their type. */
function chromiumProcesses() {
  const all = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = readStatus(d);
    if (st) all.set(Number(d), st);
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, st] of all) {
      if (!mine.has(pid) && mine.has(st.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  const out = [];
  for (const pid of mine) {
    // Chromium rewrites its argv into one space-separated string.
    const line = cmdline(pid).join(' ');
    if (!/chrom/i.test(line.split(' ')[0] || '')) continue;
    const t = line.match(/--type=(\S+)/);
    out.push({ pid, type: t ? t[1] : 'browser', ...all.get(pid) });
  }
  return out;
}

/** CPU seconds of every thread of the Chromium processes, by "pid/tid name". */
function threadCpu() {
  const out = new Map();
  for (const p of chromiumProcesses()) {
    let tids = [];
    try {
      tids = fs.readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = fs.readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const name = stat.slice(stat.indexOf('(') + 1, close);
        const f = stat.slice(close + 2).split(' ');
        // Fields 14 and 15 (utime, stime) in clock ticks; f[0] is field 3.
        const secs = (Number(f[11]) + Number(f[12])) / 100;
        out.set(`${p.type} ${p.pid}/${tid} ${name}`, secs);
      } catch {
        // The thread ended.
      }
    }
  }
  return out;
}

/** CPU time spent since `before`, summed by process type and thread name, largest first. */
function cpuSince(before) {
  const after = threadCpu();
  const by = new Map();
  for (const [k, v] of after) {
    const d = v - (before.get(k) || 0);
    if (d <= 0) continue;
    const [type, , ...name] = k.split(' ');
    const key = `${type}: ${name.join(' ')}`;
    by.set(key, (by.get(key) || 0) + d);
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([thread, s]) => ({ thread, s: Math.round(s * 100) / 100 }));
}

/** Polls renderer memory: peak of the sum of renderer RSS, and each renderer's VmHWM. */
function memoryPoller(intervalMs = 100) {
  const hwm = new Map();
  let peakSum = 0;
  let peakAll = 0;
  const tick = () => {
    const ps = chromiumProcesses();
    let sum = 0;
    let all = 0;
    for (const p of ps) {
      all += p.rss;
      if (p.type === 'renderer') {
        sum += p.rss;
        hwm.set(p.pid, Math.max(hwm.get(p.pid) || 0, p.hwm));
      }
    }
    peakSum = Math.max(peakSum, sum);
    peakAll = Math.max(peakAll, all);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      tick();
      clearInterval(timer);
      const hwms = [...hwm.values()];
      return {
        renderer_peak_kb: Math.max(0, ...hwms),
        renderer_rss_peak_sum_kb: peakSum,
        renderers: hwms.length,
        chromium_rss_peak_sum_kb: peakAll,
      };
    },
  };
}

// --- page instrumentation --------------------------------------------------

/** Installed before any page script: long tasks and the JS heap, sampled. */
function instrument() {
  window.__bench = { longtasks: [], heapPeak: 0, heapSamples: 0 };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.longtasks.push({ start: e.startTime, duration: e.duration, name: e.name });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    window.__bench.longtaskError = String(e);
  }
  const sample = () => {
    const m = performance.memory;
    if (m) window.__bench.heapPeak = Math.max(window.__bench.heapPeak, m.usedJSHeapSize);
    window.__bench.heapSamples++;
  };
  setInterval(sample, 50);
  sample();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const mounts = {
    '/duckdb/': path.join(here, 'duckdb-wasm'),
    '/nm/@duckdb/duckdb-wasm/dist/': path.join(here, 'node_modules/@duckdb/duckdb-wasm/dist'),
    '/nm/apache-arrow/': path.join(here, 'node_modules/apache-arrow'),
    '/nm/flatbuffers/': path.join(here, 'node_modules/flatbuffers'),
    '/nm/tslib/': path.join(here, 'node_modules/tslib'),
    '/queries/': here,
  };
  if (args.tool === 'entrascope') {
    if (!args.dist) throw new Error('--dist DIR is required for the entrascope app');
    mounts['/app/'] = args.dist;
  }
  const server = await serve(mounts);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrascope-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const result = { tool: args.tool, files: args.files.map((f) => ({ name: path.basename(f), bytes: fs.statSync(f).size })) };
  result.bytes = result.files.reduce((a, f) => a + f.bytes, 0);
  const errors = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('crash', () => errors.push('the page crashed (renderer out of memory?)'));
    await page.addInitScript(instrument);
    if (args.tool === 'entrascope' && args.settings) {
      const text = fs.readFileSync(args.settings, 'utf8');
      await page.addInitScript((t) => { localStorage.setItem('entrascope.settings', t); }, JSON.stringify(JSON.parse(text)));
    }
    const url = args.tool === 'entrascope' ? `${server.origin}/app/${args.query || ''}` : `${server.origin}/duckdb/`;
    await page.goto(url);
    await page.waitForSelector('#app[data-status="idle"], #app[data-status="error"]', { state: 'attached', timeout: 60_000 });
    if (args.tool === 'duckdb-wasm') {
      // The page instantiates DuckDB on load (as the app loads its wasm): wait for it.
      await page.waitForFunction(() => window.__duckdbReady === true || window.__duckdbError, null, { timeout: 60_000 });
      if (args.settings) await page.evaluate((t) => { window.__settings = JSON.parse(t); }, fs.readFileSync(args.settings, 'utf8'));
    }
    // Wait for the app's workers to be loaded, so the timing is of the analysis.
    await page.waitForTimeout(1000);
    const base = await page.evaluate(() => ({ heap: performance.memory?.usedJSHeapSize || 0, longtasks: window.__bench.longtasks.length }));
    result.renderer_before_kb = Math.max(0, ...chromiumProcesses().filter((p) => p.type === 'renderer').map((p) => p.rss));
    const poller = memoryPoller();
    const cpuBefore = threadCpu();
    const t0 = Date.now();
    await page.setInputFiles('#file-input', args.files);
    let status;
    try {
      await page.waitForSelector('#app[data-status="done"], #app[data-status="error"]', { state: 'attached', timeout: args.timeout * 1000 });
      status = await page.getAttribute('#app', 'data-status');
    } catch (e) {
      status = errors.some((x) => x.includes('crashed')) ? 'crashed' : 'timeout';
    }
    const wall = (Date.now() - t0) / 1000;
    // Let the report render, then collect.
    if (status === 'done') await page.waitForTimeout(1500);
    const mem = poller.stop();
    result.cpu_by_thread = cpuSince(cpuBefore);
    result.status = status;
    result.wall_s = wall;
    Object.assign(result, mem);
    if (status === 'done' || status === 'error') {
      const page_stats = await page.evaluate(() => ({
        heapPeak: window.__bench.heapPeak,
        heapNow: performance.memory?.usedJSHeapSize || 0,
        longtasks: window.__bench.longtasks,
        longtaskError: window.__bench.longtaskError,
        message: document.querySelector('.messages')?.textContent || '',
        duck: window.__duckdbResult || null,
      }));
      const after = page_stats.longtasks.slice(base.longtasks);
      result.main_heap_peak_bytes = page_stats.heapPeak;
      result.main_heap_before_bytes = base.heap;
      result.longtasks = after.length;
      result.longest_task_ms = after.reduce((m, t) => Math.max(m, t.duration), 0);
      result.longtasks_over_100ms = after.filter((t) => t.duration > 100).length;
      result.longtask_list = after.map((t) => ({ at_ms: Math.round(t.start), ms: Math.round(t.duration) })).slice(0, 30);
      if (page_stats.longtaskError) result.longtask_error = page_stats.longtaskError;
      if (status === 'error') result.error = page_stats.message;
      if (args.tool === 'entrascope') {
        result.findings = await page.$$eval('[data-check]', (els) => els.length).catch(() => null);
        // The app worker's own numbers (an optional hook: self.__entrascope_stats).
        const stats = [];
        for (const w of page.workers()) {
          const s = await w.evaluate(() => self.__entrascope_stats || null).catch(() => null);
          if (s) stats.push(s);
        }
        result.worker_stats = stats;
        result.wasm_memory_bytes = stats.reduce((a, s) => a + (s.wasm_memory_bytes || 0), 0) || null;
      } else {
        result.duckdb = page_stats.duck;
        result.wasm_memory_bytes = page_stats.duck?.wasm_memory_bytes ?? null;
      }
    }
  } catch (e) {
    result.status = 'harness-error';
    result.error = String(e.message || e).split('\n')[0];
  } finally {
    result.errors = errors.slice(0, 20);
    await context.close().catch(() => {});
    await server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
