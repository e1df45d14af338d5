//! Throughput of the portal CSV reader: generates N interactive sign-in rows
//! with the admin center's January 2025 header (57 columns) in memory,
//! deterministically, reads them in 64 KiB chunks, prints MB/s and checks
//! the record count.
//!
//! `cargo run --release -p entrascope-logs --example parse_bench -- [ROWS] [REPEAT]`

use std::fmt::Write as _;
use std::time::Instant;

use entrascope_logs::{Ingest, InputKind};

const HEADER: &str = include_str!("../tests/data/portal_InteractiveSignIns_header_2025-01_onward.csv");

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }

    fn guid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff, b >> 52, b & 0xffff_ffff_ffff)
    }
}

fn generate(rows: usize) -> Vec<u8> {
    let mut r = Rng(42);
    let users: Vec<(String, String, String)> =
        (0..500).map(|i| (r.guid(), format!("User {i}"), format!("user{i}@contoso.com"))).collect();
    let apps: Vec<(String, &str)> = [
        "Microsoft Teams",
        "Office 365 Exchange Online",
        "Azure Portal",
        "Microsoft Authentication Broker",
        "OfficeHome",
        "SharePoint Online Web Client Extensibility",
    ]
    .iter()
    .map(|a| (r.guid(), *a))
    .collect();
    let tenant = r.guid();
    let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
    ];
    let locations =
        ["Redmond, Washington, US", "Frankfurt am Main, Hessen, DE", "London, England, GB", "Paris, Ile-De-France, FR"];
    let mut out = String::with_capacity(rows * 1100 + 4096);
    out.push_str(HEADER.trim_end());
    out.push_str("\r\n");
    let base = 1_759_276_800i64; // 2025-10-01
    for i in 0..rows {
        let (uid, name, upn) = &users[(r.next() % users.len() as u64) as usize];
        let (app_id, app) = &apps[(r.next() % apps.len() as u64) as usize];
        let fail = r.next().is_multiple_of(10);
        let t = base + (i as i64) * 3;
        let (y, mo, d, h, mi, s, _) = entrascope_core::Timestamp(t * 1000).civil();
        let ip = format!("198.51.{}.{}", r.next() % 256, r.next() % 256);
        let fields: Vec<String> = vec![
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            r.guid(),
            r.pick(&agents).to_string(),
            r.guid(),
            uid.clone(),
            name.clone(),
            upn.clone(),
            "Member".into(),
            "None".into(),
            "None".into(),
            "None".into(),
            format!("'{}", r.guid()),
            "".into(),
            "None".into(),
            "".into(),
            "".into(),
            app.to_string(),
            app_id.clone(),
            tenant.clone(),
            "Microsoft Graph".into(),
            "00000003-0000-0000-c000-000000000000".into(),
            tenant.clone(),
            tenant.clone(),
            tenant.clone(),
            "Contoso".into(),
            ip.clone(),
            r.pick(&locations).to_string(),
            if fail { "Failure".into() } else { "Success".into() },
            if fail { "50126".into() } else { "".into() },
            if fail { "Error validating credentials due to invalid username or password.".into() } else { "".into() },
            "Browser".into(),
            if r.next().is_multiple_of(2) { r.guid() } else { "".into() },
            "Edge 120.0.0".into(),
            "Windows10".into(),
            "TRUE".into(),
            "TRUE".into(),
            "Microsoft Entra joined".into(),
            "MFA requirement satisfied by claim in the token".into(),
            "".into(),
            "".into(),
            if r.next().is_multiple_of(2) { "Multifactor authentication".into() } else { "Single-factor authentication".into() },
            upn.clone(),
            r.guid(),
            ip,
            "False".into(),
            "".into(),
            "8075".into(),
            "FALSE".into(),
            "Azure AD".into(),
            "None".into(),
            "".into(),
            format!("{}", r.next() % 300),
            "Not Applied".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ];
        for (j, f) in fields.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push('"');
            if f.contains('"') {
                out.push_str(&f.replace('"', "\"\""));
            } else {
                out.push_str(f);
            }
            out.push('"');
        }
        out.push_str("\r\n");
        let _ = write!(&mut String::new(), "{i}");
    }
    out.into_bytes()
}

/// CPU time of this thread in seconds (Linux), so a busy shared machine
/// does not distort the per-core figure.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let repeat: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let data = generate(rows);
    let mb = data.len() as f64 / 1e6;
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for _ in 0..repeat {
        let start = Instant::now();
        let cpu0 = thread_cpu_seconds();
        let mut ing = Ingest::new();
        ing.begin("InteractiveSignIns_2025-10-01_2025-10-31.csv");
        for chunk in data.chunks(64 * 1024) {
            ing.feed(chunk);
        }
        let info = ing.end().clone();
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
        assert_eq!(info.records, rows as u64, "every row must be read: {:?}", info.rejected.first());
        assert_eq!(info.rejected_total, 0);
        assert_eq!(info.kind, InputKind::SignInInteractive);
        let ds = ing.dataset();
        assert_eq!(ds.signins.len(), rows);
        assert_eq!(
            ds.signins.iter().filter(|s| s.error_code == 50126).count(),
            ds.signins.iter().filter(|s| s.outcome == entrascope_logs::Outcome::Failure).count()
        );
    }
    println!(
        "{rows} rows, {mb:.1} MB: best of {repeat} {:.3} s wall = {:.0} MB/s ({:.0} rows/s)",
        best,
        mb / best,
        rows as f64 / best
    );
    if best_cpu < f64::MAX {
        println!("per core (thread CPU time): {:.3} s = {:.0} MB/s", best_cpu, mb / best_cpu);
    }
}
