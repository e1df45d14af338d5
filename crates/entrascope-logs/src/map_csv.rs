//! CSV columns onto the record model, by normalized header name (never by
//! position): the admin center's sign-in downloads (every header version,
//! user, application and managed-identity tabs), its AuthDetails file, its
//! audit download (86 flattened columns), and Log Analytics CSV exports
//! (mapped through the JSON mapper, since their columns are the table's).

use serde_json::{Map, Value};

use crate::csv::{normalize_header, plain_header, Row};
use crate::detect::READS;
use crate::map_json;
use crate::model::*;
use crate::norm::{self, Enum};
use crate::sink::{self, sym, sym_enum, sym_lower, sym_msi, FileState};

/// A sign-in column of the admin center's CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Time,
    RequestId,
    UserAgent,
    CorrelationId,
    UserId,
    User,
    Username,
    UserType,
    CrossTenant,
    IncomingTokenType,
    AuthProtocol,
    UniqueTokenId,
    Application,
    ApplicationId,
    Resource,
    ResourceId,
    ResourceTenantId,
    HomeTenantId,
    HomeTenantName,
    Ip,
    Location,
    Status,
    ErrorCode,
    FailureReason,
    ClientApp,
    DeviceId,
    DeviceName,
    Browser,
    Os,
    Compliant,
    Managed,
    JoinType,
    MfaResult,
    MfaMethod,
    MfaDetail,
    AuthRequirement,
    SignInIdentifier,
    SessionId,
    IpSeenByResource,
    Asn,
    Flagged,
    TokenIssuerType,
    TokenIssuerName,
    ConditionalAccess,
    ManagedIdentityType,
    ServicePrincipalId,
    ServicePrincipalName,
}

const SIGNIN_COLUMNS: &[(&str, F)] = &[
    ("date (utc)", F::Time),
    ("date", F::Time),
    ("request id", F::RequestId),
    ("user agent", F::UserAgent),
    ("correlation id", F::CorrelationId),
    ("user id", F::UserId),
    ("user", F::User),
    ("username", F::Username),
    ("user type", F::UserType),
    ("cross tenant access type", F::CrossTenant),
    ("incoming token type", F::IncomingTokenType),
    ("authentication protocol", F::AuthProtocol),
    ("unique token identifier", F::UniqueTokenId),
    ("application", F::Application),
    ("application id", F::ApplicationId),
    ("resource", F::Resource),
    ("resource id", F::ResourceId),
    ("resource tenant id", F::ResourceTenantId),
    ("home tenant id", F::HomeTenantId),
    ("home tenant name", F::HomeTenantName),
    ("ip address", F::Ip),
    ("location", F::Location),
    ("status", F::Status),
    ("sign-in error code", F::ErrorCode),
    ("failure reason", F::FailureReason),
    ("client app", F::ClientApp),
    ("device id", F::DeviceId),
    ("device name", F::DeviceName),
    ("browser", F::Browser),
    ("operating system", F::Os),
    ("compliant", F::Compliant),
    ("managed", F::Managed),
    ("join type", F::JoinType),
    ("multifactor authentication result", F::MfaResult),
    ("multifactor authentication auth method", F::MfaMethod),
    ("multifactor authentication auth detail", F::MfaDetail),
    ("authentication requirement", F::AuthRequirement),
    ("sign-in identifier", F::SignInIdentifier),
    ("session id", F::SessionId),
    ("ip address (seen by resource)", F::IpSeenByResource),
    ("autonomous system number", F::Asn),
    ("flagged for review", F::Flagged),
    ("token issuer type", F::TokenIssuerType),
    ("token issuer name", F::TokenIssuerName),
    ("conditional access", F::ConditionalAccess),
    ("managed identity type", F::ManagedIdentityType),
    ("service principal id", F::ServicePrincipalId),
    ("service principal name", F::ServicePrincipalName),
];

/// Incoming token types only non-interactive sign-ins have (a token
/// redeemed without the user). `None` and `Primary refresh token` occur in
/// both logs, so they say nothing.
const NONINTERACTIVE_TOKENS: &[&str] = &["refreshToken", "accessToken"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuditCol {
    Time,
    Id,
    CorrelationId,
    Service,
    Category,
    Activity,
    OperationType,
    Result,
    ResultReason,
    UserAgent,
    ActorType,
    ActorDisplay,
    ActorObjectId,
    ActorUpn,
    Ip,
    ActorSpId,
    ActorSpName,
    /// Target N (1-based) field.
    Target(u8, TargetCol),
    /// Additional detail N key (false) / value (true).
    Detail(u8, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetCol {
    Type,
    Display,
    ObjectId,
    Upn,
    /// Modified property M: 0 name, 1 old, 2 new.
    Prop(u8, u8),
}

fn audit_col(name: &str) -> Option<AuditCol> {
    use AuditCol::*;
    Some(match name {
        "date (utc)" | "date" | "activity date (utc)" => Time,
        "id" => Id,
        "correlationid" | "correlation id" => CorrelationId,
        "service" => Service,
        "category" => Category,
        "activity" => Activity,
        "operationtype" | "operation type" => OperationType,
        "result" | "status" => Result,
        "resultreason" | "result reason" | "status reason" => ResultReason,
        "user agent" | "useragent" => UserAgent,
        "actortype" => ActorType,
        "actordisplayname" => ActorDisplay,
        "actorobjectid" => ActorObjectId,
        "actoruserprincipalname" => ActorUpn,
        "ipaddress" | "ip address" => Ip,
        "actorserviceprincipalid" => ActorSpId,
        "actorserviceprincipalname" => ActorSpName,
        _ => {
            if let Some(rest) = name.strip_prefix("additionaldetail") {
                let (n, tail) = leading_number(rest)?;
                return match tail {
                    "key" => Some(Detail(n, false)),
                    "value" => Some(Detail(n, true)),
                    _ => None,
                };
            }
            let rest = name.strip_prefix("target")?;
            let (n, tail) = leading_number(rest)?;
            let tc = match tail {
                "type" => TargetCol::Type,
                "displayname" => TargetCol::Display,
                "objectid" => TargetCol::ObjectId,
                "userprincipalname" => TargetCol::Upn,
                _ => {
                    let rest = tail.strip_prefix("modifiedproperty")?;
                    let (m, tail) = leading_number(rest)?;
                    let which = match tail {
                        "name" => 0,
                        "oldvalue" => 1,
                        "newvalue" => 2,
                        _ => return None,
                    };
                    TargetCol::Prop(m, which)
                }
            };
            Target(n, tc)
        }
    })
}

fn leading_number(s: &str) -> Option<(u8, &str)> {
    let end = s.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    let n: u8 = s[..end].parse().ok()?;
    (n > 0).then_some((n, &s[end..]))
}

enum Mapper {
    SignIn(SignInCols),
    AuthDetails(AuthCols),
    Audit(AuditCols),
    LogAnalytics(Vec<String>),
}

struct SignInCols {
    cols: Vec<(usize, F)>,
    /// The file has "Service principal ID" and no user columns.
    app_file: bool,
    nonint_tokens: u64,
    cache: ColumnCache,
}

/// Values recently interned, per column: most columns repeat a few values
/// (applications, tenants, locations, browsers), and comparing a value with
/// the one last seen in its slot is cheaper than a lookup in the interner's
/// table, which holds millions of strings (unique token ids) and is mostly
/// out of cache. A slot only ever answers with the symbol of the very same
/// text, so results are exactly those of [`Interner::intern`].
struct ColumnCache {
    slots: Vec<Sym>,
}

/// Slots per column (a power of two).
const CACHE_WAYS: usize = 64;

impl ColumnCache {
    fn new(columns: usize) -> ColumnCache {
        ColumnCache { slots: vec![Sym::EMPTY; columns * CACHE_WAYS] }
    }

    #[inline]
    fn intern(&mut self, st: &mut Interner, column: usize, v: &str) -> Sym {
        let b = v.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else { return Sym::EMPTY };
        let mid = b.get(b.len() / 2).copied().unwrap_or(0) as usize;
        let way = (b.len().wrapping_mul(31) ^ first as usize ^ ((last as usize) << 3) ^ (mid << 1)) & (CACHE_WAYS - 1);
        let i = column * CACHE_WAYS + way;
        if let Some(&sym) = self.slots.get(i) {
            if !sym.is_empty() && crate::intern::same_bytes(st.resolve(sym).as_bytes(), b) {
                return sym;
            }
        }
        let sym = st.intern(v);
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = sym;
        }
        sym
    }
}

struct AuthCols {
    request: usize,
    time: Option<usize>,
    method: Option<usize>,
    detail: Option<usize>,
    requirement: Option<usize>,
    succeeded: Option<usize>,
    result: Option<usize>,
}

struct AuditCols {
    cols: Vec<(usize, AuditCol)>,
    targets: Vec<(Target, Vec<ModifiedProperty>, bool)>,
    details: Vec<KeyValue>,
}

/// Maps the rows of one CSV input.
pub struct CsvMapper {
    m: Mapper,
}

/// Common non-English header words (French, German, Spanish, Portuguese,
/// Italian, Dutch) of the admin center's sign-in and audit columns.
const FOREIGN_HEADERS: &[&str] = &[
    "date (utc)",
    "adresse ip",
    "ip-adresse",
    "dirección ip",
    "endereço ip",
    "indirizzo ip",
    "ip-adres",
    "utilisateur",
    "benutzer",
    "usuario",
    "usuário",
    "utente",
    "gebruiker",
    "état",
    "statut",
    "estado",
    "stato",
    "aktivität",
    "activité",
    "actividad",
];

impl CsvMapper {
    /// Chooses the mapping from the header; `Err` says why the input cannot be read.
    pub fn from_header(raw: &[String], fs: &mut FileState) -> Result<CsvMapper, String> {
        let names: Vec<String> = raw.iter().map(|h| normalize_header(h)).collect();
        let has = |n: &str| names.iter().any(|x| x == n);
        let find = |n: &str| names.iter().position(|x| x == n);

        let la = has("timegenerated")
            || has("createddatetime")
            || has("activitydatetime")
            || (has("resulttype") && has("operationname"));
        if la {
            fs.format = Format::LoganalyticsCsv;
            return Ok(CsvMapper { m: Mapper::LogAnalytics(raw.iter().map(|h| plain_header(h)).collect()) });
        }
        if has("authentication method") && has("request id") && !has("username") && !has("user") && !has("application") {
            fs.format = Format::PortalCsv;
            fs.header_kind = Some(InputKind::AuthDetails);
            return Ok(CsvMapper {
                m: Mapper::AuthDetails(AuthCols {
                    request: find("request id").unwrap_or(0),
                    time: find("date (utc)").or_else(|| find("date")).or_else(|| find("time")),
                    method: find("authentication method"),
                    detail: find("authentication method detail"),
                    requirement: find("requirement"),
                    succeeded: find("succeeded"),
                    result: find("result detail"),
                }),
            });
        }
        if has("activity") && (has("actortype") || has("target1type") || has("correlationid") || has("service")) {
            fs.format = Format::PortalCsv;
            let cols: Vec<(usize, AuditCol)> =
                names.iter().enumerate().filter_map(|(i, n)| audit_col(n).map(|c| (i, c))).collect();
            fs.header_kind = Some(InputKind::Audit);
            if !cols.iter().any(|(_, c)| *c == AuditCol::Time) {
                return Err("an audit CSV without a \"Date (UTC)\" column".into());
            }
            return Ok(CsvMapper { m: Mapper::Audit(AuditCols { cols, targets: Vec::new(), details: Vec::new() }) });
        }
        let signin_marks = ["request id", "username", "sign-in error code", "service principal id", "correlation id"];
        if (has("date (utc)") || has("date")) && signin_marks.iter().filter(|m| has(m)).count() >= 2 {
            fs.format = Format::PortalCsv;
            let mut cols = Vec::new();
            for (i, n) in names.iter().enumerate() {
                if let Some((_, f)) = SIGNIN_COLUMNS.iter().find(|(name, _)| name == n) {
                    cols.push((i, *f));
                }
            }
            let app_file = has("service principal id") && !has("username") && !has("user");
            fs.header_kind = Some(if !app_file {
                InputKind::of_signin(fs.name_hint.filter(|k| k.is_user()).unwrap_or(SignInKind::Interactive))
            } else if fs.name_hint == Some(SignInKind::ManagedIdentity) {
                InputKind::SignInManagedIdentity
            } else {
                InputKind::SignInServicePrincipal
            });
            // One cache column per mapped column, three for a location's parts.
            let cache = ColumnCache::new(cols.len() + 3);
            return Ok(CsvMapper { m: Mapper::SignIn(SignInCols { cols, app_file, nonint_tokens: 0, cache }) });
        }
        let non_ascii: Vec<&String> = raw.iter().filter(|h| !h.is_ascii()).collect();
        if !non_ascii.is_empty() || names.iter().any(|n| FOREIGN_HEADERS.contains(&n.as_str()) && n != "date (utc)") {
            let sample: Vec<&str> = raw.iter().filter(|h| !h.trim().is_empty()).take(4).map(|s| s.trim()).collect();
            return Err(format!(
                "a CSV whose column names are not in English ({}): entrascope reads the English export only; switch the admin center to English (Settings → Language and region) and download again",
                sample.join(", ")
            ));
        }
        let sample: Vec<&str> = raw.iter().take(5).map(|s| s.trim()).collect();
        Err(format!("a CSV file whose columns ({}…) match no Entra export; {READS}", sample.join(", ")))
    }

    /// Maps one row; `Err(reason)` rejects it.
    pub fn row(&mut self, ds: &mut Dataset, fs: &mut FileState, row: &Row, src: Src) -> Result<(), String> {
        match &mut self.m {
            Mapper::SignIn(c) => signin_row(c, ds, fs, row, src),
            Mapper::AuthDetails(c) => auth_row(c, ds, fs, row),
            Mapper::Audit(c) => audit_row(c, ds, fs, row, src),
            Mapper::LogAnalytics(names) => {
                let mut o = Map::with_capacity(names.len());
                for (i, n) in names.iter().enumerate() {
                    let v = norm::strip_excel(row.get(i));
                    if !v.is_empty() && !o.contains_key(n) {
                        o.insert(n.clone(), Value::String(v.to_string()));
                    }
                }
                map_json::map_value(ds, fs, &Value::Object(o), src).map(|_| ())
            }
        }
    }

    /// What kind of mapping this is and a fingerprint of its columns: two
    /// mappers with the same fingerprint map rows the same way (a later
    /// part of the same input read on its own). Log Analytics rows go
    /// through the JSON mapper, whose per-file state is not joined: kind 0,
    /// which joins nothing.
    pub fn fingerprint(&self) -> (u8, u64) {
        use std::hash::{Hash, Hasher};
        match &self.m {
            Mapper::SignIn(c) => {
                let mut h = rustc_hash::FxHasher::default();
                c.app_file.hash(&mut h);
                for (i, f) in &c.cols {
                    i.hash(&mut h);
                    format!("{f:?}").hash(&mut h);
                }
                (1, h.finish())
            }
            Mapper::AuthDetails(_) => (2, 0),
            Mapper::Audit(_) => (3, 0),
            Mapper::LogAnalytics(_) => (0, 0),
        }
    }

    /// Refresh or access tokens seen (what settles interactive vs not).
    pub fn nonint_tokens(&self) -> u64 {
        match &self.m {
            Mapper::SignIn(c) => c.nonint_tokens,
            _ => 0,
        }
    }

    /// Adds what a later part of the same input counted.
    pub fn add_nonint_tokens(&mut self, n: u64) {
        if let Mapper::SignIn(c) = &mut self.m {
            c.nonint_tokens += n;
        }
    }

    /// After the last row: settles interactive vs non-interactive for the
    /// admin center's user sign-in files, which share one header. Content
    /// first: a sign-in that redeemed a refresh or access token is
    /// non-interactive by definition. When no row says so, the file name
    /// (`NonInteractiveSignIns_…`) decides, with a warning; without a name
    /// either, interactive, with a warning.
    pub fn finish(&mut self, ds: &mut Dataset, fs: &mut FileState, path: &str) {
        let Mapper::SignIn(c) = &self.m else { return };
        if c.app_file {
            return;
        }
        let verdict = (c.nonint_tokens > 0).then_some(SignInKind::NonInteractive);
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let hint = fs.name_hint.filter(|k| k.is_user());
        let kind = match (verdict, hint) {
            (Some(v), Some(h)) if v != h => {
                sink::warn(
                    ds,
                    fs,
                    format!(
                        "the file name {name:?} suggests {} sign-ins but the rows' incoming token types say {}; read as {}",
                        h.as_str(),
                        v.as_str(),
                        v.as_str()
                    ),
                );
                v
            }
            (Some(v), _) => v,
            (None, Some(SignInKind::Interactive)) => SignInKind::Interactive,
            (None, Some(h)) => {
                sink::warn(ds, fs, format!("the rows cannot tell interactive from non-interactive sign-ins (no refresh-token sign-ins); read as {} from the file name", h.as_str()));
                h
            }
            (None, None) => {
                if ds.signins.len() > fs.signin_start {
                    sink::warn(ds, fs, "the rows cannot tell interactive from non-interactive sign-ins and the file name does not say; read as interactive");
                }
                SignInKind::Interactive
            }
        };
        if kind != SignInKind::Interactive {
            for s in &mut ds.signins[fs.signin_start..] {
                if s.kind == SignInKind::Interactive && s.src.input == fs.input {
                    s.kind = kind;
                    fs.kinds[sink::kind_index(SignInKind::Interactive)] -= 1;
                    fs.kinds[sink::kind_index(kind)] += 1;
                }
            }
        }
    }
}

fn signin_row(c: &mut SignInCols, ds: &mut Dataset, fs: &mut FileState, row: &Row, src: Src) -> Result<(), String> {
    let st = &mut ds.strings;
    let mut s = SignIn { src, latitude: f32::NAN, longitude: f32::NAN, ..Default::default() };
    let mut time_text = "";
    let mut status = "";
    let mut code_text = "";
    let mut failure = "";
    let ncols = c.cols.len();
    let cache = &mut c.cache;
    for (col, &(i, f)) in c.cols.iter().enumerate() {
        let v = norm::strip_excel(row.get(i));
        if v.is_empty() {
            continue;
        }
        match f {
            F::Time => time_text = v,
            F::RequestId => s.request_id = Id::new(v, st),
            F::UserAgent => s.user_agent = cache.intern(st, col, v),
            F::CorrelationId => s.correlation_id = Id::new(v, st),
            F::UserId => s.user_id = cache.intern(st, col, v),
            F::User => s.user_display = cache.intern(st, col, v),
            F::Username => {
                s.upn = if norm::has_upper(v) { sym_lower(st, &mut fs.scratch, v) } else { cache.intern(st, col, v) };
            }
            F::UserType => s.user_type = sym_enum(st, Enum::UserType, v),
            F::CrossTenant => s.cross_tenant_access_type = sym_enum(st, Enum::CrossTenant, v),
            F::IncomingTokenType => {
                // The header has this column twice; the first value wins.
                if s.incoming_token_type.is_empty() {
                    s.incoming_token_type = sym_enum(st, Enum::IncomingTokenType, v);
                }
            }
            F::AuthProtocol => s.auth_protocol = sym_enum(st, Enum::AuthProtocol, v),
            F::UniqueTokenId => s.unique_token_id = Id::new(v, st),
            F::Application => s.app_display = cache.intern(st, col, v),
            F::ApplicationId => s.app_id = cache.intern(st, col, v),
            F::Resource => s.resource_display = cache.intern(st, col, v),
            F::ResourceId => s.resource_id = cache.intern(st, col, v),
            F::ResourceTenantId => s.resource_tenant_id = cache.intern(st, col, v),
            F::HomeTenantId => s.home_tenant_id = cache.intern(st, col, v),
            F::HomeTenantName => s.home_tenant_name = cache.intern(st, col, v),
            F::Ip => s.ip = cache.intern(st, col, v),
            F::Location => {
                let (city, state, country) = norm::split_location(v);
                s.city = cache.intern(st, ncols, city);
                s.state = cache.intern(st, ncols + 1, state);
                s.country = cache.intern(st, ncols + 2, country);
            }
            F::Status => status = v,
            F::ErrorCode => code_text = v,
            F::FailureReason => failure = v,
            F::ClientApp => s.client_app = cache.intern(st, col, v),
            F::DeviceId => s.device_id = cache.intern(st, col, v),
            F::DeviceName => s.device_name = cache.intern(st, col, v),
            F::Browser => s.browser = cache.intern(st, col, v),
            F::Os => s.os = cache.intern(st, col, v),
            F::Compliant => s.compliant = norm::tri(v),
            F::Managed => s.managed = norm::tri(v),
            F::JoinType => s.trust_type = cache.intern(st, col, v),
            F::MfaResult => s.mfa_result = cache.intern(st, col, v),
            F::MfaMethod => s.mfa_method = cache.intern(st, col, v),
            F::MfaDetail => s.mfa_detail = cache.intern(st, col, v),
            F::AuthRequirement => s.auth_requirement = norm::auth_requirement(v),
            F::SignInIdentifier => s.sign_in_identifier = cache.intern(st, col, v),
            F::SessionId => s.session_id = Id::new(v, st),
            F::IpSeenByResource => s.ip_seen_by_resource = cache.intern(st, col, v),
            F::Asn => s.asn = norm::error_code(v).unwrap_or(0),
            F::Flagged => s.flagged_for_review = norm::tri(v),
            F::TokenIssuerType => s.token_issuer_type = sym_enum(st, Enum::TokenIssuerType, v),
            F::TokenIssuerName => s.token_issuer_name = cache.intern(st, col, v),
            F::ConditionalAccess => s.ca_status = norm::ca_status(v),
            F::ManagedIdentityType => s.managed_identity_type = sym_msi(st, v),
            F::ServicePrincipalId => s.service_principal_id = cache.intern(st, col, v),
            F::ServicePrincipalName => s.service_principal_name = cache.intern(st, col, v),
        }
    }
    s.time = norm::required_time("date", time_text, &mut fs.order)?;
    let code = norm::error_code(code_text).ok_or_else(|| format!("sign-in error code {code_text:?} is not a number"))?;
    s.error_code = code;
    s.outcome = norm::outcome(status, code);
    if code != 0 {
        s.failure_reason = sym(st, failure);
    }
    s.kind = if c.app_file {
        // A managed identity type on the row, else the file name (MSISignIns_…):
        // the MSI tab's columns are those of the application tab plus a few.
        if !s.managed_identity_type.is_empty() || fs.name_hint == Some(SignInKind::ManagedIdentity) {
            SignInKind::ManagedIdentity
        } else {
            SignInKind::ServicePrincipal
        }
    } else {
        let tok = ds.strings.resolve(s.incoming_token_type);
        if NONINTERACTIVE_TOKENS.contains(&tok) {
            c.nonint_tokens += 1;
        }
        SignInKind::Interactive
    };
    sink::push_signin(ds, fs, s);
    Ok(())
}

fn auth_row(c: &AuthCols, ds: &mut Dataset, fs: &mut FileState, row: &Row) -> Result<(), String> {
    let get = |i: Option<usize>| i.map(|i| norm::strip_excel(row.get(i))).unwrap_or("");
    let rid = norm::strip_excel(row.get(c.request));
    if rid.is_empty() {
        return Err("no Request ID".into());
    }
    let st = &mut ds.strings;
    let id = Id::new(rid, st);
    let time_text = get(c.time);
    let time = norm::time(time_text, &mut fs.order);
    if time.is_none() && !time_text.is_empty() {
        return Err(norm::bad_time("date", time_text));
    }
    let step = AuthStep {
        time,
        method: st.intern(get(c.method)),
        method_detail: st.intern(get(c.detail)),
        succeeded: norm::tri(get(c.succeeded)),
        result_detail: st.intern(get(c.result)),
        requirement: st.intern(get(c.requirement)),
    };
    sink::push_step(ds, fs, id, step);
    Ok(())
}

fn audit_row(c: &mut AuditCols, ds: &mut Dataset, fs: &mut FileState, row: &Row, src: Src) -> Result<(), String> {
    use AuditCol as A;
    let st = &mut ds.strings;
    let mut a = AuditEvent { src, ..Default::default() };
    let mut time_text = "";
    let (mut actor_type, mut actor_display, mut actor_id, mut actor_upn, mut ip, mut sp_id, mut sp_name) =
        ("", "", "", "", "", "", "");
    c.targets.clear();
    c.details.clear();
    let mut ua = "";
    let mut detail_ua = "";
    let mut pending_key: Option<(u8, &str)> = None;
    for &(i, col) in &c.cols {
        let raw = row.get(i);
        let v = norm::strip_excel(raw);
        match col {
            A::Time => time_text = v,
            A::Id => a.id = Id::new(v, st),
            A::CorrelationId => a.correlation_id = Id::new(v, st),
            A::Service => a.service = st.intern(v),
            A::Category => a.category = st.intern(v),
            A::Activity => a.activity = st.intern(v),
            A::OperationType => a.operation_type = st.intern(v),
            A::Result => a.result = norm::audit_result(v),
            A::ResultReason => a.result_reason = st.intern(v),
            A::UserAgent => ua = v,
            A::ActorType => actor_type = v,
            A::ActorDisplay => actor_display = v,
            A::ActorObjectId => actor_id = v,
            A::ActorUpn => actor_upn = v,
            A::Ip => ip = v,
            A::ActorSpId => sp_id = v,
            A::ActorSpName => sp_name = v,
            A::Target(n, tc) => {
                let n = n as usize;
                while c.targets.len() < n {
                    c.targets.push((Target::default(), Vec::new(), false));
                }
                let (t, props, used) = &mut c.targets[n - 1];
                if v.is_empty() {
                    // Still note a modified property's presence below.
                    if !matches!(tc, TargetCol::Prop(..)) {
                        continue;
                    }
                }
                match tc {
                    TargetCol::Type => t.kind = st.intern(v),
                    TargetCol::Display => t.display = st.intern(v),
                    TargetCol::ObjectId => t.id = st.intern(v),
                    TargetCol::Upn => t.upn = sym_lower(st, &mut fs.scratch, v),
                    TargetCol::Prop(m, which) => {
                        let m = m as usize;
                        while props.len() < m {
                            props.push(ModifiedProperty::default());
                        }
                        let p = &mut props[m - 1];
                        // Old and new values are kept as exported (not trimmed).
                        match which {
                            0 => p.name = st.intern(v),
                            1 => p.old = st.intern(raw),
                            _ => p.new = st.intern(raw),
                        }
                        if v.is_empty() {
                            continue;
                        }
                    }
                }
                *used = true;
            }
            A::Detail(n, is_value) => {
                if !is_value {
                    pending_key = Some((n, v));
                } else if let Some((k, key)) = pending_key.take() {
                    if k == n && !(key.is_empty() && v.is_empty()) {
                        if key.eq_ignore_ascii_case("User-Agent") {
                            detail_ua = v;
                        }
                        c.details.push(KeyValue { key: st.intern(key), value: st.intern(raw) });
                    }
                }
            }
        }
    }
    a.time = norm::required_time("date", time_text, &mut fs.order)?;
    a.user_agent = st.intern(if ua.is_empty() { detail_ua } else { ua });
    let at = norm::key(actor_type);
    let is_user = at == "user" || (at.is_empty() && !actor_upn.is_empty());
    let is_app = matches!(at.as_str(), "application" | "app" | "serviceprincipal")
        || (at.is_empty() && !is_user && (!sp_id.is_empty() || !sp_name.is_empty() || !actor_display.is_empty()));
    let mut i = Initiator { ip: st.intern(ip), ..Default::default() };
    if is_user {
        i.kind = ActorKind::User;
        i.user_id = st.intern(actor_id);
        i.upn = sym_lower(st, &mut fs.scratch, actor_upn);
        i.display = st.intern(actor_display);
    } else if is_app {
        // An app acts through its service principal, whose object id this is;
        // the CSV has no application (client) id.
        i.kind = ActorKind::App;
        i.app_display = st.intern(actor_display);
        i.service_principal_id = st.intern(if sp_id.is_empty() { actor_id } else { sp_id });
        i.service_principal_name = st.intern(sp_name);
    }
    a.initiator = i;
    let mut targets = Vec::with_capacity(c.targets.len());
    for (t, props, used) in c.targets.iter_mut() {
        if !*used {
            continue;
        }
        props.retain(|p| !(p.name.is_empty() && p.old.is_empty() && p.new.is_empty()));
        t.modified = Dataset::push_list(&mut ds.props, props);
        targets.push(*t);
    }
    a.targets = Dataset::push_list(&mut ds.targets, &targets);
    a.details = Dataset::push_list(&mut ds.details, &c.details);
    sink::push_audit(ds, fs, a);
    Ok(())
}
