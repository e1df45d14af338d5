//! Normal activity: users' working days, token refreshes, service
//! principals and managed identities, and routine directory changes.
//!
//! Background is shaped so that, on its own, it triggers none of the planted
//! detections:
//! - failed and interrupted sign-ins per day follow fixed per-weekday quotas
//!   ([`quota`]), so every weekday has exactly as many as the same weekday the
//!   week before (no spurious "failure spike");
//! - at most [`MAX_FAILING_PER_IP_HOUR`] distinct users fail from one address
//!   per clock hour (no spray), at most one wrong password per user per day;
//! - a user signs in from one place per day (no travel, no /16 hops);
//! - admin and role accounts sign in only on weekdays 07:30-16:30 UTC,
//!   always with MFA;
//! - only Microsoft's PIM service and approved actors change roles, no actor
//!   makes more than two role changes in an hour; no credential is added to
//!   an app, no consent to mail scopes, nobody joins a critical group, no
//!   Conditional Access policy changes.

use std::collections::{HashMap, HashSet};

use entrascope_core::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};
use entrascope_core::Timestamp;

use crate::model::*;
use crate::rng::Rng;

use super::build::*;
use super::directory::*;
use super::TenantConfig;

pub const MAX_FAILING_PER_IP_HOUR: usize = 2;

/// What the planted incidents ask of the background.
#[derive(Debug, Default)]
pub struct Plan {
    /// (user index, day index): no background activity for that user that day.
    pub quiet: HashSet<(usize, i64)>,
    /// (user index, day index) → where the user is that day.
    pub overrides: HashMap<(usize, i64), Place>,
}

/// Daily quotas of non-success sign-ins, by weekday: the same every week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Interactive wrong passwords (50126), each followed by a success.
    pub bad_password: usize,
    /// Interactive interrupts (50074 MFA required / 50140 KMSI), each followed by a success.
    pub interrupted: usize,
    /// Non-interactive refresh-token failures (700082).
    pub token_expired: usize,
}

/// The quota of a weekday (Monday = 0) for a tenant of `members` users.
pub fn quota(members: usize, weekday: u32) -> Quota {
    if weekday < 5 {
        Quota { bad_password: (members / 10).max(12), interrupted: (members / 8).max(4), token_expired: (members / 40).max(2) }
    } else {
        Quota { bad_password: (members / 60).max(1), interrupted: (members / 60).max(1), token_expired: 1 }
    }
}

/// A session chosen for a failure: one of the day's, or one added for it.
enum Pick {
    Active(usize),
    Extra(usize),
}

/// One user's presence on one day.
struct Session {
    user: usize,
    place: Place,
    session_id: String,
    start: i64,
    end: i64,
    at_home: bool,
}

pub fn day_start(start: Timestamp, day: i64) -> i64 {
    start.0 + day * MS_PER_DAY
}

fn at(ms: i64) -> Timestamp {
    // Whole seconds everywhere (see the crate docs).
    Timestamp(ms - ms.rem_euclid(1000))
}

/// Whether a sign-in needs a second factor: away from the office, or always
/// for admin accounts (the tenant requires MFA for administrators everywhere).
fn needs_mfa(u: &User, at_home: bool) -> bool {
    at_home || u.admin
}

/// Working window (UTC ms offsets within the day) for a user on a workday.
/// Office-hours accounts stay within 07:30-16:30 UTC, which is inside
/// 07:00-19:00 both in UTC and in London or Berlin local time all year.
fn window(rng: &mut Rng, u: &User) -> (i64, i64) {
    let country = u.home.city.country;
    let (lo, hi) = match country {
        "US" => (12 * 60 + 30, 14 * 60 + 30),
        "DE" => (6 * 60 + 30, 8 * 60 + 30),
        _ => (7 * 60 + 30, 9 * 60 + 30),
    };
    let mut start = rng.range(lo, hi) * MS_PER_MINUTE;
    let mut end = start + rng.range(7 * 60, 9 * 60 + 30) * MS_PER_MINUTE;
    if u.office_hours_only {
        start = start.max((7 * 60 + 30) * MS_PER_MINUTE);
        end = end.min((16 * 60 + 30) * MS_PER_MINUTE);
    }
    (start, end.min(MS_PER_DAY - MS_PER_MINUTE))
}

pub struct Background<'a> {
    pub t: &'a Tenant,
    pub cfg: &'a TenantConfig,
    pub plan: &'a Plan,
    pub start: Timestamp,
    pub signins: Vec<SignInEvent>,
    pub audits: Vec<AuditEvent>,
    /// Routine app updates made so far.
    pub upkeep: usize,
}

impl<'a> Background<'a> {
    pub fn run(&mut self, rng: &mut Rng) {
        for day in 0..self.cfg.days as i64 {
            let mut r = rng.fork(&format!("day{day}"));
            self.users_day(&mut r, day);
            self.services_day(&mut r, day);
            self.audits_day(&mut r, day);
        }
    }

    fn users_day(&mut self, rng: &mut Rng, day: i64) {
        let t = self.t;
        let base = day_start(self.start, day);
        let weekday = Timestamp(base).weekday();
        let workday = weekday < 5;
        let mut sessions: Vec<Session> = Vec::new();
        for (ui, u) in t.users.iter().enumerate() {
            // Draw the same numbers whatever the user's fate today, so one
            // user's plan does not shift another's randomness.
            let mut ur = rng.fork(&format!("u{ui}"));
            if u.dormant || self.plan.quiet.contains(&(ui, day)) {
                continue;
            }
            let present = if workday { !ur.chance(0.08) } else { u.weekend_worker && !u.office_hours_only && ur.chance(0.5) };
            if !present {
                continue;
            }
            let (mut start, mut end) = window(&mut ur, u);
            if !workday {
                start = ur.range(10 * 60, 14 * 60) * MS_PER_MINUTE;
                end = start + ur.range(40, 150) * MS_PER_MINUTE;
            }
            let (place, at_home) = match self.plan.overrides.get(&(ui, day)) {
                Some(p) => (p.clone(), true),
                None => match u.office {
                    // Admin accounts are used from the office network only.
                    Some(o) if workday && (u.admin || ur.chance(0.55)) && u.user_type == "member" => (OFFICES[o].place(), false),
                    _ => (u.home.clone(), true),
                },
            };
            sessions.push(Session { user: ui, place, session_id: ur.guid(), start: base + start, end: base + end, at_home });
        }

        // Successful sign-ins.
        for s in &sessions {
            let u = &t.users[s.user];
            let mut ur = rng.fork(&format!("s{}", s.user));
            let scale = if workday { 1.0 } else { 0.5 };
            // Persistent sessions: some days have token refreshes only.
            let n_int = (u.activity * self.cfg.interactive_scale * scale * (0.5 + ur.unit())).round() as usize;
            let n_non = (u.activity * self.cfg.noninteractive_scale * scale * (0.5 + ur.unit() * 1.5)).round() as usize;
            let apps = if u.admin { ADMIN_APPS } else { WORK_APPS };
            let weights: Vec<u32> = apps.iter().map(|a| a.1).collect();
            let mut times: Vec<i64> = (0..n_int).map(|_| ur.range(s.start, s.end)).collect();
            times.sort_unstable();
            for (k, &ms) in times.iter().enumerate() {
                let app = apps[ur.weighted(&weights)].0;
                let (device, mfa) = self.device_and_mfa(&mut ur, u, s, k == 0);
                let origin = Origin { place: s.place.clone(), device };
                let ev = user_signin(
                    t,
                    &mut ur,
                    SignInKind::Interactive,
                    at(ms),
                    u,
                    &app,
                    &origin,
                    Outcome::Success(mfa),
                    &s.session_id,
                );
                self.signins.push(ev);
            }
            for _ in 0..n_non {
                let ms = ur.range(s.start, s.end);
                // Admin accounts keep to admin tools on their laptop.
                let app = if u.admin {
                    ADMIN_APPS[ur.weighted(&weights)].0
                } else {
                    *ur.pick(&[TEAMS, OUTLOOK_WEB, OFFICE_DESKTOP, ONEDRIVE_SYNC, SHAREPOINT])
                };
                let device = if ur.chance(0.8) || u.user_type == "guest" || u.admin { u.laptop.clone() } else { u.phone.clone() };
                let mfa = if needs_mfa(u, s.at_home) { Mfa::Claim } else { Mfa::None };
                let origin = Origin { place: s.place.clone(), device };
                let ev = user_signin(
                    t,
                    &mut ur,
                    SignInKind::NonInteractive,
                    at(ms),
                    u,
                    &app,
                    &origin,
                    Outcome::Success(mfa),
                    &s.session_id,
                );
                self.signins.push(ev);
            }
        }

        self.failures_day(rng, day, &sessions);
    }

    fn device_and_mfa(&self, rng: &mut Rng, u: &User, s: &Session, first: bool) -> (Device, Mfa) {
        let device = if u.user_type == "guest" {
            u.laptop.clone()
        } else if !u.admin && rng.chance(0.2) {
            u.phone.clone()
        } else {
            u.laptop.clone()
        };
        let mfa = if !needs_mfa(u, s.at_home) {
            Mfa::None
        } else if first {
            if rng.chance(0.15) {
                Mfa::Sms
            } else {
                Mfa::Push
            }
        } else {
            Mfa::Claim
        };
        (device, mfa)
    }

    /// Places exactly the day's quota of failures and interrupts.
    fn failures_day(&mut self, rng: &mut Rng, day: i64, sessions: &[Session]) {
        let t = self.t;
        let base = day_start(self.start, day);
        let q = quota(self.t.members.len(), Timestamp(base).weekday());
        let mut r = rng.fork("failures");
        // Prefer people at home (their own address), then anyone present,
        // then members not otherwise active today.
        let mut order: Vec<usize> = (0..sessions.len()).collect();
        r.shuffle(&mut order);
        order.sort_by_key(|&i| !sessions[i].at_home);
        let mut failing_per_ip_hour: HashMap<(String, i64), HashSet<usize>> = HashMap::new();
        let mut failed_today: HashSet<usize> = HashSet::new();
        let mut extra_sessions: Vec<Session> = Vec::new();
        let mut placed = 0;
        let mut cursor = 0;
        let mut budget = 20 * (q.bad_password + sessions.len()) + 100;
        while placed < q.bad_password && budget > 0 {
            budget -= 1;
            let s_idx = if cursor < order.len() {
                cursor += 1;
                Pick::Active(order[cursor - 1])
            } else {
                // Not enough people active: someone not otherwise active today signs in from home.
                let pool: Vec<usize> = t
                    .members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        !failed_today.contains(&i)
                            && !self.plan.quiet.contains(&(i, day))
                            && !sessions.iter().any(|s| s.user == i)
                    })
                    .collect();
                if pool.is_empty() {
                    break;
                }
                let ui = *r.pick(&pool);
                let start = base + r.range(9 * 60, 16 * 60) * MS_PER_MINUTE;
                let place = self.plan.overrides.get(&(ui, day)).cloned().unwrap_or_else(|| t.users[ui].home.clone());
                extra_sessions.push(Session {
                    user: ui,
                    place,
                    session_id: r.guid(),
                    start,
                    end: start + 30 * MS_PER_MINUTE,
                    at_home: true,
                });
                Pick::Extra(extra_sessions.len() - 1)
            };
            let s = match s_idx {
                Pick::Active(i) => &sessions[i],
                Pick::Extra(i) => &extra_sessions[i],
            };
            let u = &t.users[s.user];
            if failed_today.contains(&s.user) || u.user_type == "guest" {
                continue;
            }
            let ms = r.range(s.start, s.end - 2 * MS_PER_MINUTE);
            let key = (s.place.ip.clone(), ms.div_euclid(MS_PER_HOUR));
            let set = failing_per_ip_hour.entry(key).or_default();
            if set.len() >= MAX_FAILING_PER_IP_HOUR {
                continue;
            }
            set.insert(s.user);
            failed_today.insert(s.user);
            let device = u.laptop.clone();
            let origin = Origin { place: s.place.clone(), device };
            let app = if u.admin { ADMIN_CENTER } else { OFFICE_HOME };
            self.signins.push(user_signin(
                t,
                &mut r,
                SignInKind::Interactive,
                at(ms),
                u,
                &app,
                &origin,
                Outcome::BadPassword,
                &s.session_id,
            ));
            let mfa = if needs_mfa(u, s.at_home) { Mfa::Push } else { Mfa::None };
            let ok = ms + r.range(20, 90) * 1000;
            self.signins.push(user_signin(
                t,
                &mut r,
                SignInKind::Interactive,
                at(ok),
                u,
                &app,
                &origin,
                Outcome::Success(mfa),
                &s.session_id,
            ));
            placed += 1;
        }

        // Interrupts: the first sign-in from home asks for MFA (50074) or
        // shows the "stay signed in?" prompt (50140), then succeeds.
        let mut interrupted = 0;
        let mut k = 0;
        let all: Vec<&Session> =
            sessions.iter().chain(extra_sessions.iter()).filter(|s| t.users[s.user].user_type == "member").collect();
        while interrupted < q.interrupted && !all.is_empty() {
            let s = all[k % all.len()];
            k += 1;
            let u = &t.users[s.user];
            let ms = r.range(s.start, s.end - 2 * MS_PER_MINUTE);
            let origin = Origin { place: s.place.clone(), device: u.laptop.clone() };
            let (outcome, mfa) = match (s.at_home, needs_mfa(u, s.at_home)) {
                (true, _) => (Outcome::MfaRequired, Mfa::Push),
                (false, true) => (Outcome::Kmsi, Mfa::Claim),
                (false, false) => (Outcome::Kmsi, Mfa::None),
            };
            let app = if u.admin { AZURE_PORTAL } else { OFFICE_HOME };
            self.signins.push(user_signin(t, &mut r, SignInKind::Interactive, at(ms), u, &app, &origin, outcome, &s.session_id));
            let ok = ms + r.range(15, 70) * 1000;
            self.signins.push(user_signin(
                t,
                &mut r,
                SignInKind::Interactive,
                at(ok),
                u,
                &app,
                &origin,
                Outcome::Success(mfa),
                &s.session_id,
            ));
            interrupted += 1;
        }

        // Expired refresh tokens of idle mail clients on phones.
        let phones: Vec<&Session> = all.iter().copied().filter(|s| !t.users[s.user].admin).collect();
        let mut expired = 0;
        let mut k = 0;
        while expired < q.token_expired && !phones.is_empty() {
            let s = phones[(k * 7 + 3) % phones.len()];
            k += 1;
            let u = &t.users[s.user];
            let ms = r.range(s.start, s.end);
            let origin = Origin { place: s.place.clone(), device: u.phone.clone() };
            self.signins.push(user_signin(
                t,
                &mut r,
                SignInKind::NonInteractive,
                at(ms),
                u,
                &OUTLOOK_MOBILE,
                &origin,
                Outcome::TokenExpired,
                &s.session_id,
            ));
            expired += 1;
        }
    }

    fn services_day(&mut self, rng: &mut Rng, day: i64) {
        let t = self.t;
        let base = day_start(self.start, day);
        let scale = self.cfg.service_scale;
        let mut r = rng.fork("services");
        for sp in &t.service_principals {
            let n = ((sp.per_day as f64 * scale).round() as i64).max(1);
            let step = MS_PER_DAY / n;
            for k in 0..n {
                let ms = base + k * step + r.range(0, step / 4);
                self.signins.push(sp_signin(t, &mut r, at(ms), sp, false));
            }
            if sp.daily_failure {
                let ms = base + 2 * MS_PER_HOUR + r.range(0, 10 * MS_PER_MINUTE);
                self.signins.push(sp_signin(t, &mut r, at(ms), sp, true));
            }
        }
        for mi in &t.managed_identities {
            let n = ((mi.per_day as f64 * scale).round() as i64).max(1);
            let step = MS_PER_DAY / n;
            for k in 0..n {
                let ms = base + k * step + r.range(0, step / 4);
                self.signins.push(mi_signin(t, &mut r, at(ms), mi));
            }
        }
    }

    fn audits_day(&mut self, rng: &mut Rng, day: i64) {
        let t = self.t;
        let base = day_start(self.start, day);
        let weekday = Timestamp(base).weekday();
        if weekday >= 5 {
            return;
        }
        let mut r = rng.fork("audits");
        let hr = t.who(Who::HrSync);
        let hr_ip = "20.26.14.77";
        let scale = self.cfg.audit_scale;
        let n_updates = (((t.members.len() / 60 + 1) as f64) * scale).round().max(1.0) as usize;
        for _ in 0..n_updates {
            let u = &t.users[*r.pick(&t.members)];
            let ms = base + 2 * MS_PER_HOUR + r.range(0, 50 * MS_PER_MINUTE);
            let (prop, old, new) = *r.pick(&[
                ("JobTitle", "Analyst", "Senior Analyst"),
                ("Department", "Sales", "Customer Success"),
                ("OfficeLocation", "London", "Manchester"),
                ("Mobile", "+44 7700 900123", "+44 7700 900456"),
            ]);
            let modified = vec![
                ModifiedProperty::new(prop, &jarr(old), &jarr(new)),
                ModifiedProperty::new("Included Updated Properties", "", &jstr(prop)),
            ];
            self.audits.push(audit(
                &mut r,
                at(ms),
                "UserManagement",
                "Update user",
                "Core Directory",
                "Update",
                by_user(hr, hr_ip),
                vec![user_target(u, modified)],
                vec![],
                "",
            ));
        }
        if weekday == 0 {
            // A new hire every Monday.
            let first = *r.pick(&["Alex", "Sam", "Jordan", "Taylor", "Casey"]);
            let last = *r.pick(&["Reed", "Fox", "Lane", "Page", "Shaw"]);
            let upn = format!("{}.{}{}@contoso.com", ascii_name(first), ascii_name(last), day);
            let nu = User { id: r.guid(), upn: upn.clone(), display: format!("{first} {last}"), ..t.users[t.members[0]].clone() };
            let ms = base + 2 * MS_PER_HOUR + 55 * MS_PER_MINUTE;
            let modified = vec![
                ModifiedProperty::new("AccountEnabled", "[]", "[true]"),
                ModifiedProperty::new("DisplayName", "[]", &jarr(&nu.display)),
                ModifiedProperty::new("UserPrincipalName", "[]", &jarr(&upn)),
                ModifiedProperty::new("UserType", "[]", "[\"Member\"]"),
            ];
            self.audits.push(audit(
                &mut r,
                at(ms),
                "UserManagement",
                "Add user",
                "Core Directory",
                "Add",
                by_user(hr, hr_ip),
                vec![user_target(&nu, modified)],
                vec![],
                "",
            ));
        }

        // Group membership changes by admins (approved for user management).
        let n_groups = ((r.range(2, 4) as f64) * scale).round().max(1.0) as usize;
        for _ in 0..n_groups {
            let admin = &t.users[*r.pick(&t.admins)];
            let u = &t.users[*r.pick(&t.members)];
            let g = r.pick(&t.groups);
            let add = r.chance(0.7);
            let ms = base + r.range(8 * 60, 17 * 60) * MS_PER_MINUTE;
            self.audits.push(group_change(&mut r, at(ms), admin, u, g, add));
        }

        // Helpdesk password resets and self-service password changes.
        if r.chance(0.6 * scale.min(1.0)) {
            let admin = &t.users[*r.pick(&t.admins)];
            let u = &t.users[*r.pick(&t.members)];
            let ms = base + r.range(8 * 60, 17 * 60) * MS_PER_MINUTE;
            let ip = OFFICES[admin.office.unwrap_or(0)].egress;
            self.audits.push(audit(
                &mut r,
                at(ms),
                "UserManagement",
                "Reset user password",
                "Core Directory",
                "Reset",
                by_user(admin, ip),
                vec![user_target(u, vec![])],
                vec![],
                UA_PORTAL,
            ));
        }
        if r.chance(0.5 * scale.min(1.0)) {
            let u = &t.users[*r.pick(&t.members)];
            let ms = base + r.range(8 * 60, 17 * 60) * MS_PER_MINUTE;
            let ip = u.home.ip.clone();
            self.audits.push(audit(
                &mut r,
                at(ms),
                "UserManagement",
                "Change password (self-service)",
                "Self-service Password Management",
                "Update",
                by_user(u, &ip),
                vec![user_target(u, vec![])],
                vec![],
                UA_PORTAL,
            ));
        }

        // Devices checking in.
        let n_dev = ((r.range(1, 3) as f64) * scale).round() as usize;
        for _ in 0..n_dev {
            let u = &t.users[*r.pick(&t.members)];
            let ms = base + r.range(7 * 60, 18 * 60) * MS_PER_MINUTE;
            let modified = vec![ModifiedProperty::new("DeviceOSVersion", "[\"10.0.22631.4317\"]", "[\"10.0.22631.4460\"]")];
            self.audits.push(audit(
                &mut r,
                at(ms),
                "Device",
                "Update device",
                "Core Directory",
                "Update",
                by_app(
                    "Device Registration Service",
                    "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
                    "7a0b0bbf-3e2a-4c6e-9c47-7a3f0c8cb1f3",
                ),
                vec![target("Device", &u.laptop.id, &u.laptop.name, modified)],
                vec![],
                "",
            ));
        }

        // Application upkeep by the approved app admin (no credentials):
        // each app gets its own sign-in redirect URI once, then owner tags.
        if weekday == 1 || weekday == 3 {
            let admin = t.who(Who::AppAdmin);
            let n = self.upkeep;
            self.upkeep += 1;
            let sp = &t.service_principals[n % t.service_principals.len()];
            let ms = base + r.range(9 * 60, 16 * 60) * MS_PER_MINUTE;
            let host = format!("https://{}.contoso.com", sp.name.to_lowercase().replace(' ', "-"));
            let address = |path: &str| {
                format!("{{\"AddressType\":0,\"Address\":\"{host}/{path}\",\"ReplyAddressClientType\":1,\"ReplyAddressIndex\":null,\"IsReplyAddressDefault\":false}}")
            };
            let (prop, old, new) = if n < t.service_principals.len() {
                (
                    "AppAddress",
                    format!("[{}]", address("callback")),
                    format!("[{},{}]", address("callback"), address("signin-oidc")),
                )
            } else {
                let tag = |k: usize| format!("[\"owner:it-apps\",\"review:{}\"]", 2025 * 100 + k);
                ("Tags", tag(n - 1), tag(n))
            };
            let modified = vec![
                ModifiedProperty::new(prop, &old, &new),
                ModifiedProperty::new("Included Updated Properties", "", &jstr(prop)),
            ];
            self.audits.push(audit(
                &mut r,
                at(ms),
                "ApplicationManagement",
                "Update application",
                "Core Directory",
                "Update",
                by_user(admin, OFFICES[0].egress),
                vec![target("Application", &sp.app_object_id, sp.name, modified)],
                vec![],
                UA_PORTAL,
            ));
        }

        self.pim_day(&mut r, day);
    }

    /// PIM activations: each role account activates its role on most
    /// workdays, in time slots 65 minutes apart, so MS-PIM never makes more
    /// than two role changes in an hour.
    fn pim_day(&mut self, r: &mut Rng, day: i64) {
        let t = self.t;
        let base = day_start(self.start, day);
        let mut holders: Vec<(usize, Role)> = Vec::new();
        let roles = [USER_ADMIN, HELPDESK_ADMIN, EXCHANGE_ADMIN, SECURITY_READER, GROUPS_ADMIN, APP_ADMIN];
        for (k, &a) in t.admins.iter().enumerate() {
            holders.push((a, roles[k % roles.len()]));
        }
        for (who, role) in [(Who::CaAdmin, CA_ADMIN), (Who::AppAdmin, APP_ADMIN)] {
            if let Some(&(_, i)) = t.special.iter().find(|(w, _)| *w == who) {
                holders.push((i, role));
            }
        }
        r.shuffle(&mut holders);
        let mut slot = 0;
        for (ui, role) in holders {
            if slot >= 8 || !r.chance(0.7 * self.cfg.audit_scale.min(1.0)) || self.plan.quiet.contains(&(ui, day)) {
                continue;
            }
            let ms = base + (7 * 60 + 35 + 65 * slot) * MS_PER_MINUTE;
            slot += 1;
            let evs = pim_activation(t, r, at(ms), &t.users[ui], role, "Daily administration");
            self.audits.extend(evs);
        }
    }
}

/// "Add member to group" / "Remove member from group".
pub fn group_change(r: &mut Rng, time: Timestamp, admin: &User, member: &User, g: &Group, add: bool) -> AuditEvent {
    let ip = OFFICES[admin.office.unwrap_or(0)].egress;
    let (old, new) = if add { (String::new(), jarr(&g.id)) } else { (jarr(&g.id), String::new()) };
    let (old_n, new_n) = if add { (String::new(), jarr(g.name)) } else { (jarr(g.name), String::new()) };
    let modified = vec![
        ModifiedProperty::new("Group.ObjectID", &old, &new),
        ModifiedProperty::new("Group.DisplayName", &old_n, &new_n),
        ModifiedProperty::new("Group.WellKnownObjectName", "", ""),
    ];
    audit(
        r,
        time,
        "GroupManagement",
        if add { "Add member to group" } else { "Remove member from group" },
        "Core Directory",
        if add { "Assign" } else { "Unassign" },
        by_user(admin, ip),
        vec![user_target(member, modified), target("Group", &g.id, g.name, vec![])],
        vec![],
        UA_PORTAL,
    )
}

pub const MS_PIM_APP_ID: &str = "01fc33a7-78ba-4d2f-a4b7-768e336e890e";

/// The Core Directory "Add member to role" / "Remove member from role"
/// event, `initiator` being MS-PIM for activations.
#[allow(clippy::too_many_arguments)]
pub fn role_member_change(
    t: &Tenant,
    r: &mut Rng,
    time: Timestamp,
    initiator: Initiator,
    user: &User,
    role: Role,
    add: bool,
    ua: &str,
) -> AuditEvent {
    let id = t.role_object_id(&role);
    let (o1, n1) = o_n(add, id);
    let (o2, n2) = o_n(add, role.name);
    let (o3, n3) = o_n(add, role.template_id);
    let modified = vec![
        ModifiedProperty::new("Role.ObjectID", &o1, &n1),
        ModifiedProperty::new("Role.DisplayName", &o2, &n2),
        ModifiedProperty::new("Role.TemplateId", &o3, &n3),
        ModifiedProperty::new("Role.WellKnownObjectName", "", ""),
    ];
    audit(
        r,
        time,
        "RoleManagement",
        if add { "Add member to role" } else { "Remove member from role" },
        "Core Directory",
        if add { "Assign" } else { "Unassign" },
        initiator,
        vec![user_target(user, modified)],
        vec![],
        ua,
    )
}

fn o_n(add: bool, v: &str) -> (String, String) {
    if add {
        (String::new(), jstr(v))
    } else {
        (jstr(v), String::new())
    }
}

/// A PIM activation: PIM's own record, MS-PIM adding the role, and MS-PIM
/// removing it when the activation expires eight hours later.
pub fn pim_activation(t: &Tenant, r: &mut Rng, time: Timestamp, user: &User, role: Role, justification: &str) -> Vec<AuditEvent> {
    let ms_pim = by_app("MS-PIM", MS_PIM_APP_ID, &t.pim_sp_id);
    let role_id = t.role_object_id(&role).to_string();
    let ip = OFFICES[user.office.unwrap_or(0)].egress;
    let mut start = String::new();
    crate::text::iso_z(&mut start, time);
    let mut expires = String::new();
    crate::text::iso_z(&mut expires, Timestamp(time.0 + 8 * MS_PER_HOUR));
    let completed = audit(
        r,
        time,
        "RoleManagement",
        "Add member to role completed (PIM activation)",
        "PIM",
        "Add",
        by_user(user, ip),
        vec![target("Role", &role_id, role.name, vec![]), user_target(user, vec![])],
        vec![
            ("RoleDefinitionOriginId".into(), role.template_id.into()),
            ("RoleDefinitionOriginType".into(), "BuiltInRole".into()),
            ("Justification".into(), justification.into()),
            ("StartTime".into(), start),
            ("ExpirationTime".into(), expires),
        ],
        UA_PORTAL,
    );
    let added = role_member_change(t, r, Timestamp(time.0 + 2000), ms_pim.clone(), user, role, true, "");
    let removed = role_member_change(t, r, Timestamp(time.0 + 8 * MS_PER_HOUR), ms_pim, user, role, false, "");
    vec![completed, added, removed]
}
