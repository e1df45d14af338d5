//! The Entra admin center's CSV downloads: sign-ins (three header versions),
//! AuthDetails, ApplicationSignIns, MSISignIns and the audit log.
//!
//! Every field is double-quoted; lines end with CRLF; no BOM. Values are the
//! portal's display strings (see [`display`]). Columns are written by name,
//! so the duplicated `"Incoming token type"` gets the same value twice.

use std::fmt::Write as _;

use crate::model::{AuditEvent, Initiator, SignInEvent};
use crate::text::{csv_quoted, iso_z};

use super::RecordWriter;

/// The portal CSV's rendering of Graph enum values. Values not listed are
/// written unchanged. `Status`, `Conditional Access`, `Authentication
/// requirement`, `Token issuer type` and `Incoming token type` follow
/// FORMATS.md; the other spellings are unverified guesses, kept consistent.
pub fn display(value: &str) -> &str {
    match value {
        "success" => "Success",
        "failure" => "Failure",
        "notApplied" => "Not Applied",
        "multiFactorAuthentication" => "Multifactor authentication",
        "singleFactorAuthentication" => "Single-factor authentication",
        "AzureAD" => "Azure AD",
        "ADFederationServices" => "AD Federation Services",
        "none" => "None",
        "primaryRefreshToken" => "Primary refresh token",
        "saml11" => "SAML 1.1",
        "saml20" => "SAML 2.0",
        "member" => "Member",
        "guest" => "Guest",
        "b2bCollaboration" => "B2B collaboration",
        "b2bDirectConnect" => "B2B direct connect",
        "microsoftSupport" => "Microsoft support",
        "serviceProvider" => "Service provider",
        "oAuth2" => "OAuth2",
        "ropc" => "ROPC",
        "deviceCode" => "Device code",
        "wsFederation" => "WS-Federation",
        "clientSecret" => "Client secret",
        "certificate" => "Certificate",
        "federatedIdentityCredential" => "Federated identity credential",
        "managedIdentity" => "Managed identity",
        "systemAssigned" => "System assigned",
        "userAssigned" => "User assigned",
        other => other,
    }
}

fn bool_display(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "True",
        Some(false) => "False",
        None => "",
    }
}

/// A sign-in column, by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Date,
    RequestId,
    UserAgent,
    CorrelationId,
    UserId,
    User,
    Username,
    UserType,
    CrossTenant,
    IncomingToken,
    Protocol,
    UniqueToken,
    TransferMethod,
    ClientCredential,
    TokenProtection,
    TokenProtectionCode,
    Application,
    ApplicationId,
    AppOwnerTenant,
    Resource,
    ResourceId,
    ResourceTenant,
    ResourceOwnerTenant,
    HomeTenant,
    HomeTenantName,
    Ip,
    Location,
    Status,
    ErrorCode,
    FailureReason,
    ClientApp,
    DeviceId,
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
    ThroughGsa,
    GsaIp,
    Asn,
    Flagged,
    TokenIssuerType,
    TokenIssuerName,
    Latency,
    ConditionalAccess,
    MsiType,
    AssociatedResource,
    FederatedTokenId,
    FederatedTokenIssuer,
    ServicePrincipalId,
    ServicePrincipalName,
    CredentialKeyId,
    CredentialThumbprint,
}

/// Interactive / non-interactive columns since January 2025, in order, with
/// the header text exactly as the portal writes it.
const SIGNIN_2025_01: &[(&str, Col)] = &[
    ("Date (UTC)", Col::Date),
    ("Request ID", Col::RequestId),
    ("User agent", Col::UserAgent),
    ("Correlation ID", Col::CorrelationId),
    ("User ID", Col::UserId),
    ("User", Col::User),
    ("Username", Col::Username),
    ("User type", Col::UserType),
    ("Cross tenant access type", Col::CrossTenant),
    ("Incoming token type", Col::IncomingToken),
    ("Authentication Protocol", Col::Protocol),
    ("Unique token identifier", Col::UniqueToken),
    ("Original transfer method", Col::TransferMethod),
    ("Client credential type", Col::ClientCredential),
    ("Token Protection - Sign In Session", Col::TokenProtection),
    ("Token Protection - Sign In Session StatusCode", Col::TokenProtectionCode),
    ("Application", Col::Application),
    ("Application ID ", Col::ApplicationId),
    ("App owner tenant ID", Col::AppOwnerTenant),
    ("Resource", Col::Resource),
    ("Resource ID ", Col::ResourceId),
    ("Resource tenant ID", Col::ResourceTenant),
    ("Resource owner tenant ID", Col::ResourceOwnerTenant),
    ("Home tenant ID", Col::HomeTenant),
    ("Home tenant name", Col::HomeTenantName),
    ("IP address", Col::Ip),
    ("Location", Col::Location),
    ("Status", Col::Status),
    ("Sign-in error code", Col::ErrorCode),
    ("Failure reason", Col::FailureReason),
    ("Client app", Col::ClientApp),
    ("Device ID", Col::DeviceId),
    ("Browser", Col::Browser),
    ("Operating System", Col::Os),
    ("Compliant", Col::Compliant),
    ("Managed", Col::Managed),
    ("Join Type", Col::JoinType),
    ("Multifactor authentication result", Col::MfaResult),
    ("Multifactor authentication auth method", Col::MfaMethod),
    ("Multifactor authentication auth detail", Col::MfaDetail),
    ("Authentication requirement", Col::AuthRequirement),
    ("Sign-in identifier", Col::SignInIdentifier),
    ("Session ID", Col::SessionId),
    ("IP address (seen by resource)", Col::IpSeenByResource),
    ("Through Global Secure Access", Col::ThroughGsa),
    ("Global Secure Access IP address", Col::GsaIp),
    ("Autonomous system  number", Col::Asn),
    ("Flagged for review", Col::Flagged),
    ("Token issuer type", Col::TokenIssuerType),
    ("Incoming token type", Col::IncomingToken),
    ("Token issuer name", Col::TokenIssuerName),
    ("Latency", Col::Latency),
    ("Conditional Access", Col::ConditionalAccess),
    ("Managed Identity type", Col::MsiType),
    ("Associated Resource Id", Col::AssociatedResource),
    ("Federated Token Id", Col::FederatedTokenId),
    ("Federated Token Issuer", Col::FederatedTokenIssuer),
];

/// ApplicationSignIns (service principals), as documented from a December
/// 2025 export.
const APPLICATION: &[(&str, Col)] = &[
    ("Date (UTC)", Col::Date),
    ("Request ID", Col::RequestId),
    ("Correlation ID", Col::CorrelationId),
    ("Service principal ID", Col::ServicePrincipalId),
    ("Service principal name", Col::ServicePrincipalName),
    ("Credential key ID", Col::CredentialKeyId),
    ("Credential thumbprint", Col::CredentialThumbprint),
    ("Application", Col::Application),
    ("Application ID ", Col::ApplicationId),
    ("App owner tenant ID", Col::AppOwnerTenant),
    ("Resource", Col::Resource),
    ("Resource ID ", Col::ResourceId),
    ("Resource tenant ID", Col::ResourceTenant),
    ("Resource owner tenant ID", Col::ResourceOwnerTenant),
    ("Home tenant ID", Col::HomeTenant),
    ("Home tenant name", Col::HomeTenantName),
    ("IP address", Col::Ip),
    ("Location", Col::Location),
    ("Status", Col::Status),
    ("Sign-in error code", Col::ErrorCode),
    ("Failure reason", Col::FailureReason),
    ("Conditional Access", Col::ConditionalAccess),
];

/// MSISignIns was not captured verbatim ("similar to ApplicationSignIns");
/// this is ApplicationSignIns plus the managed-identity columns of the
/// interactive file. Inferred.
const MSI_EXTRA: &[(&str, Col)] = &[
    ("Managed Identity type", Col::MsiType),
    ("Associated Resource Id", Col::AssociatedResource),
    ("Federated Token Id", Col::FederatedTokenId),
    ("Federated Token Issuer", Col::FederatedTokenIssuer),
];

/// Which layout of the sign-in CSV to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInLayout {
    /// Interactive / non-interactive, 57 columns (January 2025 onward).
    V2025_01,
    /// 55 columns: no "App owner tenant ID" / "Resource owner tenant ID".
    V2024_11,
    /// 54 columns: also no "Session ID".
    V2024_10,
    /// ApplicationSignIns, 22 columns.
    Application,
    /// MSISignIns, 26 columns (inferred).
    ManagedIdentity,
}

impl SignInLayout {
    fn columns(self) -> Vec<(&'static str, Col)> {
        match self {
            SignInLayout::V2025_01 => SIGNIN_2025_01.to_vec(),
            SignInLayout::V2024_11 => SIGNIN_2025_01
                .iter()
                .copied()
                .filter(|(_, c)| !matches!(c, Col::AppOwnerTenant | Col::ResourceOwnerTenant))
                .collect(),
            SignInLayout::V2024_10 => SIGNIN_2025_01
                .iter()
                .copied()
                .filter(|(_, c)| !matches!(c, Col::AppOwnerTenant | Col::ResourceOwnerTenant | Col::SessionId))
                .collect(),
            SignInLayout::Application => APPLICATION.to_vec(),
            SignInLayout::ManagedIdentity => APPLICATION.iter().chain(MSI_EXTRA).copied().collect(),
        }
    }
}

/// Writes sign-ins in one of the portal CSV layouts.
pub struct PortalSignInCsv {
    cols: Vec<(&'static str, Col)>,
    num: String,
}

impl PortalSignInCsv {
    pub fn new(layout: SignInLayout) -> PortalSignInCsv {
        PortalSignInCsv { cols: layout.columns(), num: String::new() }
    }

    /// The header line without its line ending.
    pub fn header_line(&self) -> String {
        let mut s = String::new();
        for (i, (name, _)) in self.cols.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            csv_quoted(&mut s, name);
        }
        s
    }

    pub fn column_count(&self) -> usize {
        self.cols.len()
    }
}

impl RecordWriter<SignInEvent> for PortalSignInCsv {
    fn begin(&mut self, out: &mut String) {
        out.push_str(&self.header_line());
        out.push_str("\r\n");
    }

    fn record(&mut self, ev: &SignInEvent, out: &mut String) {
        for (i, &(_, col)) in self.cols.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.num.clear();
            let v: &str = match col {
                Col::Date => {
                    iso_z(&mut self.num, ev.time);
                    &self.num
                }
                Col::RequestId => &ev.request_id,
                Col::UserAgent => &ev.user_agent,
                Col::CorrelationId => &ev.correlation_id,
                Col::UserId => &ev.user_id,
                Col::User => &ev.user_display,
                Col::Username => &ev.upn,
                Col::UserType => display(&ev.user_type),
                Col::CrossTenant => display(&ev.cross_tenant_access_type),
                Col::IncomingToken => display(&ev.incoming_token_type),
                Col::Protocol => display(&ev.protocol),
                Col::UniqueToken => &ev.unique_token_id,
                Col::TransferMethod | Col::TokenProtection => "None",
                Col::ClientCredential => display(&ev.client_credential_type),
                Col::TokenProtectionCode | Col::GsaIp | Col::FederatedTokenId | Col::FederatedTokenIssuer => "",
                Col::Application => &ev.app_name,
                Col::ApplicationId => &ev.app_id,
                Col::AppOwnerTenant => &ev.app_owner_tenant_id,
                Col::Resource => &ev.resource_name,
                Col::ResourceId => &ev.resource_id,
                Col::ResourceTenant => &ev.resource_tenant_id,
                Col::ResourceOwnerTenant => &ev.resource_owner_tenant_id,
                Col::HomeTenant => &ev.home_tenant_id,
                Col::HomeTenantName => &ev.home_tenant_name,
                Col::Ip => &ev.ip,
                Col::Location => {
                    ev.write_location(&mut self.num);
                    &self.num
                }
                Col::Status => ev.status.display(),
                Col::ErrorCode => {
                    if ev.error_code != 0 {
                        let _ = write!(self.num, "{}", ev.error_code);
                    }
                    &self.num
                }
                Col::FailureReason => &ev.failure_reason,
                Col::ClientApp => &ev.client_app,
                Col::DeviceId => &ev.device_id,
                Col::Browser => &ev.browser,
                Col::Os => &ev.os,
                Col::Compliant => bool_display(ev.compliant),
                Col::Managed => bool_display(ev.managed),
                Col::JoinType => &ev.join_type,
                Col::MfaResult => &ev.mfa_result,
                Col::MfaMethod => &ev.mfa_method,
                Col::MfaDetail => &ev.mfa_detail,
                Col::AuthRequirement => display(&ev.auth_requirement),
                Col::SignInIdentifier => &ev.sign_in_identifier,
                Col::SessionId => &ev.session_id,
                Col::IpSeenByResource => &ev.ip_seen_by_resource,
                Col::ThroughGsa => "False",
                Col::Asn => {
                    if ev.asn != 0 {
                        let _ = write!(self.num, "{}", ev.asn);
                    }
                    &self.num
                }
                Col::Flagged => bool_display(Some(ev.flagged_for_review)),
                Col::TokenIssuerType => display(&ev.token_issuer_type),
                Col::TokenIssuerName => &ev.token_issuer_name,
                Col::Latency => {
                    let _ = write!(self.num, "{}", ev.latency_ms);
                    &self.num
                }
                Col::ConditionalAccess => display(&ev.ca_status),
                Col::MsiType => {
                    if ev.msi_type == "none" {
                        ""
                    } else {
                        display(&ev.msi_type)
                    }
                }
                Col::AssociatedResource => &ev.associated_resource_id,
                Col::ServicePrincipalId => &ev.service_principal_id,
                Col::ServicePrincipalName => &ev.service_principal_name,
                Col::CredentialKeyId => &ev.credential_key_id,
                Col::CredentialThumbprint => &ev.credential_thumbprint,
            };
            csv_quoted(out, v);
        }
        out.push_str("\r\n");
    }
}

/// `InteractiveSignIns_AuthDetails_*.csv`: one row per authentication step,
/// joined to its sign-in by `Request ID`. The header was not captured
/// verbatim; these are the column names code that parses real files uses.
#[derive(Default)]
pub struct PortalAuthDetailsCsv;

pub const AUTH_DETAILS_HEADER: &[&str] = &[
    "Date (UTC)",
    "Request ID",
    "Authentication method",
    "Authentication method detail",
    "Requirement",
    "Succeeded",
    "Result detail",
];

impl RecordWriter<SignInEvent> for PortalAuthDetailsCsv {
    fn begin(&mut self, out: &mut String) {
        for (i, h) in AUTH_DETAILS_HEADER.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_quoted(out, h);
        }
        out.push_str("\r\n");
    }

    fn record(&mut self, ev: &SignInEvent, out: &mut String) {
        let mut date = String::with_capacity(20);
        for step in &ev.auth_steps {
            date.clear();
            iso_z(&mut date, step.time);
            for (i, v) in [
                date.as_str(),
                &ev.request_id,
                &step.method,
                &step.method_detail,
                &step.requirement,
                bool_display(Some(step.succeeded)),
                &step.result_detail,
            ]
            .iter()
            .enumerate()
            {
                if i > 0 {
                    out.push(',');
                }
                csv_quoted(out, v);
            }
            out.push_str("\r\n");
        }
    }
}

/// How many targets, properties per target and additional details the portal
/// audit CSV keeps; the rest is lost in the export.
pub const AUDIT_TARGETS: usize = 3;
pub const AUDIT_PROPS: usize = 5;
pub const AUDIT_DETAILS: usize = 6;

/// The portal audit CSV (86 columns).
#[derive(Default)]
pub struct PortalAuditCsv;

impl PortalAuditCsv {
    /// The 86 column names, in order.
    pub fn column_names() -> Vec<String> {
        let mut cols: Vec<String> = [
            "Date (UTC)",
            "CorrelationId",
            "Service",
            "Category",
            "Activity",
            "Result",
            "ResultReason",
            "User Agent",
            "ActorType",
            "ActorDisplayName",
            "ActorObjectId",
            "ActorUserPrincipalName",
            "IPAddress",
            "ActorHomeTenantId",
            "ActorHomeTenantName",
            "ActorServicePrincipalId",
            "ActorServicePrincipalName",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in 1..=AUDIT_TARGETS {
            for f in ["Type", "DisplayName", "ObjectId", "UserPrincipalName"] {
                cols.push(format!("Target{n}{f}"));
            }
            for m in 1..=AUDIT_PROPS {
                for f in ["Name", "OldValue", "NewValue"] {
                    cols.push(format!("Target{n}ModifiedProperty{m}{f}"));
                }
            }
        }
        for n in 1..=AUDIT_DETAILS {
            cols.push(format!("AdditionalDetail{n}Key"));
            cols.push(format!("AdditionalDetail{n}Value"));
        }
        cols
    }

    pub fn header_line() -> String {
        let mut s = String::new();
        for (i, name) in Self::column_names().iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            csv_quoted(&mut s, name);
        }
        s
    }
}

/// `success` → `Success`.
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl RecordWriter<AuditEvent> for PortalAuditCsv {
    fn begin(&mut self, out: &mut String) {
        out.push_str(&Self::header_line());
        out.push_str("\r\n");
    }

    fn record(&mut self, a: &AuditEvent, out: &mut String) {
        let mut date = String::with_capacity(20);
        iso_z(&mut date, a.time);
        let result = capitalized(&a.result);
        let (actor_type, display, object_id, upn, ip, sp_id, sp_name) = match &a.initiator {
            Initiator::User { id, upn, display, ip } => {
                ("User", display.as_str(), id.as_str(), upn.as_str(), ip.as_str(), "", "")
            }
            Initiator::App { display, sp_id, sp_name, .. } => {
                ("App", display.as_str(), sp_id.as_str(), "", "", sp_id.as_str(), sp_name.as_str())
            }
        };
        let head: [&str; 17] = [
            &date,
            &a.correlation_id,
            &a.service,
            &a.category,
            &a.activity,
            &result,
            &a.result_reason,
            &a.user_agent,
            actor_type,
            display,
            object_id,
            upn,
            ip,
            "",
            "",
            sp_id,
            sp_name,
        ];
        for (i, v) in head.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_quoted(out, v);
        }
        for n in 0..AUDIT_TARGETS {
            let t = a.targets.get(n);
            for v in [t.map(|t| &t.kind), t.map(|t| &t.display), t.map(|t| &t.id), t.map(|t| &t.upn)] {
                out.push(',');
                csv_quoted(out, v.map_or("", |s| s.as_str()));
            }
            for m in 0..AUDIT_PROPS {
                let p = t.and_then(|t| t.modified.get(m));
                for v in [p.map(|p| &p.name), p.map(|p| &p.old), p.map(|p| &p.new)] {
                    out.push(',');
                    csv_quoted(out, v.map_or("", |s| s.as_str()));
                }
            }
        }
        for n in 0..AUDIT_DETAILS {
            let d = a.additional_details.get(n);
            out.push(',');
            csv_quoted(out, d.map_or("", |d| d.0.as_str()));
            out.push(',');
            csv_quoted(out, d.map_or("", |d| d.1.as_str()));
        }
        out.push_str("\r\n");
    }
}
