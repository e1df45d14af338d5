//! The tenant context of `cli-contract.md`: who is approved, which accounts
//! are break-glass or privileged, which networks and countries are normal.
//!
//! Every key is optional. A check that needs a missing key reports
//! `needs-settings` in coverage; it never guesses.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::check::SettingKey;
use crate::time::Timestamp;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApprovedActors {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional_access: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_management: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_management: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guest_invitations: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub application_management: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// IANA time zone name, e.g. `Europe/Berlin`, or `UTC`.
    #[serde(default = "utc")]
    pub timezone: String,
    /// `Mon`..`Sun`.
    #[serde(default = "weekdays")]
    pub days: Vec<String>,
    /// `HH:MM`, local time.
    pub start: String,
    pub end: String,
}

fn utc() -> String {
    "UTC".into()
}

fn weekdays() -> Vec<String> {
    ["Mon", "Tue", "Wed", "Thu", "Fri"].iter().map(|s| s.to_string()).collect()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NamingPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<String>,
}

/// The settings file. Unknown keys are kept out of the model but reported by
/// [`Settings::from_json`] so a typo does not silently disable a check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_tenant_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub break_glass_accounts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub privileged_accounts: Vec<String>,
    #[serde(skip_serializing_if = "is_default")]
    pub approved_actors: ApprovedActors,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub critical_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_networks: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operating_countries: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_hours: Option<BusinessHours>,
    #[serde(skip_serializing_if = "is_default")]
    pub naming_policy: NamingPolicy,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensitive_applications: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_authentication_blocked: Option<bool>,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

const KNOWN_KEYS: &[&str] = &[
    "home_tenant_id",
    "organization_domains",
    "break_glass_accounts",
    "privileged_accounts",
    "approved_actors",
    "critical_groups",
    "trusted_networks",
    "operating_countries",
    "business_hours",
    "naming_policy",
    "sensitive_applications",
    "legacy_authentication_blocked",
];

impl Settings {
    /// Parses and validates a settings file. Returns the settings and
    /// warnings (unknown keys); an error names the key and what is wrong.
    pub fn from_json(text: &str) -> Result<(Settings, Vec<String>), String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("settings are not valid JSON: {e}"))?;
        let mut warnings = Vec::new();
        if let Some(obj) = value.as_object() {
            for key in obj.keys() {
                if !KNOWN_KEYS.contains(&key.as_str()) {
                    warnings.push(format!("unknown settings key `{key}` is ignored"));
                }
            }
        } else {
            return Err("settings must be a JSON object".into());
        }
        let settings: Settings = serde_json::from_value(value).map_err(|e| format!("settings: {e}"))?;
        settings.validate()?;
        Ok((settings, warnings))
    }

    /// Checks values that serde cannot: CIDRs, regexes, times, time zones.
    pub fn validate(&self) -> Result<(), String> {
        for net in &self.trusted_networks {
            parse_net(net).ok_or_else(|| format!("trusted_networks: `{net}` is not an IPv4 or IPv6 CIDR"))?;
        }
        for (name, re) in [("naming_policy.user", &self.naming_policy.user), ("naming_policy.admin", &self.naming_policy.admin)] {
            if let Some(re) = re {
                regex_lite::Regex::new(re).map_err(|e| format!("{name}: invalid regular expression: {e}"))?;
            }
        }
        if let Some(bh) = &self.business_hours {
            BusinessHoursRule::compile(bh)?;
        }
        for c in &self.operating_countries {
            if c.trim().len() != 2 {
                return Err(format!("operating_countries: `{c}` is not a two-letter country code"));
            }
        }
        Ok(())
    }

    /// Whether the key is set (non-empty).
    pub fn has(&self, key: SettingKey) -> bool {
        let a = &self.approved_actors;
        match key {
            SettingKey::HomeTenantId => self.home_tenant_id.as_deref().is_some_and(|s| !s.trim().is_empty()),
            SettingKey::OrganizationDomains => !self.organization_domains.is_empty(),
            SettingKey::BreakGlassAccounts => !self.break_glass_accounts.is_empty(),
            SettingKey::PrivilegedAccounts => !self.privileged_accounts.is_empty(),
            SettingKey::ApprovedConditionalAccess => !a.conditional_access.is_empty(),
            SettingKey::ApprovedUserManagement => !a.user_management.is_empty(),
            SettingKey::ApprovedRoleManagement => !a.role_management.is_empty(),
            SettingKey::ApprovedGuestInvitations => !a.guest_invitations.is_empty(),
            SettingKey::ApprovedApplicationManagement => !a.application_management.is_empty(),
            SettingKey::CriticalGroups => !self.critical_groups.is_empty(),
            SettingKey::TrustedNetworks => !self.trusted_networks.is_empty(),
            SettingKey::OperatingCountries => !self.operating_countries.is_empty(),
            SettingKey::BusinessHours => self.business_hours.is_some(),
            SettingKey::NamingPolicyUser => self.naming_policy.user.as_deref().is_some_and(|r| !r.trim().is_empty()),
            SettingKey::NamingPolicyAdmin => self.naming_policy.admin.as_deref().is_some_and(|r| !r.trim().is_empty()),
            SettingKey::SensitiveApplications => !self.sensitive_applications.is_empty(),
            SettingKey::LegacyAuthenticationBlocked => self.legacy_authentication_blocked.is_some(),
        }
    }
}

fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>().ok().or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A list of account or group patterns: case-insensitive, `*` matches any run
/// of characters.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    /// Patterns without `*`, lower-cased.
    exact: Vec<Vec<u8>>,
    /// Patterns with `*`: the lower-cased parts between the stars.
    globs: Vec<Vec<Vec<u8>>>,
}

impl Patterns {
    pub fn new<S: AsRef<str>>(list: &[S]) -> Patterns {
        let mut p = Patterns::default();
        for pattern in list.iter().map(|p| p.as_ref().trim().to_lowercase()).filter(|p| !p.is_empty()) {
            if pattern.contains('*') {
                p.globs.push(pattern.split('*').map(|part| part.as_bytes().to_vec()).collect());
            } else {
                p.exact.push(pattern.into_bytes());
            }
        }
        p
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.globs.is_empty()
    }

    /// Whether `value` matches any pattern (case-insensitive).
    pub fn matches(&self, value: &str) -> bool {
        if self.is_empty() || value.is_empty() {
            return false;
        }
        // Checks ask this for every row: short ASCII values are lower-cased
        // on the stack, the rest (rare) with Unicode rules on the heap.
        let v = value.trim();
        let mut buf = [0u8; 128];
        if v.is_ascii() && v.len() <= buf.len() {
            let lower = &mut buf[..v.len()];
            lower.copy_from_slice(v.as_bytes());
            lower.make_ascii_lowercase();
            return self.matches_lower(lower);
        }
        self.matches_lower(v.to_lowercase().as_bytes())
    }

    fn matches_lower(&self, v: &[u8]) -> bool {
        self.exact.iter().any(|p| p.as_slice() == v) || self.globs.iter().any(|parts| glob(parts, v))
    }
}

/// `v` matches the parts of a pattern joined by `*` (at least two parts).
fn glob(parts: &[Vec<u8>], v: &[u8]) -> bool {
    let Some((first, rest)) = parts.split_first() else { return false };
    let Some((last, middle)) = rest.split_last() else { return first.as_slice() == v };
    let Some(mut tail) = v.strip_prefix(first.as_slice()) else { return false };
    for part in middle {
        if part.is_empty() {
            continue;
        }
        match tail.windows(part.len()).position(|w| w == part.as_slice()) {
            Some(i) => tail = &tail[i + part.len()..],
            None => return false,
        }
    }
    tail.ends_with(last)
}

/// Trusted networks, parsed once.
#[derive(Debug, Clone, Default)]
pub struct Networks {
    nets: Vec<IpNet>,
}

impl Networks {
    pub fn new<S: AsRef<str>>(list: &[S]) -> Networks {
        Networks { nets: list.iter().filter_map(|s| parse_net(s.as_ref())).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// Whether `ip` (text as found in a log) falls in one of the networks.
    pub fn contains(&self, ip: &str) -> bool {
        match parse_ip(ip) {
            Some(addr) => self.nets.iter().any(|n| n.contains(&addr)),
            None => false,
        }
    }
}

/// Parses an IP as logs write it (IPv4, IPv6, bracketed, with a port).
pub fn parse_ip(ip: &str) -> Option<IpAddr> {
    let ip = ip.trim();
    if let Ok(a) = ip.parse::<IpAddr>() {
        return Some(a);
    }
    let inner = ip.trim_start_matches('[');
    let inner = inner.split(']').next().unwrap_or(inner);
    if let Ok(a) = inner.parse::<IpAddr>() {
        return Some(a);
    }
    // a.b.c.d:port
    ip.rsplit_once(':').and_then(|(a, _)| a.parse::<IpAddr>().ok())
}

/// Business hours, compiled for fast evaluation.
#[derive(Debug, Clone)]
pub struct BusinessHoursRule {
    tz: jiff::tz::TimeZone,
    days: [bool; 7], // Monday = 0
    start_min: u32,
    end_min: u32,
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl BusinessHoursRule {
    pub fn compile(bh: &BusinessHours) -> Result<BusinessHoursRule, String> {
        let tz = jiff::tz::TimeZone::get(bh.timezone.trim())
            .map_err(|_| format!("business_hours.timezone: `{}` is not an IANA time zone", bh.timezone))?;
        let mut days = [false; 7];
        for d in &bh.days {
            let i = match d.trim().to_ascii_lowercase().get(..3) {
                Some("mon") => 0,
                Some("tue") => 1,
                Some("wed") => 2,
                Some("thu") => 3,
                Some("fri") => 4,
                Some("sat") => 5,
                Some("sun") => 6,
                _ => return Err(format!("business_hours.days: `{d}` is not a day (Mon..Sun)")),
            };
            days[i] = true;
        }
        let start_min = parse_hhmm(&bh.start).ok_or_else(|| format!("business_hours.start: `{}` is not HH:MM", bh.start))?;
        let end_min = parse_hhmm(&bh.end).ok_or_else(|| format!("business_hours.end: `{}` is not HH:MM", bh.end))?;
        Ok(BusinessHoursRule { tz, days, start_min, end_min })
    }

    /// Whether the instant falls inside business hours (local time).
    /// Hours may wrap midnight (`22:00`-`06:00`): the day is the start day.
    pub fn contains(&self, t: Timestamp) -> bool {
        match self.offset(t) {
            Some(offset) => self.contains_at(t, offset),
            None => false,
        }
    }

    /// The zone's offset from UTC at `t`, in seconds (`None` out of range).
    /// With [`BusinessHoursRule::contains_at`], lets a caller that asks for
    /// many instants reuse an offset while it cannot change.
    pub fn offset(&self, t: Timestamp) -> Option<i32> {
        let ts = jiff::Timestamp::from_millisecond(t.0).ok()?;
        Some(self.tz.to_offset(ts).seconds())
    }

    /// The zone's offset from UTC at `t`, in seconds, and the instant (ms)
    /// before which it holds: the zone's next transition (`i64::MAX` when
    /// there is none). Lets a caller asking about instants in time order
    /// look the offset up once per transition (`None` out of range).
    pub fn offset_until(&self, t: Timestamp) -> Option<(i32, i64)> {
        let ts = jiff::Timestamp::from_millisecond(t.0).ok()?;
        let until = self.tz.following(ts).next().map_or(i64::MAX, |tr| tr.timestamp().as_millisecond());
        Some((self.tz.to_offset(ts).seconds(), until))
    }

    /// [`BusinessHoursRule::contains`] given the zone's offset at `t`.
    pub fn contains_at(&self, t: Timestamp, offset: i32) -> bool {
        let Ok(ts) = jiff::Timestamp::from_millisecond(t.0) else { return false };
        // Local time from the zone's offset at that instant, by arithmetic
        // (checks ask for every sign-in; a full zoned date-time is slower).
        let local = ts.as_second() + offset as i64;
        let minute = (local.rem_euclid(86_400) / 60) as u32;
        // 1970-01-01 was a Thursday (Monday = 0).
        let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7) as usize;
        if self.start_min <= self.end_min {
            self.days[weekday] && minute >= self.start_min && minute < self.end_min
        } else {
            let prev = (weekday + 6) % 7;
            (self.days[weekday] && minute >= self.start_min) || (self.days[prev] && minute < self.end_min)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_case_insensitive_globs() {
        let p = Patterns::new(&["adm-*@contoso.com", "BG-01@contoso.onmicrosoft.com", "*svc*"]);
        assert!(p.matches("ADM-jane@Contoso.com"));
        assert!(p.matches("bg-01@contoso.onmicrosoft.com"));
        assert!(p.matches("my-svc-account@x"));
        assert!(!p.matches("jane@contoso.com"));
        assert!(!p.matches("adm-jane@contoso.com.evil"));
        assert!(!Patterns::new::<&str>(&[]).matches("x"));
        // Unicode case rules and values longer than the stack buffer.
        let u = Patterns::new(&["jürgen@*", "*@example.com"]);
        assert!(u.matches("JÜRGEN@contoso.com"));
        let long = format!("{}@EXAMPLE.com", "A".repeat(200));
        assert!(u.matches(&long));
        assert!(!u.matches(&format!("{}@example.org", "a".repeat(200))));
        let m = Patterns::new(&["a*b*c", "x**y", "*"]);
        assert!(m.matches("aXXbYYc") && m.matches("abc") && m.matches("xy") && m.matches("anything"));
        let m = Patterns::new(&["a*b*c"]);
        assert!(!m.matches("acb") && !m.matches("abcb") && m.matches("abcbc"));
    }

    #[test]
    fn networks_hold_ipv4_and_ipv6() {
        let n = Networks::new(&["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]);
        assert!(n.contains("203.0.113.45"));
        assert!(n.contains("2001:db8:1::5"));
        assert!(n.contains("198.51.100.7"));
        assert!(!n.contains("198.51.100.8"));
        assert!(!n.contains("not an ip"));
    }

    #[test]
    fn business_hours_use_the_time_zone() {
        let bh = BusinessHours { timezone: "Europe/Berlin".into(), days: weekdays(), start: "08:00".into(), end: "18:00".into() };
        let rule = BusinessHoursRule::compile(&bh).unwrap();
        // 2026-10-05 is a Monday. 06:30Z = 08:30 CEST: inside.
        assert!(rule.contains(Timestamp::parse("2026-10-05T06:30:00Z").unwrap()));
        // 17:00Z = 19:00 CEST: outside.
        assert!(!rule.contains(Timestamp::parse("2026-10-05T17:00:00Z").unwrap()));
        // Saturday.
        assert!(!rule.contains(Timestamp::parse("2026-10-10T10:00:00Z").unwrap()));
        // Winter time (CET): 07:30Z = 08:30 local, inside; 06:30Z = 07:30 local, outside.
        assert!(rule.contains(Timestamp::parse("2026-11-02T07:30:00Z").unwrap()));
        assert!(!rule.contains(Timestamp::parse("2026-11-02T06:30:00Z").unwrap()));
        // Against jiff's own civil time, every 37 minutes over a year, in a zone with DST.
        let ny =
            BusinessHours { timezone: "America/New_York".into(), days: weekdays(), start: "09:15".into(), end: "17:45".into() };
        let rule = BusinessHoursRule::compile(&ny).unwrap();
        let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
        let mut t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap().0;
        while t < Timestamp::parse("2027-01-01T00:00:00Z").unwrap().0 {
            let z = jiff::Timestamp::from_millisecond(t).unwrap().to_zoned(tz.clone());
            let minute = z.hour() as u32 * 60 + z.minute() as u32;
            let expected = z.weekday().to_monday_zero_offset() < 5 && (9 * 60 + 15..17 * 60 + 45).contains(&minute);
            assert_eq!(rule.contains(Timestamp(t)), expected, "{z}");
            t += 37 * 60_000;
        }
        // An offset holds until the zone's next transition (2026-03-08 02:00 EST).
        let jan = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let (offset, until) = rule.offset_until(jan).unwrap();
        assert_eq!((offset, until), (-5 * 3600, Timestamp::parse("2026-03-08T07:00:00Z").unwrap().0));
        assert_eq!(rule.offset(Timestamp(until - 1)), Some(-5 * 3600));
        assert_eq!(rule.offset(Timestamp(until)), Some(-4 * 3600));
        // Before 1970 the day still starts at local midnight.
        assert!(!rule.contains(Timestamp::parse("1969-12-28T15:00:00Z").unwrap()));
        assert!(rule.contains(Timestamp::parse("1969-12-29T15:00:00Z").unwrap()));
    }

    #[test]
    fn settings_file_of_the_contract_parses() {
        let text = r#"{
          "home_tenant_id": "00000000-0000-0000-0000-000000000000",
          "organization_domains": ["contoso.com"],
          "break_glass_accounts": ["bg-01@contoso.onmicrosoft.com"],
          "privileged_accounts": ["adm-*@contoso.com"],
          "approved_actors": {"conditional_access": ["ca-admin@contoso.com"], "role_management": ["pim-admin@contoso.com"]},
          "critical_groups": ["CA-Exclude-BreakGlass"],
          "trusted_networks": ["203.0.113.0/24", "2001:db8::/32"],
          "operating_countries": ["US", "GB"],
          "business_hours": {"timezone": "UTC", "days": ["Mon","Tue","Wed","Thu","Fri"], "start": "07:00", "end": "19:00"},
          "naming_policy": {"user": "^[a-z]+\\.[a-z]+@contoso\\.com$", "admin": "^adm-[a-z]+@contoso\\.com$"},
          "sensitive_applications": ["00000003-0000-0000-c000-000000000000"],
          "legacy_authentication_blocked": true,
          "typo_key": 1
        }"#;
        let (s, warnings) = Settings::from_json(text).unwrap();
        assert!(s.has(SettingKey::ApprovedConditionalAccess));
        assert!(!s.has(SettingKey::ApprovedGuestInvitations));
        assert!(s.has(SettingKey::LegacyAuthenticationBlocked));
        assert_eq!(warnings.len(), 1);
        assert!(Settings::from_json(r#"{"trusted_networks": ["300.1.1.0/24"]}"#).unwrap_err().contains("trusted_networks"));
        assert!(
            Settings::from_json(r#"{"business_hours": {"timezone": "Mars/Base", "start": "07:00", "end": "19:00"}}"#).is_err()
        );
    }
}
