#!/usr/bin/env python3
"""Writes the markdown results of one bench/run directory to stdout.

Reads native-N.json, duckdb-N.json, browser-N.json, duckdb-wasm-N.json (N =
repetition), keeps the fastest successful run of each tool, and prints the
dataset, the machine, a table of wall time, CPU time, peak memory and MB/s,
and the ratios entrascope / DuckDB.
"""

import argparse
import glob
import json
import os
import platform
import re
import subprocess


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def best(run, name):
    """The fastest successful repetition of a tool, and how many ran."""
    runs = []
    for p in sorted(glob.glob(os.path.join(run, f"{name}-*.json"))):
        if not re.fullmatch(rf"{re.escape(name)}-\d+\.json", os.path.basename(p)):
            continue
        try:
            runs.append(json.load(open(p)))
        except Exception:
            continue
    ok = [r for r in runs if r.get("status", "done") == "done" and r.get("exit", 0) == 0]
    if ok:
        return min(ok, key=lambda r: r.get("wall_s", 1e9)), len(runs)
    return (runs[-1] if runs else None), len(runs)


def mb(kb):
    return f"{kb / 1024:,.0f} MB" if kb else "–"


def secs(s):
    return f"{s:.2f}" if s is not None else "–"


def rows(n):
    return "– rows" if n is None else f"{n} row{'' if n == 1 else 's'}"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


def query_checks(path):
    """Query name -> the entrascope check it mirrors (`-- check:` in queries.sql)."""
    out, name = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("-- name: "):
            name = line[len("-- name: "):].strip()
        elif line.startswith("-- check: ") and name:
            out[name] = line[len("-- check: "):].strip()
    return out


def planted(path):
    """(incidents, near misses) planted by the generator, from labels.json."""
    try:
        labels = json.load(open(path, encoding="utf-8"))
    except Exception:
        return None
    return sum(1 for l in labels if not l.get("near_miss")), sum(1 for l in labels if l.get("near_miss"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--signins", type=int, required=True)
    ap.add_argument("--audits", type=int, required=True)
    ap.add_argument("--signin-csv", required=True)
    ap.add_argument("--audit-csv", required=True)
    ap.add_argument("--labels", default="")
    ap.add_argument("--big", type=int, default=0)
    a = ap.parse_args()

    sbytes = os.path.getsize(a.signin_csv)
    abytes = os.path.getsize(a.audit_csv)
    total_mb = (sbytes + abytes) / 1e6

    native, n_native = best(a.run, "native")
    duck, n_duck = best(a.run, "duckdb")
    web, n_web = best(a.run, "browser")
    wasm, n_wasm = best(a.run, "duckdb-wasm")
    es_bin = os.path.join(os.environ.get("CARGO_TARGET_DIR") or "target", "release", "entrascope")
    checks = sh(f"{es_bin} checks --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'")

    mem_total = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    model = sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1")
    load_before = open(os.path.join(a.run, "load-before.txt")).read().strip() if os.path.exists(os.path.join(a.run, "load-before.txt")) else ""
    load_after = open(os.path.join(a.run, "load-after.txt")).read().strip() if os.path.exists(os.path.join(a.run, "load-after.txt")) else ""
    load = lambda s: (re.search(r"load average: (.*)", s) or [None, "?"])[1]
    chromium = sh("/usr/bin/chromium --version")
    commit = sh("git rev-parse --short HEAD")
    dirty = " (with uncommitted changes in the tree)" if sh("git status --porcelain --untracked-files=no") else ""

    o = []
    p = o.append
    p("# Scale benchmark results")
    p("")
    p(f"Written by `bench/run` on {sh('date -u +%Y-%m-%dT%H:%MZ')} at commit `{commit}`{dirty}. "
      f"Raw JSON of every run: `{a.run}/`.")
    p("")
    p("## Data set")
    p("")
    p(f"- `entrascope-gen bench --signins {a.signins} --audits {a.audits}` (seed 1): "
      f"`{os.path.basename(a.signin_csv)}` {a.signins:,} interactive sign-ins, admin center CSV with the 2025 header, "
      f"{sbytes / 1e6:,.1f} MB; `{os.path.basename(a.audit_csv)}` {a.audits:,} audit rows, {abytes / 1e6:,.1f} MB; "
      f"{total_mb:,.1f} MB in all.")
    pl = planted(a.labels) if a.labels else None
    if pl:
        p(f"- Rows are drawn from an incident-free simulated tenant (1,500 members), with the simulator's planted incidents "
          f"({pl[0]} incidents, {pl[1]} near misses, labelled in `labels.json` beside the CSVs) written among them at their own "
          f"times and counted in the totals.")
    p(f"- Settings: the generated tenant's `settings.json`, written beside the CSVs (break-glass accounts, operating countries, approved actors, "
      f"trusted networks, business hours), so every check runs; clock `--now 2025-11-03T00:00:00Z`.")
    p("")
    p("## Machine")
    p("")
    p(f"- {sh('nproc')} cores (`nproc`), {model}, {mem_total} RAM, {platform.system()} {platform.release()}.")
    p(f"- Load average before the runs: {load(load_before)}; after: {load(load_after)}. The machine is shared with "
      f"other builds: wall times carry their noise (CPU times less so); every tool ran in the same session, interleaved.")
    dw = (wasm or {}).get("duckdb") or {}
    p(f"- {chromium}; DuckDB {duck.get('version') if duck else '?'} (Python package); "
      f"DuckDB-WASM: npm @duckdb/duckdb-wasm 1.32.0 (engine {dw.get('version', '?')}, {dw.get('bundle', '?')} bundle).")
    p("")

    p("## Results")
    p("")
    p("| where | tool | work | status | wall (s) | CPU (s) | peak memory | MB/s |")
    p("|---|---|---|---|---:|---:|---:|---:|")
    if native:
        cpu = native.get("user_s", 0) + native.get("sys_s", 0)
        p(f"| native | entrascope scan | all {checks} checks, JSON report ({native.get('findings', '?')} findings) | "
          f"{'ok' if native.get('exit', 1) == 0 else 'exit ' + str(native.get('exit'))} | {secs(native['wall_s'])} | {secs(cpu)} | "
          f"{mb(native['peak_rss_kb'])} RSS | {total_mb / native['wall_s']:,.0f} |")
    if duck:
        cpu = duck.get("user_s", 0) + duck.get("sys_s", 0)
        p(f"| native | DuckDB (Python, {duck.get('threads', '?')} threads) | read_csv into tables + 6 queries | "
          f"{'ok' if duck.get('exit', 1) == 0 else 'exit ' + str(duck.get('exit'))} | {secs(duck['wall_s'])} | {secs(cpu)} | "
          f"{mb(duck['peak_rss_kb'])} RSS | {total_mb / duck['wall_s']:,.0f} |")
    if web:
        st = web.get("status")
        p(f"| browser | entrascope app | all {checks} checks, report rendered ({web.get('findings', '?')} findings shown) | {st} | "
          f"{secs(web.get('wall_s'))} | – | {mb(web.get('renderer_peak_kb'))} renderer | "
          f"{(total_mb / web['wall_s']) if web.get('wall_s') and st == 'done' else 0:,.0f} |")
    if wasm:
        st = wasm.get("status")
        p(f"| browser | DuckDB-WASM | read_csv into tables + 6 queries | {st} | {secs(wasm.get('wall_s'))} | – | "
          f"{mb(wasm.get('renderer_peak_kb'))} renderer | "
          f"{(total_mb / wasm['wall_s']) if wasm.get('wall_s') and st == 'done' else 0:,.0f} |")
    p("")
    p("Wall time: native, the whole process (`/usr/bin/time -v`: start to exit, including DuckDB's import and "
      "entrascope writing its report); browser, from giving the files to the page's file input to "
      "`data-status=\"done\"` (report rendered for entrascope, last query answered for DuckDB-WASM). "
      "Peak memory: native, maximum resident set size; browser, the largest VmHWM of the renderer processes "
      "(the page's renderer holds its workers and their wasm memory).")
    p("")

    p("## Ratios (entrascope / DuckDB; below 1.0 entrascope is faster or smaller)")
    p("")
    p("| where | time ratio | memory ratio | target |")
    p("|---|---:|---:|---|")
    if native and duck:
        p(f"| native | {ratio(native['wall_s'], duck['wall_s'])} (CPU {ratio(native.get('user_s', 0) + native.get('sys_s', 0), duck.get('user_s', 0) + duck.get('sys_s', 0))}) "
          f"| {ratio(native['peak_rss_kb'], duck['peak_rss_kb'])} | time ≤ 1.0 (then 0.5), less memory than DuckDB |")
    if web and wasm:
        both = web.get("status") == "done" and wasm.get("status") == "done"
        p(f"| browser | {ratio(web.get('wall_s'), wasm.get('wall_s')) if both else '–'} | "
          f"{ratio(web.get('renderer_peak_kb'), wasm.get('renderer_peak_kb')) if both else '–'} | time ≤ 1.0 (then 0.5), renderer < 1 GB at 1M rows |")
    p("")

    if web:
        p("## Browser main thread and memory detail")
        p("")
        p("| tool | longest main-thread task | tasks > 50 ms | tasks > 100 ms | main-thread JS heap peak | worker wasm memory | renderer RSS peak (sum) |")
        p("|---|---:|---:|---:|---:|---:|---:|")
        for name, r in (("entrascope app", web), ("DuckDB-WASM", wasm)):
            if not r or r.get("status") != "done":
                continue
            wm = r.get("wasm_memory_bytes")
            if not wm and name == "DuckDB-WASM":
                eng = (r.get("duckdb") or {}).get("engine_memory_bytes")
                wm_s = f"{eng / 2**20:,.0f} MB (engine buffers)" if eng else "–"
            else:
                wm_s = f"{wm / 2**20:,.0f} MB" if wm else "–"
            p(f"| {name} | {r.get('longest_task_ms', 0):.0f} ms | {r.get('longtasks', 0)} | {r.get('longtasks_over_100ms', 0)} | "
              f"{r.get('main_heap_peak_bytes', 0) / 2**20:,.1f} MB | {wm_s} | {mb(r.get('renderer_rss_peak_sum_kb'))} |")
        p("")
        for w in web.get("worker_stats") or []:
            if w.get("phases"):
                p("entrascope worker phases (s): " + ", ".join(f"{k} {v:.2f}" for k, v in w["phases"].items()))
                p("")

    if duck or wasm:
        p("## DuckDB phases and queries (s)")
        p("")
        names = [q["name"] for q in ((duck or {}).get("queries") or ((wasm or {}).get("duckdb") or {}).get("queries") or [])]
        checks_of = query_checks(os.path.join(os.path.dirname(os.path.abspath(__file__)), "queries.sql"))
        by_check = (native or {}).get("by_check") if native and native.get("exit", 1) == 0 else None
        es = " entrascope (same data) |" if by_check is not None else ""
        es_sep = "---|" if by_check is not None else ""
        es_dash = " – |" if by_check is not None else ""
        p(f"| phase | DuckDB (Python) | DuckDB-WASM |{es}")
        p(f"|---|---:|---:|{es_sep}")
        dw = (wasm or {}).get("duckdb") or {}
        p(f"| load sign-ins | {secs((duck or {}).get('load_signins_s'))} | {secs((dw.get('phases') or {}).get('load_signins_s'))} |{es_dash}")
        p(f"| load audits | {secs((duck or {}).get('load_audits_s'))} | {secs((dw.get('phases') or {}).get('load_audits_s'))} |{es_dash}")
        qd = {q["name"]: q for q in (duck or {}).get("queries", [])}
        qw = {q["name"]: q for q in dw.get("queries", [])}
        for n in names:
            cell = ""
            if by_check is not None:
                code = checks_of.get(n)
                k = by_check.get(code, 0) if code else None
                cell = f" {code}: {k} finding{'' if k == 1 else 's'} |" if code else " – |"
            p(f"| {n} | {secs(qd.get(n, {}).get('seconds'))} ({rows(qd.get(n, {}).get('rows'))}) | "
              f"{secs(qw.get(n, {}).get('seconds'))} ({rows(qw.get(n, {}).get('rows'))}) |{cell}")
        p("")
        p("Each query is the SQL form of one entrascope check (`-- check:` in `bench/queries.sql`) and keeps that check's "
          "core rule; the last column counts the check's findings in the native run over the same files. Rows are not "
          "expected to equal findings one for one where the check does more (sliding windows instead of fixed bins, "
          "trusted networks, learned privileged accounts, one finding per subject with the rest as evidence).")
        p("")
    if web and web.get("status") != "done":
        p(f"entrascope app: status `{web.get('status')}`: {web.get('error', '')} {'; '.join(web.get('errors') or [])}")
        p("")
    if wasm and wasm.get("status") != "done":
        p(f"DuckDB-WASM: status `{wasm.get('status')}`: {wasm.get('error', '')} {'; '.join(wasm.get('errors') or [])}")
        p("")
    big_web, _ = best(a.run, "big-browser")
    big_wasm, _ = best(a.run, "big-duckdb-wasm")
    if a.big and (big_web or big_wasm):
        p(f"## Scale check: {a.big:,} sign-ins in the browser")
        p("")
        p("| tool | status | wall (s) | renderer peak | worker wasm memory | longest main-thread task | note |")
        p("|---|---|---:|---:|---:|---:|---|")
        for name, r in (("entrascope app", big_web), ("DuckDB-WASM", big_wasm)):
            if not r:
                continue
            note = (r.get("error") or "").split("\n")[0][:160]
            wm = r.get("wasm_memory_bytes")
            p(f"| {name} | {r.get('status')} | {secs(r.get('wall_s'))} | {mb(r.get('renderer_peak_kb'))} | "
              f"{f'{wm / 2**20:,.0f} MB' if wm else '–'} | {r.get('longest_task_ms', 0):.0f} ms | {note} |")
        sizes = [f.get("bytes", 0) for f in (big_web or big_wasm).get("files", [])]
        p("")
        p(f"Same generator, {a.big:,} sign-ins and {a.audits:,} audit rows, {sum(sizes) / 1e9:.2f} GB of CSV.")
        p("")
    reps = [n for n in (n_native, n_duck, n_web, n_wasm) if n]
    if reps and max(reps) > 1:
        p(f"Each tool ran {max(reps)} times, interleaved; the table shows each tool's fastest successful run.")
        p("")
    print("\n".join(o))


if __name__ == "__main__":
    main()
