//! The Entra Connect Sync release table (`data/entra-connect-versions.csv`,
//! snapshot and sources in `data/README.md`) and the support policy.

use std::sync::OnceLock;

use entrascope_core::Timestamp;

use crate::model::Version;

/// The date of the release table snapshot.
pub const SNAPSHOT: &str = "2026-09-16";

const TABLE: &str = include_str!("../data/entra-connect-versions.csv");

/// "customers should be on the following version by September 30, 2026: Version 2.5.79.0 or higher."
pub const MINIMUM_VERSION: Version = Version([2, 5, 79, 0]);
pub const MINIMUM_VERSION_DEADLINE: &str = "2026-09-30";

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub version: Version,
    pub released: Timestamp,
    /// The end-of-support date the table gives, when it gives one.
    pub end_of_support: Option<Timestamp>,
    pub source: String,
}

fn date(s: &str) -> Option<Timestamp> {
    Timestamp::parse(s.trim())
}

/// Every release of the table, oldest version first.
pub fn releases() -> &'static [Release] {
    static R: OnceLock<Vec<Release>> = OnceLock::new();
    R.get_or_init(|| {
        let mut v: Vec<Release> = TABLE
            .lines()
            .skip(1)
            .filter_map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                let (ver, rel, eos, src) = (f.first()?, f.get(1)?, f.get(2)?, f.get(3)?);
                Some(Release {
                    version: Version::parse(ver)?,
                    released: date(rel)?,
                    end_of_support: if eos.trim().is_empty() { None } else { Some(date(eos)?) },
                    source: src.trim().to_string(),
                })
            })
            .collect();
        v.sort_by_key(|r| r.version);
        v
    })
}

/// `t` plus `months` calendar months (the day is clamped to the month's length).
pub fn add_months(t: Timestamp, months: i32) -> Timestamp {
    let (y, m, d, h, mi, s, ms) = t.civil();
    let total = y * 12 + (m as i32 - 1) + months;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let mut day = d;
    loop {
        if let Some(r) = Timestamp::from_civil(ny, nm, day, h, mi, s, ms) {
            return r;
        }
        if day <= 28 {
            return t;
        }
        day -= 1;
    }
}

/// The newest release older than `now` by at least six months that is newer
/// than `v`: the proof that `v` is more than six months behind.
pub fn six_months_behind(v: Version, now: Timestamp) -> Option<&'static Release> {
    releases().iter().rev().find(|r| r.version > v && add_months(r.released, 6) <= now)
}

/// The newest release known at `now`.
pub fn latest(now: Timestamp) -> Option<&'static Release> {
    releases().iter().filter(|r| r.released <= now).max_by_key(|r| r.version)
}

/// Why a version is out of support at `now`, with the date it left support
/// (`None` for 1.x, retired as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    pub since: Option<Timestamp>,
    pub reason: String,
}

/// `YYYY-MM-DD` of a timestamp.
pub fn ymd(t: Timestamp) -> String {
    let (y, m, d, ..) = t.civil();
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether `v` is out of support at `now`, by the table and the policy:
/// every 1.x version is unsupported; a 2.x version retires on the date the
/// table gives, else 12 months after the next newer release; and since
/// 2026-09-30 anything below 2.5.79.0 is unsupported.
pub fn unsupported(v: Version, now: Timestamp) -> Option<Unsupported> {
    if v.major() < 2 {
        return Some(Unsupported { since: None, reason: format!("all Entra Connect Sync 1.x versions are unsupported ({v})") });
    }
    let mut out: Vec<Unsupported> = Vec::new();
    let exact = releases().iter().find(|r| r.version == v);
    let table_eos = exact.and_then(|r| r.end_of_support);
    match table_eos {
        Some(eos) => {
            if eos <= now {
                out.push(Unsupported { since: Some(eos), reason: format!("{v} left support on {} (release table)", ymd(eos)) });
            }
        }
        None => {
            if let Some(next) = releases().iter().find(|r| r.version > v) {
                let eos = add_months(next.released, 12);
                if eos <= now {
                    out.push(Unsupported {
                        since: Some(eos),
                        reason: format!("{v} retired on {}, 12 months after {} was released", ymd(eos), next.version),
                    });
                }
            }
        }
    }
    if let Some(deadline) = date(MINIMUM_VERSION_DEADLINE) {
        if v < MINIMUM_VERSION && deadline <= now {
            out.push(Unsupported {
                since: Some(deadline),
                reason: format!("versions below {MINIMUM_VERSION} are unsupported since {MINIMUM_VERSION_DEADLINE}"),
            });
        }
    }
    out.into_iter().min_by_key(|u| u.since)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn every_table_line_is_read() {
        assert_eq!(releases().len(), TABLE.lines().count() - 1);
        assert_eq!(latest(t("2026-11-21")).unwrap().version, v("2.6.91.0"));
        assert_eq!(latest(t("2026-08-01")).unwrap().version, v("2.6.84.0"));
    }

    #[test]
    fn months() {
        assert_eq!(add_months(t("2026-08-31T10:00:00Z"), 6), t("2027-02-28T10:00:00Z"));
        assert_eq!(add_months(t("2026-01-15"), -1), t("2025-12-15"));
    }

    #[test]
    fn behind_and_unsupported() {
        let now = t("2026-11-21");
        assert_eq!(six_months_behind(v("1.1.130.0"), now).unwrap().version, v("2.6.3.0"));
        assert!(six_months_behind(v("2.6.84.0"), now).is_none(), "2.6.91.0 is only two months old");
        assert!(six_months_behind(v("2.6.91.0"), now).is_none());
        assert_eq!(six_months_behind(v("2.6.1.0"), now).unwrap().version, v("2.6.3.0"));
        assert!(unsupported(v("1.1.130.0"), now).unwrap().reason.contains("1.x"));
        assert!(unsupported(v("2.6.91.0"), now).is_none());
        assert!(unsupported(v("2.5.190.0"), now).is_none());
        assert_eq!(unsupported(v("2.5.79.0"), now).unwrap().since, Some(t("2026-10-23")));
        // Not in the table: 12 months after the next newer release (2.4.18.0, 2024-10-07) = 2025-10-07.
        assert_eq!(unsupported(v("2.4.10.0"), now).unwrap().since, Some(t("2025-10-07")));
        // Below the minimum version after the deadline.
        let u = unsupported(v("2.5.76.0"), t("2026-09-30T12:00:00Z")).unwrap();
        assert_eq!(u.since, Some(t("2026-09-01")));
        assert!(unsupported(v("2.5.76.0"), t("2026-08-01")).is_none());
    }
}
