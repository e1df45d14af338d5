//! Log Analytics / Sentinel exports of `SigninLogs`,
//! `AADNonInteractiveUserSignInLogs`, `AADServicePrincipalSignInLogs`,
//! `AADManagedIdentitySignInLogs` and `AuditLogs`.
//!
//! JSON: one PascalCase object per line, CRLF line endings (as the OTRF
//! sample), `ResultType` a string, dynamic columns (`Status`,
//! `DeviceDetail`, `LocationDetails`, `AuthenticationDetails`,
//! `InitiatedBy`, `TargetResources`...) written as JSON-encoded strings.
//!
//! CSV: the query-results export. Datetime headers get ` [UTC]`, datetimes
//! are `9/19/2023, 1:45:17.000 PM` (en-US locale), dynamic values are their
//! JSON text (quoted, quotes doubled), booleans `true`/`false`. Fields are
//! quoted only when needed; LF line endings; a UTF-8 BOM. The `SigninLogs`
//! header is the verbatim 2023-09 export header; the other tables' CSV
//! headers are built the same way from their column lists (not verbatim).

use entrascope_core::Timestamp;

use crate::model::{AuditEvent, Initiator, SignInEvent, SignInKind};
use crate::text::{csv_minimal, iso_millis_z, json_str, la_locale, Node};

use super::graph::{
    ca_policies_node, details_node, device_node, location_node, mfa_node, network_node, status_node, steps_node, targets_node,
};
use super::{ExportContext, RecordWriter};

/// A cell value.
pub enum V {
    Str(String),
    Time(Timestamp),
    Dyn(Node),
    Bool(bool),
    Int(i64),
}

fn s(v: &str) -> V {
    V::Str(v.to_string())
}

/// Column names of the user sign-in tables, in the order of the verbatim
/// 2023-09 `SigninLogs` CSV export header.
pub const USER_SIGNIN_COLUMNS: &[&str] = &[
    "TenantId",
    "SourceSystem",
    "TimeGenerated",
    "ResourceId",
    "OperationName",
    "OperationVersion",
    "Category",
    "ResultType",
    "ResultSignature",
    "ResultDescription",
    "DurationMs",
    "CorrelationId",
    "Resource",
    "ResourceGroup",
    "ResourceProvider",
    "Identity",
    "Level",
    "Location",
    "AlternateSignInName",
    "AppDisplayName",
    "AppId",
    "AuthenticationContextClassReferences",
    "AuthenticationDetails",
    "AppliedEventListeners",
    "AuthenticationMethodsUsed",
    "AuthenticationProcessingDetails",
    "AuthenticationRequirement",
    "AuthenticationRequirementPolicies",
    "ClientAppUsed",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "CreatedDateTime",
    "DeviceDetail",
    "IsInteractive",
    "Id",
    "IPAddress",
    "IsRisky",
    "LocationDetails",
    "MfaDetail",
    "NetworkLocationDetails",
    "OriginalRequestId",
    "ProcessingTimeInMilliseconds",
    "RiskDetail",
    "RiskEventTypes",
    "RiskEventTypes_V2",
    "RiskLevelAggregated",
    "RiskLevelDuringSignIn",
    "RiskState",
    "ResourceDisplayName",
    "ResourceIdentity",
    "ResourceServicePrincipalId",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "Status",
    "TokenIssuerName",
    "TokenIssuerType",
    "UserAgent",
    "UserDisplayName",
    "UserId",
    "UserPrincipalName",
    "AADTenantId",
    "UserType",
    "FlaggedForReview",
    "IPAddressFromResourceProvider",
    "SignInIdentifier",
    "SignInIdentifierType",
    "ResourceTenantId",
    "HomeTenantId",
    "UniqueTokenIdentifier",
    "SessionLifetimePolicies",
    "AutonomousSystemNumber",
    "AuthenticationProtocol",
    "CrossTenantAccessType",
    "AppliedConditionalAccessPolicies",
    "RiskLevel",
    "Type",
];

fn user_value(col: &str, ev: &SignInEvent, ctx: &ExportContext) -> V {
    let empty_arr = || V::Dyn(Node::Arr(vec![]));
    match col {
        "TenantId" => s(&ctx.workspace_id),
        "SourceSystem" => s("Azure AD"),
        "TimeGenerated" | "CreatedDateTime" => V::Time(ev.time),
        "ResourceId" => V::Str(format!("/tenants/{}/providers/Microsoft.aadiam", ctx.tenant_id)),
        "OperationName" => s("Sign-in activity"),
        "OperationVersion" => s("1.0"),
        "Category" => s(ev.kind.diagnostic_category()),
        "ResultType" => V::Str(ev.error_code.to_string()),
        "ResultSignature" => s("None"),
        "ResultDescription" => s(&ev.failure_reason),
        "DurationMs" => V::Int(0),
        "CorrelationId" => s(&ev.correlation_id),
        "Resource" | "ResourceGroup" | "ResourceProvider" => s("Microsoft.aadiam"),
        "Identity" => s(if ev.kind.is_user() { &ev.user_display } else { &ev.service_principal_name }),
        "Level" => s("4"),
        "Location" => s(&ev.country),
        "AlternateSignInName" | "SignInIdentifier" => s(&ev.sign_in_identifier),
        "AppDisplayName" => s(&ev.app_name),
        "AppId" => s(&ev.app_id),
        "AuthenticationDetails" => V::Dyn(steps_node(ev)),
        "AppliedEventListeners"
        | "AuthenticationContextClassReferences"
        | "AuthenticationMethodsUsed"
        | "AuthenticationProcessingDetails"
        | "AuthenticationRequirementPolicies"
        | "SessionLifetimePolicies"
        | "AppliedConditionalAccessPolicies" => empty_arr(),
        "AuthenticationRequirement" => s(&ev.auth_requirement),
        "ClientAppUsed" => s(&ev.client_app),
        "ConditionalAccessPolicies" => V::Dyn(ca_policies_node(ev)),
        "ConditionalAccessStatus" => s(&ev.ca_status),
        "DeviceDetail" => V::Dyn(device_node(ev)),
        "IsInteractive" => V::Bool(ev.kind == SignInKind::Interactive),
        "Id" => s(&ev.request_id),
        "IPAddress" => s(&ev.ip),
        "IsRisky" => V::Bool(ev.is_risky()),
        "LocationDetails" => V::Dyn(location_node(ev)),
        "MfaDetail" => V::Dyn(match mfa_node(ev) {
            Node::Null => Node::Obj(vec![]),
            n => n,
        }),
        "NetworkLocationDetails" => V::Dyn(network_node(ev)),
        "OriginalRequestId" => s(""),
        "ProcessingTimeInMilliseconds" => V::Str(ev.latency_ms.to_string()),
        "RiskDetail" => s(&ev.risk_detail),
        "RiskEventTypes" | "RiskEventTypes_V2" => V::Dyn(Node::strs(&ev.risk_event_types)),
        "RiskLevelAggregated" => s(&ev.risk_level_aggregated),
        "RiskLevelDuringSignIn" => s(&ev.risk_level_during),
        "RiskState" => s(&ev.risk_state),
        "ResourceDisplayName" => s(&ev.resource_name),
        "ResourceIdentity" => s(&ev.resource_id),
        "ResourceServicePrincipalId" => s(&ev.resource_sp_id),
        "ServicePrincipalId" => s(&ev.service_principal_id),
        "ServicePrincipalName" => s(&ev.service_principal_name),
        "Status" => V::Dyn(status_node(ev)),
        "TokenIssuerName" => s(&ev.token_issuer_name),
        "TokenIssuerType" => s(&ev.token_issuer_type),
        "UserAgent" => s(&ev.user_agent),
        "UserDisplayName" => s(&ev.user_display),
        "UserId" => s(&ev.user_id),
        "UserPrincipalName" => s(&ev.upn),
        "AADTenantId" => s(&ctx.tenant_id),
        "UserType" => s(crate::formats::portal_csv::display(&ev.user_type)),
        "FlaggedForReview" => V::Bool(ev.flagged_for_review),
        "IPAddressFromResourceProvider" => s(&ev.ip_seen_by_resource),
        "SignInIdentifierType" => s(if ev.sign_in_identifier.is_empty() { "" } else { "userPrincipalName" }),
        "ResourceTenantId" => s(&ev.resource_tenant_id),
        "HomeTenantId" => s(&ev.home_tenant_id),
        "UniqueTokenIdentifier" => s(&ev.unique_token_id),
        "AutonomousSystemNumber" => V::Str(if ev.asn == 0 { String::new() } else { ev.asn.to_string() }),
        "AuthenticationProtocol" => s(&ev.protocol),
        "CrossTenantAccessType" => s(&ev.cross_tenant_access_type),
        "RiskLevel" => s(""),
        "Type" => s(ev.kind.la_table()),
        // Service principal / managed identity tables.
        "FederatedCredentialId" => s(""),
        "ServicePrincipalCredentialKeyId" => s(&ev.credential_key_id),
        "ServicePrincipalCredentialThumbprint" => s(&ev.credential_thumbprint),
        _ => s(""),
    }
}

/// Columns of `AADServicePrincipalSignInLogs` / `AADManagedIdentitySignInLogs`
/// (Azure Monitor table reference), in export order.
pub const APP_SIGNIN_COLUMNS: &[&str] = &[
    "TenantId",
    "SourceSystem",
    "TimeGenerated",
    "OperationName",
    "OperationVersion",
    "Category",
    "ResultType",
    "ResultSignature",
    "ResultDescription",
    "DurationMs",
    "CorrelationId",
    "ResourceGroup",
    "Identity",
    "Level",
    "Location",
    "AppId",
    "AuthenticationContextClassReferences",
    "AuthenticationProcessingDetails",
    "ConditionalAccessPolicies",
    "ConditionalAccessStatus",
    "FederatedCredentialId",
    "Id",
    "IPAddress",
    "LocationDetails",
    "ResourceDisplayName",
    "ResourceIdentity",
    "ResourceServicePrincipalId",
    "ServicePrincipalCredentialKeyId",
    "ServicePrincipalCredentialThumbprint",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "UniqueTokenIdentifier",
    "Type",
];

/// `AuditLogs` columns (the OTRF export's core columns plus `ResultReason`,
/// `Identity`, `ResourceProvider`, `Location`).
pub const AUDIT_COLUMNS: &[&str] = &[
    "TenantId",
    "SourceSystem",
    "TimeGenerated",
    "ResourceId",
    "OperationName",
    "OperationVersion",
    "Category",
    "ResultSignature",
    "ResultDescription",
    "DurationMs",
    "CorrelationId",
    "Resource",
    "ResourceGroup",
    "ResourceProvider",
    "Identity",
    "Level",
    "Location",
    "AdditionalDetails",
    "Id",
    "InitiatedBy",
    "LoggedByService",
    "Result",
    "ResultReason",
    "TargetResources",
    "AADTenantId",
    "ActivityDisplayName",
    "ActivityDateTime",
    "AADOperationType",
    "Type",
];

/// `InitiatedBy` as Log Analytics stores it: only the present actor, with `roles`.
fn la_initiator(i: &Initiator) -> Node {
    match i {
        Initiator::User { id, upn, display, ip } => Node::Obj(vec![(
            "user",
            Node::Obj(vec![
                ("id", Node::str(id)),
                ("displayName", Node::str_or_null(display)),
                ("userPrincipalName", Node::str_or_null(upn)),
                ("ipAddress", Node::str_or_null(ip)),
                ("roles", Node::Arr(vec![])),
            ]),
        )]),
        Initiator::App { app_id, display, sp_id, sp_name } => Node::Obj(vec![(
            "app",
            Node::Obj(vec![
                ("appId", Node::str_or_null(app_id)),
                ("displayName", Node::str_or_null(display)),
                ("servicePrincipalId", Node::str_or_null(sp_id)),
                ("servicePrincipalName", Node::str_or_null(sp_name)),
            ]),
        )]),
    }
}

fn audit_value(col: &str, a: &AuditEvent, ctx: &ExportContext) -> V {
    match col {
        "TenantId" => s(&ctx.workspace_id),
        "SourceSystem" => s("Azure AD"),
        "TimeGenerated" | "ActivityDateTime" => V::Time(a.time),
        "ResourceId" => V::Str(format!("/tenants/{}/providers/Microsoft.aadiam", ctx.tenant_id)),
        "OperationName" | "ActivityDisplayName" => s(&a.activity),
        "OperationVersion" => s("1.0"),
        "Category" => s(&a.category),
        "ResultSignature" => s("None"),
        "ResultDescription" => s(""),
        "DurationMs" => V::Int(0),
        "CorrelationId" => s(&a.correlation_id),
        "Resource" | "ResourceGroup" | "ResourceProvider" => s("Microsoft.aadiam"),
        "Identity" => s(a.initiator.display_name()),
        "Level" => s("4"),
        "Location" => s(""),
        "AdditionalDetails" => V::Dyn(details_node(a)),
        "Id" => s(&a.id),
        "InitiatedBy" => V::Dyn(la_initiator(&a.initiator)),
        "LoggedByService" => s(&a.service),
        "Result" => s(&a.result),
        "ResultReason" => s(&a.result_reason),
        "TargetResources" => V::Dyn(targets_node(a)),
        "AADTenantId" => s(&ctx.tenant_id),
        "AADOperationType" => s(&a.operation_type),
        "Type" => s("AuditLogs"),
        _ => s(""),
    }
}

fn is_datetime(col: &str) -> bool {
    matches!(col, "TimeGenerated" | "CreatedDateTime" | "ActivityDateTime")
}

/// Columns for a table.
pub fn columns_for(kind: Option<SignInKind>) -> &'static [&'static str] {
    match kind {
        Some(SignInKind::Interactive | SignInKind::NonInteractive) => USER_SIGNIN_COLUMNS,
        Some(SignInKind::ServicePrincipal | SignInKind::ManagedIdentity) => APP_SIGNIN_COLUMNS,
        None => AUDIT_COLUMNS,
    }
}

/// The CSV header line of a table (datetime columns with ` [UTC]`).
pub fn csv_header(cols: &[&str]) -> String {
    let mut h = String::new();
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            h.push(',');
        }
        h.push_str(c);
        if is_datetime(c) {
            h.push_str(" [UTC]");
        }
    }
    h
}

fn json_row(out: &mut String, cols: &[&str], value: impl Fn(&str) -> V) {
    out.push('{');
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_str(out, c);
        out.push(':');
        match value(c) {
            V::Str(v) => json_str(out, &v),
            V::Time(t) => {
                let mut ts = String::new();
                iso_millis_z(&mut ts, t);
                json_str(out, &ts);
            }
            V::Dyn(n) => json_str(out, &n.to_compact()),
            V::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            V::Int(n) => out.push_str(&n.to_string()),
        }
    }
    out.push_str("}\r\n");
}

fn csv_row(out: &mut String, cols: &[&str], value: impl Fn(&str) -> V) {
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match value(c) {
            V::Str(v) => csv_minimal(out, &v),
            V::Time(t) => {
                let mut ts = String::new();
                la_locale(&mut ts, t);
                csv_minimal(out, &ts);
            }
            V::Dyn(n) => csv_minimal(out, &n.to_compact()),
            V::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            V::Int(n) => out.push_str(&n.to_string()),
        }
    }
    out.push('\n');
}

/// Log Analytics JSON (one object per line, CRLF) for sign-ins of one table.
pub struct LaSignInJson {
    pub ctx: ExportContext,
    pub kind: SignInKind,
}

impl RecordWriter<SignInEvent> for LaSignInJson {
    fn record(&mut self, ev: &SignInEvent, out: &mut String) {
        json_row(out, columns_for(Some(self.kind)), |c| user_value(c, ev, &self.ctx));
    }
}

/// Log Analytics CSV for sign-ins of one table.
pub struct LaSignInCsv {
    pub ctx: ExportContext,
    pub kind: SignInKind,
}

impl RecordWriter<SignInEvent> for LaSignInCsv {
    fn begin(&mut self, out: &mut String) {
        out.push('\u{feff}');
        out.push_str(&csv_header(columns_for(Some(self.kind))));
        out.push('\n');
    }

    fn record(&mut self, ev: &SignInEvent, out: &mut String) {
        csv_row(out, columns_for(Some(self.kind)), |c| user_value(c, ev, &self.ctx));
    }
}

/// Log Analytics JSON for `AuditLogs`.
pub struct LaAuditJson {
    pub ctx: ExportContext,
}

impl RecordWriter<AuditEvent> for LaAuditJson {
    fn record(&mut self, a: &AuditEvent, out: &mut String) {
        json_row(out, AUDIT_COLUMNS, |c| audit_value(c, a, &self.ctx));
    }
}

/// Log Analytics CSV for `AuditLogs`.
pub struct LaAuditCsv {
    pub ctx: ExportContext,
}

impl RecordWriter<AuditEvent> for LaAuditCsv {
    fn begin(&mut self, out: &mut String) {
        out.push('\u{feff}');
        out.push_str(&csv_header(AUDIT_COLUMNS));
        out.push('\n');
    }

    fn record(&mut self, a: &AuditEvent, out: &mut String) {
        csv_row(out, AUDIT_COLUMNS, |c| audit_value(c, a, &self.ctx));
    }
}
