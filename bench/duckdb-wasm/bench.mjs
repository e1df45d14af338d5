// DuckDB-WASM side of the browser benchmark. Instantiates DuckDB on load
// (as the entrascope app loads its wasm on load), then for the files given
// to #file-input: registers each File with registerFileHandle (read through
// the browser's FileReader, never copied whole), loads the sign-in and
// audit CSVs into tables with read_csv, and runs the SQL of
// bench/queries.sql. Results land in window.__duckdbResult.
import * as duckdb from '/nm/@duckdb/duckdb-wasm/dist/duckdb-browser.mjs';

const app = document.getElementById('app');
const messages = document.querySelector('.messages');
const DIST = '/nm/@duckdb/duckdb-wasm/dist/';
const BUNDLES = {
  mvp: { mainModule: DIST + 'duckdb-mvp.wasm', mainWorker: DIST + 'duckdb-browser-mvp.worker.js' },
  eh: { mainModule: DIST + 'duckdb-eh.wasm', mainWorker: DIST + 'duckdb-browser-eh.worker.js' },
};

let db;
let conn;
let bundleName;

function parseQueries(text, settings) {
  const out = [];
  let name = null;
  let lines = [];
  const flush = () => { if (name) out.push([name, lines.join('\n').trim().replace(/;$/, '')]); };
  for (const line of text.split('\n')) {
    if (line.startsWith('-- name: ')) {
      flush();
      name = line.slice(9).trim();
      lines = [];
    } else if (name) {
      lines.push(line);
    }
  }
  flush();
  const list = (vs) => (vs || []).map((v) => `'${String(v).replaceAll("'", "''").toLowerCase()}'`).join(', ') || "''";
  const subst = {
    '{BREAK_GLASS}': list(settings.break_glass_accounts),
    '{OPERATING_COUNTRIES}': list(settings.operating_countries),
    '{CA_APPROVED}': list(settings.approved_actors?.conditional_access),
  };
  return out.map(([n, q]) => [n, Object.entries(subst).reduce((acc, [k, v]) => acc.replaceAll(k, v), q)]);
}

async function init() {
  const bundle = await duckdb.selectBundle(BUNDLES);
  bundleName = bundle.mainModule.includes('-eh') ? 'eh' : 'mvp';
  const worker = new Worker(bundle.mainWorker);
  db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  conn = await db.connect();
  window.__duckdbReady = true;
  app.dataset.status = 'idle';
}

async function run(files) {
  app.dataset.status = 'working';
  const t0 = performance.now();
  const result = { version: await db.getVersion(), bundle: bundleName, phases: {}, queries: [] };
  const settings = window.__settings || {};
  const sqlText = await (await fetch('/queries/queries.sql')).text();
  const queries = parseQueries(sqlText, settings);
  for (const f of files) {
    const table = /audit/i.test(f.name) ? 'audits' : 'signins';
    const name = `${table}.csv`;
    await db.registerFileHandle(name, f, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    const p0 = performance.now();
    await conn.query(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${name}', header = true)`);
    result.phases[`load_${table}_s`] = (performance.now() - p0) / 1000;
    result[table] = Number((await conn.query(`SELECT count(*) AS n FROM ${table}`)).toArray()[0].n);
  }
  const q0 = performance.now();
  for (const [n, sql] of queries) {
    const s = performance.now();
    const r = await conn.query(sql);
    result.queries.push({ name: n, seconds: (performance.now() - s) / 1000, rows: r.numRows });
  }
  result.phases.queries_s = (performance.now() - q0) / 1000;
  result.total_s = (performance.now() - t0) / 1000;
  try {
    const m = (await conn.query('SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()')).toArray()[0];
    result.engine_memory_bytes = Number(m.b);
  } catch (e) {
    result.engine_memory_error = String(e);
  }
  window.__duckdbResult = result;
  app.dataset.status = 'done';
}

document.getElementById('file-input').addEventListener('change', (e) => {
  const files = [...e.target.files];
  run(files).catch((err) => {
    messages.textContent = String(err?.message || err);
    window.__duckdbResult = { error: String(err?.message || err) };
    app.dataset.status = 'error';
  });
});

init().catch((err) => {
  messages.textContent = String(err?.message || err);
  window.__duckdbError = String(err);
  app.dataset.status = 'error';
});
