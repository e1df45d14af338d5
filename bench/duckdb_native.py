#!/usr/bin/env python3
"""DuckDB (Python package) side of the benchmark.

Loads the same portal CSVs entrascope reads (one interactive sign-in export,
one audit export) into tables with read_csv, then runs SQL equivalents of six
representative entrascope checks (bench/queries.sql, shared with the
DuckDB-WASM page). Prints one JSON object: wall time of the load and of each
query, row counts, result counts, peak resident memory (ru_maxrss).

Usage: duckdb_native.py SIGNINS.csv AUDIT.csv SETTINGS.json [--threads N]
"""

import json
import os
import resource
import sys
import time

T_START = time.perf_counter()

import duckdb  # noqa: E402  (import time counts: it is part of what a user waits for)

HERE = os.path.dirname(os.path.abspath(__file__))


def load_queries(path, settings):
    """Splits queries.sql into (name, sql) pairs and fills the settings in."""
    text = open(path, encoding="utf-8").read()
    out = []
    name, lines = None, []
    for line in text.splitlines():
        if line.startswith("-- name: "):
            if name:
                out.append((name, "\n".join(lines).strip().rstrip(";")))
            name, lines = line[len("-- name: "):].strip(), []
        elif name:
            lines.append(line)
    if name:
        out.append((name, "\n".join(lines).strip().rstrip(";")))

    def sql_list(values):
        return ", ".join("'" + v.replace("'", "''").lower() + "'" for v in values) or "''"

    subst = {
        "{BREAK_GLASS}": sql_list(settings.get("break_glass_accounts", [])),
        "{OPERATING_COUNTRIES}": sql_list(settings.get("operating_countries", [])),
        "{CA_APPROVED}": sql_list(settings.get("approved_actors", {}).get("conditional_access", [])),
    }
    filled = []
    for n, q in out:
        for k, v in subst.items():
            q = q.replace(k, v)
        filled.append((n, q))
    return filled


def main():
    args = sys.argv[1:]
    threads = None
    if "--threads" in args:
        i = args.index("--threads")
        threads = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    signins, audits, settings_path = args
    settings = json.load(open(settings_path, encoding="utf-8"))
    queries = load_queries(os.path.join(HERE, "queries.sql"), settings)

    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {threads}")
    nthreads = con.execute("SELECT current_setting('threads')").fetchone()[0]

    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE signins AS SELECT * FROM read_csv('{signins}', header = true, all_varchar = true)")
    t1 = time.perf_counter()
    con.execute(f"CREATE TABLE audits AS SELECT * FROM read_csv('{audits}', header = true, all_varchar = true)")
    t2 = time.perf_counter()
    n_signins = con.execute("SELECT count(*) FROM signins").fetchone()[0]
    n_audits = con.execute("SELECT count(*) FROM audits").fetchone()[0]

    results = []
    for name, sql in queries:
        q0 = time.perf_counter()
        rows = con.execute(sql).fetchall()
        q1 = time.perf_counter()
        results.append({"name": name, "seconds": q1 - q0, "rows": len(rows)})
    t3 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "tool": "duckdb",
        "version": duckdb.__version__,
        "threads": int(nthreads),
        "signins": n_signins,
        "audits": n_audits,
        "import_s": t0 - T_START,
        "load_signins_s": t1 - t0,
        "load_audits_s": t2 - t1,
        "queries_s": t3 - t2,
        "queries": results,
        "total_s": t3 - T_START,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_kb": usage.ru_maxrss,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
