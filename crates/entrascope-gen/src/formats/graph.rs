//! Graph objects (`signIn` beta, `directoryAudit` v1.0) as [`Node`]s, and
//! the JSON-family writers built on them: the portal JSON download, Graph
//! pages, Extractor Suite output and SOF-ELK NDJSON.

use crate::model::{AuditEvent, AuthStep, CaPolicy, Initiator, SignInEvent, SignInKind};
use crate::text::{iso_7_z, iso_z, Node, Style};

use super::RecordWriter;

fn time_node(f: fn(&mut String, entrascope_core::Timestamp), t: entrascope_core::Timestamp) -> Node {
    let mut s = String::with_capacity(28);
    f(&mut s, t);
    Node::Str(s)
}

fn ca_node(p: &CaPolicy) -> Node {
    Node::Obj(vec![
        ("id", Node::str(&p.id)),
        ("displayName", Node::str(&p.name)),
        ("enforcedGrantControls", Node::strs(&p.grant_controls)),
        ("enforcedSessionControls", Node::Arr(vec![])),
        ("result", Node::str(&p.result)),
    ])
}

fn step_node(s: &AuthStep) -> Node {
    Node::Obj(vec![
        ("authenticationStepDateTime", time_node(iso_z, s.time)),
        ("authenticationMethod", Node::str_or_null(&s.method)),
        ("authenticationMethodDetail", Node::str_or_null(&s.method_detail)),
        ("succeeded", Node::Bool(s.succeeded)),
        ("authenticationStepResultDetail", Node::str_or_null(&s.result_detail)),
        ("authenticationStepRequirement", Node::str_or_null(&s.requirement)),
    ])
}

/// `status` object.
pub fn status_node(ev: &SignInEvent) -> Node {
    Node::Obj(vec![
        ("errorCode", Node::Int(ev.error_code as i64)),
        ("failureReason", Node::str_or_null(&ev.failure_reason)),
        ("additionalDetails", Node::str_or_null(&ev.status_detail)),
    ])
}

pub fn device_node(ev: &SignInEvent) -> Node {
    Node::Obj(vec![
        ("deviceId", Node::str(&ev.device_id)),
        ("displayName", Node::str_or_null(&ev.device_name)),
        ("operatingSystem", Node::str(&ev.os)),
        ("browser", Node::str(&ev.browser)),
        ("isCompliant", Node::opt_bool(ev.compliant)),
        ("isManaged", Node::opt_bool(ev.managed)),
        ("trustType", Node::str_or_null(&ev.join_type)),
    ])
}

pub fn location_node(ev: &SignInEvent) -> Node {
    Node::Obj(vec![
        ("city", Node::str_or_null(&ev.city)),
        ("state", Node::str_or_null(&ev.state)),
        ("countryOrRegion", Node::str_or_null(&ev.country)),
        (
            "geoCoordinates",
            if ev.country.is_empty() {
                Node::Null
            } else {
                Node::Obj(vec![
                    ("altitude", Node::Null),
                    ("latitude", Node::Float(ev.latitude)),
                    ("longitude", Node::Float(ev.longitude)),
                ])
            },
        ),
    ])
}

pub fn mfa_node(ev: &SignInEvent) -> Node {
    if ev.mfa_method.is_empty() && ev.mfa_detail.is_empty() {
        return Node::Null;
    }
    Node::Obj(vec![("authMethod", Node::str_or_null(&ev.mfa_method)), ("authDetail", Node::str_or_null(&ev.mfa_detail))])
}

pub fn ca_policies_node(ev: &SignInEvent) -> Node {
    Node::Arr(ev.ca_policies.iter().map(ca_node).collect())
}

pub fn steps_node(ev: &SignInEvent) -> Node {
    Node::Arr(ev.auth_steps.iter().map(step_node).collect())
}

pub fn network_node(ev: &SignInEvent) -> Node {
    if ev.network_names.is_empty() {
        return Node::Arr(vec![]);
    }
    Node::Arr(vec![Node::Obj(vec![
        ("networkType", Node::str("trustedNamedLocation")),
        ("networkNames", Node::strs(&ev.network_names)),
    ])])
}

fn asn_node(asn: u32) -> Node {
    if asn == 0 {
        Node::Null
    } else {
        Node::Int(asn as i64)
    }
}

/// A Graph beta `signIn` object, in the key order Graph returns.
pub fn signin_node(ev: &SignInEvent) -> Node {
    let user = ev.kind.is_user();
    Node::Obj(vec![
        ("id", Node::str(&ev.request_id)),
        ("createdDateTime", time_node(iso_z, ev.time)),
        ("userDisplayName", Node::str_or_null(&ev.user_display)),
        ("userPrincipalName", Node::str_or_null(&ev.upn)),
        ("userId", Node::str(&ev.user_id)),
        ("appId", Node::str(&ev.app_id)),
        ("appDisplayName", Node::str_or_null(&ev.app_name)),
        ("ipAddress", Node::str(&ev.ip)),
        ("ipAddressFromResourceProvider", Node::str_or_null(&ev.ip_seen_by_resource)),
        ("clientAppUsed", Node::str_or_null(&ev.client_app)),
        ("userAgent", Node::str_or_null(&ev.user_agent)),
        ("correlationId", Node::str(&ev.correlation_id)),
        ("conditionalAccessStatus", Node::str(&ev.ca_status)),
        ("originalRequestId", Node::str("")),
        ("isInteractive", Node::Bool(ev.kind == SignInKind::Interactive)),
        ("tokenIssuerName", Node::str(&ev.token_issuer_name)),
        ("tokenIssuerType", Node::str(&ev.token_issuer_type)),
        ("clientCredentialType", Node::str(&ev.client_credential_type)),
        ("processingTimeInMilliseconds", Node::Int(ev.latency_ms as i64)),
        ("riskDetail", Node::str(&ev.risk_detail)),
        ("riskLevelAggregated", Node::str(&ev.risk_level_aggregated)),
        ("riskLevelDuringSignIn", Node::str(&ev.risk_level_during)),
        ("riskState", Node::str(&ev.risk_state)),
        ("riskEventTypes", Node::strs(&ev.risk_event_types)),
        ("riskEventTypes_v2", Node::strs(&ev.risk_event_types)),
        ("resourceDisplayName", Node::str_or_null(&ev.resource_name)),
        ("resourceId", Node::str_or_null(&ev.resource_id)),
        ("resourceTenantId", Node::str_or_null(&ev.resource_tenant_id)),
        ("homeTenantId", Node::str_or_null(&ev.home_tenant_id)),
        ("homeTenantName", Node::str(&ev.home_tenant_name)),
        ("authenticationMethodsUsed", Node::Arr(vec![])),
        ("authenticationRequirement", Node::str(&ev.auth_requirement)),
        ("signInIdentifier", Node::str(&ev.sign_in_identifier)),
        ("signInIdentifierType", if ev.sign_in_identifier.is_empty() { Node::Null } else { Node::str("userPrincipalName") }),
        ("servicePrincipalName", Node::str_or_null(&ev.service_principal_name)),
        ("signInEventTypes", Node::Arr(vec![Node::str(ev.kind.event_type())])),
        ("servicePrincipalId", Node::str(&ev.service_principal_id)),
        ("federatedCredentialId", Node::Null),
        ("userType", if user { Node::str(&ev.user_type) } else { Node::Null }),
        ("flaggedForReview", Node::Bool(ev.flagged_for_review)),
        ("isTenantRestricted", Node::Bool(false)),
        ("autonomousSystemNumber", asn_node(ev.asn)),
        ("crossTenantAccessType", Node::str(&ev.cross_tenant_access_type)),
        ("servicePrincipalCredentialKeyId", Node::str_or_null(&ev.credential_key_id)),
        ("servicePrincipalCredentialThumbprint", Node::str(&ev.credential_thumbprint)),
        ("uniqueTokenIdentifier", Node::str(&ev.unique_token_id)),
        ("incomingTokenType", Node::str(&ev.incoming_token_type)),
        ("authenticationProtocol", Node::str(&ev.protocol)),
        ("resourceServicePrincipalId", Node::str(&ev.resource_sp_id)),
        ("signInTokenProtectionStatus", Node::str("none")),
        ("originalTransferMethod", Node::str("none")),
        ("isThroughGlobalSecureAccess", Node::Bool(false)),
        ("globalSecureAccessIpAddress", Node::str("")),
        ("sessionId", Node::str(&ev.session_id)),
        ("appOwnerTenantId", Node::str_or_null(&ev.app_owner_tenant_id)),
        ("resourceOwnerTenantId", Node::str_or_null(&ev.resource_owner_tenant_id)),
        ("mfaDetail", mfa_node(ev)),
        ("status", status_node(ev)),
        ("deviceDetail", device_node(ev)),
        ("location", location_node(ev)),
        ("appliedConditionalAccessPolicies", ca_policies_node(ev)),
        ("authenticationContextClassReferences", Node::Arr(vec![])),
        ("authenticationProcessingDetails", Node::Arr(vec![])),
        ("networkLocationDetails", network_node(ev)),
        ("authenticationDetails", steps_node(ev)),
        ("authenticationRequirementPolicies", Node::Arr(vec![])),
        ("sessionLifetimePolicies", Node::Arr(vec![])),
        ("appliedEventListeners", Node::Arr(vec![])),
        (
            "managedServiceIdentity",
            Node::Obj(vec![
                ("msiType", Node::str(&ev.msi_type)),
                ("associatedResourceId", Node::str_or_null(&ev.associated_resource_id)),
                ("federatedTokenId", Node::Null),
                ("federatedTokenIssuer", Node::Null),
            ]),
        ),
    ])
}

pub fn initiator_node(i: &Initiator) -> Node {
    match i {
        Initiator::User { id, upn, display, ip } => Node::Obj(vec![
            ("app", Node::Null),
            (
                "user",
                Node::Obj(vec![
                    ("id", Node::str(id)),
                    ("displayName", Node::str_or_null(display)),
                    ("userPrincipalName", Node::str_or_null(upn)),
                    ("ipAddress", Node::str_or_null(ip)),
                    ("userType", Node::Null),
                    ("homeTenantId", Node::Null),
                    ("homeTenantName", Node::Null),
                ]),
            ),
        ]),
        Initiator::App { app_id, display, sp_id, sp_name } => Node::Obj(vec![
            (
                "app",
                Node::Obj(vec![
                    ("appId", Node::str_or_null(app_id)),
                    ("displayName", Node::str_or_null(display)),
                    ("servicePrincipalId", Node::str_or_null(sp_id)),
                    ("servicePrincipalName", Node::str_or_null(sp_name)),
                ]),
            ),
            ("user", Node::Null),
        ]),
    }
}

pub fn targets_node(a: &AuditEvent) -> Node {
    Node::Arr(
        a.targets
            .iter()
            .map(|t| {
                Node::Obj(vec![
                    ("id", Node::str(&t.id)),
                    ("displayName", Node::str_or_null(&t.display)),
                    ("type", Node::str(&t.kind)),
                    ("userPrincipalName", Node::str_or_null(&t.upn)),
                    ("groupType", Node::Null),
                    (
                        "modifiedProperties",
                        Node::Arr(
                            t.modified
                                .iter()
                                .map(|p| {
                                    Node::Obj(vec![
                                        ("displayName", Node::str(&p.name)),
                                        ("oldValue", Node::str_or_null(&p.old)),
                                        ("newValue", Node::str_or_null(&p.new)),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                ])
            })
            .collect(),
    )
}

pub fn details_node(a: &AuditEvent) -> Node {
    Node::Arr(a.additional_details.iter().map(|(k, v)| Node::Obj(vec![("key", Node::str(k)), ("value", Node::str(v))])).collect())
}

/// A Graph v1.0 `directoryAudit` object.
pub fn audit_node(a: &AuditEvent) -> Node {
    Node::Obj(vec![
        ("id", Node::str(&a.id)),
        ("category", Node::str(&a.category)),
        ("correlationId", Node::str(&a.correlation_id)),
        ("result", Node::str(&a.result)),
        ("resultReason", Node::str(&a.result_reason)),
        ("activityDisplayName", Node::str(&a.activity)),
        ("activityDateTime", time_node(iso_7_z, a.time)),
        ("loggedByService", Node::str(&a.service)),
        ("operationType", Node::str(&a.operation_type)),
        ("initiatedBy", initiator_node(&a.initiator)),
        ("targetResources", targets_node(a)),
        ("additionalDetails", details_node(a)),
    ])
}

/// Something with a Graph object form.
pub trait GraphObject {
    fn graph(&self) -> Node;
}

impl GraphObject for SignInEvent {
    fn graph(&self) -> Node {
        signin_node(self)
    }
}

impl GraphObject for AuditEvent {
    fn graph(&self) -> Node {
        audit_node(self)
    }
}

/// The portal's JSON download: a bare array, no envelope, no BOM; one
/// compact object per line.
#[derive(Default)]
pub struct PortalJson {
    n: usize,
}

impl<T: GraphObject> RecordWriter<T> for PortalJson {
    fn begin(&mut self, out: &mut String) {
        out.push('[');
    }

    fn record(&mut self, rec: &T, out: &mut String) {
        out.push_str(if self.n == 0 { "\n" } else { ",\n" });
        self.n += 1;
        rec.graph().write(out, Style::Compact);
    }

    fn end(&mut self, out: &mut String) {
        out.push_str("\n]\n");
    }
}

/// Graph API pages (`@odata.context`, `@odata.nextLink` on every page but the
/// last, `value` with at most [`GraphPages::PAGE`] records), written one
/// after another into one file, as a script saving each response with
/// `Out-File -Append` produces. `total` must be the number of records that
/// will be written, so each page knows whether a next one follows.
pub struct GraphPages {
    context: &'static str,
    next_base: &'static str,
    total: usize,
    n: usize,
    page: usize,
}

impl GraphPages {
    pub const PAGE: usize = 1000;

    pub fn signins(total: usize) -> GraphPages {
        GraphPages {
            context: "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
            next_base: "https://graph.microsoft.com/beta/auditLogs/signIns?$top=1000&$skiptoken=",
            total,
            n: 0,
            page: 0,
        }
    }

    pub fn audits(total: usize) -> GraphPages {
        GraphPages {
            context: "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
            next_base: "https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$top=1000&$skiptoken=",
            total,
            n: 0,
            page: 0,
        }
    }

    fn open_page(&mut self, out: &mut String) {
        self.page += 1;
        out.push_str("{\"@odata.context\":");
        crate::text::json_str(out, self.context);
        if self.n + Self::PAGE < self.total {
            out.push_str(",\"@odata.nextLink\":");
            // Real skip tokens are opaque; this one is deterministic.
            crate::text::json_str(
                out,
                &format!("{}{:032x}_{}", self.next_base, self.total as u128 * 7919 + self.page as u128, self.page),
            );
        }
        out.push_str(",\"value\":[");
    }
}

impl<T: GraphObject> RecordWriter<T> for GraphPages {
    fn begin(&mut self, out: &mut String) {
        if self.total == 0 {
            self.open_page(out);
        }
    }

    fn record(&mut self, rec: &T, out: &mut String) {
        // `%` rather than `is_multiple_of`: the workspace supports Rust 1.85.
        #[allow(clippy::manual_is_multiple_of)]
        let page_start = self.n % Self::PAGE == 0;
        if page_start {
            if self.n > 0 {
                out.push_str("]}\n");
            }
            self.open_page(out);
        } else {
            out.push(',');
        }
        self.n += 1;
        rec.graph().write(out, Style::Compact);
    }

    fn end(&mut self, out: &mut String) {
        out.push_str("]}\n");
    }
}

/// Microsoft-Extractor-Suite output: each Graph page's `value` converted
/// with `ConvertTo-Json -Depth 100` (PowerShell 7 layout: 2-space indent,
/// CRLF) and appended to one file, so the file holds several arrays one
/// after another (`]\r\n[`). A page holding a single record is written as a
/// bare object, as `ConvertTo-Json` does. Starts with a UTF-8 BOM
/// (`Out-File -Encoding UTF8` in Windows PowerShell).
pub struct ExtractorSuite {
    total: usize,
    n: usize,
    in_page: usize,
    page_len: usize,
}

impl ExtractorSuite {
    pub fn new(total: usize) -> ExtractorSuite {
        ExtractorSuite { total, n: 0, in_page: 0, page_len: 0 }
    }
}

const PS_STYLE: Style = Style::PrettyCrlf { indent: 2 };

impl<T: GraphObject> RecordWriter<T> for ExtractorSuite {
    fn begin(&mut self, out: &mut String) {
        out.push('\u{feff}');
    }

    fn record(&mut self, rec: &T, out: &mut String) {
        if self.in_page == 0 {
            self.page_len = (self.total - self.n).min(GraphPages::PAGE);
            if self.page_len > 1 {
                out.push_str("[\r\n  ");
            }
        } else {
            out.push_str(",\r\n  ");
        }
        let mut obj = String::new();
        rec.graph().write(&mut obj, PS_STYLE);
        if self.page_len > 1 {
            // Indent the object one level inside the array.
            out.push_str(&obj.replace("\r\n", "\r\n  "));
        } else {
            out.push_str(&obj);
        }
        self.n += 1;
        self.in_page += 1;
        if self.in_page == self.page_len {
            out.push_str(if self.page_len > 1 { "\r\n]\r\n" } else { "\r\n" });
            self.in_page = 0;
        }
    }
}

/// One compact Graph object per line (Extractor Suite `-Output SOF-ELK`).
#[derive(Default)]
pub struct Ndjson;

impl<T: GraphObject> RecordWriter<T> for Ndjson {
    fn record(&mut self, rec: &T, out: &mut String) {
        rec.graph().write(out, Style::Compact);
        out.push('\n');
    }
}
