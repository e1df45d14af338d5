//! Resolved views of records, for user interfaces and evidence.

use entrascope_core::Table;
use serde_json::{json, Map, Value};

use crate::model::*;

fn put(m: &mut Map<String, Value>, ds: &Dataset, key: &str, sym: Sym) {
    if !sym.is_empty() {
        m.insert(key.to_string(), Value::String(ds.str(sym).to_string()));
    }
}

fn tri(t: Tri) -> Value {
    match t {
        Tri::Yes => Value::Bool(true),
        Tri::No => Value::Bool(false),
        Tri::Unknown => Value::Null,
    }
}

/// One record with every field resolved, in Graph-like camelCase.
pub fn record_json(ds: &Dataset, table: Table, index: u32) -> Value {
    match table {
        Table::SignIn => ds.signins.get(index as usize).map(|s| signin_json(ds, s)).unwrap_or(Value::Null),
        Table::Audit => ds.audits.get(index as usize).map(|a| audit_json(ds, a)).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn src_json(ds: &Dataset, src: &Src) -> Value {
    json!({
        "input": ds.inputs.get(src.input as usize).map(|i| i.path.as_str()).unwrap_or(""),
        "line": src.line,
        "offset": src.offset,
        "length": src.len,
    })
}

pub fn signin_json(ds: &Dataset, s: &SignIn) -> Value {
    let mut m = Map::new();
    m.insert("createdDateTime".into(), Value::String(s.time.to_rfc3339()));
    m.insert("kind".into(), Value::String(s.kind.as_str().into()));
    m.insert("id".into(), Value::String(s.request_id.render(&ds.strings)));
    let ids = [("correlationId", s.correlation_id), ("sessionId", s.session_id), ("uniqueTokenIdentifier", s.unique_token_id)];
    for (k, id) in ids {
        if !id.is_none() {
            m.insert(k.into(), Value::String(id.render(&ds.strings)));
        }
    }
    m.insert(
        "status".into(),
        json!({
            "outcome": serde_json::to_value(s.outcome).unwrap_or(Value::Null),
            "errorCode": s.error_code,
            "failureReason": ds.str(s.failure_reason),
            "additionalDetails": ds.str(s.status_detail),
        }),
    );
    let fields: [(&str, Sym); 39] = [
        ("userId", s.user_id),
        ("userDisplayName", s.user_display),
        ("userPrincipalName", s.upn),
        ("userType", s.user_type),
        ("signInIdentifier", s.sign_in_identifier),
        ("appDisplayName", s.app_display),
        ("appId", s.app_id),
        ("resourceDisplayName", s.resource_display),
        ("resourceId", s.resource_id),
        ("servicePrincipalId", s.service_principal_id),
        ("servicePrincipalName", s.service_principal_name),
        ("managedIdentityType", s.managed_identity_type),
        ("ipAddress", s.ip),
        ("ipAddressFromResourceProvider", s.ip_seen_by_resource),
        ("city", s.city),
        ("state", s.state),
        ("countryOrRegion", s.country),
        ("clientAppUsed", s.client_app),
        ("authenticationProtocol", s.auth_protocol),
        ("userAgent", s.user_agent),
        ("incomingTokenType", s.incoming_token_type),
        ("tokenIssuerType", s.token_issuer_type),
        ("tokenIssuerName", s.token_issuer_name),
        ("crossTenantAccessType", s.cross_tenant_access_type),
        ("homeTenantId", s.home_tenant_id),
        ("homeTenantName", s.home_tenant_name),
        ("resourceTenantId", s.resource_tenant_id),
        ("deviceId", s.device_id),
        ("deviceDisplayName", s.device_name),
        ("operatingSystem", s.os),
        ("browser", s.browser),
        ("trustType", s.trust_type),
        ("mfaResult", s.mfa_result),
        ("mfaAuthMethod", s.mfa_method),
        ("mfaAuthDetail", s.mfa_detail),
        ("riskLevelDuringSignIn", s.risk_level_during),
        ("riskLevelAggregated", s.risk_level_aggregated),
        ("riskState", s.risk_state),
        ("riskDetail", s.risk_detail),
    ];
    for (k, v) in fields {
        put(&mut m, ds, k, v);
    }
    m.insert("authenticationRequirement".into(), serde_json::to_value(s.auth_requirement).unwrap_or(Value::Null));
    m.insert("conditionalAccessStatus".into(), serde_json::to_value(s.ca_status).unwrap_or(Value::Null));
    m.insert("isCompliant".into(), tri(s.compliant));
    m.insert("isManaged".into(), tri(s.managed));
    m.insert("flaggedForReview".into(), tri(s.flagged_for_review));
    if s.asn != 0 {
        m.insert("autonomousSystemNumber".into(), json!(s.asn));
    }
    if s.latitude.is_finite() && s.longitude.is_finite() {
        m.insert("geoCoordinates".into(), json!({"latitude": s.latitude, "longitude": s.longitude}));
    }
    let risks: Vec<&str> = ds.risk_events(s).iter().map(|x| ds.str(*x)).collect();
    if !risks.is_empty() {
        m.insert("riskEventTypes".into(), json!(risks));
    }
    let ca: Vec<Value> = ds
        .ca_policies(s)
        .iter()
        .map(|p| json!({"id": ds.str(p.id), "displayName": ds.str(p.name), "result": ds.str(p.result), "enforcedGrantControls": ds.str(p.grant_controls)}))
        .collect();
    if !ca.is_empty() {
        m.insert("appliedConditionalAccessPolicies".into(), Value::Array(ca));
    }
    let steps: Vec<Value> = ds
        .steps(s)
        .iter()
        .map(|st| {
            json!({
                "authenticationStepDateTime": st.time.map(|t| t.to_rfc3339()),
                "authenticationMethod": ds.str(st.method),
                "authenticationMethodDetail": ds.str(st.method_detail),
                "succeeded": tri(st.succeeded),
                "authenticationStepResultDetail": ds.str(st.result_detail),
                "authenticationStepRequirement": ds.str(st.requirement),
            })
        })
        .collect();
    if !steps.is_empty() {
        m.insert("authenticationDetails".into(), Value::Array(steps));
    }
    m.insert("source".into(), src_json(ds, &s.src));
    Value::Object(m)
}

pub fn audit_json(ds: &Dataset, a: &AuditEvent) -> Value {
    let i = &a.initiator;
    let initiator = match i.kind {
        ActorKind::User => {
            json!({"user": {"id": ds.str(i.user_id), "userPrincipalName": ds.str(i.upn), "displayName": ds.str(i.display), "ipAddress": ds.str(i.ip)}})
        }
        ActorKind::App => {
            json!({"app": {"appId": ds.str(i.app_id), "displayName": ds.str(i.app_display), "servicePrincipalId": ds.str(i.service_principal_id), "servicePrincipalName": ds.str(i.service_principal_name)}})
        }
        ActorKind::None => Value::Null,
    };
    let targets: Vec<Value> = ds
        .targets(a)
        .iter()
        .map(|t| {
            json!({
                "type": ds.str(t.kind),
                "id": ds.str(t.id),
                "displayName": ds.str(t.display),
                "userPrincipalName": ds.str(t.upn),
                "modifiedProperties": ds.modified(t).iter().map(|p| json!({"displayName": ds.str(p.name), "oldValue": ds.str(p.old), "newValue": ds.str(p.new)})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": a.id.render(&ds.strings),
        "activityDateTime": a.time.to_rfc3339(),
        "correlationId": a.correlation_id.render(&ds.strings),
        "loggedByService": ds.str(a.service),
        "category": ds.str(a.category),
        "activityDisplayName": ds.str(a.activity),
        "operationType": ds.str(a.operation_type),
        "result": serde_json::to_value(a.result).unwrap_or(Value::Null),
        "resultReason": ds.str(a.result_reason),
        "userAgent": ds.str(a.user_agent),
        "initiatedBy": initiator,
        "targetResources": targets,
        "additionalDetails": ds.details(a).iter().map(|kv| json!({"key": ds.str(kv.key), "value": ds.str(kv.value)})).collect::<Vec<_>>(),
        "source": src_json(ds, &a.src),
    })
}

/// The initiator of an audit event as one string: UPN, else display name,
/// else object id; for apps the display name, else the service principal
/// name, else the app id.
pub fn actor(ds: &Dataset, a: &AuditEvent) -> String {
    let i = &a.initiator;
    let pick = |syms: &[Sym]| syms.iter().find(|s| !s.is_empty()).map(|s| ds.str(*s).to_string()).unwrap_or_default();
    match i.kind {
        ActorKind::User => pick(&[i.upn, i.display, i.user_id]),
        ActorKind::App => pick(&[i.app_display, i.service_principal_name, i.app_id]),
        ActorKind::None => String::new(),
    }
}

fn push(fields: &mut Vec<(String, String)>, k: &str, v: &str) {
    if !v.is_empty() {
        fields.push((k.to_string(), v.to_string()));
    }
}

/// The default evidence fields of a sign-in, in display order (empty
/// values left out): time, user, app, resource, ip, location, status,
/// error code (when not 0), client app, kind.
pub fn signin_fields(ds: &Dataset, s: &SignIn) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::with_capacity(10);
    push(&mut fields, "time", &s.time.to_rfc3339());
    push(&mut fields, "user", if s.upn.is_empty() { ds.str(s.service_principal_name) } else { ds.str(s.upn) });
    push(&mut fields, "app", ds.str(s.app_display));
    push(&mut fields, "resource", ds.str(s.resource_display));
    push(&mut fields, "ip", ds.str(s.ip));
    let loc = [ds.str(s.city), ds.str(s.country)].iter().filter(|x| !x.is_empty()).copied().collect::<Vec<_>>().join(", ");
    push(&mut fields, "location", &loc);
    let status = match s.outcome {
        Outcome::Success => "success",
        Outcome::Failure => "failure",
        Outcome::Interrupted => "interrupted",
    };
    push(&mut fields, "status", status);
    if s.error_code != 0 {
        push(&mut fields, "error_code", &s.error_code.to_string());
    }
    push(&mut fields, "client_app", ds.str(s.client_app));
    push(&mut fields, "kind", s.kind.as_str());
    fields
}

/// A sign-in's own identifier: its request id, or where an export has none
/// (some diagnostic pipelines drop it), its correlation id or token id.
pub fn signin_id(ds: &Dataset, s: &SignIn) -> String {
    [s.request_id, s.correlation_id, s.unique_token_id]
        .into_iter()
        .find(|i| !i.is_none())
        .map(|i| i.render(&ds.strings))
        .unwrap_or_default()
}

/// Evidence for a sign-in: its request id and the fields an analyst reads first.
pub fn signin_evidence(ds: &Dataset, idx: usize) -> entrascope_core::Evidence {
    let s = &ds.signins[idx];
    let fields = signin_fields(ds, s);
    entrascope_core::Evidence {
        input: s.src.input,
        line: s.src.line as u64,
        id: signin_id(ds, s),
        time: Some(s.time),
        record: Some(entrascope_core::RecordRef { table: Table::SignIn, index: idx as u32 }),
        fields,
    }
}

/// The default evidence fields of an audit event, in display order (empty
/// values left out): time, activity, category, initiator, targets, result, ip.
pub fn audit_fields(ds: &Dataset, a: &AuditEvent) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::with_capacity(8);
    push(&mut fields, "time", &a.time.to_rfc3339());
    push(&mut fields, "activity", ds.str(a.activity));
    push(&mut fields, "category", ds.str(a.category));
    push(&mut fields, "initiated_by", &actor(ds, a));
    let targets: Vec<&str> = ds
        .targets(a)
        .iter()
        .map(|t| [t.upn, t.display, t.id].into_iter().find(|s| !s.is_empty()).map(|s| ds.str(s)).unwrap_or(""))
        .filter(|s| !s.is_empty())
        .collect();
    push(&mut fields, "target", &targets.join(", "));
    let result = match a.result {
        AuditResult::Success => "success",
        AuditResult::Failure => "failure",
        AuditResult::Timeout => "timeout",
        AuditResult::Unknown => "",
    };
    push(&mut fields, "result", result);
    push(&mut fields, "ip", ds.str(a.initiator.ip));
    fields
}

/// Evidence for an audit event: its id (or correlation id) and main fields.
pub fn audit_evidence(ds: &Dataset, idx: usize) -> entrascope_core::Evidence {
    let a = &ds.audits[idx];
    let fields = audit_fields(ds, a);
    let id = if a.id.is_none() { a.correlation_id } else { a.id };
    entrascope_core::Evidence {
        input: a.src.input,
        line: a.src.line as u64,
        id: id.render(&ds.strings),
        time: Some(a.time),
        record: Some(entrascope_core::RecordRef { table: Table::Audit, index: idx as u32 }),
        fields,
    }
}
