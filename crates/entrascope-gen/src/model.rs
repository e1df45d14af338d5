//! The generator's own event model: plain structs with `String` fields,
//! holding every field any export format carries.
//!
//! Values are stored in their **Graph form** (camelCase enums such as
//! `multiFactorAuthentication`, `notApplied`, `member`, `b2bCollaboration`)
//! and each writer renders them in its format's dialect (the portal CSV shows
//! `Multifactor authentication`, `Not Applied`, `Member`...). An empty string
//! means "no value": `null` in JSON, a blank cell in CSV.
//!
//! Times are whole seconds (see [`crate`] docs): every format renders the same
//! instant, so a record read from any format compares equal.

use entrascope_core::Timestamp;

/// Which sign-in log a record belongs to (which portal tab, Log Analytics
/// table and diagnostic category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignInKind {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl SignInKind {
    pub const ALL: [SignInKind; 4] =
        [SignInKind::Interactive, SignInKind::NonInteractive, SignInKind::ServicePrincipal, SignInKind::ManagedIdentity];

    pub fn is_user(self) -> bool {
        matches!(self, SignInKind::Interactive | SignInKind::NonInteractive)
    }

    /// Graph `signInEventTypes` value, also used in Extractor Suite file names.
    pub fn event_type(self) -> &'static str {
        match self {
            SignInKind::Interactive => "interactiveUser",
            SignInKind::NonInteractive => "nonInteractiveUser",
            SignInKind::ServicePrincipal => "servicePrincipal",
            SignInKind::ManagedIdentity => "managedIdentity",
        }
    }

    /// File name prefix of the portal download.
    pub fn portal_prefix(self) -> &'static str {
        match self {
            SignInKind::Interactive => "InteractiveSignIns",
            SignInKind::NonInteractive => "NonInteractiveSignIns",
            SignInKind::ServicePrincipal => "ApplicationSignIns",
            SignInKind::ManagedIdentity => "MSISignIns",
        }
    }

    /// Azure Monitor diagnostic category.
    pub fn diagnostic_category(self) -> &'static str {
        match self {
            SignInKind::Interactive => "SignInLogs",
            SignInKind::NonInteractive => "NonInteractiveUserSignInLogs",
            SignInKind::ServicePrincipal => "ServicePrincipalSignInLogs",
            SignInKind::ManagedIdentity => "ManagedIdentitySignInLogs",
        }
    }

    /// Log Analytics table name.
    pub fn la_table(self) -> &'static str {
        match self {
            SignInKind::Interactive => "SigninLogs",
            SignInKind::NonInteractive => "AADNonInteractiveUserSignInLogs",
            SignInKind::ServicePrincipal => "AADServicePrincipalSignInLogs",
            SignInKind::ManagedIdentity => "AADManagedIdentitySignInLogs",
        }
    }
}

/// The outcome as the admin center's `Status` column shows it. Graph and Log
/// Analytics carry only the error code: 0 is success, codes the shared
/// error-code list (`entrascope_core::error_codes`) classes as interrupts are
/// interrupted, anything else failed. One list, so the portal's Status column
/// the generator writes agrees with what readers derive from the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Success,
    Failure,
    Interrupted,
}

impl Status {
    pub fn of_code(code: u32) -> Status {
        if code == 0 {
            Status::Success
        } else if entrascope_core::error_codes::error_code_class(code)
            == Some(entrascope_core::error_codes::ErrorClass::Interrupt)
        {
            Status::Interrupted
        } else {
            Status::Failure
        }
    }

    pub fn display(self) -> &'static str {
        match self {
            Status::Success => "Success",
            Status::Failure => "Failure",
            Status::Interrupted => "Interrupted",
        }
    }
}

/// One Conditional Access policy's result on a sign-in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CaPolicy {
    pub id: String,
    pub name: String,
    /// `success`, `failure`, `notApplied`, `notEnabled`, `reportOnlySuccess`...
    pub result: String,
    /// `Mfa`, `Block`, `CompliantDevice`...
    pub grant_controls: Vec<String>,
}

/// One step of authentication (the Graph `authenticationDetails` entry and a
/// row of the portal's AuthDetails file).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuthStep {
    pub time: Timestamp,
    /// `Password`, `Mobile app notification`, `Previously satisfied`...
    pub method: String,
    pub method_detail: String,
    pub succeeded: bool,
    /// `MFA successfully completed`, `MFA denied; user declined the authentication`...
    pub result_detail: String,
    /// `Primary authentication` or `Secondary authentication`.
    pub requirement: String,
}

/// A sign-in of any kind.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInEvent {
    pub kind: SignInKind,
    pub time: Timestamp,
    pub request_id: String,
    pub correlation_id: String,
    pub session_id: String,
    pub unique_token_id: String,

    pub user_id: String,
    pub upn: String,
    pub user_display: String,
    /// `member` / `guest` (empty for service principals and managed identities).
    pub user_type: String,
    pub sign_in_identifier: String,

    pub app_name: String,
    pub app_id: String,
    pub app_owner_tenant_id: String,
    pub resource_name: String,
    pub resource_id: String,
    pub resource_sp_id: String,
    pub resource_tenant_id: String,
    pub resource_owner_tenant_id: String,
    pub home_tenant_id: String,
    pub home_tenant_name: String,

    /// Service principal / managed identity sign-ins.
    pub service_principal_id: String,
    pub service_principal_name: String,
    pub credential_key_id: String,
    pub credential_thumbprint: String,
    /// `none`, `systemAssigned`, `userAssigned`.
    pub msi_type: String,
    pub associated_resource_id: String,

    pub ip: String,
    /// `ipAddressFromResourceProvider` / "IP address (seen by resource)".
    pub ip_seen_by_resource: String,
    pub city: String,
    pub state: String,
    /// Two-letter country code.
    pub country: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Autonomous system number, 0 when unknown.
    pub asn: u32,
    /// Named location when the IP is in a trusted network (`networkLocationDetails`).
    pub network_names: Vec<String>,

    pub status: Status,
    pub error_code: u32,
    pub failure_reason: String,
    /// `status.additionalDetails`.
    pub status_detail: String,

    /// `Browser`, `Mobile Apps and Desktop clients`, `IMAP4`...
    pub client_app: String,
    /// Graph `authenticationProtocol`: `none`, `oAuth2`, `ropc`, `deviceCode`, `saml20`, `wsFederation`.
    pub protocol: String,
    pub user_agent: String,
    /// Graph `clientCredentialType`: `none`, `clientSecret`, `certificate`, `federatedIdentityCredential`, `managedIdentity`.
    pub client_credential_type: String,

    pub device_id: String,
    pub device_name: String,
    pub os: String,
    pub browser: String,
    pub compliant: Option<bool>,
    pub managed: Option<bool>,
    /// `Azure AD joined`, `Hybrid Azure AD joined`, `Azure AD registered` or empty.
    pub join_type: String,

    /// The MFA step's result text (`MFA successfully completed`...). For MFA
    /// outcomes it equals `status_detail` and the secondary step's `result_detail`.
    pub mfa_result: String,
    pub mfa_method: String,
    pub mfa_detail: String,

    /// `singleFactorAuthentication` / `multiFactorAuthentication`.
    pub auth_requirement: String,
    /// `success`, `failure`, `notApplied`.
    pub ca_status: String,
    pub ca_policies: Vec<CaPolicy>,
    pub auth_steps: Vec<AuthStep>,

    /// `none`, `primaryRefreshToken`, `saml11`...
    pub incoming_token_type: String,
    /// `AzureAD`, `ADFederationServices`.
    pub token_issuer_type: String,
    pub token_issuer_name: String,
    /// `none`, `b2bCollaboration`, `b2bDirectConnect`...
    pub cross_tenant_access_type: String,
    pub flagged_for_review: bool,
    /// Processing time in milliseconds (portal "Latency").
    pub latency_ms: u32,

    /// `none`, `low`, `medium`, `high`, `hidden`.
    pub risk_level_during: String,
    pub risk_level_aggregated: String,
    /// `none`, `atRisk`, `confirmedSafe`, `remediated`, `dismissed`, `confirmedCompromised`.
    pub risk_state: String,
    pub risk_detail: String,
    pub risk_event_types: Vec<String>,
}

impl SignInEvent {
    /// An event with every field empty (ids, names) or at its neutral value
    /// (`none`, `notApplied`...). The simulator fills what applies.
    pub fn blank(kind: SignInKind, time: Timestamp) -> SignInEvent {
        let none = || "none".to_string();
        SignInEvent {
            kind,
            time,
            request_id: String::new(),
            correlation_id: String::new(),
            session_id: String::new(),
            unique_token_id: String::new(),
            user_id: String::new(),
            upn: String::new(),
            user_display: String::new(),
            user_type: String::new(),
            sign_in_identifier: String::new(),
            app_name: String::new(),
            app_id: String::new(),
            app_owner_tenant_id: String::new(),
            resource_name: String::new(),
            resource_id: String::new(),
            resource_sp_id: String::new(),
            resource_tenant_id: String::new(),
            resource_owner_tenant_id: String::new(),
            home_tenant_id: String::new(),
            home_tenant_name: String::new(),
            service_principal_id: String::new(),
            service_principal_name: String::new(),
            credential_key_id: String::new(),
            credential_thumbprint: String::new(),
            msi_type: none(),
            associated_resource_id: String::new(),
            ip: String::new(),
            ip_seen_by_resource: String::new(),
            city: String::new(),
            state: String::new(),
            country: String::new(),
            latitude: 0.0,
            longitude: 0.0,
            asn: 0,
            network_names: Vec::new(),
            status: Status::Success,
            error_code: 0,
            failure_reason: String::new(),
            status_detail: String::new(),
            client_app: String::new(),
            protocol: none(),
            user_agent: String::new(),
            client_credential_type: none(),
            device_id: String::new(),
            device_name: String::new(),
            os: String::new(),
            browser: String::new(),
            compliant: None,
            managed: None,
            join_type: String::new(),
            mfa_result: String::new(),
            mfa_method: String::new(),
            mfa_detail: String::new(),
            auth_requirement: "singleFactorAuthentication".into(),
            ca_status: "notApplied".into(),
            ca_policies: Vec::new(),
            auth_steps: Vec::new(),
            incoming_token_type: none(),
            token_issuer_type: "AzureAD".into(),
            token_issuer_name: String::new(),
            cross_tenant_access_type: none(),
            flagged_for_review: false,
            latency_ms: 0,
            risk_level_during: none(),
            risk_level_aggregated: none(),
            risk_state: none(),
            risk_detail: none(),
            risk_event_types: Vec::new(),
        }
    }

    /// Sets the error code, the status that follows from it and the failure
    /// reason text.
    pub fn set_result(&mut self, code: u32, reason: &str) {
        self.error_code = code;
        self.status = Status::of_code(code);
        self.failure_reason = reason.to_string();
    }

    /// `Location` of the portal CSV: `City, State, CC`.
    pub fn location_display(&self) -> String {
        let mut s = String::new();
        self.write_location(&mut s);
        s
    }

    /// Appends `City, State, CC` (nothing when the location is unknown).
    pub fn write_location(&self, out: &mut String) {
        if !(self.city.is_empty() && self.state.is_empty() && self.country.is_empty()) {
            for (i, part) in [&self.city, &self.state, &self.country].into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(part);
            }
        }
    }

    /// Log Analytics `IsRisky`.
    pub fn is_risky(&self) -> bool {
        self.risk_state == "atRisk" || self.risk_state == "confirmedCompromised"
    }
}

/// A modified property of an audit target. Values are the JSON-ish text the
/// service writes (`["x"]`); empty means `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModifiedProperty {
    pub name: String,
    pub old: String,
    pub new: String,
}

impl ModifiedProperty {
    pub fn new(name: &str, old: &str, new: &str) -> ModifiedProperty {
        ModifiedProperty { name: name.into(), old: old.into(), new: new.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditTarget {
    /// `User`, `Group`, `Application`, `ServicePrincipal`, `Policy`, `Role`, `Directory`, `Other`.
    pub kind: String,
    pub id: String,
    pub display: String,
    pub upn: String,
    pub modified: Vec<ModifiedProperty>,
}

/// Who performed an audited action: a user or an app (service principal).
#[derive(Debug, Clone, PartialEq)]
pub enum Initiator {
    User { id: String, upn: String, display: String, ip: String },
    App { app_id: String, display: String, sp_id: String, sp_name: String },
}

impl Initiator {
    /// What the portal and Log Analytics show as the actor's name.
    pub fn display_name(&self) -> &str {
        match self {
            Initiator::User { upn, display, .. } => {
                if display.is_empty() {
                    upn
                } else {
                    display
                }
            }
            Initiator::App { display, .. } => display,
        }
    }
}

/// One directory audit event.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// `Directory_<correlation id>_<5 chars>_<number>`, as the service writes it.
    pub id: String,
    /// Shared by the events of one operation, as the service does (a user
    /// consent logs *Add service principal*, *Add delegated permission
    /// grant* and *Consent to application* in one correlation); otherwise
    /// unique. In the portal CSV, which has no `id` column, correlation id
    /// and activity together identify an event.
    pub correlation_id: String,
    pub time: Timestamp,
    /// `UserManagement`, `GroupManagement`, `RoleManagement`, `Policy`, `ApplicationManagement`, `DirectoryManagement`.
    pub category: String,
    pub activity: String,
    /// `Core Directory`, `PIM`, `Invited Users`, `Self-service Password Management`...
    pub service: String,
    /// `Add`, `Update`, `Delete`, `Assign`, `Unassign`, `Other`.
    pub operation_type: String,
    /// `success`, `failure`.
    pub result: String,
    pub result_reason: String,
    pub initiator: Initiator,
    pub targets: Vec<AuditTarget>,
    /// Includes `User-Agent` when `user_agent` is set.
    pub additional_details: Vec<(String, String)>,
    pub user_agent: String,
}

/// Field-wise `clone_from`, so a recycled event reuses its strings'
/// buffers (the derived `Clone::clone_from` would allocate afresh).
macro_rules! assign_fields {
    ($dst:ident, $src:ident; $($f:ident),* $(,)?) => {
        $( $dst.$f.clone_from(&$src.$f); )*
    };
}

impl SignInEvent {
    /// Makes `self` equal to `src`, reusing `self`'s allocations.
    pub fn assign_from(&mut self, src: &SignInEvent) {
        let dst = self;
        assign_fields!(dst, src;
            kind, time, request_id, correlation_id, session_id, unique_token_id,
            user_id, upn, user_display, user_type, sign_in_identifier,
            app_name, app_id, app_owner_tenant_id, resource_name, resource_id, resource_sp_id,
            resource_tenant_id, resource_owner_tenant_id, home_tenant_id, home_tenant_name,
            service_principal_id, service_principal_name, credential_key_id, credential_thumbprint,
            msi_type, associated_resource_id,
            ip, ip_seen_by_resource, city, state, country, latitude, longitude, asn, network_names,
            status, error_code, failure_reason, status_detail,
            client_app, protocol, user_agent, client_credential_type,
            device_id, device_name, os, browser, compliant, managed, join_type,
            mfa_result, mfa_method, mfa_detail, auth_requirement, ca_status, ca_policies, auth_steps,
            incoming_token_type, token_issuer_type, token_issuer_name, cross_tenant_access_type,
            flagged_for_review, latency_ms,
            risk_level_during, risk_level_aggregated, risk_state, risk_detail, risk_event_types,
        );
    }
}
