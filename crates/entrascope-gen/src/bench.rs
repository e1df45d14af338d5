//! Scale mode: a large interactive sign-in CSV (2025 portal header) and
//! audit CSV for benchmarks, generated on demand, with the tenant
//! simulator's planted incidents in them.
//!
//! Background rows are drawn from a pool of templates produced by the tenant
//! simulator without incidents, so they have the simulator's realism and
//! nothing to find by themselves; each row gets a fresh time (newest first,
//! spread over the window), request id, correlation id and token id. A
//! single recycled event is filled with [`SignInEvent::assign_from`] and
//! written by the same [`PortalSignInCsv`] writer as everywhere else, so the
//! hot loop does not allocate.
//!
//! The incidents (and their near misses) are the events [`plant`] makes for
//! the same tenant over the bench window: written verbatim, at their own
//! times, merged into the newest-first stream. They count against the
//! requested totals: `--signins N` gives N rows, of which N − planted are
//! background. The tenant's `settings.json` (break-glass accounts, operating
//! countries, approved actors) and `labels.json` go with the CSVs.

use std::io;

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::Timestamp;

use crate::formats::portal_csv::{PortalAuditCsv, PortalSignInCsv, SignInLayout};
use crate::formats::{ExportContext, FileSink, RecordWriter, FLUSH_AT};
use crate::model::{AuditEvent, SignInEvent, SignInKind};
use crate::rng::Rng;
use crate::sim::{generate, labels_json, plant, Label, TenantConfig};

#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    pub seed: u64,
    pub signins: u64,
    pub audits: u64,
    pub days: u32,
    /// Members of the template tenant (how many distinct users appear).
    pub members: usize,
    /// Plant the simulator's incidents and near misses among the rows.
    pub incidents: bool,
}

impl Default for BenchConfig {
    fn default() -> BenchConfig {
        BenchConfig { seed: 1, signins: 1_000_000, audits: 100_000, days: 30, members: 1500, incidents: true }
    }
}

/// The template pool and the planted events.
pub struct Templates {
    pub signins: Vec<SignInEvent>,
    pub audits: Vec<AuditEvent>,
    pub ctx: ExportContext,
    /// Planted interactive sign-ins inside the window, newest first (empty
    /// without incidents).
    pub planted_signins: Vec<SignInEvent>,
    /// Planted audit events inside the window, newest first.
    pub planted_audits: Vec<AuditEvent>,
    pub labels: Vec<Label>,
    /// `settings.json` of the tenant.
    pub settings_json: String,
}

pub fn templates(cfg: &BenchConfig) -> Result<Templates, String> {
    let mut tc = TenantConfig::standard(cfg.seed);
    tc.members = cfg.members;
    tc.days = 7;
    tc.incidents = false;
    tc.noninteractive_scale = 0.0;
    tc.service_scale = 0.01;
    let g = generate(&tc)?;
    let settings_json = g.settings_json();
    let signins: Vec<SignInEvent> = g.logs.signins.into_iter().filter(|s| s.kind == SignInKind::Interactive).collect();
    if signins.is_empty() || g.logs.audits.is_empty() {
        return Err("the template tenant produced no events".into());
    }
    let end = tc.end;
    let ctx = ExportContext {
        tenant_id: g.tenant.id.clone(),
        workspace_id: g.tenant.workspace_id.clone(),
        from: Timestamp(end.0 - cfg.days as i64 * MS_PER_DAY),
        to: Timestamp(end.0 - MS_PER_DAY),
    };
    let mut t = Templates {
        signins,
        audits: g.logs.audits,
        ctx,
        planted_signins: Vec::new(),
        planted_audits: Vec::new(),
        labels: Vec::new(),
        settings_json,
    };
    if cfg.incidents {
        // The same tenant over the bench window (the schedule needs 21 days:
        // with a shorter window the earliest events fall before it and are
        // left out).
        let mut ic = tc.clone();
        ic.days = cfg.days.max(TenantConfig::MIN_DAYS);
        let p = plant(&ic)?;
        if p.settings != g.settings {
            return Err("the planted incidents' tenant differs from the template tenant".into());
        }
        let from = t.ctx.from;
        t.planted_signins =
            p.signins.into_iter().rev().filter(|s| s.kind == SignInKind::Interactive && s.time >= from && s.time < end).collect();
        t.planted_audits = p.audits.into_iter().rev().filter(|a| a.time >= from && a.time < end).collect();
        t.labels = p.labels;
        let planted = t.planted_signins.len() as u64;
        let planted_audits = t.planted_audits.len() as u64;
        if cfg.signins < planted || cfg.audits < planted_audits {
            return Err(format!(
                "the planted incidents alone are {planted} sign-ins and {planted_audits} audit rows: \
                 ask for at least as many (or turn the incidents off)"
            ));
        }
    }
    Ok(t)
}

/// Steps back from the end of the window so `n` records spread over it,
/// newest first. The clock runs in milliseconds; each time is floored to a
/// whole second.
struct Clock {
    t: i64,
    mean_gap_ms: u64,
}

impl Clock {
    fn new(end: Timestamp, days: u32, n: u64) -> Clock {
        let span_ms = days as u64 * MS_PER_DAY as u64;
        Clock { t: end.0 - 1000, mean_gap_ms: (span_ms / n.max(1)).max(1) }
    }

    fn next(&mut self, rng: &mut Rng) -> Timestamp {
        let now = Timestamp(self.t - self.t.rem_euclid(1000));
        // Gaps uniform in [0, 2 × mean]: the mean spreads n records over the window.
        self.t -= rng.below(2 * self.mean_gap_ms + 1) as i64;
        now
    }
}

/// Writes `InteractiveSignIns_<from>_<to>.csv` and `AuditLogs_<from>_<to>.csv`
/// (exactly `cfg.signins` and `cfg.audits` rows, newest first), then
/// `settings.json` and, with incidents, `labels.json`.
pub fn write_bench(cfg: &BenchConfig, sink: &mut dyn FileSink) -> io::Result<()> {
    let pool = templates(cfg).map_err(io::Error::other)?;
    let mut rng = Rng::new(cfg.seed).fork("bench");
    let end = Timestamp(pool.ctx.to.0 + MS_PER_DAY);
    let range = pool.ctx.range();

    sink.create(&format!("InteractiveSignIns_{range}.csv"))?;
    let mut w = PortalSignInCsv::new(SignInLayout::V2025_01);
    let mut buf = String::with_capacity(FLUSH_AT + 64 * 1024);
    w.begin(&mut buf);
    let mut ev = pool.signins[0].clone();
    let planted = &pool.planted_signins;
    let background = cfg.signins - planted.len() as u64;
    let mut clock = Clock::new(end, cfg.days, background);
    let mut next_planted = 0;
    for _ in 0..background {
        let template = &pool.signins[rng.below(pool.signins.len() as u64) as usize];
        ev.assign_from(template);
        ev.time = clock.next(&mut rng);
        // Planted events at or after this one go first (newest first).
        while let Some(p) = planted.get(next_planted).filter(|p| p.time >= ev.time) {
            w.record(p, &mut buf);
            next_planted += 1;
        }
        ev.request_id.clear();
        rng.guid_into(&mut ev.request_id);
        ev.correlation_id.clear();
        rng.guid_into(&mut ev.correlation_id);
        ev.unique_token_id.clear();
        rng.token_into(&mut ev.unique_token_id, 22);
        w.record(&ev, &mut buf);
        if buf.len() >= FLUSH_AT {
            sink.write(buf.as_bytes())?;
            buf.clear();
        }
    }
    for p in planted.get(next_planted..).unwrap_or_default() {
        w.record(p, &mut buf);
    }
    sink.write(buf.as_bytes())?;
    buf.clear();

    sink.create(&format!("AuditLogs_{range}.csv"))?;
    let mut w = PortalAuditCsv;
    w.begin(&mut buf);
    let planted = &pool.planted_audits;
    let background = cfg.audits - planted.len() as u64;
    let mut clock = Clock::new(end, cfg.days, background);
    let mut next_planted = 0;
    for _ in 0..background {
        let mut a = pool.audits[rng.below(pool.audits.len() as u64) as usize].clone();
        a.time = clock.next(&mut rng);
        while let Some(p) = planted.get(next_planted).filter(|p| p.time >= a.time) {
            w.record(p, &mut buf);
            next_planted += 1;
        }
        a.correlation_id.clear();
        rng.guid_into(&mut a.correlation_id);
        w.record(&a, &mut buf);
        if buf.len() >= FLUSH_AT {
            sink.write(buf.as_bytes())?;
            buf.clear();
        }
    }
    for p in planted.get(next_planted..).unwrap_or_default() {
        w.record(p, &mut buf);
    }
    sink.write(buf.as_bytes())?;
    buf.clear();

    sink.create("settings.json")?;
    sink.write(pool.settings_json.as_bytes())?;
    if cfg.incidents {
        sink.create("labels.json")?;
        sink.write(labels_json(&pool.labels).as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::MemorySink;

    #[test]
    fn clock_spreads_records_over_the_window_newest_first() {
        let end = Timestamp::from_civil(2025, 11, 3, 0, 0, 0, 0).unwrap();
        let mut rng = Rng::new(1);
        let n = 1_000_000;
        let mut clock = Clock::new(end, 30, n);
        let mut prev = end;
        let mut last = end;
        for _ in 0..n {
            last = clock.next(&mut rng);
            assert!(last <= prev && last.0 % 1000 == 0);
            prev = last;
        }
        let covered = (end.0 - last.0) as f64 / MS_PER_DAY as f64;
        assert!((29.0..31.0).contains(&covered), "{covered} days");
    }

    fn small(incidents: bool) -> BenchConfig {
        BenchConfig { signins: 2000, audits: 300, members: 60, incidents, ..BenchConfig::default() }
    }

    fn text(sink: &MemorySink, name: &str) -> String {
        let (_, bytes) = sink
            .files
            .iter()
            .find(|(n, _)| n.as_str() == name || n.starts_with(name))
            .unwrap_or_else(|| panic!("no file {name}"));
        String::from_utf8(bytes.clone()).unwrap()
    }

    /// (time, first column) of every row, in file order.
    fn rows(csv_text: &str, id_column: &str) -> Vec<(Timestamp, String)> {
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        let headers = r.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h.trim() == name).unwrap();
        let (t, id) = (col("Date (UTC)"), col(id_column));
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (Timestamp::parse(&rec[t]).unwrap(), rec[id].to_string())
            })
            .collect()
    }

    #[test]
    fn bench_files_have_the_requested_rows() {
        for incidents in [true, false] {
            let cfg = small(incidents);
            let mut sink = MemorySink::default();
            write_bench(&cfg, &mut sink).unwrap();
            let names: Vec<&str> = sink.files.iter().map(|f| f.0.as_str()).collect();
            let mut expected =
                vec!["InteractiveSignIns_2025-10-04_2025-11-02.csv", "AuditLogs_2025-10-04_2025-11-02.csv", "settings.json"];
            if incidents {
                expected.push("labels.json");
            }
            assert_eq!(names, expected);
            let signins = text(&sink, "InteractiveSignIns_");
            assert!(signins.starts_with(&PortalSignInCsv::new(SignInLayout::V2025_01).header_line()));
            assert_eq!(signins.matches("\r\n\"20").count(), 2000);
            assert_eq!(rows(&signins, "Request ID").len(), 2000);
            let audits = text(&sink, "AuditLogs_");
            assert_eq!(audits.matches("\r\n\"20").count(), 300);
            assert_eq!(rows(&audits, "CorrelationId").len(), 300);
            let mut again = MemorySink::default();
            write_bench(&cfg, &mut again).unwrap();
            assert_eq!(again.files, sink.files);
        }
    }

    #[test]
    fn planted_events_are_written_verbatim_once_and_in_order() {
        let cfg = small(true);
        let pool = templates(&cfg).unwrap();
        assert!(pool.planted_signins.len() > 100 && pool.planted_audits.len() > 20);
        assert!(pool.labels.iter().any(|l| !l.near_miss));
        let mut sink = MemorySink::default();
        write_bench(&cfg, &mut sink).unwrap();
        let signins = text(&sink, "InteractiveSignIns_");
        let audits = text(&sink, "AuditLogs_");

        // Newest first throughout, the planted rows included.
        for (file, id) in [(&signins, "Request ID"), (&audits, "CorrelationId")] {
            let r = rows(file, id);
            assert!(r.windows(2).all(|w| w[0].0 >= w[1].0), "{id}: not newest first");
            let (from, to) = (r.last().unwrap().0, r[0].0);
            assert!(from >= pool.ctx.from && to.0 < pool.ctx.to.0 + MS_PER_DAY);
        }

        // Each planted event is in the file once, byte for byte as the
        // writer renders it alone, at its own time among the others.
        let sign_rows = rows(&signins, "Request ID");
        let mut w = PortalSignInCsv::new(SignInLayout::V2025_01);
        for p in &pool.planted_signins {
            let mut line = String::new();
            w.record(p, &mut line);
            assert_eq!(signins.matches(&line).count(), 1, "{}", p.request_id);
            let at: Vec<_> = sign_rows.iter().filter(|r| r.1 == p.request_id).collect();
            assert_eq!(at, [&(p.time, p.request_id.clone())]);
        }
        let mut w = PortalAuditCsv;
        for p in &pool.planted_audits {
            let mut line = String::new();
            w.record(p, &mut line);
            assert_eq!(audits.matches(&line).count(), 1, "{}", p.correlation_id);
        }

        // Every label's evidence is in the files (the bench writes only
        // interactive sign-ins, which is every planted sign-in).
        for l in &pool.labels {
            for (id, corr) in l.evidence_ids.iter().zip(&l.correlation_ids) {
                assert!(signins.contains(id.as_str()) || audits.contains(corr.as_str()), "{}: {id}", l.incident);
            }
        }
        assert_eq!(text(&sink, "labels.json"), labels_json(&pool.labels));
    }

    #[test]
    fn settings_name_the_planted_actors() {
        use crate::sim::incidents::{BREAK_GLASS, CA_NON_APPROVED, LEGACY_AUTH};
        let cfg = small(true);
        let pool = templates(&cfg).unwrap();
        let mut sink = MemorySink::default();
        write_bench(&cfg, &mut sink).unwrap();
        let settings = entrascope_core::Settings::from_json(&text(&sink, "settings.json")).unwrap().0;
        let planted = |incident: &str| -> &SignInEvent {
            let l = pool.labels.iter().find(|l| l.incident == incident && !l.near_miss).unwrap();
            pool.planted_signins.iter().find(|s| l.evidence_ids.contains(&s.request_id)).unwrap()
        };
        let bg = planted(BREAK_GLASS);
        assert!(settings.break_glass_accounts.iter().any(|a| a.eq_ignore_ascii_case(&bg.upn)), "{}", bg.upn);
        assert_eq!(settings.legacy_authentication_blocked, Some(true));
        assert!(!planted(LEGACY_AUTH).client_app.is_empty());
        let ca = pool.labels.iter().find(|l| l.incident == CA_NON_APPROVED && !l.near_miss).unwrap();
        let change = pool.planted_audits.iter().find(|a| ca.evidence_ids.contains(&a.id)).unwrap();
        let crate::model::Initiator::User { upn: actor, .. } = &change.initiator else {
            panic!("the CA change is made by a user")
        };
        let approved = &settings.approved_actors.conditional_access;
        assert!(!approved.is_empty() && !actor.is_empty());
        assert!(!approved.iter().any(|a| a.eq_ignore_ascii_case(actor)), "{actor} is approved");
        assert!(!settings.operating_countries.is_empty());
    }

    #[test]
    fn too_few_rows_for_the_incidents_is_an_error_not_a_short_file() {
        let cfg = BenchConfig { signins: 50, ..small(true) };
        assert!(write_bench(&cfg, &mut MemorySink::default()).is_err());
        let cfg = BenchConfig { signins: 50, audits: 10, ..small(false) };
        let mut sink = MemorySink::default();
        write_bench(&cfg, &mut sink).unwrap();
        assert_eq!(text(&sink, "InteractiveSignIns_").matches("\r\n\"20").count(), 50);
    }
}
