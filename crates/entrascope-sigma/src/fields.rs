//! The field-mapping layer: Sigma field names (from any of the schemas
//! SigmaHQ mixes) onto the typed record model.
//!
//! Names are compared case-insensitively after removing a leading
//! `properties.` (Azure Monitor diagnostic records nest the Graph object
//! there). Each field yields one or more candidate strings; a value matches
//! when any candidate does, which is how Sigma treats list-valued fields.

use std::borrow::Cow;

use entrascope_logs::{AuditEvent, AuditResult, Dataset, Outcome, SignIn, SignInKind, Tri};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInField {
    ErrorCode,
    Status,
    FailureReason,
    StatusDetail,
    AuthRequirement,
    UserAgent,
    Location,
    ClientApp,
    AppId,
    AppDisplay,
    ResourceDisplay,
    ResourceId,
    ResourceTenant,
    HomeTenant,
    CaStatus,
    Ip,
    DeviceId,
    DeviceCompliant,
    DeviceManaged,
    DeviceTrustType,
    DeviceOs,
    RiskState,
    RiskEventTypes,
    RiskLevelDuring,
    RiskLevelAggregated,
    RiskDetail,
    Upn,
    UserId,
    UserType,
    Category,
    OperationName,
    IsInteractive,
    AuthProtocol,
    Message,
    CrossTenantAccessType,
    ServicePrincipalName,
    MfaMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditField {
    Activity,
    Category,
    Service,
    Result,
    ResultReason,
    OperationType,
    Initiator,
    InitiatorIp,
    Targets,
    TargetTypes,
    ModifiedNames,
    ModifiedOld,
    ModifiedNew,
    Modified,
    DetailValues,
    ModifiedPropertyValue(&'static str),
    UserAgent,
}

fn normalize(field: &str) -> String {
    let f = field.trim().to_ascii_lowercase();
    f.strip_prefix("properties.").map(str::to_string).unwrap_or(f)
}

/// Maps a Sigma field to a sign-in field.
pub fn signin_field(field: &str) -> Result<SignInField, String> {
    use SignInField::*;
    Ok(match normalize(field).as_str() {
        "resulttype" | "errorcode" | "status.errorcode" => ErrorCode,
        "status" => Status,
        "resultdescription" | "failure_status_reason" | "failurereason" | "status.failurereason" => FailureReason,
        "status.additionaldetails" | "additionaldetails" => StatusDetail,
        "authenticationrequirement" => AuthRequirement,
        "useragent" => UserAgent,
        "location" | "locationdetails" | "location.countryorregion" | "locationdetails.countryorregion" => Location,
        "clientapp" | "clientappused" => ClientApp,
        "appid" => AppId,
        "appdisplayname" => AppDisplay,
        "resourcedisplayname" => ResourceDisplay,
        "resourceid" => ResourceId,
        "resourcetenantid" => ResourceTenant,
        "hometenantid" => HomeTenant,
        "conditionalaccessstatus" => CaStatus,
        "ipaddress" | "calleripaddress" | "ipaddr" => Ip,
        "devicedetail.deviceid" | "deviceid" => DeviceId,
        "devicedetail.iscompliant" | "iscompliant" => DeviceCompliant,
        "devicedetail.ismanaged" | "ismanaged" => DeviceManaged,
        "devicedetail.trusttype" | "trusttype" => DeviceTrustType,
        "devicedetail.operatingsystem" | "operatingsystem" => DeviceOs,
        "riskstate" => RiskState,
        "riskeventtype" | "riskeventtypes" | "riskeventtypes_v2" => RiskEventTypes,
        "risklevelduringsignin" | "risklevel" => RiskLevelDuring,
        "risklevelaggregated" => RiskLevelAggregated,
        "riskdetail" => RiskDetail,
        "userprincipalname" | "username" | "identity" => Upn,
        "userid" => UserId,
        "usertype" => UserType,
        "category" => Category,
        "operationname" => OperationName,
        "isinteractive" => IsInteractive,
        "authenticationprotocol" => AuthProtocol,
        // Diagnostic records put the protocol ("ROPC", "Device code") in the message.
        "message" => Message,
        "crosstenantaccesstype" => CrossTenantAccessType,
        "serviceprincipalname" => ServicePrincipalName,
        "mfadetail.authmethod" | "authenticationmethod" => MfaMethod,
        other => return Err(format!("field `{field}` has no counterpart in sign-in records ({other})")),
    })
}

/// Maps a Sigma field to an audit field.
pub fn audit_field(field: &str) -> Result<AuditField, String> {
    use AuditField::*;
    Ok(match normalize(field).as_str() {
        "message" | "operationname" | "activitydisplayname" | "activitytype" | "activity" | "activitydetails" => Activity,
        "category" => Category,
        "loggedbyservice" => Service,
        "result" | "status" | "resulttype" => Result,
        "resultreason" | "resultdescription" | "failure_status_reason" => ResultReason,
        "operationtype" | "aadoperationtype" => OperationType,
        "initiatedby" | "initiatied.by" | "initiatedby.user.userprincipalname" | "initiatedby.app.displayname" | "identity" => {
            Initiator
        }
        "calleripaddress" | "ipaddress" | "initiatedby.user.ipaddress" => InitiatorIp,
        "targetresources" | "target" | "targetusername" | "targetresources.userprincipalname" | "targetresources.displayname" => {
            Targets
        }
        "targetresources.type" => TargetTypes,
        "targetresources.modifiedproperties.displayname" => ModifiedNames,
        "targetresources.modifiedproperties.oldvalue" => ModifiedOld,
        "targetresources.modifiedproperties.newvalue" => ModifiedNew,
        "targetresources.modifiedproperties" => Modified,
        "additionaldetails.additionalinfo" | "additionaldetails.value" | "additionaldetails" => DetailValues,
        "consentcontext.isadminconsent" => ModifiedPropertyValue("ConsentContext.IsAdminConsent"),
        "useragent" => UserAgent,
        other => return Err(format!("field `{field}` has no counterpart in audit records ({other})")),
    })
}

fn tri(t: Tri) -> &'static str {
    match t {
        Tri::Yes => "true",
        Tri::No => "false",
        Tri::Unknown => "",
    }
}

/// Candidate strings of a sign-in field.
pub fn signin_values<'a>(ds: &'a Dataset, s: &SignIn, f: SignInField, out: &mut Vec<Cow<'a, str>>) {
    use SignInField::*;
    let mut sym = |x| out.push(Cow::Borrowed(ds.str(x)));
    match f {
        ErrorCode => out.push(Cow::Owned(s.error_code.to_string())),
        Status => {
            out.push(Cow::Borrowed(match s.outcome {
                Outcome::Success => "Success",
                Outcome::Failure => "Failure",
                Outcome::Interrupted => "Interrupted",
            }));
            out.push(Cow::Borrowed(ds.str(s.failure_reason)));
            out.push(Cow::Borrowed(ds.str(s.status_detail)));
            out.push(Cow::Owned(s.error_code.to_string()));
        }
        FailureReason => {
            sym(s.failure_reason);
            sym(s.status_detail);
        }
        StatusDetail => sym(s.status_detail),
        AuthRequirement => out.push(Cow::Borrowed(match s.auth_requirement {
            entrascope_logs::AuthRequirement::SingleFactor => "singleFactorAuthentication",
            entrascope_logs::AuthRequirement::MultiFactor => "multiFactorAuthentication",
            entrascope_logs::AuthRequirement::Unknown => "",
        })),
        UserAgent => sym(s.user_agent),
        Location => {
            sym(s.country);
            let full = [ds.str(s.city), ds.str(s.state), ds.str(s.country)]
                .iter()
                .filter(|x| !x.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            out.push(Cow::Owned(full));
        }
        ClientApp => sym(s.client_app),
        AppId => sym(s.app_id),
        AppDisplay => sym(s.app_display),
        ResourceDisplay => sym(s.resource_display),
        ResourceId => sym(s.resource_id),
        ResourceTenant => sym(s.resource_tenant_id),
        HomeTenant => sym(s.home_tenant_id),
        CaStatus => out.push(Cow::Borrowed(match s.ca_status {
            entrascope_logs::CaStatus::Success => "success",
            entrascope_logs::CaStatus::Failure => "failure",
            entrascope_logs::CaStatus::NotApplied => "notApplied",
            entrascope_logs::CaStatus::Unknown => "",
        })),
        Ip => sym(s.ip),
        DeviceId => sym(s.device_id),
        DeviceCompliant => out.push(Cow::Borrowed(tri(s.compliant))),
        DeviceManaged => out.push(Cow::Borrowed(tri(s.managed))),
        DeviceTrustType => sym(s.trust_type),
        DeviceOs => sym(s.os),
        RiskState => sym(s.risk_state),
        RiskEventTypes => {
            for r in ds.risk_events(s) {
                out.push(Cow::Borrowed(ds.str(*r)));
            }
        }
        RiskLevelDuring => sym(s.risk_level_during),
        RiskLevelAggregated => sym(s.risk_level_aggregated),
        RiskDetail => sym(s.risk_detail),
        Upn => sym(s.upn),
        UserId => sym(s.user_id),
        UserType => sym(s.user_type),
        Category => out.push(Cow::Borrowed(match s.kind {
            SignInKind::Interactive => "SignInLogs",
            SignInKind::NonInteractive => "NonInteractiveUserSignInLogs",
            SignInKind::ServicePrincipal => "ServicePrincipalSignInLogs",
            SignInKind::ManagedIdentity => "ManagedIdentitySignInLogs",
        })),
        OperationName => out.push(Cow::Borrowed("Sign-in activity")),
        IsInteractive => out.push(Cow::Borrowed(if s.kind == SignInKind::Interactive { "true" } else { "false" })),
        AuthProtocol => sym(s.auth_protocol),
        Message => {
            let p = ds.str(s.auth_protocol);
            out.push(Cow::Borrowed(p));
            out.push(Cow::Borrowed(match p.to_ascii_lowercase().as_str() {
                "devicecode" => "Device code",
                "ropc" => "ROPC",
                _ => "",
            }));
        }
        CrossTenantAccessType => sym(s.cross_tenant_access_type),
        ServicePrincipalName => sym(s.service_principal_name),
        MfaMethod => {
            sym(s.mfa_method);
            for st in ds.steps(s) {
                out.push(Cow::Borrowed(ds.str(st.method)));
            }
        }
    }
}

/// Candidate strings of an audit field.
pub fn audit_values<'a>(ds: &'a Dataset, a: &AuditEvent, f: AuditField, out: &mut Vec<Cow<'a, str>>) {
    use AuditField::*;
    match f {
        Activity => out.push(Cow::Borrowed(ds.str(a.activity))),
        Category => out.push(Cow::Borrowed(ds.str(a.category))),
        Service => out.push(Cow::Borrowed(ds.str(a.service))),
        Result => out.push(Cow::Borrowed(match a.result {
            AuditResult::Success => "success",
            AuditResult::Failure => "failure",
            AuditResult::Timeout => "timeout",
            AuditResult::Unknown => "",
        })),
        ResultReason => out.push(Cow::Borrowed(ds.str(a.result_reason))),
        OperationType => out.push(Cow::Borrowed(ds.str(a.operation_type))),
        Initiator => {
            let i = &a.initiator;
            for x in [i.upn, i.display, i.user_id, i.app_display, i.service_principal_name, i.app_id] {
                if !x.is_empty() {
                    out.push(Cow::Borrowed(ds.str(x)));
                }
            }
        }
        InitiatorIp => out.push(Cow::Borrowed(ds.str(a.initiator.ip))),
        Targets => {
            for t in ds.targets(a) {
                for x in [t.upn, t.display, t.id] {
                    if !x.is_empty() {
                        out.push(Cow::Borrowed(ds.str(x)));
                    }
                }
            }
        }
        TargetTypes => {
            for t in ds.targets(a) {
                out.push(Cow::Borrowed(ds.str(t.kind)));
            }
        }
        ModifiedNames | ModifiedOld | ModifiedNew | Modified => {
            for t in ds.targets(a) {
                for p in ds.modified(t) {
                    if matches!(f, ModifiedNames | Modified) {
                        out.push(Cow::Borrowed(ds.str(p.name)));
                    }
                    if matches!(f, ModifiedOld | Modified) {
                        out.push(Cow::Borrowed(ds.str(p.old)));
                    }
                    if matches!(f, ModifiedNew | Modified) {
                        out.push(Cow::Borrowed(ds.str(p.new)));
                    }
                }
            }
        }
        ModifiedPropertyValue(name) => {
            for t in ds.targets(a) {
                for p in ds.modified(t) {
                    if ds.str(p.name).eq_ignore_ascii_case(name) {
                        let v = ds.str(p.new).trim().trim_start_matches('[').trim_end_matches(']').trim().trim_matches('"');
                        out.push(Cow::Borrowed(v));
                    }
                }
            }
        }
        DetailValues => {
            for kv in ds.details(a) {
                out.push(Cow::Borrowed(ds.str(kv.value)));
            }
        }
        UserAgent => out.push(Cow::Borrowed(ds.str(a.user_agent))),
    }
}
