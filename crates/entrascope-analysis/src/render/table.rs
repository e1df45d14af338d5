use std::fmt::Write;

use crate::report::{thousands, Report};

fn cut(s: &str, n: usize) -> String {
    let s: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if s.chars().count() <= n {
        s
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A terminal summary: verdict, findings, inputs, coverage counts.
pub fn render_table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", r.summary.verdict());
    if !r.findings.is_empty() {
        let _ = writeln!(out, "{:<8} {:<34} {:>8}  SUMMARY", "SEVERITY", "CHECK", "RECORDS");
        for f in &r.findings {
            let _ = writeln!(
                out,
                "{:<8} {:<34} {:>8}  {}",
                f.severity.as_str().to_uppercase(),
                cut(&f.check, 34),
                f.evidence.len(),
                cut(&f.summary, 110)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "INPUTS");
    // Files of one Entra Connect configuration are listed as one line.
    let mut configs: Vec<(&str, usize, u64)> = Vec::new();
    for i in r.inputs.iter().filter(|i| i.error.is_none() && i.warnings.is_empty() && i.rejected_total == 0) {
        if let Some(c) = &i.config {
            match configs.iter_mut().find(|(name, _, _)| name == c) {
                Some(e) => {
                    e.1 += 1;
                    e.2 += i.records;
                }
                None => configs.push((c, 1, i.records)),
            }
        }
    }
    for (name, files, items) in &configs {
        let _ = writeln!(out, "  {}  [connect.config]  {files} files, {} items", cut(name, 70), thousands(*items));
    }
    for i in &r.inputs {
        if i.config.is_some() && i.error.is_none() && i.warnings.is_empty() && i.rejected_total == 0 {
            continue;
        }
        let status = match &i.error {
            Some(e) => format!("not read: {}", cut(e, 100)),
            None => format!("{} records, {} rejected", thousands(i.records), thousands(i.rejected_total)),
        };
        let _ = writeln!(out, "  {}  [{} {}]  {}", cut(&i.path, 70), i.kind, i.format, status);
        for rej in i.rejected.iter().take(5) {
            let _ = writeln!(out, "      line {}: {}", rej.line, cut(&rej.reason, 100));
        }
        for w in i.warnings.iter().take(5) {
            let _ = writeln!(out, "      warning: {}", cut(w, 100));
        }
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\nCOVERAGE  {} guide rows evaluated, {} need data, {} need settings, {} not applicable",
        s.coverage_evaluated, s.coverage_needs_data, s.coverage_needs_settings, s.coverage_not_applicable
    );
    let mut settings: Vec<&str> = r
        .coverage
        .iter()
        .filter(|c| c.status == entrascope_core::CoverageStatus::NeedsSettings)
        .filter_map(|c| c.needs.as_deref())
        .flat_map(|n| n.split(", "))
        .collect();
    settings.sort_unstable();
    settings.dedup();
    if !settings.is_empty() {
        let _ = writeln!(out, "  set these in --settings to evaluate more rows: {}", settings.join(", "));
    }
    out
}
