//! Scale mode: a large interactive sign-in CSV (2025 portal header) and
//! audit CSV for benchmarks, generated on demand.
//!
//! Rows are drawn from a pool of templates produced by the tenant simulator
//! (no incidents), so they have the simulator's realism; each row gets a
//! fresh time (newest first, spread over the window), request id,
//! correlation id and token id. A single recycled event is filled with
//! [`SignInEvent::assign_from`] and written by the same
//! [`PortalSignInCsv`] writer as everywhere else, so the hot loop does not
//! allocate.

use std::io;

use entrascope_core::time::MS_PER_DAY;
use entrascope_core::Timestamp;

use crate::formats::portal_csv::{PortalAuditCsv, PortalSignInCsv, SignInLayout};
use crate::formats::{ExportContext, FileSink, RecordWriter, FLUSH_AT};
use crate::model::{AuditEvent, SignInEvent, SignInKind};
use crate::rng::Rng;
use crate::sim::{generate, TenantConfig};

#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    pub seed: u64,
    pub signins: u64,
    pub audits: u64,
    pub days: u32,
    /// Members of the template tenant (how many distinct users appear).
    pub members: usize,
}

impl Default for BenchConfig {
    fn default() -> BenchConfig {
        BenchConfig {
            seed: 1,
            signins: 1_000_000,
            audits: 100_000,
            days: 30,
            members: 1500,
        }
    }
}

/// The template pool.
pub struct Templates {
    pub signins: Vec<SignInEvent>,
    pub audits: Vec<AuditEvent>,
    pub ctx: ExportContext,
}

pub fn templates(cfg: &BenchConfig) -> Result<Templates, String> {
    let mut tc = TenantConfig::standard(cfg.seed);
    tc.members = cfg.members;
    tc.days = 7;
    tc.incidents = false;
    tc.noninteractive_scale = 0.0;
    tc.service_scale = 0.01;
    let g = generate(&tc)?;
    let signins: Vec<SignInEvent> = g
        .logs
        .signins
        .into_iter()
        .filter(|s| s.kind == SignInKind::Interactive)
        .collect();
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
    Ok(Templates {
        signins,
        audits: g.logs.audits,
        ctx,
    })
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
        Clock {
            t: end.0 - 1000,
            mean_gap_ms: (span_ms / n.max(1)).max(1),
        }
    }

    fn next(&mut self, rng: &mut Rng) -> Timestamp {
        let now = Timestamp(self.t - self.t.rem_euclid(1000));
        // Gaps uniform in [0, 2 × mean]: the mean spreads n records over the window.
        self.t -= rng.below(2 * self.mean_gap_ms + 1) as i64;
        now
    }
}

/// Writes `InteractiveSignIns_<from>_<to>.csv` and `AuditLogs_<from>_<to>.csv`.
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
    let mut clock = Clock::new(end, cfg.days, cfg.signins);
    for _ in 0..cfg.signins {
        let template = &pool.signins[rng.below(pool.signins.len() as u64) as usize];
        ev.assign_from(template);
        ev.time = clock.next(&mut rng);
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
    sink.write(buf.as_bytes())?;
    buf.clear();

    sink.create(&format!("AuditLogs_{range}.csv"))?;
    let mut w = PortalAuditCsv;
    w.begin(&mut buf);
    let mut clock = Clock::new(end, cfg.days, cfg.audits);
    for _ in 0..cfg.audits {
        let mut a = pool.audits[rng.below(pool.audits.len() as u64) as usize].clone();
        a.time = clock.next(&mut rng);
        a.correlation_id.clear();
        rng.guid_into(&mut a.correlation_id);
        w.record(&a, &mut buf);
        if buf.len() >= FLUSH_AT {
            sink.write(buf.as_bytes())?;
            buf.clear();
        }
    }
    sink.write(buf.as_bytes())
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

    #[test]
    fn bench_files_have_the_requested_rows() {
        let cfg = BenchConfig {
            signins: 2000,
            audits: 300,
            members: 60,
            ..BenchConfig::default()
        };
        let mut sink = MemorySink::default();
        write_bench(&cfg, &mut sink).unwrap();
        assert_eq!(sink.files.len(), 2);
        let signins = std::str::from_utf8(&sink.files[0].1).unwrap();
        assert!(signins.starts_with(&PortalSignInCsv::new(SignInLayout::V2025_01).header_line()));
        assert_eq!(signins.matches("\r\n\"20").count(), 2000);
        let audits = std::str::from_utf8(&sink.files[1].1).unwrap();
        assert_eq!(audits.matches("\r\n\"20").count(), 300);
        let mut again = MemorySink::default();
        write_bench(&cfg, &mut again).unwrap();
        assert_eq!(again.files, sink.files);
    }
}
