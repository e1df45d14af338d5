//! Instants and the many ways exports write them.
//!
//! [`Timestamp`] is milliseconds since the Unix epoch, UTC. The parser
//! accepts every form `FORMATS.md` lists: ISO 8601 with `T` or a space, 0-9
//! fraction digits, `Z`, `±HH:MM` or no offset (UTC); locale dates
//! (`9/19/2023, 1:45:17.287 PM`, `19/09/2023 13:45`, `19.09.2023 13:45:17`);
//! and PowerShell's `/Date(1700000000000)/`. The hot path (ISO) is parsed by
//! hand because it runs once per row; calendar math beyond that uses `jiff`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// How to read an ambiguous `a/b/yyyy` date. Readers keep one per file and
/// settle it from the first unambiguous value (a day above 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    #[default]
    Unknown,
    MonthFirst,
    DayFirst,
}

pub const MS_PER_DAY: i64 = 86_400_000;
pub const MS_PER_HOUR: i64 = 3_600_000;
pub const MS_PER_MINUTE: i64 = 60_000;

impl Timestamp {
    /// Parses any supported form, assuming month-first for ambiguous
    /// slash dates with AM/PM and day-first otherwise.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let mut order = DateOrder::Unknown;
        parse_with(s, &mut order)
    }

    pub fn from_civil(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<Timestamp> {
        if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60 || ms > 999 {
            return None;
        }
        let days = days_from_civil(y, mo, d);
        let s = s.min(59); // a leap second is read as :59
        Some(Timestamp(days * MS_PER_DAY + (h as i64 * 3600 + mi as i64 * 60 + s as i64) * 1000 + ms as i64))
    }

    /// (year, month, day, hour, minute, second, millisecond) in UTC.
    pub fn civil(self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(MS_PER_DAY);
        let rem = self.0.rem_euclid(MS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let secs = rem / 1000;
        (y, m, d, (secs / 3600) as u32, ((secs / 60) % 60) as u32, (secs % 60) as u32, (rem % 1000) as u32)
    }

    /// Days since the epoch (UTC calendar day).
    pub fn day(self) -> i64 {
        self.0.div_euclid(MS_PER_DAY)
    }

    /// ISO weekday, Monday = 0.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.day() + 3).rem_euclid(7)) as u32
    }

    /// RFC 3339 in UTC, with milliseconds only when non-zero.
    pub fn to_rfc3339(self) -> String {
        let (y, mo, d, h, mi, s, ms) = self.civil();
        if ms == 0 {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
        } else {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a timestamp: {s}")))
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's algorithms, public domain.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Reads 1..=max digits.
    fn digits(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + (c - b'0') as u32;
                    self.i += 1;
                }
                _ => break,
            }
        }
        let n = self.i - start;
        (n > 0).then_some((v, n))
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// Parses a timestamp, using and updating `order` for ambiguous slash dates.
pub fn parse_with(s: &str, order: &mut DateOrder) -> Option<Timestamp> {
    let s = s.trim().trim_start_matches('\'').trim();
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[0].is_ascii_digit() {
        return parse_iso(b);
    }
    if let Some(rest) = s.strip_prefix("/Date(").or_else(|| s.strip_prefix("\\/Date(")) {
        return parse_ms_date(rest);
    }
    parse_locale(b, order)
}

fn parse_ms_date(rest: &str) -> Option<Timestamp> {
    let end = rest.find(')')?;
    let inner = &rest[..end];
    // The offset (e.g. +0100) only says which zone to display; the ms are UTC.
    let digits_end =
        inner.char_indices().find(|(i, c)| (*c == '+' || *c == '-') && *i > 0).map(|(i, _)| i).unwrap_or(inner.len());
    inner[..digits_end].parse::<i64>().ok().map(Timestamp)
}

fn parse_time_of_day(c: &mut Cursor) -> Option<(u32, u32, u32, u32)> {
    let (h, _) = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let (mi, n) = c.digits(2)?;
    if n != 2 {
        return None;
    }
    let mut s = 0;
    let mut ms = 0;
    if c.eat(b':') {
        let (sv, n) = c.digits(2)?;
        if n != 2 {
            return None;
        }
        s = sv;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            let (frac, n) = c.digits(9)?;
            ms = match n {
                1 => frac * 100,
                2 => frac * 10,
                3 => frac,
                n => frac / 10u32.pow(n as u32 - 3),
            };
            // Ignore digits beyond nine.
            while matches!(c.peek(), Some(b'0'..=b'9')) {
                c.i += 1;
            }
            let _ = start;
        }
    }
    Some((h, mi, s, ms))
}

/// Reads `Z`, `+HH:MM`, `+HHMM`, `+HH`, ` UTC` or nothing; returns the offset in minutes.
fn parse_offset(c: &mut Cursor) -> Option<i64> {
    c.skip_spaces();
    match c.peek() {
        None => Some(0),
        Some(b'Z' | b'z') => {
            c.i += 1;
            Some(0)
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let (h, n) = c.digits(4)?;
            let (h, m) = if n == 4 {
                (h / 100, h % 100)
            } else {
                let m = if c.eat(b':') { c.digits(2)?.0 } else { 0 };
                (h, m)
            };
            if h > 18 || m > 59 {
                return None;
            }
            let off = (h * 60 + m) as i64;
            Some(if sign == b'-' { -off } else { off })
        }
        Some(_) => {
            let rest = std::str::from_utf8(&c.b[c.i..]).ok()?.trim();
            if rest.eq_ignore_ascii_case("UTC") || rest.eq_ignore_ascii_case("GMT") {
                c.i = c.b.len();
                Some(0)
            } else {
                None
            }
        }
    }
}

fn parse_iso(b: &[u8]) -> Option<Timestamp> {
    let mut c = Cursor { b, i: 0 };
    let (y, n) = c.digits(4)?;
    if n != 4 || !c.eat(b'-') {
        return None;
    }
    let (mo, _) = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let (d, _) = c.digits(2)?;
    let (mut h, mut mi, mut s, mut ms) = (0, 0, 0, 0);
    if c.eat(b'T') || c.eat(b't') || c.eat(b' ') {
        c.skip_spaces();
        (h, mi, s, ms) = parse_time_of_day(&mut c)?;
    }
    let off = parse_offset(&mut c)?;
    if !c.done() {
        return None;
    }
    let t = Timestamp::from_civil(y as i32, mo, d, h, mi, s, ms)?;
    Some(Timestamp(t.0 - off * MS_PER_MINUTE))
}

fn parse_locale(b: &[u8], order: &mut DateOrder) -> Option<Timestamp> {
    let mut c = Cursor { b, i: 0 };
    let (a, _) = c.digits(4)?;
    let sep = c.peek()?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    c.i += 1;
    let (bv, _) = c.digits(2)?;
    if !c.eat(sep) {
        return None;
    }
    let (cv, cn) = c.digits(4)?;
    // yyyy/mm/dd
    let (y, mo, d) = if a > 31 {
        (a, bv, cv)
    } else {
        if cn != 4 && cn != 2 {
            return None;
        }
        let y = if cn == 2 { 2000 + cv } else { cv };
        let rest = std::str::from_utf8(&b[c.i..]).ok()?;
        let has_ampm = rest.to_ascii_uppercase().contains('M')
            && (rest.contains("AM") || rest.contains("PM") || rest.contains("am") || rest.contains("pm"));
        let day_first = if sep == b'.' {
            true
        } else if a > 12 {
            *order = DateOrder::DayFirst;
            true
        } else if bv > 12 {
            *order = DateOrder::MonthFirst;
            false
        } else {
            match *order {
                DateOrder::DayFirst => true,
                DateOrder::MonthFirst => false,
                DateOrder::Unknown => !has_ampm,
            }
        };
        if day_first {
            (y, bv, a)
        } else {
            (y, a, bv)
        }
    };
    c.eat(b',');
    c.skip_spaces();
    let (mut h, mut mi, mut s, mut ms) = (0, 0, 0, 0);
    if !c.done() && matches!(c.peek(), Some(b'0'..=b'9')) {
        (h, mi, s, ms) = parse_time_of_day(&mut c)?;
        c.skip_spaces();
        let rest = &b[c.i..];
        if rest.len() >= 2 && (rest[..2].eq_ignore_ascii_case(b"AM") || rest[..2].eq_ignore_ascii_case(b"PM")) {
            let pm = rest[0].eq_ignore_ascii_case(&b'P');
            if h == 0 || h > 12 {
                return None;
            }
            h = match (pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
            c.i += 2;
        }
    }
    let off = parse_offset(&mut c)?;
    if !c.done() {
        return None;
    }
    let t = Timestamp::from_civil(y as i32, mo, d, h, mi, s, ms)?;
    Some(Timestamp(t.0 - off * MS_PER_MINUTE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Timestamp::parse(s).map(|t| t.to_rfc3339()).unwrap_or_else(|| "NONE".into())
    }

    #[test]
    fn every_listed_form() {
        let cases = [
            ("2025-12-04T08:19:41Z", "2025-12-04T08:19:41Z"),
            ("2020-03-13T19:15:41.6195833Z", "2020-03-13T19:15:41.619Z"),
            ("2022-01-22T18:15:02.5168093+00:00", "2022-01-22T18:15:02.516Z"),
            ("2022-01-22T20:15:02+02:00", "2022-01-22T18:15:02Z"),
            ("2022-01-22T13:15:02.1-0500", "2022-01-22T18:15:02.100Z"),
            ("2023-07-26 22:58:30.98", "2023-07-26T22:58:30.980Z"),
            ("2023-07-26 22:58:30.983201900", "2023-07-26T22:58:30.983Z"),
            ("2025-01-15 14:20:35.456", "2025-01-15T14:20:35.456Z"),
            ("9/19/2023, 1:45:17.287 PM", "2023-09-19T13:45:17.287Z"),
            ("9/19/2023, 12:05:00 AM", "2023-09-19T00:05:00Z"),
            ("19/09/2023 13:45:17", "2023-09-19T13:45:17Z"),
            ("19.09.2023 13:45:17", "2023-09-19T13:45:17Z"),
            ("/Date(1700000000000)/", "2023-11-14T22:13:20Z"),
            ("\\/Date(1700000000000)\\/", "2023-11-14T22:13:20Z"),
            ("/Date(1700000000000+0100)/", "2023-11-14T22:13:20Z"),
            ("'2025-12-04T08:19:41Z", "2025-12-04T08:19:41Z"),
            ("2024-02-29", "2024-02-29T00:00:00Z"),
            ("2023-02-29T00:00:00Z", "NONE"),
            ("2023-13-01T00:00:00Z", "NONE"),
            ("yesterday", "NONE"),
            ("", "NONE"),
            ("2023-01-01T00:00:00Zjunk", "NONE"),
        ];
        for (input, want) in cases {
            assert_eq!(p(input), want, "input {input:?}");
        }
    }

    #[test]
    fn ambiguous_dates_follow_the_file() {
        let mut order = DateOrder::Unknown;
        // A day above 12 settles the order for the rest of the file.
        assert_eq!(parse_with("25/03/2024 10:00", &mut order).unwrap().to_rfc3339(), "2024-03-25T10:00:00Z");
        assert_eq!(order, DateOrder::DayFirst);
        assert_eq!(parse_with("04/03/2024 10:00", &mut order).unwrap().to_rfc3339(), "2024-03-04T10:00:00Z");
        let mut order = DateOrder::Unknown;
        assert_eq!(parse_with("3/25/2024 10:00 AM", &mut order).unwrap().to_rfc3339(), "2024-03-25T10:00:00Z");
        assert_eq!(order, DateOrder::MonthFirst);
        assert_eq!(parse_with("4/3/2024 10:00", &mut order).unwrap().to_rfc3339(), "2024-04-03T10:00:00Z");
    }

    #[test]
    fn civil_round_trips() {
        for t in [0i64, 951_782_400_000, 1_700_000_000_123, -86_400_000, 4_102_444_800_000] {
            let ts = Timestamp(t);
            assert_eq!(Timestamp::parse(&ts.to_rfc3339()), Some(ts));
        }
        assert_eq!(Timestamp::parse("2026-11-21T00:00:00Z").unwrap().weekday(), 5);
        // Saturday
    }
}
