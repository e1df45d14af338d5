//! The typed record model every export format is read into.
//!
//! Architecture invariant: checks see only these types, never raw columns.
//! A sign-in read from the admin center's CSV, its JSON download, a Graph
//! page, Log Analytics or an Azure Monitor diagnostic record is the same
//! [`SignIn`]. Strings are interned ([`Sym`]); per-row lists (Conditional
//! Access results, authentication steps, audit targets) live in side tables
//! of the [`Dataset`] and rows hold [`Range`]s into them, so a row is a
//! fixed-size, copyable value.

use entrascope_core::Timestamp;
use serde::Serialize;

pub use crate::intern::{Interner, Sym};

/// A record identifier (request id, correlation id, audit id). GUIDs are
/// stored as 16 bytes; anything else is interned. Compact because there are
/// several per row and almost all are unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Id {
    hi: u64,
    lo: u64,
}

const SYM_TAG: u64 = u64::MAX;

impl Id {
    pub const NONE: Id = Id { hi: 0, lo: 0 };

    pub fn is_none(self) -> bool {
        self == Id::NONE
    }

    /// Parses a GUID (with or without braces, any case) or interns the text.
    pub fn new(s: &str, strings: &mut Interner) -> Id {
        let s = s.trim();
        if s.is_empty() {
            return Id::NONE;
        }
        match parse_guid(s) {
            Some(v) if v != 0 && (v >> 64) as u64 != SYM_TAG => Id { hi: (v >> 64) as u64, lo: v as u64 },
            _ => Id { hi: SYM_TAG, lo: strings.intern(s).0 as u64 },
        }
    }

    /// Finds the id of existing text without interning it.
    pub fn lookup(s: &str, strings: &Interner) -> Option<Id> {
        let s = s.trim();
        if s.is_empty() {
            return Some(Id::NONE);
        }
        match parse_guid(s) {
            Some(v) if v != 0 && (v >> 64) as u64 != SYM_TAG => Some(Id { hi: (v >> 64) as u64, lo: v as u64 }),
            _ => strings.get(s).map(|sym| Id { hi: SYM_TAG, lo: sym.0 as u64 }),
        }
    }

    /// The two words of the id (for the byte form of records, `wire`).
    pub(crate) fn parts(self) -> (u64, u64) {
        (self.hi, self.lo)
    }

    /// The symbol of an id that is interned text.
    pub(crate) fn sym(self) -> Option<Sym> {
        (self.hi == SYM_TAG).then_some(Sym(self.lo as u32))
    }

    pub(crate) fn from_sym(s: Sym) -> Id {
        Id { hi: SYM_TAG, lo: s.0 as u64 }
    }

    /// A GUID's words; `None` for the forms reserved for nothing and text.
    pub(crate) fn from_parts(hi: u64, lo: u64) -> Option<Id> {
        (hi != SYM_TAG && (hi, lo) != (0, 0)).then_some(Id { hi, lo })
    }

    /// The same id with its interned text (if any) renumbered by `map`,
    /// for moving records between datasets ([`Dataset::append_records`]).
    pub fn map_sym(self, map: impl Fn(Sym) -> Sym) -> Id {
        if self.hi == SYM_TAG {
            Id { hi: SYM_TAG, lo: map(Sym(self.lo as u32)).0 as u64 }
        } else {
            self
        }
    }

    /// The id as written in exports (GUIDs lower-case, hyphenated).
    pub fn render(self, strings: &Interner) -> String {
        if self.is_none() {
            return String::new();
        }
        if self.hi == SYM_TAG {
            return strings.resolve(Sym(self.lo as u32)).to_string();
        }
        let v = ((self.hi as u128) << 64) | self.lo as u128;
        let h = format!("{v:032x}");
        format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
    }
}

/// Hex digit values; 0x80 marks a byte that is no hex digit.
const HEX: [u8; 256] = {
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Sixteen hex digits from `groups` of the GUID's bytes (no separators).
#[inline]
fn hex64(b: &[u8], groups: &[(usize, usize)]) -> Option<u64> {
    let mut v: u64 = 0;
    let mut bad = 0u8;
    for &(start, end) in groups {
        for &c in b.get(start..end)? {
            let d = HEX[c as usize];
            bad |= d;
            v = (v << 4) | (d & 0x0f) as u64;
        }
    }
    (bad & 0x80 == 0).then_some(v)
}

fn parse_guid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    // Braces count only as a pair around the GUID.
    let b = match b {
        [b'{', inner @ .., b'}'] => inner,
        _ => b,
    };
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let hi = hex64(b, &[(0, 8), (9, 13), (14, 18)])?;
    let lo = hex64(b, &[(19, 23), (24, 36)])?;
    Some(((hi as u128) << 64) | lo as u128)
}

/// A half-open range into one of the dataset's side tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    pub start: u32,
    pub len: u32,
}

impl Range {
    pub fn iter(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }

    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// Yes, no, or not stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize)]
pub enum Tri {
    #[default]
    Unknown,
    No,
    Yes,
}

impl Tri {
    pub fn from_bool(b: Option<bool>) -> Tri {
        match b {
            Some(true) => Tri::Yes,
            Some(false) => Tri::No,
            None => Tri::Unknown,
        }
    }

    pub fn is_yes(self) -> bool {
        self == Tri::Yes
    }
}

/// Which sign-in log a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum SignInKind {
    #[default]
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl SignInKind {
    pub fn is_user(self) -> bool {
        matches!(self, SignInKind::Interactive | SignInKind::NonInteractive)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SignInKind::Interactive => "interactive",
            SignInKind::NonInteractive => "non-interactive",
            SignInKind::ServicePrincipal => "service principal",
            SignInKind::ManagedIdentity => "managed identity",
        }
    }
}

/// The sign-in's outcome as the admin center shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    #[default]
    Success,
    Failure,
    /// Interrupted: the password was right but more was required (MFA,
    /// consent, a Conditional Access step). Error codes such as 50074, 50140.
    Interrupted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthRequirement {
    #[default]
    Unknown,
    SingleFactor,
    MultiFactor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaStatus {
    #[default]
    Unknown,
    Success,
    Failure,
    NotApplied,
}

/// Where a record came from, to cite it as evidence and to re-read it raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Src {
    /// Index into [`Dataset::inputs`].
    pub input: u32,
    /// 1-based line where the record starts (CSV, NDJSON) or its 1-based
    /// ordinal in a JSON array.
    pub line: u32,
    /// Byte offset of the record in the decoded input, and its length.
    pub offset: u64,
    pub len: u32,
}

/// One Conditional Access policy's result on a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaPolicyResult {
    pub id: Sym,
    pub name: Sym,
    /// `success`, `failure`, `notApplied`, `notEnabled`, `reportOnlySuccess`...
    pub result: Sym,
    /// Enforced grant controls, joined with `, `.
    pub grant_controls: Sym,
}

/// One step of authentication (password, push notification...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthStep {
    pub time: Option<Timestamp>,
    /// `Password`, `Mobile app notification`, `Text message`...
    pub method: Sym,
    pub method_detail: Sym,
    pub succeeded: Tri,
    /// `MFA successfully completed`, `MFA denied; user declined the authentication`...
    pub result_detail: Sym,
    /// `Primary authentication` / `Secondary authentication` (AuthDetails `Requirement`).
    pub requirement: Sym,
}

/// A sign-in of any kind: user (interactive or not), service principal or
/// managed identity.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SignIn {
    pub time: Timestamp,
    pub kind: SignInKind,
    pub outcome: Outcome,
    /// 0 on success.
    pub error_code: u32,
    pub auth_requirement: AuthRequirement,
    pub ca_status: CaStatus,
    pub compliant: Tri,
    pub managed: Tri,
    pub flagged_for_review: Tri,
    /// Autonomous system number, 0 when unknown.
    pub asn: u32,
    /// Coordinates when the export has them (Graph `geoCoordinates`); NaN otherwise.
    pub latitude: f32,
    pub longitude: f32,

    pub request_id: Id,
    pub correlation_id: Id,
    pub session_id: Id,
    pub unique_token_id: Id,

    pub user_id: Sym,
    pub user_display: Sym,
    /// User principal name, lower-cased as exports disagree on case.
    pub upn: Sym,
    /// `Member` / `Guest`.
    pub user_type: Sym,
    pub sign_in_identifier: Sym,
    pub app_display: Sym,
    pub app_id: Sym,
    pub resource_display: Sym,
    pub resource_id: Sym,
    pub service_principal_id: Sym,
    pub service_principal_name: Sym,
    pub managed_identity_type: Sym,

    pub ip: Sym,
    pub ip_seen_by_resource: Sym,
    pub city: Sym,
    pub state: Sym,
    /// Two-letter country or region code.
    pub country: Sym,

    pub failure_reason: Sym,
    /// `status.additionalDetails` (e.g. `MFA denied; user declined the authentication`).
    pub status_detail: Sym,
    /// `Browser`, `Mobile Apps and Desktop clients`, `IMAP4`, `Exchange ActiveSync`...
    pub client_app: Sym,
    pub auth_protocol: Sym,
    pub user_agent: Sym,
    pub incoming_token_type: Sym,
    pub token_issuer_type: Sym,
    pub token_issuer_name: Sym,
    pub cross_tenant_access_type: Sym,
    pub home_tenant_id: Sym,
    pub home_tenant_name: Sym,
    pub resource_tenant_id: Sym,

    pub device_id: Sym,
    pub device_name: Sym,
    pub os: Sym,
    pub browser: Sym,
    /// Join type: `Azure AD joined`, `Hybrid Azure AD joined`, `Azure AD registered`.
    pub trust_type: Sym,

    pub mfa_result: Sym,
    pub mfa_method: Sym,
    pub mfa_detail: Sym,

    pub risk_level_during: Sym,
    pub risk_level_aggregated: Sym,
    pub risk_state: Sym,
    pub risk_detail: Sym,
    /// Into [`Dataset::sym_lists`].
    pub risk_event_types: Range,
    /// Into [`Dataset::ca_results`].
    pub ca_policies: Range,
    /// Into [`Dataset::auth_steps`].
    pub auth_steps: Range,

    pub src: Src,
}

/// Who performed an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    #[default]
    None,
    User,
    App,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Initiator {
    pub kind: ActorKind,
    pub user_id: Sym,
    /// Lower-cased.
    pub upn: Sym,
    pub display: Sym,
    pub ip: Sym,
    pub app_id: Sym,
    pub app_display: Sym,
    pub service_principal_id: Sym,
    pub service_principal_name: Sym,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditResult {
    #[default]
    Unknown,
    Success,
    Failure,
    Timeout,
}

/// An audit target (user, group, application, policy...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Target {
    /// `User`, `Group`, `Application`, `ServicePrincipal`, `Policy`, `Role`...
    pub kind: Sym,
    pub id: Sym,
    pub display: Sym,
    /// Lower-cased.
    pub upn: Sym,
    /// Into [`Dataset::props`].
    pub modified: Range,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModifiedProperty {
    pub name: Sym,
    /// As exported: JSON-ish text such as `["x"]`.
    pub old: Sym,
    pub new: Sym,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyValue {
    pub key: Sym,
    pub value: Sym,
}

/// One directory audit event.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AuditEvent {
    pub time: Timestamp,
    pub id: Id,
    pub correlation_id: Id,
    /// `Core Directory`, `PIM`, `Self-service Password Management`...
    pub service: Sym,
    /// `UserManagement`, `RoleManagement`, `Policy`, `ApplicationManagement`...
    pub category: Sym,
    /// `Add member to role`, `Update conditional access policy`...
    pub activity: Sym,
    pub operation_type: Sym,
    pub result: AuditResult,
    pub result_reason: Sym,
    pub user_agent: Sym,
    pub initiator: Initiator,
    /// Into [`Dataset::targets`].
    pub targets: Range,
    /// Into [`Dataset::details`].
    pub details: Range,
    pub src: Src,
}

/// What one input was recognized as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum InputKind {
    #[serde(rename = "signin.interactive")]
    SignInInteractive,
    #[serde(rename = "signin.noninteractive")]
    SignInNonInteractive,
    #[serde(rename = "signin.serviceprincipal")]
    SignInServicePrincipal,
    #[serde(rename = "signin.managedidentity")]
    SignInManagedIdentity,
    /// Sign-ins of several kinds in one file (a Graph export without a filter).
    #[serde(rename = "signin.mixed")]
    SignInMixed,
    #[serde(rename = "signin.authdetails")]
    AuthDetails,
    #[serde(rename = "audit")]
    Audit,
    #[default]
    #[serde(rename = "unknown")]
    Unknown,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::SignInInteractive => "signin.interactive",
            InputKind::SignInNonInteractive => "signin.noninteractive",
            InputKind::SignInServicePrincipal => "signin.serviceprincipal",
            InputKind::SignInManagedIdentity => "signin.managedidentity",
            InputKind::SignInMixed => "signin.mixed",
            InputKind::AuthDetails => "signin.authdetails",
            InputKind::Audit => "audit",
            InputKind::Unknown => "unknown",
        }
    }

    pub fn of_signin(kind: SignInKind) -> InputKind {
        match kind {
            SignInKind::Interactive => InputKind::SignInInteractive,
            SignInKind::NonInteractive => InputKind::SignInNonInteractive,
            SignInKind::ServicePrincipal => InputKind::SignInServicePrincipal,
            SignInKind::ManagedIdentity => InputKind::SignInManagedIdentity,
        }
    }
}

/// The container and dialect of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Entra admin center CSV download.
    PortalCsv,
    /// Entra admin center JSON download (bare array of Graph objects).
    PortalJson,
    /// Microsoft Graph page(s): `{"@odata.context", "value": [...]}`.
    GraphJson,
    /// Graph objects one per line (Extractor Suite SOF-ELK output).
    Ndjson,
    /// Log Analytics / Sentinel export (PascalCase columns), JSON or NDJSON.
    LoganalyticsJson,
    /// Log Analytics / Sentinel CSV export (` [UTC]` headers).
    LoganalyticsCsv,
    /// Azure Monitor diagnostic records (`{"records": [...]}` or one per line).
    AzureMonitorJson,
    #[default]
    Unknown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::PortalCsv => "portal-csv",
            Format::PortalJson => "portal-json",
            Format::GraphJson => "graph-json",
            Format::Ndjson => "ndjson",
            Format::LoganalyticsJson => "loganalytics-json",
            Format::LoganalyticsCsv => "loganalytics-csv",
            Format::AzureMonitorJson => "azure-monitor-json",
            Format::Unknown => "unknown",
        }
    }
}

/// A row that could not be read, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// At most this many rejected rows are kept with their reasons per input;
/// beyond it only the count grows (`rejected_total`).
pub const MAX_REJECTED_KEPT: usize = 10_000;

/// What was read from one input.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub kind: InputKind,
    pub format: Format,
    /// Records read into the model.
    pub records: u64,
    /// Rows that could not be read (the first [`MAX_REJECTED_KEPT`]).
    pub rejected: Vec<Rejected>,
    /// All rejected rows; `records + rejected_total` = rows in the input.
    pub rejected_total: u64,
    pub bytes: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Things worth knowing that are not errors (a round row count that
    /// suggests a truncated download, repaired JSON, an unknown column).
    pub warnings: Vec<String>,
    /// When the whole input could not be read: what was recognized and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl InputInfo {
    pub fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.rejected_total += 1;
        if self.rejected.len() < MAX_REJECTED_KEPT {
            self.rejected.push(Rejected { line, reason: reason.into() });
        }
    }

    pub fn saw(&mut self, t: Timestamp) {
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) && self.warnings.len() < 100 {
            self.warnings.push(w);
        }
    }
}

/// Every record read, with the side tables rows point into.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    pub strings: Interner,
    pub signins: Vec<SignIn>,
    pub audits: Vec<AuditEvent>,
    pub ca_results: Vec<CaPolicyResult>,
    pub auth_steps: Vec<AuthStep>,
    pub targets: Vec<Target>,
    pub props: Vec<ModifiedProperty>,
    pub details: Vec<KeyValue>,
    pub sym_lists: Vec<Sym>,
    pub inputs: Vec<InputInfo>,
    /// Authentication steps from AuthDetails files, keyed by request id,
    /// waiting to be joined to their sign-ins by [`Dataset::finish`].
    pub pending_steps: Vec<(Id, AuthStep)>,
}

impl Dataset {
    pub fn str(&self, s: Sym) -> &str {
        self.strings.resolve(s)
    }

    pub fn ca_policies(&self, s: &SignIn) -> &[CaPolicyResult] {
        &self.ca_results[s.ca_policies.iter()]
    }

    pub fn steps(&self, s: &SignIn) -> &[AuthStep] {
        &self.auth_steps[s.auth_steps.iter()]
    }

    pub fn risk_events(&self, s: &SignIn) -> &[Sym] {
        &self.sym_lists[s.risk_event_types.iter()]
    }

    pub fn targets(&self, a: &AuditEvent) -> &[Target] {
        &self.targets[a.targets.iter()]
    }

    pub fn modified(&self, t: &Target) -> &[ModifiedProperty] {
        &self.props[t.modified.iter()]
    }

    pub fn details(&self, a: &AuditEvent) -> &[KeyValue] {
        &self.details[a.details.iter()]
    }

    /// The value of an audit event's additional detail `key` (case-insensitive).
    pub fn detail(&self, a: &AuditEvent, key: &str) -> Option<&str> {
        self.details(a).iter().find(|kv| self.str(kv.key).eq_ignore_ascii_case(key)).map(|kv| self.str(kv.value))
    }

    /// Appends a list to a side table and returns its range.
    pub fn push_list<T: Copy>(table: &mut Vec<T>, items: &[T]) -> Range {
        let start = table.len() as u32;
        table.extend_from_slice(items);
        Range { start, len: items.len() as u32 }
    }

    /// Joins pending AuthDetails steps to their sign-ins (by request id) and
    /// orders records by time. Call once after all inputs are read.
    pub fn finish(&mut self) {
        if !self.pending_steps.is_empty() {
            let mut pending = std::mem::take(&mut self.pending_steps);
            pending.sort_by_key(|(id, s)| (*id, s.time.map(|t| t.0).unwrap_or(i64::MIN)));
            let mut index: rustc_hash::FxHashMap<Id, usize> = rustc_hash::FxHashMap::default();
            for (i, s) in self.signins.iter().enumerate() {
                if !s.request_id.is_none() && s.auth_steps.is_empty() {
                    index.entry(s.request_id).or_insert(i);
                }
            }
            let mut i = 0;
            while i < pending.len() {
                let id = pending[i].0;
                let mut j = i;
                while j < pending.len() && pending[j].0 == id {
                    j += 1;
                }
                if let Some(&row) = index.get(&id) {
                    let steps: Vec<AuthStep> = pending[i..j].iter().map(|(_, s)| *s).collect();
                    let range = Dataset::push_list(&mut self.auth_steps, &steps);
                    self.signins[row].auth_steps = range;
                }
                i = j;
            }
        }
        sort_rows(&mut self.signins, |s| (s.time.0, s.src.input, s.src.line));
        sort_rows(&mut self.audits, |a| (a.time.0, a.src.input, a.src.line));
    }

    /// What this dataset can answer, for coverage (Connect fields stay 0).
    pub fn availability(&self) -> entrascope_core::Availability {
        let mut a = entrascope_core::Availability::default();
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for s in &self.signins {
            match s.kind {
                SignInKind::Interactive => a.interactive += 1,
                SignInKind::NonInteractive => a.non_interactive += 1,
                SignInKind::ServicePrincipal => a.service_principal += 1,
                SignInKind::ManagedIdentity => a.managed_identity += 1,
            }
            if s.kind.is_user() {
                first = first.min(s.time.0);
                last = last.max(s.time.0);
                if !s.auth_steps.is_empty() || !s.mfa_result.is_empty() || !s.mfa_method.is_empty() {
                    a.auth_details = true;
                }
            }
            if !s.risk_level_during.is_empty() || !s.risk_state.is_empty() || !s.risk_event_types.is_empty() {
                a.signin_risk = true;
            }
        }
        if last >= first {
            a.signin_span_days = (last - first) as f64 / entrascope_core::time::MS_PER_DAY as f64;
        }
        a.audit = self.audits.len() as u64;
        if let (Some(f), Some(l)) = (self.audits.iter().map(|x| x.time.0).min(), self.audits.iter().map(|x| x.time.0).max()) {
            a.audit_span_days = (l - f) as f64 / entrascope_core::time::MS_PER_DAY as f64;
        }
        a
    }

    /// Approximate heap bytes held by the model.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.strings.heap_bytes()
            + self.signins.capacity() * size_of::<SignIn>()
            + self.audits.capacity() * size_of::<AuditEvent>()
            + self.ca_results.capacity() * size_of::<CaPolicyResult>()
            + self.auth_steps.capacity() * size_of::<AuthStep>()
            + self.targets.capacity() * size_of::<Target>()
            + self.props.capacity() * size_of::<ModifiedProperty>()
            + self.details.capacity() * size_of::<KeyValue>()
            + self.sym_lists.capacity() * size_of::<Sym>()
    }
}

/// Orders rows by `key`, ties in their current order (a stable sort),
/// without the stable sort's buffer of half the rows: the keys are sorted
/// with each row's index, then the rows are moved along the permutation's
/// cycles in place. Rows are large (`SignIn` is about 300 bytes) and there
/// may be millions, so this keeps the extra memory at 4 bytes a row (plus
/// 24 while sorting the keys) and moves each row once.
fn sort_rows<T: Copy>(rows: &mut [T], key: impl Fn(&T) -> (i64, u32, u32)) {
    if rows.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        return;
    }
    let mut order: Vec<(i64, u32, u32, u32)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (a, b, c) = key(r);
            (a, b, c, i as u32)
        })
        .collect();
    order.sort_unstable();
    let mut from: Vec<u32> = order.into_iter().map(|o| o.3).collect();
    // rows[i] takes the row now at from[i]; a done position gets from[i] = i.
    for start in 0..rows.len() {
        if from[start] as usize == start {
            continue;
        }
        let first = rows[start];
        let mut at = start;
        loop {
            let next = from[at] as usize;
            from[at] = at as u32;
            if next == start {
                rows[at] = first;
                break;
            }
            rows[at] = rows[next];
            at = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_rows_is_a_stable_sort() {
        let mut state = 7u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        for n in [0usize, 1, 2, 3, 10, 1000] {
            // (time, input, line, payload): few distinct keys so ties are common.
            let rows: Vec<(i64, u32, u32, u32)> =
                (0..n as u32).map(|i| ((next() % 7) as i64, next() % 2, next() % 3, i)).collect();
            let mut expected = rows.clone();
            expected.sort_by_key(|r| (r.0, r.1, r.2));
            let mut got = rows.clone();
            sort_rows(&mut got, |r| (r.0, r.1, r.2));
            assert_eq!(got, expected, "n = {n}");
            let mut reversed: Vec<_> = expected.iter().rev().copied().collect();
            let mut expected_rev = reversed.clone();
            expected_rev.sort_by_key(|r| (r.0, r.1, r.2));
            sort_rows(&mut reversed, |r| (r.0, r.1, r.2));
            assert_eq!(reversed, expected_rev, "reversed, n = {n}");
        }
    }

    #[test]
    fn guids_parse_with_and_without_braces_and_reject_the_rest() {
        assert_eq!(parse_guid("5b1c0000-aaaa-4bbb-8ccc-0123456789ab"), Some(0x5b1c0000_aaaa_4bbb_8ccc_0123456789ab));
        assert_eq!(parse_guid("{5B1C0000-AAAA-4BBB-8CCC-0123456789AB}"), Some(0x5b1c0000_aaaa_4bbb_8ccc_0123456789ab));
        for bad in [
            "",
            "{5b1c0000-aaaa-4bbb-8ccc-0123456789ab",
            "5b1c0000-aaaa-4bbb-8ccc-0123456789ag",
            "5b1c0000aaaaa4bbb-8ccc-0123456789ab",
            "5b1c0000-aaaa-4bbb-8ccc-0123456789abc",
            "é".repeat(18).as_str(),
        ] {
            assert_eq!(parse_guid(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_round_trip() {
        let mut s = Interner::new();
        let g = Id::new("5B1C0000-AAAA-4BBB-8CCC-0123456789AB", &mut s);
        assert_eq!(g.render(&s), "5b1c0000-aaaa-4bbb-8ccc-0123456789ab");
        assert_eq!(Id::new("{5b1c0000-aaaa-4bbb-8ccc-0123456789ab}", &mut s), g);
        let d = Id::new("Directory_10065ffb_AUMVX_13992832", &mut s);
        assert_eq!(d.render(&s), "Directory_10065ffb_AUMVX_13992832");
        assert_eq!(Id::lookup("Directory_10065ffb_AUMVX_13992832", &s), Some(d));
        assert!(Id::new("  ", &mut s).is_none());
        assert_eq!(std::mem::size_of::<Id>(), 16);
    }
}
