//! Planted incidents and their near misses, each labelled.
//!
//! The schedule is fixed relative to the last 21 days of the window (day
//! `b + k`, `b = days - 21`), so days `b..b+6` are clean background and the
//! two "failure spike" days compare with clean days a week earlier:
//!
//! | k | planted |
//! |---|---|
//! | 1 | contractor account created (near miss: deleted on day 10) |
//! | 2-3 | a member works from Dublin (IE becomes known) |
//! | 4 | app credential removed, `User.Read.All` granted, 3 unanswered MFA pushes then success (near misses) |
//! | 6 | distributed password cracking |
//! | 7 | failures +5% over the same weekday a week before (near miss) |
//! | 8 | 25 failures from 2 places (near miss) |
//! | 9 | 4 failures then success (near miss), benign consent, CA change without exclusions, custom domain |
//! | 10 | 4-user failure burst from a conference network, same-/16 failure, contractor deleted, failed risky sign-in, approved guest invitation |
//! | 11 | password spray; 3 eligible roles added in an hour; group with a critical-looking name; London→New York in 9 h; approved CA change |
//! | 12 | brute force on one account; CA exclusion change |
//! | 13 | success then failure from another /16 |
//! | 14 | failure spike |
//! | 15 | break-glass sign-in; guest with a break-glass-like UPN; role assigned outside PIM; PIM activation; unanswered MFA |
//! | 16 | impossible travel; MFA fraud report and denial; guest invited by a member; risky sign-in |
//! | 17 | blocked IMAP; account created and deleted; credential added; Mail.Read app role; member added to critical group |
//! | 18 | IMAP success; bulk role removals; consent with offline_access + Mail.Read; onmicrosoft domain; sign-in from a rare but known country |
//! | 19 | MFA fatigue; CA policy disabled by a non-approved admin |
//! | 20 | sign-in from a new country |
//!
//! The window ends on a Monday, so days 5-6, 12-13 and 19-20 are weekends:
//! near misses avoid them, and near-miss sign-ins of regular users fall
//! between 15:00 and 17:00 UTC (business hours in every office's time zone
//! all year), so checks of other kinds leave them alone too.
//! Off-hours sign-ins by an admin go on the last weekend day / weekday of
//! days 14-20.

use entrascope_core::time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};
use entrascope_core::Timestamp;

use crate::model::*;
use crate::rng::Rng;

use super::background::{group_change, pim_activation, quota, role_member_change, Plan};
use super::build::*;
use super::directory::*;
use super::Label;

/// The incident names, used as label names.
pub const LEGACY_AUTH: &str = "legacy-auth success";
pub const SPRAY: &str = "password spray from one IP";
pub const BRUTE_FORCE: &str = "brute force on one account";
pub const DISTRIBUTED: &str = "distributed cracking";
pub const MFA_FATIGUE: &str = "MFA fatigue then success";
pub const MFA_DENIED_FRAUD: &str = "MFA denied / fraud reported";
pub const BREAK_GLASS: &str = "break-glass sign-in";
pub const SHORT_LIVED: &str = "account created and deleted within 24 h";
pub const NEW_COUNTRY: &str = "sign-in from a country new to the tenant";
pub const IMPOSSIBLE_TRAVEL: &str = "impossible travel";
pub const SUCCESS_THEN_FAIL: &str = "success then failure from another /16 within 10 minutes";
pub const ROLE_OUTSIDE_PIM: &str = "privileged role assigned outside PIM";
pub const BULK_ROLES: &str = "bulk role changes";
pub const CA_NON_APPROVED: &str = "Conditional Access policy changed/disabled by a non-approved actor";
pub const CA_EXCLUSION: &str = "CA exclusion change";
pub const NEW_CREDENTIAL: &str = "new credential added to an app";
pub const CONSENT_MAIL: &str = "consent to an app with offline_access + Mail.Read";
pub const APP_ROLE_SENSITIVE: &str = "app role assignment with sensitive permission";
pub const OFF_HOURS: &str = "sign-in outside business hours by a privileged account";
pub const FAILURE_SPIKE: &str = "failure spike vs same weekday last week";
pub const RISKY_SUCCESS: &str = "risky sign-in (riskLevelDuringSignIn high) that succeeded";
pub const GUEST_INVITE: &str = "guest invited by non-approved inviter";
pub const ONMICROSOFT_DOMAIN: &str = "new onmicrosoft domain added";
pub const CRITICAL_GROUP: &str = "user added to a critical group";

pub const INCIDENTS: [&str; 24] = [
    LEGACY_AUTH,
    SPRAY,
    BRUTE_FORCE,
    DISTRIBUTED,
    MFA_FATIGUE,
    MFA_DENIED_FRAUD,
    BREAK_GLASS,
    SHORT_LIVED,
    NEW_COUNTRY,
    IMPOSSIBLE_TRAVEL,
    SUCCESS_THEN_FAIL,
    ROLE_OUTSIDE_PIM,
    BULK_ROLES,
    CA_NON_APPROVED,
    CA_EXCLUSION,
    NEW_CREDENTIAL,
    CONSENT_MAIL,
    APP_ROLE_SENSITIVE,
    OFF_HOURS,
    FAILURE_SPIKE,
    RISKY_SUCCESS,
    GUEST_INVITE,
    ONMICROSOFT_DOMAIN,
    CRITICAL_GROUP,
];

/// Members given a part in the story.
#[derive(Debug, Clone)]
pub struct Cast {
    pub legacy: usize,
    pub legacy_nm: usize,
    pub brute: usize,
    pub dist: usize,
    pub dist_nm: usize,
    pub fatigue: usize,
    pub fatigue_nm: usize,
    pub fraud: usize,
    pub declined: usize,
    pub deny_nm: usize,
    pub new_country: usize,
    pub traveller_ie: usize,
    pub travel: usize,
    pub travel_nm: usize,
    pub s2f: usize,
    pub s2f_nm: usize,
    /// Gets Global Administrator outside PIM, then adds an app credential.
    pub backdoor: usize,
    pub consent: usize,
    pub consent_nm: usize,
    pub inviter: usize,
    pub crit_nm_member: usize,
    pub excluded: usize,
    pub risky: usize,
    pub risky_nm: usize,
    pub conference: Vec<usize>,
    pub spike_nm: Vec<usize>,
    pub spray: Vec<usize>,
}

impl Cast {
    /// Picks the cast from the tenant's members (London office members for
    /// the travel stories). Marks the future Global Administrator as an
    /// office-hours account, as privileged accounts are.
    pub fn choose(t: &mut Tenant, rng: &mut Rng) -> Cast {
        let mut pool = t.members.clone();
        rng.shuffle(&mut pool);
        let users = t.users.clone();
        let mut take = |pred: &dyn Fn(&User) -> bool| -> usize {
            let i = pool.iter().position(|&u| pred(&users[u])).unwrap_or(0);
            pool.remove(i)
        };
        let gb = |u: &User| u.office == Some(0) && u.home.city.country == "GB";
        let any = |_: &User| true;
        let mut c = Cast {
            traveller_ie: take(&gb),
            travel: take(&gb),
            travel_nm: take(&gb),
            s2f: take(&gb),
            s2f_nm: take(&gb),
            new_country: take(&gb),
            legacy: take(&any),
            legacy_nm: take(&any),
            brute: take(&any),
            dist: take(&any),
            dist_nm: take(&gb),
            fatigue: take(&any),
            fatigue_nm: take(&any),
            fraud: take(&any),
            declined: take(&any),
            deny_nm: take(&any),
            backdoor: take(&any),
            consent: take(&any),
            consent_nm: take(&any),
            inviter: take(&any),
            crit_nm_member: take(&any),
            excluded: take(&any),
            risky: take(&any),
            risky_nm: take(&any),
            conference: (0..4).map(|_| take(&gb)).collect(),
            spike_nm: Vec::new(),
            spray: Vec::new(),
        };
        c.spike_nm = (0..2).map(|_| take(&gb)).collect();
        // Spray victims: whoever is left, then members whose story is
        // failures only (a spray from another country does not disturb it).
        let mut spray: Vec<usize> = pool.clone();
        spray.extend([
            c.legacy,
            c.legacy_nm,
            c.dist,
            c.fraud,
            c.declined,
            c.deny_nm,
            c.consent,
            c.consent_nm,
            c.inviter,
            c.crit_nm_member,
            c.excluded,
        ]);
        spray.truncate(12);
        c.spray = spray;
        t.users[c.backdoor].office_hours_only = true;
        t.users[c.backdoor].weekend_worker = false;
        c
    }
}

/// The fixed places attackers and travellers use.
fn place(ip: &str, city: City, asn: u32) -> Place {
    Place::new(ip, city, asn)
}

fn device_custom(ua: &'static str, client_app: &'static str, os: &'static str, browser: &'static str) -> Device {
    Device {
        id: String::new(),
        name: String::new(),
        os,
        browser,
        user_agent: ua,
        client_app,
        compliant: None,
        managed: None,
        join_type: "",
    }
}

/// Plants every incident and near miss.
pub struct Planter<'a> {
    pub t: &'a Tenant,
    pub cast: &'a Cast,
    pub start: Timestamp,
    /// Absolute index of schedule day 0.
    pub b: i64,
    pub rng: Rng,
    pub signins: Vec<SignInEvent>,
    pub audits: Vec<AuditEvent>,
    pub labels: Vec<Label>,
    pub plan: Plan,
}

type Ev = (String, String);

impl<'a> Planter<'a> {
    fn day(&self, k: i64) -> i64 {
        self.b + k
    }

    fn ts(&self, k: i64, h: i64, m: i64, s: i64) -> Timestamp {
        Timestamp(self.start.0 + self.day(k) * MS_PER_DAY + h * MS_PER_HOUR + m * MS_PER_MINUTE + s * 1000)
    }

    /// Schedule day `k`, or the closest weekday before it.
    fn weekday_at_or_before(&self, k: i64) -> i64 {
        (k - 6..=k).rev().find(|&d| self.ts(d, 0, 0, 0).weekday() < 5).unwrap_or(k)
    }

    fn quiet(&mut self, user: usize, k: i64) {
        self.plan.quiet.insert((user, self.day(k)));
    }

    fn user(&self, i: usize) -> &'a User {
        &self.t.users[i]
    }

    #[allow(clippy::too_many_arguments)]
    fn si(
        &mut self,
        kind: SignInKind,
        time: Timestamp,
        u: &User,
        app: &App,
        place: &Place,
        device: &Device,
        outcome: Outcome,
    ) -> Ev {
        let origin = Origin { place: place.clone(), device: device.clone() };
        let session = self.rng.guid();
        let ev = user_signin(self.t, &mut self.rng, kind, time, u, app, &origin, outcome, &session);
        let ids = (ev.request_id.clone(), ev.correlation_id.clone());
        self.signins.push(ev);
        ids
    }

    /// `n` interactive attempts `step_ms` apart from one place and device.
    #[allow(clippy::too_many_arguments)]
    fn burst(
        &mut self,
        n: i64,
        start: Timestamp,
        step_ms: i64,
        u: &User,
        app: &App,
        place: &Place,
        device: &Device,
        outcome: Outcome,
    ) -> Vec<Ev> {
        (0..n)
            .map(|i| self.si(SignInKind::Interactive, Timestamp(start.0 + i * step_ms), u, app, place, device, outcome))
            .collect()
    }

    fn push_audit(&mut self, a: AuditEvent) -> Ev {
        let ids = (a.id.clone(), a.correlation_id.clone());
        self.audits.push(a);
        ids
    }

    fn label(&mut self, incident: &str, near_miss: bool, evidence: Vec<Ev>, note: &str) {
        let not_visible_in = if incident == RISKY_SUCCESS {
            crate::formats::Format::ALL.iter().filter(|f| !f.carries_risk()).map(|f| f.name().to_string()).collect()
        } else {
            Vec::new()
        };
        self.labels.push(Label {
            incident: incident.to_string(),
            near_miss,
            evidence_ids: evidence.iter().map(|e| e.0.clone()).collect(),
            correlation_ids: evidence.iter().map(|e| e.1.clone()).collect(),
            note: note.to_string(),
            not_visible_in,
        });
    }

    fn home_device(&self, u: &User) -> Device {
        u.laptop.clone()
    }

    pub fn plant_all(&mut self) {
        self.legacy_auth();
        self.spray();
        self.brute_force();
        self.distributed();
        self.mfa_fatigue();
        self.mfa_denied();
        self.break_glass();
        self.short_lived();
        self.new_country();
        self.impossible_travel();
        self.success_then_failure();
        self.roles();
        self.conditional_access();
        self.applications();
        self.off_hours();
        self.failure_spike();
        self.risky();
        self.guests();
        self.domains();
        self.critical_group();
    }

    fn legacy_auth(&mut self) {
        let imap = device_custom("", "IMAP4", "", "");
        let u = self.user(self.cast.legacy);
        let home = u.home.clone();
        let time = self.ts(18, 9, 12, 7);
        let mut ev = {
            let origin = Origin { place: home.clone(), device: imap.clone() };
            user_signin(
                self.t,
                &mut self.rng,
                SignInKind::Interactive,
                time,
                u,
                &OUTLOOK_WEB,
                &origin,
                Outcome::Success(Mfa::None),
                "",
            )
        };
        ev.protocol = "ropc".into();
        let e = (ev.request_id.clone(), ev.correlation_id.clone());
        self.signins.push(ev);
        self.label(
            LEGACY_AUTH,
            false,
            vec![e],
            "IMAP4 (basic authentication) sign-in succeeded although legacy authentication is blocked by policy; single-factor.",
        );

        self.quiet(self.cast.legacy_nm, 17);
        let u = self.user(self.cast.legacy_nm);
        let home = u.home.clone();
        let time = self.ts(17, 15, 10, 44);
        let mut ev = {
            let origin = Origin { place: home, device: imap };
            user_signin(self.t, &mut self.rng, SignInKind::Interactive, time, u, &OUTLOOK_WEB, &origin, Outcome::CaBlocked(1), "")
        };
        ev.protocol = "ropc".into();
        let e = (ev.request_id.clone(), ev.correlation_id.clone());
        self.signins.push(ev);
        self.label(
            LEGACY_AUTH,
            true,
            vec![e],
            "IMAP4 attempt blocked by 'CA002: Block legacy authentication' (53003): legacy protocol, but no success.",
        );
    }

    fn spray(&mut self) {
        let ip = place("193.29.57.118", AMSTERDAM, 60781);
        let dev = device_custom("BAV2ROPC", "Mobile Apps and Desktop clients", "", "");
        let mut ev = Vec::new();
        for (i, &v) in self.cast.spray.clone().iter().enumerate() {
            let outcome = if i == 6 { Outcome::MfaRequired } else { Outcome::BadPassword };
            let t = self.ts(11, 3, 10, 0);
            let t = Timestamp(t.0 + i as i64 * 70_000);
            let e = self.si(SignInKind::Interactive, t, self.user(v), &AAD_POWERSHELL, &ip, &dev, outcome);
            if let Some(s) = self.signins.last_mut() {
                s.protocol = "ropc".into();
            }
            ev.push(e);
        }
        self.label(
            SPRAY,
            false,
            ev,
            "12 accounts tried from 193.29.57.118 (NL) within 13 minutes via ROPC (BAV2ROPC): 11 wrong passwords (50126) and one correct password stopped by MFA (50074). No account succeeded from this IP.",
        );

        // Near miss: four colleagues mistype at a conference's network, then sign in.
        let conf = place("62.31.88.14", MANCHESTER, 5089);
        let mut ev = Vec::new();
        for (i, &v) in self.cast.conference.clone().iter().enumerate() {
            self.quiet(v, 10);
            let u = self.user(v);
            let dev = self.home_device(u);
            let t = self.ts(10, 16, 0, 0);
            let fail = Timestamp(t.0 + i as i64 * 180_000);
            ev.push(self.si(SignInKind::Interactive, fail, u, &OFFICE_HOME, &conf, &dev, Outcome::BadPassword));
            self.si(
                SignInKind::Interactive,
                Timestamp(fail.0 + 40_000),
                u,
                &OFFICE_HOME,
                &conf,
                &dev,
                Outcome::Success(Mfa::Push),
            );
        }
        self.label(
            SPRAY,
            true,
            ev,
            "4 accounts with a wrong password from one conference network (62.31.88.14) within 10 minutes, each followed by a success from the same address: below 5 distinct accounts, and more successful than failed accounts.",
        );
    }

    fn brute_force(&mut self) {
        let v = self.cast.brute;
        self.quiet(v, 12);
        let u = self.user(v);
        let lagos = place("102.89.34.71", LAGOS, 29465);
        let dev = unmanaged_device(UA_FIREFOX_LINUX);
        let mut ev = self.burst(14, self.ts(12, 21, 40, 5), 38_000, u, &AZURE_PORTAL, &lagos, &dev, Outcome::BadPassword);
        ev.push(self.si(
            SignInKind::Interactive,
            self.ts(12, 21, 50, 2),
            u,
            &AZURE_PORTAL,
            &lagos,
            &dev,
            Outcome::Success(Mfa::None),
        ));
        self.label(
            BRUTE_FORCE,
            false,
            ev,
            "14 wrong passwords (50126) for one account on Azure Portal from 102.89.34.71 (NG) in 9 minutes, then a single-factor success from the same address.",
        );

        // An admin account: on a weekday, in business hours.
        let admin = self.t.admins[2];
        let k = (9..=13).find(|&d| self.ts(d, 0, 0, 0).weekday() < 5).unwrap_or(9);
        self.quiet(admin, k);
        let a = self.user(admin);
        let office = OFFICES[a.office.unwrap_or(0)].place();
        let dev = a.laptop.clone();
        let mut ev = self.burst(4, self.ts(k, 10, 30, 0), 75_000, a, &AZURE_PORTAL, &office, &dev, Outcome::BadPassword);
        ev.push(self.si(
            SignInKind::Interactive,
            self.ts(k, 10, 36, 30),
            a,
            &AZURE_PORTAL,
            &office,
            &dev,
            Outcome::Success(Mfa::Push),
        ));
        self.label(BRUTE_FORCE, true, ev, "4 wrong passwords then success on Azure Portal from the office network: a forgotten password, below any brute-force threshold (5 or 10).");
    }

    fn distributed(&mut self) {
        self.quiet(self.cast.dist, 6);
        let u = self.user(self.cast.dist);
        let sources = [
            place("95.24.18.203", MOSCOW, 8402),
            place("46.219.30.14", KYIV, 6849),
            place("86.120.9.77", BUCHAREST, 8708),
            place("36.72.214.5", JAKARTA, 7713),
            place("49.36.101.22", MUMBAI, 55836),
            place("121.133.7.91", SEOUL, 4766),
            place("14.177.60.8", HO_CHI_MINH, 45899),
            place("95.25.140.66", MOSCOW, 8402),
            place("176.36.12.50", KYIV, 15895),
        ];
        let dev = unmanaged_device(UA_EDGE_WIN);
        let mut ev = Vec::new();
        for i in 0..36i64 {
            let src = &sources[(i % 9) as usize];
            let t = Timestamp(self.ts(6, 0, 40, 0).0 + i * 12 * MS_PER_MINUTE + (i * 7919 % 60) * 1000);
            let outcome = if i >= 33 { Outcome::Locked } else { Outcome::BadPassword };
            ev.push(self.si(SignInKind::Interactive, t, u, &OFFICE_HOME, src, &dev, outcome));
        }
        self.label(
            DISTRIBUTED,
            false,
            ev,
            "36 failed sign-ins (33 × 50126, then 3 × 50053 locked) for one account in 7 hours from 9 addresses in 7 cities and 6 countries (RU, UA, RO, ID, IN, KR, VN); no success.",
        );

        let v = self.cast.dist_nm;
        self.quiet(v, 8);
        let u = self.user(v);
        let home = u.home.clone();
        let office = OFFICES[0].place();
        let phone = u.phone.clone();
        let mut ev = Vec::new();
        for i in 0..25i64 {
            let src = if i % 2 == 0 { &home } else { &office };
            let t = Timestamp(self.ts(8, 8, 0, 0).0 + i * 24 * MS_PER_MINUTE);
            ev.push(self.si(SignInKind::Interactive, t, u, &OUTLOOK_MOBILE, src, &phone, Outcome::BadPassword));
        }
        self.label(
            DISTRIBUTED,
            true,
            ev,
            "25 wrong passwords in a day from a phone with a stale password, from home and the office: below 30 failures and below 3 locations.",
        );
    }

    fn mfa_fatigue(&mut self) {
        let v = self.cast.fatigue;
        self.quiet(v, 19);
        let u = self.user(v);
        let src = place("14.161.22.87", HO_CHI_MINH, 7552);
        let dev = unmanaged_device(UA_EDGE_WIN);
        let mut ev =
            self.burst(12, self.ts(19, 2, 30, 0), 21_000, u, &OFFICE_HOME, &src, &dev, Outcome::MfaDenied(MFA_NO_RESPONSE));
        ev.push(self.si(
            SignInKind::Interactive,
            self.ts(19, 2, 34, 40),
            u,
            &OFFICE_HOME,
            &src,
            &dev,
            Outcome::Success(Mfa::Push),
        ));
        self.label(
            MFA_FATIGUE,
            false,
            ev,
            "12 unanswered push notifications (500121, 'user did not respond') in 4 minutes at 02:30 UTC from 14.161.22.87 (VN), then an approved push: 13 attempts within 5 minutes.",
        );

        let u = self.user(self.cast.fatigue_nm);
        let home = u.home.clone();
        let dev = u.laptop.clone();
        let mut ev =
            self.burst(3, self.ts(4, 15, 14, 0), 40_000, u, &OFFICE_HOME, &home, &dev, Outcome::MfaDenied(MFA_NO_RESPONSE));
        ev.push(self.si(
            SignInKind::Interactive,
            self.ts(4, 15, 16, 30),
            u,
            &OFFICE_HOME,
            &home,
            &dev,
            Outcome::Success(Mfa::Push),
        ));
        self.label(
            MFA_FATIGUE,
            true,
            ev,
            "3 unanswered pushes then success from the user's home: the phone was elsewhere; far below 10 denials.",
        );
    }

    fn mfa_denied(&mut self) {
        let src = place("102.89.40.12", LAGOS, 29465);
        let dev = unmanaged_device(UA_EDGE_WIN);
        self.quiet(self.cast.fraud, 16);
        self.quiet(self.cast.declined, 16);
        let u = self.user(self.cast.fraud);
        let e1 =
            self.si(SignInKind::Interactive, self.ts(16, 14, 5, 11), u, &OFFICE_HOME, &src, &dev, Outcome::MfaDenied(MFA_FRAUD));
        let u = self.user(self.cast.declined);
        let src2 = place("102.89.41.200", LAGOS, 29465);
        let e2 = self.si(
            SignInKind::Interactive,
            self.ts(16, 14, 40, 52),
            u,
            &OFFICE_HOME,
            &src2,
            &dev,
            Outcome::MfaDenied(MFA_DENIED),
        );
        self.label(
            MFA_DENIED_FRAUD,
            false,
            vec![e1, e2],
            "Two sign-ins with a correct password from Lagos: one user reported fraud ('MFA denied; Phone App Reported Fraud'), another declined the push ('MFA denied; user declined the authentication'). Error 500121.",
        );

        let u = self.user(self.cast.deny_nm);
        let home = u.home.clone();
        let dev = u.laptop.clone();
        let e = self.si(
            SignInKind::Interactive,
            self.ts(15, 15, 40, 3),
            u,
            &OFFICE_HOME,
            &home,
            &dev,
            Outcome::MfaDenied(MFA_NO_RESPONSE),
        );
        self.si(SignInKind::Interactive, self.ts(15, 15, 42, 10), u, &OFFICE_HOME, &home, &dev, Outcome::Success(Mfa::Push));
        self.label(MFA_DENIED_FRAUD, true, vec![e], "One push not answered in time (500121, 'user did not respond'), approved on the retry: neither declined nor reported as fraud.");
    }

    fn break_glass(&mut self) {
        let bg = self.t.who(Who::BreakGlass1);
        let office = OFFICES[0].place();
        let dev = bg.laptop.clone();
        let e = self.si(
            SignInKind::Interactive,
            self.ts(15, 11, 30, 26),
            bg,
            &AZURE_PORTAL,
            &office,
            &dev,
            Outcome::Success(Mfa::None),
        );
        self.label(
            BREAK_GLASS,
            false,
            vec![e],
            "Emergency access account bg-01@contoso.onmicrosoft.com signed in to Azure Portal from the London office.",
        );

        let mut guest = self.t.users[self.t.guests.first().copied().unwrap_or(0)].clone();
        guest.id = self.rng.guid();
        guest.upn = "bg-01@fabrikam.com".into();
        guest.display = "Ben Gallagher (Fabrikam)".into();
        guest.user_type = "guest";
        guest.home_tenant = Some((self.t.partner_tenant_id.clone(), "Fabrikam"));
        let home = guest.home.clone();
        let dev = guest.laptop.clone();
        let e = self.si(
            SignInKind::Interactive,
            self.ts(15, 13, 0, 41),
            &guest,
            &SHAREPOINT,
            &home,
            &dev,
            Outcome::Success(Mfa::Push),
        );
        self.label(BREAK_GLASS, true, vec![e], "Guest bg-01@fabrikam.com: same local part as the break-glass account, different account. Matching must be on the whole UPN.");
    }

    fn short_lived(&mut self) {
        let admin = self.user(self.t.admins[0]);
        let ip = OFFICES[admin.office.unwrap_or(0)].egress;
        let make = |p: &mut Planter, local: &str, display: &str, created: Timestamp, deleted: Timestamp| -> Vec<Ev> {
            let mut u = p.t.users[p.t.members[0]].clone();
            u.id = p.rng.guid();
            u.upn = format!("{local}@contoso.com");
            u.display = display.into();
            let add_props = vec![
                ModifiedProperty::new("AccountEnabled", "[]", "[true]"),
                ModifiedProperty::new("DisplayName", "[]", &jarr(display)),
                ModifiedProperty::new("UserPrincipalName", "[]", &jarr(&u.upn)),
                ModifiedProperty::new("UserType", "[]", "[\"Member\"]"),
            ];
            let a = audit(
                &mut p.rng,
                created,
                "UserManagement",
                "Add user",
                "Core Directory",
                "Add",
                by_user(admin, ip),
                vec![user_target(&u, add_props)],
                vec![],
                UA_PORTAL,
            );
            // Deleted users' UPNs get their object id (32 hex digits) as a prefix.
            let mut deleted_u = u.clone();
            deleted_u.upn = format!("{}{}", u.id.replace('-', ""), u.upn);
            let d = audit(
                &mut p.rng,
                deleted,
                "UserManagement",
                "Delete user",
                "Core Directory",
                "Delete",
                by_user(admin, ip),
                vec![user_target(&deleted_u, vec![])],
                vec![],
                UA_PORTAL,
            );
            vec![p.push_audit(a), p.push_audit(d)]
        };
        let (c, d) = (self.ts(17, 10, 12, 33), self.ts(17, 13, 47, 2));
        let ev = make(self, "temp.support", "Temp Support", c, d);
        self.label(SHORT_LIVED, false, ev, "User temp.support@contoso.com added and deleted 3 h 35 min later by an approved admin (join on the target object id; the deleted UPN carries a 32-hex prefix).");
        let (c, d) = (self.ts(1, 10, 20, 5), self.ts(10, 11, 5, 40));
        let ev = make(self, "contractor.lee", "Contractor Lee", c, d);
        self.label(
            SHORT_LIVED,
            true,
            ev,
            "User contractor.lee@contoso.com added, deleted 9 days later: longer than 24 h and than Sentinel's 7-day window.",
        );
    }

    fn new_country(&mut self) {
        let v = self.cast.new_country;
        self.quiet(v, 20);
        let u = self.user(v);
        let src = place("177.71.40.23", SAO_PAULO, 28573);
        let dev = unmanaged_device(UA_EDGE_WIN);
        let e =
            self.si(SignInKind::Interactive, self.ts(20, 14, 20, 9), u, &OFFICE_HOME, &src, &dev, Outcome::Success(Mfa::Push));
        self.label(NEW_COUNTRY, false, vec![e], "Successful sign-in from Sao Paulo, BR on the last day: no sign-in from BR before, and BR is not an operating country.");

        // The traveller: works from Dublin on days 2-3 and again on the last day.
        let v = self.cast.traveller_ie;
        let dublin = place("37.228.241.17", DUBLIN, 15502);
        for k in [2, 3] {
            let d = self.day(k);
            self.plan.overrides.insert((v, d), dublin.clone());
        }
        self.quiet(v, 18);
        let u = self.user(v);
        let dev = u.laptop.clone();
        let e = self.si(
            SignInKind::Interactive,
            self.ts(18, 10, 15, 37),
            u,
            &OFFICE_HOME,
            &dublin,
            &dev,
            Outcome::Success(Mfa::Push),
        );
        self.label(
            NEW_COUNTRY,
            true,
            vec![e],
            "Sign-in from Dublin, IE on the last Friday: IE had successful sign-ins two weeks earlier (same user, same hotel network) and is an operating country.",
        );
    }

    fn impossible_travel(&mut self) {
        let v = self.cast.travel;
        self.quiet(v, 16);
        let u = self.user(v);
        let home = u.home.clone();
        let dev = u.laptop.clone();
        let sg = place("13.250.113.9", SINGAPORE, 16509);
        let e1 = self.si(SignInKind::Interactive, self.ts(16, 10, 2, 17), u, &TEAMS, &home, &dev, Outcome::Success(Mfa::Push));
        let e2 = self.si(
            SignInKind::Interactive,
            self.ts(16, 10, 9, 48),
            u,
            &OFFICE_HOME,
            &sg,
            &unmanaged_device(UA_CHROME_MAC),
            Outcome::Success(Mfa::Push),
        );
        let km = distance_km(&home.city, &SINGAPORE).round();
        self.label(
            IMPOSSIBLE_TRAVEL,
            false,
            vec![e1, e2],
            &format!("Successful sign-ins from {} ({}) and Singapore (SG) 7.5 minutes apart: about {km} km, different address and country within 10 minutes.", home.city.name, home.city.country),
        );

        let v = self.cast.travel_nm;
        self.quiet(v, 11);
        let ny = place("108.28.77.140", NEW_YORK, 701);
        for k in [12, 13] {
            let d = self.day(k);
            self.plan.overrides.insert((v, d), ny.clone());
        }
        let u = self.user(v);
        let dev = u.laptop.clone();
        let e1 = self.si(
            SignInKind::Interactive,
            self.ts(11, 8, 40, 12),
            u,
            &TEAMS,
            &OFFICES[0].place(),
            &dev,
            Outcome::Success(Mfa::None),
        );
        let e2 =
            self.si(SignInKind::Interactive, self.ts(11, 17, 55, 3), u, &OFFICE_HOME, &ny, &dev, Outcome::Success(Mfa::Push));
        self.label(
            IMPOSSIBLE_TRAVEL,
            true,
            vec![e1, e2],
            "London office at 08:40, New York at 17:55 the same day: 5,570 km in 9 h 15 min (about 600 km/h, a flight). Both operating countries.",
        );
    }

    fn success_then_failure(&mut self) {
        let v = self.cast.s2f;
        self.quiet(v, 13);
        let u = self.user(v);
        let home = u.home.clone();
        let dev = u.laptop.clone();
        let e1 = self.si(SignInKind::Interactive, self.ts(13, 16, 2, 31), u, &TEAMS, &home, &dev, Outcome::Success(Mfa::Push));
        let other = place("102.89.44.9", LAGOS, 29465);
        let e2 = self.si(
            SignInKind::Interactive,
            self.ts(13, 16, 8, 5),
            u,
            &TEAMS,
            &other,
            &unmanaged_device(UA_EDGE_WIN),
            Outcome::BadPassword,
        );
        self.label(
            SUCCESS_THEN_FAIL,
            false,
            vec![e1, e2],
            &format!(
                "Microsoft Teams: success from {} then, 5.5 minutes later, a wrong password from 102.89.44.9 (another /16).",
                home.ip
            ),
        );

        let v = self.cast.s2f_nm;
        self.quiet(v, 10);
        let u = self.user(v);
        let dev = u.phone.clone();
        let m1 = place("82.132.219.40", LONDON, 12576);
        let m2 = place("82.132.221.7", LONDON, 12576);
        let e1 = self.si(SignInKind::Interactive, self.ts(10, 12, 30, 14), u, &TEAMS, &m1, &dev, Outcome::Success(Mfa::Push));
        let e2 = self.si(SignInKind::Interactive, self.ts(10, 12, 37, 2), u, &TEAMS, &m2, &dev, Outcome::BadPassword);
        self.label(SUCCESS_THEN_FAIL, true, vec![e1, e2], "Microsoft Teams on a phone: success from 82.132.219.40, wrong password 7 minutes later from 82.132.221.7 (same mobile carrier, same /16).");
    }

    fn roles(&mut self) {
        let t = self.t;
        // Outside PIM: an admin gives a member Global Administrator directly.
        let actor = self.user(t.admins[1]);
        let target_user = self.user(self.cast.backdoor);
        let ip = "81.156.77.12";
        let time = self.ts(15, 15, 20, 44);
        let a = role_member_change(t, &mut self.rng, time, by_user(actor, ip), target_user, GLOBAL_ADMIN, true, UA_PORTAL);
        let e = self.push_audit(a);
        self.label(
            ROLE_OUTSIDE_PIM,
            false,
            vec![e],
            &format!(
                "Core Directory 'Add member to role' (Global Administrator → {}) initiated by {}, not by MS-PIM.",
                target_user.upn, actor.upn
            ),
        );
        // Near miss: a PIM activation, where MS-PIM adds the role.
        let kchen = self.user(t.admins[3]);
        let time = self.ts(15, 12, 5, 9);
        let evs = pim_activation(t, &mut self.rng, time, kchen, SECURITY_READER, "Investigate alert");
        let mut ids = Vec::new();
        for a in evs {
            ids.push(self.push_audit(a));
        }
        self.label(
            ROLE_OUTSIDE_PIM,
            true,
            vec![ids[1].clone()],
            "Core Directory 'Add member to role' (Security Reader) initiated by MS-PIM: a PIM activation.",
        );

        // Bulk: six eligible assignments removed in 14 minutes, late at night.
        let actor = self.user(t.admins[5]);
        let roles = [USER_ADMIN, HELPDESK_ADMIN, EXCHANGE_ADMIN, SECURITY_READER, GROUPS_ADMIN, PRIV_ROLE_ADMIN];
        let victims: Vec<usize> = t.admins.iter().copied().filter(|&a| a != t.admins[5]).chain([t.special[1].1]).collect();
        let mut ids = Vec::new();
        for (i, (&v, role)) in victims.iter().zip(roles).enumerate() {
            let time = Timestamp(self.ts(18, 22, 10, 3).0 + i as i64 * 165_000);
            let a = self.pim_eligible(time, actor, "193.29.57.118", self.user(v), role, false);
            ids.push(self.push_audit(a));
        }
        self.label(
            BULK_ROLES,
            false,
            ids,
            &format!("{} removed 6 eligible role assignments in PIM within 14 minutes (threshold: 4 in 60 minutes).", actor.upn),
        );

        let actor = t.who(Who::PimAdmin);
        let mut ids = Vec::new();
        for (i, &v) in t.admins.iter().take(3).enumerate() {
            let time = Timestamp(self.ts(11, 10, 0, 12).0 + i as i64 * 22 * MS_PER_MINUTE);
            let a = self.pim_eligible(time, actor, OFFICES[0].egress, self.user(v), GROUPS_ADMIN, true);
            ids.push(self.push_audit(a));
        }
        self.label(
            BULK_ROLES,
            true,
            ids,
            "The approved PIM admin made 3 eligible assignments in 44 minutes: below 4 in 60 minutes.",
        );
    }

    fn pim_eligible(&mut self, time: Timestamp, actor: &User, ip: &str, user: &User, role: Role, add: bool) -> AuditEvent {
        let role_id = self.t.role_object_id(&role).to_string();
        let (activity, op, old, new) = if add {
            ("Add eligible member to role in PIM completed (permanent)", "Add", String::new(), jstr(role.name))
        } else {
            ("Remove eligible member from role in PIM completed (permanent)", "Remove", jstr(role.name), String::new())
        };
        audit(
            &mut self.rng,
            time,
            "RoleManagement",
            activity,
            "PIM",
            op,
            by_user(actor, ip),
            vec![
                target("Role", &role_id, role.name, vec![]),
                user_target(user, vec![ModifiedProperty::new("Role.DisplayName", &old, &new)]),
            ],
            vec![
                ("RoleDefinitionOriginId".into(), role.template_id.into()),
                ("RoleDefinitionOriginType".into(), "BuiltInRole".into()),
            ],
            UA_PORTAL,
        )
    }

    /// The JSON a "ConditionalAccessPolicy" modified property holds.
    fn ca_json(&self, idx: usize, state: &str, extra_exclude: Option<&str>, grant: &[&str], client_apps: &[&str]) -> String {
        let t = self.t;
        let p = &t.ca_policies[idx];
        let mut exclude: Vec<String> = vec![t.who(Who::BreakGlass1).id.clone(), t.who(Who::BreakGlass2).id.clone()];
        if let Some(x) = extra_exclude {
            exclude.push(x.to_string());
        }
        let quoted = |v: &[String]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(",");
        let strs = |v: &[&str]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(",");
        let include_roles = if idx == 2 {
            strs(&[
                GLOBAL_ADMIN.template_id,
                PRIV_ROLE_ADMIN.template_id,
                USER_ADMIN.template_id,
                CA_ADMIN.template_id,
                APP_ADMIN.template_id,
            ])
        } else {
            String::new()
        };
        let include_users = if idx == 2 { "" } else { "\"All\"" };
        let locations = match idx {
            0 => ",\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"AllTrusted\"]}",
            3 => {
                ",\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"8e3c1a52-27d4-4b1a-9d1c-5f0a7d2f0c11\"]}"
            }
            _ => "",
        };
        format!(
            "{{\"id\":\"{}\",\"displayName\":\"{}\",\"createdDateTime\":\"2024-03-04T10:15:22.1234567+00:00\",\"state\":\"{state}\",\"conditions\":{{\"applications\":{{\"includeApplications\":[\"All\"],\"excludeApplications\":[]}},\"users\":{{\"includeUsers\":[{include_users}],\"excludeUsers\":[{}],\"includeGroups\":[],\"excludeGroups\":[\"{}\"],\"includeRoles\":[{include_roles}],\"excludeRoles\":[]}},\"clientAppTypes\":[{}]{locations}}},\"grantControls\":{{\"operator\":\"OR\",\"builtInControls\":[{}]}}}}",
            p.id,
            p.name,
            quoted(&exclude),
            t.critical_group.id,
            strs(client_apps),
            strs(grant),
        )
    }

    fn ca_update(&mut self, time: Timestamp, actor: &User, ip: &str, idx: usize, old: String, new: String) -> Ev {
        let p = &self.t.ca_policies[idx];
        let a = audit(
            &mut self.rng,
            time,
            "Policy",
            "Update conditional access policy",
            "Core Directory",
            "Update",
            by_user(actor, ip),
            vec![target("Policy", &p.id, p.name, vec![ModifiedProperty::new("ConditionalAccessPolicy", &old, &new)])],
            vec![],
            UA_PORTAL,
        );
        self.push_audit(a)
    }

    fn conditional_access(&mut self) {
        let t = self.t;
        let ca_admin = t.who(Who::CaAdmin);
        let rogue = self.user(t.admins[4]);
        // Disabled by a non-approved admin.
        let old = self.ca_json(0, "enabled", None, &["mfa"], &["all"]);
        let new = self.ca_json(0, "disabled", None, &["mfa"], &["all"]);
        let e = self.ca_update(self.ts(19, 19, 45, 20), rogue, "86.7.201.33", 0, old, new);
        self.label(CA_NON_APPROVED, false, vec![e], &format!("{} (not an approved Conditional Access actor) changed 'CA001: Require MFA for all users' from enabled to disabled.", rogue.upn));
        // Near miss: the approved CA admin tightens a policy.
        let old = self.ca_json(2, "enabled", None, &["compliantDevice"], &["all"]);
        let new = self.ca_json(2, "enabled", None, &["compliantDevice", "domainJoinedDevice"], &["all"]);
        let e = self.ca_update(self.ts(11, 11, 10, 7), ca_admin, OFFICES[0].egress, 2, old, new);
        self.label(
            CA_NON_APPROVED,
            true,
            vec![e],
            "The approved CA admin added a grant control to CA003; state and exclusions unchanged.",
        );

        // Exclusion added (by the approved admin: only the exclusion matters).
        let excluded = self.user(self.cast.excluded);
        let old = self.ca_json(3, "enabledForReportingButNotEnforced", None, &["block"], &["all"]);
        let new = self.ca_json(3, "enabledForReportingButNotEnforced", Some(&excluded.id), &["block"], &["all"]);
        let e = self.ca_update(self.ts(12, 16, 30, 51), ca_admin, OFFICES[0].egress, 3, old, new);
        self.label(
            CA_EXCLUSION,
            false,
            vec![e],
            &format!("{} added to conditions.users.excludeUsers of CA004 (by the approved CA admin).", excluded.upn),
        );
        // Near miss: client app types change, exclusions untouched.
        let old = self.ca_json(1, "enabled", None, &["block"], &["other"]);
        let new = self.ca_json(1, "enabled", None, &["block"], &["exchangeActiveSync", "other"]);
        let e = self.ca_update(self.ts(9, 15, 5, 38), ca_admin, OFFICES[0].egress, 1, old, new);
        self.label(
            CA_EXCLUSION,
            true,
            vec![e],
            "CA002 now also covers Exchange ActiveSync; excludeUsers/excludeGroups/excludeRoles unchanged.",
        );
    }

    fn applications(&mut self) {
        let t = self.t;
        let backdoor = self.user(self.cast.backdoor);
        let attacker_ip = "193.29.57.120";
        let app_admin = t.who(Who::AppAdmin);
        // New secret on an app that already had one.
        let payroll = &t.service_principals[0];
        let k_old = format!("[KeyIdentifier={},KeyType=Password,KeyUsage=Verify,DisplayName=payroll-2025]", payroll.key_id);
        let k_new = format!("[KeyIdentifier={},KeyType=Password,KeyUsage=Verify,DisplayName=sync]", self.rng.guid());
        let old = format!("[{}]", jstr(&k_old));
        let new = format!("[{},{}]", jstr(&k_old), jstr(&k_new));
        let time = self.ts(17, 23, 10, 19);
        let a = audit(
            &mut self.rng,
            time,
            "ApplicationManagement",
            "Update application \u{2013} Certificates and secrets management ",
            "Core Directory",
            "Update",
            by_user(backdoor, attacker_ip),
            vec![target(
                "Application",
                &payroll.app_object_id,
                payroll.name,
                vec![
                    ModifiedProperty::new("KeyDescription", &old, &new),
                    ModifiedProperty::new("Included Updated Properties", "", "\"KeyDescription\""),
                ],
            )],
            vec![("AppId".into(), payroll.app_id.clone())],
            UA_POWERSHELL,
        );
        let e = self.push_audit(a);
        self.label(
            NEW_CREDENTIAL,
            false,
            vec![e],
            &format!(
                "A password credential (KeyUsage=Verify) added to '{}', which already had one, by {} at 23:10 UTC.",
                payroll.name, backdoor.upn
            ),
        );
        // Near miss: an expired secret removed.
        let idx = &t.service_principals[3];
        let k1 = format!("[KeyIdentifier={},KeyType=Password,KeyUsage=Verify,DisplayName=indexer-2024]", self.rng.guid());
        let k2 = format!("[KeyIdentifier={},KeyType=Password,KeyUsage=Verify,DisplayName=indexer-2025]", idx.key_id);
        let time = self.ts(4, 14, 10, 2);
        let a = audit(
            &mut self.rng,
            time,
            "ApplicationManagement",
            "Update application \u{2013} Certificates and secrets management ",
            "Core Directory",
            "Update",
            by_user(app_admin, OFFICES[0].egress),
            vec![target(
                "Application",
                &idx.app_object_id,
                idx.name,
                vec![
                    ModifiedProperty::new(
                        "KeyDescription",
                        &format!("[{},{}]", jstr(&k1), jstr(&k2)),
                        &format!("[{}]", jstr(&k2)),
                    ),
                    ModifiedProperty::new("Included Updated Properties", "", "\"KeyDescription\""),
                ],
            )],
            vec![("AppId".into(), idx.app_id.clone())],
            UA_PORTAL,
        );
        let e = self.push_audit(a);
        self.label(
            NEW_CREDENTIAL,
            true,
            vec![e],
            &format!("An expired secret removed from '{}': the new key list is a subset of the old one.", idx.name),
        );

        // Application permission Mail.Read granted to the payroll app.
        let e = self.app_role(
            self.ts(17, 23, 15, 48),
            backdoor,
            attacker_ip,
            payroll,
            ("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read", "Read mail in all mailboxes"),
        );
        self.label(
            APP_ROLE_SENSITIVE,
            false,
            vec![e],
            &format!("Microsoft Graph application permission Mail.Read assigned to '{}' by {}.", payroll.name, backdoor.upn),
        );
        let e = self.app_role(
            self.ts(4, 15, 30, 27),
            app_admin,
            OFFICES[0].egress,
            idx,
            ("df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles"),
        );
        self.label(APP_ROLE_SENSITIVE, true, vec![e], &format!("Microsoft Graph User.Read.All assigned to '{}' by the approved app admin: not a mail, file, chat or notes permission.", idx.name));

        // Consent by users.
        let evil_app = ("Mail Helper <script>alert(1)</script>", "https://mailhelper.example/callback");
        let u = self.user(self.cast.consent);
        let e = self.consent(self.ts(18, 13, 40, 16), u, evil_app, "openid profile offline_access Mail.Read User.Read");
        self.label(
            CONSENT_MAIL,
            false,
            e,
            &format!("{} consented (ConsentType Principal; grant and consent events, one correlation) to the third-party app 'Mail Helper <script>alert(1)</script>' with offline_access and Mail.Read.", u.upn),
        );
        let u = self.user(self.cast.consent_nm);
        let e = self.consent(
            self.ts(9, 11, 45, 30),
            u,
            ("Zoom Scheduler", "https://zoom.example/oauth"),
            "openid profile email offline_access User.Read",
        );
        self.label(
            CONSENT_MAIL,
            true,
            e,
            "User consent (grant and consent events) to 'Zoom Scheduler' with offline_access but no mail, file, chat or notes scope.",
        );
    }

    fn app_role(&mut self, time: Timestamp, actor: &User, ip: &str, sp: &ServicePrincipal, role: (&str, &str, &str)) -> Ev {
        let t = self.t;
        let mut created = String::new();
        crate::text::iso_z(&mut created, time);
        let props = vec![
            ModifiedProperty::new("AppRole.Id", "", &jstr(role.0)),
            ModifiedProperty::new("AppRole.Value", "", &jstr(role.1)),
            ModifiedProperty::new("AppRole.DisplayName", "", &jstr(role.2)),
            ModifiedProperty::new("AppRoleAssignment.CreatedDateTime", "", &jstr(&created)),
            ModifiedProperty::new("ServicePrincipal.DisplayName", "", &jstr(sp.name)),
            ModifiedProperty::new("ServicePrincipal.AppId", "", &jstr(&sp.app_id)),
            ModifiedProperty::new("ServicePrincipal.ObjectID", "", &jstr(&sp.sp_id)),
        ];
        let a = audit(
            &mut self.rng,
            time,
            "ApplicationManagement",
            "Add app role assignment to service principal",
            "Core Directory",
            "Assign",
            by_user(actor, ip),
            vec![
                target("ServicePrincipal", &t.graph_sp_id, "Microsoft Graph", props),
                target("ServicePrincipal", &sp.sp_id, sp.name, vec![]),
            ],
            vec![("AppId".into(), sp.app_id.clone())],
            UA_PORTAL,
        );
        self.push_audit(a)
    }

    /// A user consent as the service logs it: *Add service principal* for a
    /// new app, *Add delegated permission grant* and *Consent to
    /// application*, all in one correlation. Returns the grant and the
    /// consent.
    fn consent(&mut self, time: Timestamp, u: &User, app: (&str, &str), scope: &str) -> Vec<Ev> {
        let t = self.t;
        let app_id = self.rng.guid();
        let sp_id = self.rng.guid();
        let flow = self.rng.guid();
        let ip = u.home.ip.clone();
        let sp = audit(
            &mut self.rng,
            Timestamp(time.0 - 3000),
            "ApplicationManagement",
            "Add service principal",
            "Core Directory",
            "Add",
            by_user(u, &ip),
            vec![target(
                "ServicePrincipal",
                &sp_id,
                app.0,
                vec![
                    ModifiedProperty::new("AccountEnabled", "[]", "[true]"),
                    ModifiedProperty::new("AppPrincipalId", "[]", &jarr(&app_id)),
                    ModifiedProperty::new("DisplayName", "[]", &jarr(app.0)),
                    ModifiedProperty::new(
                        "AppAddress",
                        "[]",
                        &format!("[{{\"AddressType\":0,\"Address\":\"{}\",\"ReplyAddressClientType\":1}}]", app.1),
                    ),
                ],
            )],
            vec![("AppId".into(), app_id.clone())],
            UA_EDGE_WIN,
        );
        self.push_audit(correlated(sp, &flow));
        let grant_event = audit(
            &mut self.rng,
            Timestamp(time.0 - 1000),
            "ApplicationManagement",
            "Add delegated permission grant",
            "Core Directory",
            "Assign",
            by_user(u, &ip),
            vec![
                target(
                    "ServicePrincipal",
                    &t.graph_sp_id,
                    "Microsoft Graph",
                    vec![
                        ModifiedProperty::new("DelegatedPermissionGrant.Scope", "", &jstr(scope)),
                        ModifiedProperty::new("DelegatedPermissionGrant.ConsentType", "", "\"Principal\""),
                        ModifiedProperty::new("ServicePrincipal.ObjectID", "", &jstr(&sp_id)),
                        ModifiedProperty::new("ServicePrincipal.DisplayName", "", ""),
                        ModifiedProperty::new("ServicePrincipal.AppId", "", ""),
                    ],
                ),
                target("ServicePrincipal", &sp_id, "", vec![]),
            ],
            vec![],
            UA_EDGE_WIN,
        );
        let grant_ids = self.push_audit(correlated(grant_event, &flow));
        let grant = self.rng.guid();
        let permissions = format!(
            "[] => [[Id: {grant}, ClientId: {sp_id}, PrincipalId: {}, ResourceId: {}, ConsentType: Principal, Scope: {scope}, CreatedDateTime: , LastModifiedDateTime ]]; ",
            u.id, t.graph_sp_id
        );
        let a = audit(
            &mut self.rng,
            time,
            "ApplicationManagement",
            "Consent to application",
            "Core Directory",
            "Assign",
            by_user(u, &ip),
            vec![target(
                "ServicePrincipal",
                &sp_id,
                app.0,
                vec![
                    ModifiedProperty::new("ConsentContext.IsAdminConsent", "", "\"False\""),
                    ModifiedProperty::new("ConsentContext.IsAppOnly", "", "\"False\""),
                    ModifiedProperty::new("ConsentContext.OnBehalfOfAll", "", "\"False\""),
                    ModifiedProperty::new("ConsentContext.Tags", "", "\"WindowsAzureActiveDirectoryIntegratedApp\""),
                    ModifiedProperty::new("ConsentAction.Permissions", "", &jstr(&permissions)),
                    ModifiedProperty::new("TargetId.ServicePrincipalNames", "", &jstr(&format!("{app_id};{}", app.1))),
                ],
            )],
            vec![("AppId".into(), app_id)],
            UA_EDGE_WIN,
        );
        let consent_ids = self.push_audit(correlated(a, &flow));
        vec![grant_ids, consent_ids]
    }

    fn off_hours(&mut self) {
        let admin = self.user(self.t.admins[3]);
        let home = admin.home.clone();
        let dev = admin.laptop.clone();
        // The last weekend day and the last weekday among days 14-20.
        let weekend = (14..=20).rev().find(|&k| self.ts(k, 0, 0, 0).weekday() >= 5).unwrap_or(20);
        let weekday = self.weekday_at_or_before(20);
        let e = self.si(
            SignInKind::Interactive,
            self.ts(weekend, 2, 14, 55),
            admin,
            &AZURE_PORTAL,
            &home,
            &dev,
            Outcome::Success(Mfa::Push),
        );
        self.label(OFF_HOURS, false, vec![e], &format!("Privileged account {} signed in to Azure Portal on a weekend at 02:14 UTC (business hours: Mon-Fri 07:00-19:00 UTC).", admin.upn));
        let office = OFFICES[admin.office.unwrap_or(0)].place();
        let e = self.si(
            SignInKind::Interactive,
            self.ts(weekday, 17, 52, 8),
            admin,
            &AZURE_PORTAL,
            &office,
            &dev,
            Outcome::Success(Mfa::Push),
        );
        self.label(
            OFF_HOURS,
            true,
            vec![e],
            "Same privileged account at the office on a weekday at 17:52 UTC: late, but inside business hours (until 19:00) whether read in UTC or in London time (18:52 in summer).",
        );
    }

    fn failure_spike(&mut self) {
        let members = self.t.members.len();
        // Day 14 vs day 7, day 7 vs day 0: same weekday.
        let base = quota(members, self.ts(14, 0, 0, 0).weekday()).bad_password;
        let burst = 3 * base;
        let dev = device_custom("python-requests/2.31.0", "Mobile Apps and Desktop clients", "", "");
        let mut ev = Vec::new();
        let mut r = self.rng.fork("spike");
        for i in 0..burst {
            let v = self.t.members[(i * 7 + 3) % members];
            let isp = r.pick(ISPS);
            let (a, b) = *r.pick(isp.prefixes);
            let city = match isp.country {
                "US" => CHICAGO,
                "DE" => HAMBURG,
                _ => BRISTOL,
            };
            let src = Place::new(format!("{a}.{b}.{}.{}", r.range(0, 255), r.range(1, 254)), city, isp.asn);
            let time = self.ts(14, 0, 30, 0).0 + (i as i64) * (23 * MS_PER_HOUR / burst as i64) + r.range(0, 600) * 1000;
            let u = self.user(v);
            ev.push(self.si(SignInKind::Interactive, Timestamp(time), u, &AZURE_CLI, &src, &dev, Outcome::BadPassword));
            if let Some(s) = self.signins.last_mut() {
                s.protocol = "ropc".into();
            }
        }
        self.label(
            FAILURE_SPIKE,
            false,
            ev,
            &format!("Credential stuffing through residential proxies: {burst} extra wrong passwords (50126) on one day, 4x the interactive failures of the same weekday a week before ({base}); at most 2 per account and 1 account per address."),
        );

        let extra = (base / 20).max(1);
        let mut ev = Vec::new();
        for i in 0..extra {
            let v = self.cast.spike_nm[i % self.cast.spike_nm.len()];
            self.quiet(v, 7);
            let u = self.user(v);
            let home = u.home.clone();
            let dev = u.laptop.clone();
            let t = self.ts(7, 15 + i as i64 % 2, 17, 40);
            ev.push(self.si(SignInKind::Interactive, t, u, &OFFICE_HOME, &home, &dev, Outcome::BadPassword));
            self.si(SignInKind::Interactive, Timestamp(t.0 + 45_000), u, &OFFICE_HOME, &home, &dev, Outcome::Success(Mfa::Push));
        }
        self.label(
            FAILURE_SPIKE,
            true,
            ev,
            &format!(
                "{extra} wrong password(s) more than the same weekday a week before ({base}): an increase of {:.1}%, below 10%.",
                100.0 * extra as f64 / base as f64
            ),
        );
    }

    fn risky(&mut self) {
        let tor = place("185.220.101.47", BERLIN, 208294);
        let dev = unmanaged_device(UA_FIREFOX_LINUX);
        let v = self.cast.risky;
        self.quiet(v, 16);
        let u = self.user(v);
        let time = self.ts(16, 11, 20, 36);
        let e = self.si(SignInKind::Interactive, time, u, &OFFICE_HOME, &tor, &dev, Outcome::Success(Mfa::Push));
        if let Some(s) = self.signins.last_mut() {
            set_risk(s, "high", "atRisk", &["anonymizedIPAddress", "unfamiliarFeatures"]);
        }
        self.label(RISKY_SUCCESS, false, vec![e], "Successful sign-in from a Tor exit node with riskLevelDuringSignIn high, riskState atRisk (anonymizedIPAddress, unfamiliarFeatures). The portal CSV has no risk columns.");

        let v = self.cast.risky_nm;
        self.quiet(v, 10);
        let u = self.user(v);
        let hotel = place("108.28.90.14", NEW_YORK, 701);
        let e = self.si(
            SignInKind::Interactive,
            self.ts(10, 15, 0, 18),
            u,
            &OFFICE_HOME,
            &hotel,
            &unmanaged_device(UA_CHROME_MAC),
            Outcome::Success(Mfa::Push),
        );
        if let Some(s) = self.signins.last_mut() {
            set_risk(s, "high", "confirmedSafe", &["unfamiliarFeatures"]);
            s.risk_detail = "adminConfirmedSigninSafe".into();
            s.risk_level_aggregated = "none".into();
        }
        self.label(
            RISKY_SUCCESS,
            true,
            vec![e],
            "High-risk successful sign-in (unfamiliar features: new device on a business trip) that an administrator already confirmed safe (riskState confirmedSafe).",
        );
    }

    fn guests(&mut self) {
        let t = self.t;
        let invite = |p: &mut Planter, time: Timestamp, inviter: &User, email: &str, display: &str| -> Ev {
            let guest_id = p.rng.guid();
            let invitation = p.rng.guid();
            let ext_upn = format!("{}#EXT#@{}", email.replace('@', "_"), p.t.initial_domain);
            let ip = if inviter.office.is_some() {
                OFFICES[inviter.office.unwrap_or(0)].egress.to_string()
            } else {
                inviter.home.ip.clone()
            };
            let a = audit(
                &mut p.rng,
                time,
                "UserManagement",
                "Invite external user",
                "Invited Users",
                "Invite",
                by_user(inviter, &ip),
                vec![AuditTarget { kind: "User".into(), id: guest_id, display: display.into(), upn: ext_upn, modified: vec![] }],
                vec![("invitedUserEmailAddress".into(), email.into()), ("InvitationId".into(), invitation)],
                UA_PORTAL,
            );
            p.push_audit(a)
        };
        let inviter = self.user(self.cast.inviter);
        // The invited guest's display name is a spreadsheet formula.
        let e = invite(
            self,
            self.ts(16, 11, 20, 3),
            inviter,
            "invoices@supplier-payments.example",
            "=HYPERLINK(\"https://supplier-payments.example\",\"Invoices\")",
        );
        self.label(GUEST_INVITE, false, vec![e], &format!("{} (not an approved inviter) invited invoices@supplier-payments.example, whose display name is a spreadsheet formula.", inviter.upn));
        let pm = t.who(Who::PartnerManager);
        let e = invite(self, self.ts(10, 10, 15, 50), pm, "nina.park@northwind.example", "Nina Park (Northwind)");
        self.label(GUEST_INVITE, true, vec![e], "The approved partner manager invited a partner contact.");
    }

    fn domains(&mut self) {
        let t = self.t;
        let add = |p: &mut Planter, time: Timestamp, actor: &User, ip: &str, domain: &str| -> Ev {
            let a = audit(
                &mut p.rng,
                time,
                "DirectoryManagement",
                "Add unverified domain",
                "Core Directory",
                "Add",
                by_user(actor, ip),
                vec![target("Directory", "", domain, vec![ModifiedProperty::new("Name", "", &jstr(domain))])],
                vec![],
                UA_PORTAL,
            );
            p.push_audit(a)
        };
        let rogue = self.user(t.admins[4]);
        let e = add(self, self.ts(18, 22, 40, 8), rogue, "86.7.201.33", "contosohelpdesk.onmicrosoft.com");
        self.label(
            ONMICROSOFT_DOMAIN,
            false,
            vec![e],
            "Domain contosohelpdesk.onmicrosoft.com added to the tenant at 22:40 UTC.",
        );
        let admin = self.user(t.admins[0]);
        let e = add(self, self.ts(9, 16, 0, 29), admin, OFFICES[2].egress, "contoso-events.com");
        self.label(ONMICROSOFT_DOMAIN, true, vec![e], "A custom (not onmicrosoft) domain contoso-events.com added.");
    }

    fn critical_group(&mut self) {
        let t = self.t;
        let rogue = self.user(t.admins[4]);
        let backdoor = self.user(self.cast.backdoor);
        let mut r = self.rng.fork("critical");
        let a = group_change(&mut r, self.ts(17, 23, 20, 12), rogue, backdoor, &t.critical_group, true);
        let e = self.push_audit(a);
        self.label(
            CRITICAL_GROUP,
            false,
            vec![e],
            &format!("{} added to CA-Exclude-BreakGlass, the group excluded from every Conditional Access policy.", backdoor.upn),
        );
        let admin = self.user(t.admins[0]);
        let member = self.user(self.cast.crit_nm_member);
        let a = group_change(&mut r, self.ts(11, 14, 30, 5), admin, member, &t.critical_lookalike, true);
        let e = self.push_audit(a);
        self.label(
            CRITICAL_GROUP,
            true,
            vec![e],
            "Member added to CA-Exclude-BreakGlass-Review: a different group whose name starts like the critical one.",
        );
    }
}

fn set_risk(s: &mut SignInEvent, level: &str, state: &str, events: &[&str]) {
    s.risk_level_during = level.into();
    s.risk_level_aggregated = level.into();
    s.risk_state = state.into();
    s.risk_detail = "none".into();
    s.risk_event_types = events.iter().map(|e| e.to_string()).collect();
}
