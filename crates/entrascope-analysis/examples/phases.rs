//! Where the time of a scan goes: reads files as the CLI does (1 MiB
//! reads into a `Session`), then times finishing the dataset, every check
//! on its own, the whole analysis and the JSON rendering. Prints one JSON
//! object. Times are CPU seconds of this thread (Linux schedstat; wall
//! time when unavailable), so a shared, loaded machine still gives stable
//! numbers.
//!
//! `cargo run --release -p entrascope-analysis --example phases -- SETTINGS.json NOW FILE...`

use std::io::Read;
use std::time::Instant;

/// A stopwatch of this thread's CPU time.
struct Clock(Option<u64>, Instant);

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl Clock {
    fn now() -> Clock {
        Clock(thread_cpu_ns(), Instant::now())
    }

    fn elapsed(&self) -> f64 {
        match (self.0, thread_cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => self.1.elapsed().as_secs_f64(),
        }
    }
}

use entrascope_analysis::{render, Session};
use entrascope_core::{Settings, Timestamp};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: phases SETTINGS.json NOW FILE...");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[0]).expect("settings file");
    let (settings, _) = Settings::from_json(&text).expect("valid settings");
    let now = Timestamp::parse(&args[1]).expect("NOW like 2025-11-03T00:00:00Z");

    let t0 = Clock::now();
    let mut session = Session::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    for path in &args[2..] {
        session.begin_file(path);
        let mut f = std::fs::File::open(path).expect("input file");
        loop {
            let n = f.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            bytes += n as u64;
            session.feed(&buf[..n]);
        }
        session.end_file();
    }
    let read_s = t0.elapsed();
    let t1 = Clock::now();
    let analysis = session.finish();
    let finish_s = t1.elapsed();

    let t2 = Clock::now();
    let cx = entrascope_checks::Context::new(&analysis.ds, &settings, now);
    let context_s = t2.elapsed();
    let avail = analysis.ds.availability();
    let mut checks = Vec::new();
    for def in entrascope_checks::registry() {
        if avail.gap(def.meta, &settings).is_some() {
            continue;
        }
        let t = Clock::now();
        let n = (def.run)(&cx).len();
        checks.push((def.meta.code, t.elapsed(), n));
    }
    drop(cx);
    checks.sort_by(|a, b| b.1.total_cmp(&a.1));

    let t3 = Clock::now();
    let report = analysis.analyze(&settings, now);
    let analyze_s = t3.elapsed();
    let t4 = Clock::now();
    let json = render::render_json(&report);
    let render_s = t4.elapsed();

    let out = serde_json::json!({
        "bytes": bytes,
        "signins": analysis.ds.signins.len(),
        "audits": analysis.ds.audits.len(),
        "strings": analysis.ds.strings.len(),
        "model_heap_bytes": analysis.ds.heap_bytes(),
        "signin_row_bytes": std::mem::size_of::<entrascope_logs::SignIn>(),
        "read_s": read_s,
        "read_mb_s": bytes as f64 / 1e6 / read_s,
        "finish_s": finish_s,
        "context_s": context_s,
        "checks_s": checks.iter().map(|c| c.1).sum::<f64>(),
        "analyze_s": analyze_s,
        "render_json_s": render_s,
        "report_bytes": json.len(),
        "findings": report.findings.len(),
        "slowest_checks": checks.iter().take(15).map(|(c, s, n)| serde_json::json!({"check": c, "s": s, "findings": n})).collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("serializes"));
}
