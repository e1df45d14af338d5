//! What every check receives: the dataset, the settings compiled for fast
//! matching, the clock, and facts derived once per run (who is privileged).

use entrascope_core::settings::{BusinessHoursRule, Networks, Patterns};
use entrascope_core::{Evidence, Settings, Timestamp};
use entrascope_logs::{ActorKind, AuditEvent, AuditResult, Dataset, SignIn, Sym};
use rustc_hash::FxHashMap;

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
    pub learned_privileged: FxHashMap<String, Timestamp>,
    /// Break-glass, privileged-pattern and learned verdicts of strings of
    /// the dataset, by where they live in its interner (checks ask for every
    /// sign-in, about a few thousand distinct accounts).
    verdicts: std::sync::RwLock<FxHashMap<(usize, usize), Verdict>>,
    /// What checks ask of each distinct audit activity name, worked out once.
    activities: FxHashMap<Sym, Activity>,
    /// Answers to [`Fact`] questions about each string of the dataset, two
    /// bits per question (asked, answer), indexed by symbol: checks ask about
    /// every sign-in's strings, of which there are few distinct ones.
    facts: Box<[std::sync::atomic::AtomicU16]>,
    /// Display names of directory objects, learned from the audit log on
    /// first use (several application checks read them).
    names: std::sync::OnceLock<crate::checks::apps::Names>,
}

/// A yes/no question about one string of the dataset, answered once per
/// distinct string by [`Context::fact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// An authentication method that is multifactor in one step ([`refdata::is_multifactor_method`]).
    MultifactorMethod,
    /// An authentication step requirement naming the second factor ("secondaryAuthentication").
    SecondaryRequirement,
    /// A legacy-authentication client app ([`refdata::is_legacy_client`]).
    LegacyClient,
    /// An application or resource named in the `sensitive_applications` setting.
    SensitiveApp,
    /// An IP address in the `trusted_networks` setting.
    TrustedNetwork,
    /// An account neither break-glass nor privileged (named or learned) at any time.
    Unprivileged,
}

/// What is known of an account name: break-glass, named privileged in the
/// settings, learned privileged from the audit log since a time.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    break_glass: bool,
    named: bool,
    learned: Option<Timestamp>,
}

/// An audit activity name as checks compare it, worked out once per
/// distinct name (audit logs repeat a few hundred names).
#[derive(Debug, Clone)]
pub(crate) struct Activity {
    /// Trimmed, trailing dots removed, ASCII lower case (`audit::activity`).
    pub(crate) lower: Box<str>,
    /// The spelling-independent key of `apps::activity_key`.
    pub(crate) key: Box<str>,
    /// The role event this activity is, before the event's actor is asked
    /// about (`mirror` false), and whether the name mentions PIM.
    pub(crate) role: Option<(crate::checks::audit::RoleEvent, bool)>,
}

impl Activity {
    fn new(name: &str) -> Activity {
        let lower = crate::checks::audit::activity_lower(name);
        let role = crate::checks::audit::role_event_of(&lower).map(|ev| (ev, lower.contains("pim")));
        Activity { key: crate::checks::apps::activity_key(name).into_boxed_str(), lower: lower.into_boxed_str(), role }
    }
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
            learned_privileged: FxHashMap::default(),
            verdicts: Default::default(),
            activities: FxHashMap::default(),
            facts: std::iter::repeat_with(Default::default).take(ds.strings.len()).collect(),
            names: std::sync::OnceLock::new(),
        };
        for a in &ds.audits {
            cx.activities.entry(a.activity).or_insert_with(|| Activity::new(ds.str(a.activity)));
        }
        cx.learned_privileged = learn_privileged(ds);
        cx
    }

    /// The activity of an audit event, worked out once per distinct name.
    pub(crate) fn activity(&self, a: &AuditEvent) -> std::borrow::Cow<'_, Activity> {
        match self.activities.get(&a.activity) {
            Some(x) => std::borrow::Cow::Borrowed(x),
            // Not an event of this dataset.
            None => std::borrow::Cow::Owned(Activity::new(self.s(a.activity))),
        }
    }

    /// The answer to `fact` about the string `sym`, worked out on the first
    /// question (lock-free: checks on several threads may both work it out).
    pub fn fact(&self, sym: Sym, fact: Fact) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let shift = 2 * fact as u16;
        let Some(cell) = self.facts.get(sym.0 as usize) else { return self.answer(self.s(sym), fact) };
        let bits = cell.load(Relaxed) >> shift;
        if bits & 2 != 0 {
            return bits & 1 != 0;
        }
        let answer = self.answer(self.s(sym), fact);
        cell.fetch_or((2 | answer as u16) << shift, Relaxed);
        answer
    }

    fn answer(&self, s: &str, fact: Fact) -> bool {
        match fact {
            Fact::MultifactorMethod => refdata::is_multifactor_method(s),
            Fact::SecondaryRequirement => s.to_ascii_lowercase().contains("secondary"),
            Fact::LegacyClient => refdata::is_legacy_client(s),
            Fact::SensitiveApp => self.sensitive_apps.matches(s),
            Fact::TrustedNetwork => self.trusted_networks.contains(s),
            Fact::Unprivileged => {
                let v = self.verdicts(s);
                !(v.break_glass || v.named || v.learned.is_some())
            }
        }
    }

    /// [`Context::is_privileged`] of a string of the dataset.
    pub fn is_privileged_sym(&self, sym: Sym, at: Timestamp) -> bool {
        !sym.is_empty() && !self.fact(sym, Fact::Unprivileged) && self.is_privileged(self.s(sym), at)
    }

    /// Display names of directory objects by object id ([`crate::checks::apps::Names`]).
    pub(crate) fn names(&self) -> &crate::checks::apps::Names {
        self.names.get_or_init(|| crate::checks::apps::Names::learn(self))
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
        self.verdicts(upn).break_glass
    }

    /// What is known of `s`, remembered for strings of the dataset (whose
    /// place identifies their text while checks run).
    fn verdicts(&self, s: &str) -> Verdict {
        let compute = || Verdict {
            break_glass: self.break_glass.matches(s),
            named: self.privileged_patterns.matches(s),
            learned: self.learned_since(s),
        };
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
        let v = self.verdicts(upn_or_id);
        v.named || v.break_glass || v.learned.is_some_and(|t| t <= at)
    }

    /// When the account was first added to a privileged role in the audit log.
    fn learned_since(&self, upn_or_id: &str) -> Option<Timestamp> {
        if self.learned_privileged.is_empty() {
            return None;
        }
        let learned = if upn_or_id.bytes().any(|b| b.is_ascii_uppercase()) || !upn_or_id.is_ascii() {
            self.learned_privileged.get(&upn_or_id.to_lowercase())
        } else {
            self.learned_privileged.get(upn_or_id)
        };
        learned.copied()
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

fn learn_privileged(ds: &Dataset) -> FxHashMap<String, Timestamp> {
    let mut out: FxHashMap<String, Timestamp> = FxHashMap::default();
    let mut assignment: FxHashMap<Sym, bool> = FxHashMap::default();
    for a in &ds.audits {
        if a.result == AuditResult::Failure {
            continue;
        }
        if !*assignment.entry(a.activity).or_insert_with(|| is_role_assignment(ds.str(a.activity))) {
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
