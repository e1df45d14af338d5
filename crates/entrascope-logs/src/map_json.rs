//! JSON values onto the record model: Microsoft Graph `signIn` and
//! `directoryAudit` objects (camelCase), Log Analytics / Sentinel rows
//! (PascalCase; dynamic columns may be strings holding JSON), Azure Monitor
//! diagnostic records (`properties` holds the Graph object) and
//! Panther-normalized rows. Keys are resolved case-insensitively.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::model::*;
use crate::norm::{self, Enum};
use crate::sink::{self, sym, sym_enum, sym_lower, sym_msi, FileState};

/// The dialect a JSON record is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Graph,
    LogAnalytics,
    Diagnostic,
}

/// Case-insensitive lookup of `k` in `o`.
pub fn get<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a Value> {
    match o.get(k) {
        Some(v) => Some(v),
        None => o.iter().find(|(kk, _)| kk.eq_ignore_ascii_case(k)).map(|(_, v)| v),
    }
}

/// The text of a scalar (numbers and booleans as written, null as empty).
pub fn text(v: Option<&Value>) -> Cow<'_, str> {
    match v {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
        Some(Value::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Some(Value::Number(n)) => Cow::Owned(n.to_string()),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

fn t<'a>(o: &'a Map<String, Value>, k: &str) -> Cow<'a, str> {
    text(get(o, k))
}

/// A value that may be a string holding JSON (Log Analytics dynamic columns).
pub fn nested(v: Option<&Value>) -> Option<Cow<'_, Value>> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let st = s.trim_start();
            if st.starts_with('{') || st.starts_with('[') {
                serde_json::from_str::<Value>(s).ok().map(Cow::Owned)
            } else {
                None
            }
        }
        Some(v) => Some(Cow::Borrowed(v)),
    }
}

fn nested_obj<'a>(o: &'a Map<String, Value>, k: &str) -> Option<Cow<'a, Value>> {
    nested(get(o, k)).filter(|v| v.is_object())
}

fn tri_of(v: Option<&Value>) -> Tri {
    match v {
        Some(Value::Bool(b)) => Tri::from_bool(Some(*b)),
        Some(Value::String(s)) => norm::tri(s),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(1) => Tri::Yes,
            Some(0) => Tri::No,
            _ => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

fn u32_of(v: Option<&Value>) -> Option<u32> {
    match v {
        Some(Value::Number(n)) => {
            n.as_u64().and_then(|x| u32::try_from(x).ok()).or_else(|| n.as_f64().and_then(|f| norm::error_code(&f.to_string())))
        }
        Some(Value::String(s)) => norm::error_code(s),
        None | Some(Value::Null) => Some(0),
        _ => None,
    }
}

fn f32_of(v: Option<&Value>) -> f32 {
    match v {
        Some(Value::Number(n)) => n.as_f64().map(|f| f as f32).unwrap_or(f32::NAN),
        Some(Value::String(s)) => s.trim().parse::<f32>().unwrap_or(f32::NAN),
        _ => f32::NAN,
    }
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    match nested(v).as_deref() {
        Some(Value::Array(a)) => a.iter().map(|x| text(Some(x)).trim().to_string()).filter(|s| !s.is_empty()).collect(),
        _ => {
            // A comma-separated list written as plain text.
            let s = text(v);
            s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
        }
    }
}

const LA_TABLES: &[(&str, Option<SignInKind>)] = &[
    ("signinlogs", Some(SignInKind::Interactive)),
    ("aadnoninteractiveusersigninlogs", Some(SignInKind::NonInteractive)),
    ("noninteractiveusersigninlogs", Some(SignInKind::NonInteractive)),
    ("aadserviceprincipalsigninlogs", Some(SignInKind::ServicePrincipal)),
    ("serviceprincipalsigninlogs", Some(SignInKind::ServicePrincipal)),
    ("microsoftserviceprincipalsigninlogs", Some(SignInKind::ServicePrincipal)),
    ("aadmanagedidentitysigninlogs", Some(SignInKind::ManagedIdentity)),
    ("managedidentitysigninlogs", Some(SignInKind::ManagedIdentity)),
    ("auditlogs", None),
];

/// The log a table or category name stands for: `Some(Some(kind))` for a
/// sign-in log, `Some(None)` for the audit log, `None` when it is neither.
pub fn table_kind(name: &str) -> Option<Option<SignInKind>> {
    let k = norm::key(name);
    LA_TABLES.iter().find(|(n, _)| *n == k).map(|(_, kind)| *kind)
}

pub fn dialect(o: &Map<String, Value>) -> Dialect {
    let has_props = matches!(get(o, "properties"), Some(Value::Object(_)) | Some(Value::String(_)));
    if has_props
        && (get(o, "category").is_some() || get(o, "operationName").is_some())
        && (get(o, "time").is_some() || get(o, "resourceId").is_some())
    {
        return Dialect::Diagnostic;
    }
    if o.contains_key("TimeGenerated") || o.contains_key("TenantId") || o.keys().any(|k| k.eq_ignore_ascii_case("timegenerated"))
    {
        return Dialect::LogAnalytics;
    }
    if let Some(Value::String(ty)) = get(o, "Type") {
        if table_kind(ty).is_some() {
            return Dialect::LogAnalytics;
        }
    }
    Dialect::Graph
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecKind {
    SignIn(Option<SignInKind>),
    Audit,
}

fn record_kind(o: &Map<String, Value>, top: Option<&Map<String, Value>>) -> Option<RecKind> {
    for src in [Some(o), top].into_iter().flatten() {
        for key in ["Type", "category"] {
            if let Some(Value::String(s)) = get(src, key) {
                match table_kind(s) {
                    Some(Some(k)) => return Some(RecKind::SignIn(Some(k))),
                    Some(None) => return Some(RecKind::Audit),
                    None => {}
                }
            }
        }
    }
    const AUDIT_KEYS: &[&str] = &["activityDisplayName", "activityDateTime", "initiatedBy", "loggedByService", "targetResources"];
    const SIGNIN_KEYS: &[&str] = &[
        "createdDateTime",
        "userPrincipalName",
        "appDisplayName",
        "ipAddress",
        "status",
        "clientAppUsed",
        "conditionalAccessStatus",
        "servicePrincipalId",
        "isInteractive",
    ];
    if AUDIT_KEYS.iter().any(|k| get(o, k).is_some()) {
        return Some(RecKind::Audit);
    }
    if SIGNIN_KEYS.iter().any(|k| get(o, k).is_some()) {
        return Some(RecKind::SignIn(None));
    }
    None
}

/// Maps one parsed JSON record. Returns `Err(reason)` when the record is
/// not a sign-in or audit event, or has no readable time.
pub fn map_value(ds: &mut Dataset, fs: &mut FileState, v: &Value, src: Src) -> Result<Dialect, String> {
    let Value::Object(o) = v else {
        return Err(format!("expected an object, found {}", kind_name(v)));
    };
    let d = dialect(o);
    let (rec, top) = if d == Dialect::Diagnostic {
        match nested(get(o, "properties")) {
            Some(Cow::Borrowed(Value::Object(p))) => (Cow::Borrowed(p), Some(o)),
            Some(Cow::Owned(Value::Object(p))) => (Cow::Owned(p), Some(o)),
            _ => return Err("diagnostic record whose properties are not an object".into()),
        }
    } else {
        (Cow::Borrowed(o), None)
    };
    match record_kind(&rec, top) {
        Some(RecKind::Audit) => map_audit(ds, fs, &rec, top, src)?,
        Some(RecKind::SignIn(k)) => map_signin(ds, fs, &rec, top, src, k)?,
        None => {
            let keys: Vec<&str> = rec.keys().take(6).map(String::as_str).collect();
            return Err(format!("not a sign-in or audit record (keys: {})", keys.join(", ")));
        }
    }
    Ok(d)
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn time_of(
    fs: &mut FileState,
    o: &Map<String, Value>,
    top: Option<&Map<String, Value>>,
    keys: &[&str],
) -> Result<entrascope_core::Timestamp, String> {
    let mut seen = String::new();
    for src in [Some(o), top].into_iter().flatten() {
        for k in keys {
            let s = t(src, k);
            if s.trim().is_empty() {
                continue;
            }
            if let Some(ts) = norm::time(&s, &mut fs.order) {
                return Ok(ts);
            }
            if seen.is_empty() {
                seen = norm::bad_time(k, &s);
            }
        }
    }
    Err(if seen.is_empty() { format!("no time ({})", keys.join(", ")) } else { seen })
}

fn map_signin(
    ds: &mut Dataset,
    fs: &mut FileState,
    o: &Map<String, Value>,
    top: Option<&Map<String, Value>>,
    src: Src,
    kind: Option<SignInKind>,
) -> Result<(), String> {
    let time = time_of(fs, o, top, &["createdDateTime", "TimeGenerated", "time"])?;
    let st = &mut ds.strings;
    let scratch = &mut fs.scratch;
    let mut s = SignIn { time, src, latitude: f32::NAN, longitude: f32::NAN, ..Default::default() };

    let id = t(o, "id");
    s.request_id = Id::new(if id.trim().is_empty() { t(o, "originalRequestId") } else { id }.as_ref(), st);
    let corr = t(o, "correlationId");
    s.correlation_id = Id::new(
        if corr.trim().is_empty() { top.map(|tp| t(tp, "correlationId")).unwrap_or_default() } else { corr }.as_ref(),
        st,
    );
    s.session_id = Id::new(&t(o, "sessionId"), st);
    s.unique_token_id = Id::new(&t(o, "uniqueTokenIdentifier"), st);

    s.user_id = sym(st, &t(o, "userId"));
    s.user_display = sym(st, &t(o, "userDisplayName"));
    s.upn = sym_lower(st, scratch, &t(o, "userPrincipalName"));
    s.user_type = sym_enum(st, Enum::UserType, &t(o, "userType"));
    s.sign_in_identifier = sym(st, &t(o, "signInIdentifier"));
    s.app_display = sym(st, &t(o, "appDisplayName"));
    s.app_id = sym(st, &t(o, "appId"));
    s.resource_display = sym(st, &t(o, "resourceDisplayName"));
    let rid = t(o, "resourceIdentity");
    let rid = if rid.trim().is_empty() { t(o, "resourceId") } else { rid };
    if !rid.starts_with('/') {
        s.resource_id = sym(st, &rid);
    }
    s.service_principal_id = sym(st, &t(o, "servicePrincipalId"));
    s.service_principal_name = sym(st, &t(o, "servicePrincipalName"));
    let msi = nested_obj(o, "managedServiceIdentity")
        .map(|m| text(m.get("msiType").or_else(|| m.get("MsiType"))).into_owned())
        .unwrap_or_default();
    let msi = if msi.is_empty() { t(o, "managedIdentityType").into_owned() } else { msi };
    s.managed_identity_type = sym_msi(st, &msi);

    let ip = t(o, "ipAddress");
    let ip = if ip.trim().is_empty() { top.map(|tp| t(tp, "callerIpAddress")).unwrap_or_default() } else { ip };
    s.ip = sym(st, &ip);
    s.ip_seen_by_resource = sym(st, &t(o, "ipAddressFromResourceProvider"));

    let loc = nested_obj(o, "location").or_else(|| nested_obj(o, "locationDetails"));
    let mut country = String::new();
    if let Some(Value::Object(l)) = loc.as_deref() {
        s.city = sym(st, &t(l, "city"));
        s.state = sym(st, &t(l, "state"));
        country = t(l, "countryOrRegion").into_owned();
        if let Some(Value::Object(g)) = nested(get(l, "geoCoordinates")).as_deref() {
            s.latitude = f32_of(get(g, "latitude"));
            s.longitude = f32_of(get(g, "longitude"));
        }
    }
    if country.trim().is_empty() {
        if let Some(Value::String(c)) = get(o, "location") {
            country = c.clone();
        }
    }
    s.country = sym(st, &country);

    // Status: the nested object, else Log Analytics / diagnostic columns.
    let status = nested_obj(o, "status");
    let mut code: Option<u32> = None;
    let mut reason = String::new();
    if let Some(Value::Object(so)) = status.as_deref() {
        if let Some(v) = get(so, "errorCode") {
            if !v.is_null() {
                code = Some(u32_of(Some(v)).ok_or_else(|| format!("status.errorCode {v} is not a number"))?);
            }
        }
        reason = t(so, "failureReason").into_owned();
        s.status_detail = sym(st, &t(so, "additionalDetails"));
    }
    // Some normalizers write resultType as "Success" / "Failure".
    let mut status_text = String::new();
    if code.is_none() {
        for src in [Some(o), top].into_iter().flatten() {
            if let Some(v) = get(src, "resultType") {
                match u32_of(Some(v)) {
                    Some(c) => code = Some(c),
                    None => {
                        status_text = text(Some(v)).into_owned();
                        if norm::outcome(&status_text, 1) == Outcome::Failure
                            && !matches!(norm::key(&status_text).as_str(), "failure" | "failed")
                        {
                            return Err(format!("resultType {v} is not a number"));
                        }
                    }
                }
                break;
            }
        }
    }
    if reason.trim().is_empty() {
        reason = t(o, "resultDescription").into_owned();
    }
    let code = code.unwrap_or(0);
    s.error_code = code;
    s.outcome = norm::outcome(&status_text, code);
    // Success rows carry no failure reason in the portal CSV; some JSON
    // exports write "Other." there, which says nothing.
    if code != 0 {
        s.failure_reason = sym(st, &reason);
    }

    s.client_app = sym(st, &t(o, "clientAppUsed"));
    s.auth_protocol = sym_enum(st, Enum::AuthProtocol, &t(o, "authenticationProtocol"));
    s.user_agent = sym(st, &t(o, "userAgent"));
    s.incoming_token_type = sym_enum(st, Enum::IncomingTokenType, &t(o, "incomingTokenType"));
    s.token_issuer_type = sym_enum(st, Enum::TokenIssuerType, &t(o, "tokenIssuerType"));
    s.token_issuer_name = sym(st, &t(o, "tokenIssuerName"));
    s.cross_tenant_access_type = sym_enum(st, Enum::CrossTenant, &t(o, "crossTenantAccessType"));
    s.home_tenant_id = sym(st, &t(o, "homeTenantId"));
    s.home_tenant_name = sym(st, &t(o, "homeTenantName"));
    s.resource_tenant_id = sym(st, &t(o, "resourceTenantId"));

    if let Some(Value::Object(d)) = nested_obj(o, "deviceDetail").as_deref() {
        s.device_id = sym(st, &t(d, "deviceId"));
        s.device_name = sym(st, &t(d, "displayName"));
        s.os = sym(st, &t(d, "operatingSystem"));
        s.browser = sym(st, &t(d, "browser"));
        s.compliant = tri_of(get(d, "isCompliant"));
        s.managed = tri_of(get(d, "isManaged"));
        s.trust_type = sym(st, &t(d, "trustType"));
    }
    if let Some(Value::Object(m)) = nested_obj(o, "mfaDetail").as_deref() {
        s.mfa_method = sym(st, &t(m, "authMethod"));
        s.mfa_detail = sym(st, &t(m, "authDetail"));
    }

    s.risk_level_during = sym_enum(st, Enum::Risk, &t(o, "riskLevelDuringSignIn"));
    s.risk_level_aggregated = sym_enum(st, Enum::Risk, &t(o, "riskLevelAggregated"));
    s.risk_state = sym_enum(st, Enum::Risk, &t(o, "riskState"));
    s.risk_detail = sym(st, &t(o, "riskDetail"));
    let mut risks = str_list(get(o, "riskEventTypes_v2"));
    if risks.is_empty() {
        risks = str_list(get(o, "riskEventTypes"));
    }
    let risk_syms: Vec<Sym> = risks.iter().map(|r| st.intern(r)).collect();
    s.risk_event_types = Dataset::push_list(&mut ds.sym_lists, &risk_syms);

    s.ca_status = norm::ca_status(&t(o, "conditionalAccessStatus"));
    let st = &mut ds.strings;
    // Log Analytics has both columns, one of them an empty array.
    fn non_empty(v: Option<Cow<'_, Value>>) -> Option<Cow<'_, Value>> {
        v.filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    }
    let pols = non_empty(nested(get(o, "appliedConditionalAccessPolicies")))
        .or_else(|| non_empty(nested(get(o, "conditionalAccessPolicies"))));
    if let Some(Value::Array(a)) = pols.as_deref() {
        let mut list = Vec::with_capacity(a.len());
        for p in a {
            let Value::Object(p) = p else { continue };
            let grants = str_list(get(p, "enforcedGrantControls")).join(", ");
            list.push(CaPolicyResult {
                id: sym(st, &t(p, "id")),
                name: sym(st, &t(p, "displayName")),
                result: sym_enum(st, Enum::CaResult, &t(p, "result")),
                grant_controls: sym(st, &grants),
            });
        }
        s.ca_policies = Dataset::push_list(&mut ds.ca_results, &list);
    }
    let st = &mut ds.strings;
    s.auth_requirement = norm::auth_requirement(&t(o, "authenticationRequirement"));
    s.flagged_for_review = tri_of(get(o, "flaggedForReview"));
    s.asn = u32_of(get(o, "autonomousSystemNumber")).unwrap_or(0);

    if let Some(Value::Array(a)) = nested(get(o, "authenticationDetails")).as_deref() {
        let mut steps = Vec::with_capacity(a.len());
        for d in a {
            let Value::Object(d) = d else { continue };
            steps.push(AuthStep {
                time: norm::time(&t(d, "authenticationStepDateTime"), &mut fs.order).filter(|ts| ts.0 > 0),
                method: sym(st, &t(d, "authenticationMethod")),
                method_detail: sym(st, &t(d, "authenticationMethodDetail")),
                succeeded: tri_of(get(d, "succeeded")),
                result_detail: sym(st, &t(d, "authenticationStepResultDetail")),
                requirement: sym(st, &t(d, "authenticationStepRequirement")),
            });
        }
        s.auth_steps = Dataset::push_list(&mut ds.auth_steps, &steps);
    }

    s.kind = match kind {
        Some(k) => k,
        None => signin_kind(o, &s, fs.name_hint),
    };
    sink::push_signin(ds, fs, s);
    Ok(())
}

/// The kind of a Graph sign-in from its own fields: `signInEventTypes`,
/// then `isInteractive`, then who signed in; the file name only when the
/// record cannot tell.
fn signin_kind(o: &Map<String, Value>, s: &SignIn, hint: Option<SignInKind>) -> SignInKind {
    let types = str_list(get(o, "signInEventTypes"));
    let has = |n: &str| types.iter().any(|t| t.eq_ignore_ascii_case(n));
    if has("managedIdentity") {
        return SignInKind::ManagedIdentity;
    }
    if has("servicePrincipal") {
        return SignInKind::ServicePrincipal;
    }
    if has("interactiveUser") {
        return SignInKind::Interactive;
    }
    if has("nonInteractiveUser") {
        return SignInKind::NonInteractive;
    }
    let no_user = s.upn.is_empty() && s.user_id.is_empty() && s.user_display.is_empty();
    if no_user && (!s.service_principal_id.is_empty() || !s.managed_identity_type.is_empty()) {
        return if s.managed_identity_type.is_empty() { SignInKind::ServicePrincipal } else { SignInKind::ManagedIdentity };
    }
    match tri_of(get(o, "isInteractive")) {
        Tri::Yes => SignInKind::Interactive,
        Tri::No => SignInKind::NonInteractive,
        Tri::Unknown => hint.unwrap_or(SignInKind::Interactive),
    }
}

fn map_audit(
    ds: &mut Dataset,
    fs: &mut FileState,
    o: &Map<String, Value>,
    top: Option<&Map<String, Value>>,
    src: Src,
) -> Result<(), String> {
    let time = time_of(fs, o, top, &["activityDateTime", "TimeGenerated", "time"])?;
    let st = &mut ds.strings;
    let scratch = &mut fs.scratch;
    let mut a = AuditEvent { time, src, ..Default::default() };
    a.id = Id::new(&t(o, "id"), st);
    let corr = t(o, "correlationId");
    a.correlation_id = Id::new(
        if corr.trim().is_empty() { top.map(|tp| t(tp, "correlationId")).unwrap_or_default() } else { corr }.as_ref(),
        st,
    );
    a.service = sym(st, &t(o, "loggedByService"));
    let cat = t(o, "category");
    // Log Analytics' Category is the audit category; a diagnostic record's
    // top-level category is the log name, so only the inner one counts.
    if !cat.eq_ignore_ascii_case("auditlogs") {
        a.category = sym(st, &cat);
    }
    let act = t(o, "activityDisplayName");
    let act = if act.trim().is_empty() { t(o, "operationName") } else { act };
    a.activity = sym(st, &act);
    let op = t(o, "operationType");
    let op = if op.trim().is_empty() { t(o, "AADOperationType") } else { op };
    a.operation_type = sym(st, &op);
    a.result = norm::audit_result(&t(o, "result"));
    a.result_reason = sym(st, &t(o, "resultReason"));

    if let Some(Value::Object(ib)) = nested_obj(o, "initiatedBy").as_deref() {
        let user = nested_obj(ib, "user");
        let app = nested_obj(ib, "app");
        let mut i = Initiator::default();
        if let Some(Value::Object(u)) = user.as_deref() {
            i.kind = ActorKind::User;
            i.user_id = sym(st, &t(u, "id"));
            i.upn = sym_lower(st, scratch, &t(u, "userPrincipalName"));
            i.display = sym(st, &t(u, "displayName"));
            i.ip = sym(st, &t(u, "ipAddress"));
        }
        if let Some(Value::Object(ap)) = app.as_deref() {
            let user_empty =
                i.upn.is_empty() && (i.user_id.is_empty() || ds.strings.resolve(i.user_id).trim_matches(['0', '-']).is_empty());
            if i.kind == ActorKind::None || user_empty {
                let st = &mut ds.strings;
                let ip = i.ip;
                i = Initiator { kind: ActorKind::App, ip, ..Default::default() };
                i.app_id = sym(st, &t(ap, "appId"));
                i.app_display = sym(st, &t(ap, "displayName"));
                i.service_principal_id = sym(st, &t(ap, "servicePrincipalId"));
                i.service_principal_name = sym(st, &t(ap, "servicePrincipalName"));
            }
        }
        a.initiator = i;
    }
    let st = &mut ds.strings;
    if a.initiator.ip.is_empty() {
        if let Some(tp) = top {
            a.initiator.ip = sym(st, &t(tp, "callerIpAddress"));
        }
    }

    if let Some(Value::Array(ts)) = nested(get(o, "targetResources")).as_deref() {
        let mut targets = Vec::with_capacity(ts.len());
        for tr in ts {
            let Value::Object(tr) = tr else { continue };
            let mut props = Vec::new();
            if let Some(Value::Array(mp)) = nested(get(tr, "modifiedProperties")).as_deref() {
                for p in mp {
                    let Value::Object(p) = p else { continue };
                    props.push(ModifiedProperty {
                        name: sym(st, &t(p, "displayName")),
                        old: st.intern(&t(p, "oldValue")),
                        new: st.intern(&t(p, "newValue")),
                    });
                }
            }
            targets.push(Target {
                kind: sym(st, &t(tr, "type")),
                id: sym(st, &t(tr, "id")),
                display: sym(st, &t(tr, "displayName")),
                upn: sym_lower(st, scratch, &t(tr, "userPrincipalName")),
                modified: Dataset::push_list(&mut ds.props, &props),
            });
        }
        a.targets = Dataset::push_list(&mut ds.targets, &targets);
    }
    let st = &mut ds.strings;
    let mut ua = t(o, "userAgent").into_owned();
    if let Some(Value::Array(ds_)) = nested(get(o, "additionalDetails")).as_deref() {
        let mut kvs = Vec::with_capacity(ds_.len());
        for d in ds_ {
            let Value::Object(d) = d else { continue };
            let k = t(d, "key");
            let v = t(d, "value");
            if ua.trim().is_empty() && k.eq_ignore_ascii_case("User-Agent") {
                ua = v.to_string();
            }
            kvs.push(KeyValue { key: sym(st, &k), value: st.intern(&v) });
        }
        a.details = Dataset::push_list(&mut ds.details, &kvs);
    }
    a.user_agent = sym(&mut ds.strings, &ua);
    sink::push_audit(ds, fs, a);
    Ok(())
}
