//! What every check receives: the dataset, the settings compiled for fast
//! matching, the clock, and facts derived once per run (who is privileged).

use std::collections::HashMap;

use entrascope_core::settings::{BusinessHoursRule, Networks, Patterns};
use entrascope_core::{Evidence, Settings, Timestamp};
use entrascope_logs::{ActorKind, AuditEvent, AuditResult, Dataset, SignIn, Sym};

use crate::refdata;

/// Approved actors per category, compiled.
#[derive(Debug, Default)]
pub struct Approved {
    pub conditional_access: Patterns,
    pub user_management: Patterns,
    pub role_management: Patterns,
    pub guest_invitations: Patterns,
    pub application_management: Patterns,
}

/// The context a check runs in.
pub struct Context<'a> {
    pub ds: &'a Dataset,
    pub settings: &'a Settings,
    /// The clock for age-based logic (`--now`).
    pub now: Timestamp,
    pub break_glass: Patterns,
    pub privileged_patterns: Patterns,
    pub approved: Approved,
    pub critical_groups: Patterns,
    pub trusted_networks: Networks,
    pub sensitive_apps: Patterns,
    pub naming_user: Option<regex_lite::Regex>,
    pub naming_admin: Option<regex_lite::Regex>,
    /// Upper-case two-letter codes.
    pub operating_countries: Vec<String>,
    pub business_hours: Option<BusinessHoursRule>,
    /// Accounts (lower-case UPN or object id) added to a privileged role in
    /// the audit log, with the time of their first such assignment.
    pub learned_privileged: HashMap<String, Timestamp>,
    /// Break-glass and privileged-pattern verdicts of strings of the
    /// dataset, by where they live in its interner (checks ask for every
    /// sign-in, about a few thousand distinct accounts).
    verdicts: std::sync::RwLock<rustc_hash::FxHashMap<(usize, usize), (bool, bool)>>,
}

impl<'a> Context<'a> {
    pub fn new(ds: &'a Dataset, settings: &'a Settings, now: Timestamp) -> Context<'a> {
        let a = &settings.approved_actors;
        let mut cx = Context {
            ds,
            settings,
            now,
            break_glass: Patterns::new(&settings.break_glass_accounts),
            privileged_patterns: Patterns::new(&settings.privileged_accounts),
            approved: Approved {
                conditional_access: Patterns::new(&a.conditional_access),
                user_management: Patterns::new(&a.user_management),
                role_management: Patterns::new(&a.role_management),
                guest_invitations: Patterns::new(&a.guest_invitations),
                application_management: Patterns::new(&a.application_management),
            },
            critical_groups: Patterns::new(&settings.critical_groups),
            trusted_networks: Networks::new(&settings.trusted_networks),
            sensitive_apps: Patterns::new(&settings.sensitive_applications),
            naming_user: settings.naming_policy.user.as_deref().and_then(|r| regex_lite::Regex::new(r).ok()),
            naming_admin: settings.naming_policy.admin.as_deref().and_then(|r| regex_lite::Regex::new(r).ok()),
            operating_countries: settings.operating_countries.iter().map(|c| c.trim().to_ascii_uppercase()).collect(),
            business_hours: settings.business_hours.as_ref().and_then(|b| BusinessHoursRule::compile(b).ok()),
            learned_privileged: HashMap::new(),
            verdicts: Default::default(),
        };
        cx.learned_privileged = learn_privileged(ds);
        cx
    }

    /// Resolves an interned string.
    pub fn s(&self, sym: Sym) -> &'a str {
        self.ds.strings.resolve(sym)
    }

    /// User sign-ins (interactive and non-interactive) with their index.
    pub fn user_signins(&self) -> impl Iterator<Item = (usize, &'a SignIn)> + 'a {
        self.ds.signins.iter().enumerate().filter(|(_, s)| s.kind.is_user())
    }

    /// Successful audit events with their index.
    pub fn audits_ok(&self) -> impl Iterator<Item = (usize, &'a AuditEvent)> + 'a {
        self.ds.audits.iter().enumerate().filter(|(_, a)| a.result == AuditResult::Success || a.result == AuditResult::Unknown)
    }

    pub fn is_break_glass(&self, upn: &str) -> bool {
        self.verdicts(upn).0
    }

    /// (break-glass, named privileged) for `s`, remembered for strings of
    /// the dataset (whose place identifies their text while checks run).
    fn verdicts(&self, s: &str) -> (bool, bool) {
        let compute = || (self.break_glass.matches(s), self.privileged_patterns.matches(s));
        if !self.ds.strings.holds(s) {
            return compute();
        }
        let key = (s.as_ptr() as usize, s.len());
        if let Some(v) = self.verdicts.read().ok().and_then(|m| m.get(&key).copied()) {
            return v;
        }
        let v = compute();
        if let Ok(mut m) = self.verdicts.write() {
            if m.len() < 1 << 20 {
                m.insert(key, v);
            }
        }
        v
    }

    /// Whether the account is privileged at `at`: named in the settings, or
    /// added to a privileged role in the audit log at or before `at`.
    pub fn is_privileged(&self, upn_or_id: &str, at: Timestamp) -> bool {
        if upn_or_id.is_empty() {
            return false;
        }
        let (break_glass, named) = self.verdicts(upn_or_id);
        if named || break_glass {
            return true;
        }
        if self.learned_privileged.is_empty() {
            return false;
        }
        let learned = if upn_or_id.bytes().any(|b| b.is_ascii_uppercase()) || !upn_or_id.is_ascii() {
            self.learned_privileged.get(&upn_or_id.to_lowercase())
        } else {
            self.learned_privileged.get(upn_or_id)
        };
        learned.is_some_and(|t| *t <= at)
    }

    /// Whether privileged accounts are known at all (settings or learned).
    pub fn knows_privileged(&self) -> bool {
        !self.privileged_patterns.is_empty() || !self.learned_privileged.is_empty()
    }

    /// The initiator of an audit event as one string: UPN, else app name.
    pub fn actor(&self, a: &AuditEvent) -> &'a str {
        let i = &a.initiator;
        let pick = |syms: [Sym; 3]| syms.into_iter().find(|s| !s.is_empty()).map(|s| self.s(s)).unwrap_or("");
        match i.kind {
            ActorKind::User => pick([i.upn, i.display, i.user_id]),
            ActorKind::App => pick([i.app_display, i.service_principal_name, i.app_id]),
            ActorKind::None => "",
        }
    }

    /// Evidence for a sign-in: its request id and the fields an analyst reads first.
    pub fn ev_signin(&self, idx: usize) -> Evidence {
        entrascope_logs::view::signin_evidence(self.ds, idx)
    }

    /// Evidence for an audit event: its id (or correlation id) and main fields.
    pub fn ev_audit(&self, idx: usize) -> Evidence {
        entrascope_logs::view::audit_evidence(self.ds, idx)
    }
}

/// Role names in a role-assignment audit event: the target of type `Role`,
/// or the `Role.DisplayName` / `Role.TemplateId` modified properties.
pub fn role_names<'a>(ds: &'a Dataset, a: &AuditEvent) -> Vec<&'a str> {
    let mut out = Vec::new();
    for t in ds.targets(a) {
        if ds.str(t.kind).eq_ignore_ascii_case("Role") && !t.display.is_empty() {
            out.push(ds.str(t.display));
        }
        for p in ds.modified(t) {
            let name = ds.str(p.name);
            if name.eq_ignore_ascii_case("Role.DisplayName") || name.eq_ignore_ascii_case("Role.TemplateId") {
                let v = unquote(ds.str(p.new));
                if !v.is_empty() {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// Strips the JSON-ish quoting exports put around modified-property values:
/// `"x"` or `["x"]` → `x`.
pub fn unquote(v: &str) -> &str {
    let v = v.trim();
    let v = v.strip_prefix('[').and_then(|v| v.strip_suffix(']')).unwrap_or(v).trim();
    v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v)
}

/// Whether the activity name is a role assignment (`Add member to role`,
/// `Add eligible member to role`, their PIM and "outside of PIM" variants).
pub fn is_role_assignment(activity: &str) -> bool {
    let a = activity.to_ascii_lowercase();
    a.starts_with("add ") && a.contains("member to role") && !a.contains("request")
}

fn learn_privileged(ds: &Dataset) -> HashMap<String, Timestamp> {
    let mut out: HashMap<String, Timestamp> = HashMap::new();
    for a in &ds.audits {
        if a.result == AuditResult::Failure || !is_role_assignment(ds.str(a.activity)) {
            continue;
        }
        if !role_names(ds, a).iter().any(|r| refdata::is_privileged_role(r)) {
            continue;
        }
        for t in ds.targets(a) {
            if ds.str(t.kind).eq_ignore_ascii_case("User") {
                for key in [t.upn, t.id] {
                    let k = ds.str(key).to_lowercase();
                    if !k.is_empty() {
                        let e = out.entry(k).or_insert(a.time);
                        *e = (*e).min(a.time);
                    }
                }
            }
        }
    }
    out
}
