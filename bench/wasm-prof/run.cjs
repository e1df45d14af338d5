// Runs the wasm build of the reader and analysis over files, as the web
// worker does (4 MiB chunks), and prints phase times. With
// `node --cpu-prof` V8 records where wasm time goes; summarize.cjs reads it.
// usage: node [--cpu-prof] run.cjs PKG_DIR SETTINGS.json FILE...
const fs = require('fs');
const path = require('path');
const [pkg, settingsPath, ...files] = process.argv.slice(2);
const w = require(path.resolve(pkg, 'wasm_prof.js'));
const CHUNK = 4 * 1024 * 1024;
const buf = Buffer.alloc(CHUNK);
const t0 = performance.now();
for (const f of files) {
  const size = fs.statSync(f).size;
  w.begin(f, size);
  const fd = fs.openSync(f, 'r');
  let n;
  while ((n = fs.readSync(fd, buf, 0, CHUNK, null)) > 0) w.feed(buf.subarray(0, n));
  fs.closeSync(fd);
  w.end();
}
const t1 = performance.now();
const rows = w.finish();
const t2 = performance.now();
const findings = w.analyze(fs.readFileSync(settingsPath, 'utf8'), Date.parse('2025-11-03T00:00:00Z'));
const t3 = performance.now();
console.log(JSON.stringify({ read_s: (t1 - t0) / 1000, finish_s: (t2 - t1) / 1000, analyze_s: (t3 - t2) / 1000, rows, findings, wasm_memory_mb: w.memory_bytes() / 2 ** 20 }));
