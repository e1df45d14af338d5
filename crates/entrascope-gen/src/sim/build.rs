//! Builders: a high-level description of a sign-in or an audited change
//! becomes a complete event with consistent fields.

use entrascope_core::Timestamp;

use crate::model::*;
use crate::rng::Rng;

use super::directory::*;

/// The Microsoft services tenant that owns first-party apps and resources.
pub const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// How the second factor was satisfied on a successful sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa {
    /// Single-factor (trusted network, or no MFA policy applied).
    None,
    /// Push notification approved in the Authenticator app.
    Push,
    /// Text message code.
    Sms,
    /// MFA claim in the existing token.
    Claim,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success(Mfa),
    /// 50126.
    BadPassword,
    /// 50053.
    Locked,
    /// 50074, interrupted: MFA required.
    MfaRequired,
    /// 50140, interrupted: "keep me signed in" prompt.
    Kmsi,
    /// 500121 with this `status.additionalDetails`.
    MfaDenied(&'static str),
    /// 53003, blocked by the policy at this index of the tenant's CA policies.
    CaBlocked(usize),
    /// 700082, non-interactive refresh token expired.
    TokenExpired,
    /// 7000222, service principal secret expired.
    SecretExpired,
}

pub const MFA_DENIED: &str = "MFA denied; user declined the authentication";
pub const MFA_NO_RESPONSE: &str = "MFA denied; user did not respond to mobile app notification";
pub const MFA_FRAUD: &str = "MFA denied; Phone App Reported Fraud";
pub const MFA_DONE: &str = "MFA successfully completed";
pub const MFA_CLAIM: &str = "MFA requirement satisfied by claim in the token";
const FIRST_CLAIM: &str = "First factor requirement satisfied by claim in the token";

/// Which network/location/device a sign-in comes from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub place: Place,
    pub device: Device,
}

fn step(time: Timestamp, method: &str, detail: &str, ok: bool, result: &str, requirement: &str) -> AuthStep {
    AuthStep {
        time,
        method: method.into(),
        method_detail: detail.into(),
        succeeded: ok,
        result_detail: result.into(),
        requirement: requirement.into(),
    }
}

const PRIMARY: &str = "Primary authentication";

/// The password step: accepted, or refused with this result detail.
fn password(time: Timestamp, result: Result<(), &str>) -> AuthStep {
    match result {
        Ok(()) => step(time, "Password", "Password in the cloud", true, "Correct password", PRIMARY),
        Err(detail) => step(time, "Password", "Password in the cloud", false, detail, PRIMARY),
    }
}
const SECONDARY: &str = "Secondary authentication";

fn fill_ids(rng: &mut Rng, ev: &mut SignInEvent) {
    ev.request_id = rng.guid();
    ev.correlation_id = rng.guid();
    ev.unique_token_id.clear();
    rng.token_into(&mut ev.unique_token_id, 22);
    ev.latency_ms = rng.range(35, 420) as u32;
}

fn set_place(ev: &mut SignInEvent, place: &Place) {
    ev.ip = place.ip.clone();
    ev.city = place.city.name.into();
    ev.state = place.city.state.into();
    ev.country = place.city.country.into();
    ev.latitude = place.city.lat;
    ev.longitude = place.city.lon;
    ev.asn = place.asn;
    ev.network_names = place.named_location.iter().map(|s| s.to_string()).collect();
}

/// Countries where Contoso operates; CA004 (report-only) flags the others.
pub const OPERATING: &[&str] = &["US", "GB", "DE", "IE"];

/// A user sign-in (interactive or non-interactive).
#[allow(clippy::too_many_arguments)]
pub fn user_signin(
    t: &Tenant,
    rng: &mut Rng,
    kind: SignInKind,
    time: Timestamp,
    user: &User,
    app: &App,
    origin: &Origin,
    outcome: Outcome,
    session_id: &str,
) -> SignInEvent {
    let mut ev = SignInEvent::blank(kind, time);
    fill_ids(rng, &mut ev);
    ev.session_id = session_id.to_string();
    ev.user_id = user.id.clone();
    ev.upn = user.upn.clone();
    ev.user_display = user.display.clone();
    ev.user_type = user.user_type.into();
    if kind == SignInKind::Interactive {
        ev.sign_in_identifier = user.upn.clone();
    }
    ev.app_name = app.name.into();
    ev.app_id = app.id.into();
    ev.app_owner_tenant_id = MICROSOFT_TENANT.into();
    ev.resource_name = app.resource.into();
    ev.resource_id = app.resource_id.into();
    ev.resource_sp_id = t.resource_sp(app.resource_id).to_string();
    ev.resource_tenant_id = t.id.clone();
    ev.resource_owner_tenant_id = MICROSOFT_TENANT.into();
    match &user.home_tenant {
        Some((id, name)) => {
            ev.home_tenant_id = id.clone();
            ev.home_tenant_name = name.to_string();
            ev.cross_tenant_access_type = "b2bCollaboration".into();
        }
        None => ev.home_tenant_id = t.id.clone(),
    }
    set_place(&mut ev, &origin.place);
    let d = &origin.device;
    ev.device_id = d.id.clone();
    ev.device_name = d.name.clone();
    ev.os = d.os.into();
    ev.browser = d.browser.into();
    ev.compliant = d.compliant;
    ev.managed = d.managed;
    ev.join_type = d.join_type.into();
    ev.user_agent = d.user_agent.into();
    ev.client_app =
        if kind == SignInKind::NonInteractive { "Mobile Apps and Desktop clients".into() } else { d.client_app.into() };
    if d.join_type.ends_with("joined") && kind == SignInKind::NonInteractive {
        ev.incoming_token_type = "primaryRefreshToken".into();
    }
    let trusted = origin.place.named_location.is_some();
    let t0 = time;
    match outcome {
        Outcome::Success(mfa) => {
            let mfa = if kind == SignInKind::NonInteractive && mfa != Mfa::None { Mfa::Claim } else { mfa };
            ev.auth_steps = if kind == SignInKind::NonInteractive || mfa == Mfa::Claim {
                vec![step(t0, "Previously satisfied", "", true, FIRST_CLAIM, PRIMARY)]
            } else {
                vec![password(t0, Ok(()))]
            };
            let second = match mfa {
                Mfa::None => None,
                Mfa::Push => Some(("Mobile app notification", "", MFA_DONE)),
                Mfa::Sms => Some(("Text message", "+X XXXXXXXX42", MFA_DONE)),
                Mfa::Claim => Some(("Previously satisfied", "", MFA_CLAIM)),
            };
            if let Some((method, detail, result)) = second {
                ev.auth_steps.push(step(t0, method, detail, true, result, SECONDARY));
                ev.auth_requirement = "multiFactorAuthentication".into();
                ev.mfa_method = method.into();
                ev.mfa_detail = detail.into();
                ev.mfa_result = result.into();
                ev.status_detail = result.into();
            }
            apply_ca(t, &mut ev, user, trusted, None);
        }
        Outcome::BadPassword => {
            ev.set_result(50126, "Error validating credentials due to invalid username or password.");
            ev.auth_steps = vec![password(t0, Err("Invalid username or password or Invalid on-premise username or password."))];
            ca_not_applied(t, &mut ev);
        }
        Outcome::Locked => {
            ev.set_result(
                50053,
                "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
            );
            ev.auth_steps = vec![password(t0, Err("Account is locked"))];
            ca_not_applied(t, &mut ev);
        }
        Outcome::MfaRequired => {
            ev.set_result(50074, "Strong Authentication is required.");
            ev.auth_requirement = "multiFactorAuthentication".into();
            ev.status_detail = "MFA required in Azure AD".into();
            ev.auth_steps = vec![password(t0, Ok(()))];
            ca_not_applied(t, &mut ev);
        }
        Outcome::Kmsi => {
            ev.set_result(50140, "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.");
            ev.auth_steps = vec![password(t0, Ok(()))];
            ca_not_applied(t, &mut ev);
        }
        Outcome::MfaDenied(detail) => {
            ev.set_result(500121, "Authentication failed during strong authentication request.");
            ev.auth_requirement = "multiFactorAuthentication".into();
            ev.auth_steps = vec![password(t0, Ok(())), step(t0, "Mobile app notification", "", false, detail, SECONDARY)];
            ev.mfa_method = "Mobile app notification".into();
            ev.mfa_result = detail.into();
            ev.status_detail = detail.into();
            ca_not_applied(t, &mut ev);
        }
        Outcome::CaBlocked(policy) => {
            ev.set_result(
                53003,
                "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
            );
            ev.auth_steps = vec![password(t0, Ok(()))];
            apply_ca(t, &mut ev, user, trusted, Some(policy));
        }
        Outcome::TokenExpired => {
            ev.set_result(
                700082,
                "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90 days.",
            );
            ca_not_applied(t, &mut ev);
        }
        Outcome::SecretExpired => {
            ev.set_result(7000222, "The provided client secret keys for app are expired.");
        }
    }
    ev
}

fn ca_not_applied(t: &Tenant, ev: &mut SignInEvent) {
    ev.ca_status = "notApplied".into();
    ev.ca_policies = t
        .ca_policies
        .iter()
        .enumerate()
        .map(|(i, p)| CaPolicy {
            id: p.id.clone(),
            name: p.name.into(),
            result: if i == 3 { "reportOnlyNotApplied".into() } else { "notApplied".into() },
            grant_controls: Vec::new(),
        })
        .collect();
}

/// Conditional Access results of a sign-in that passed primary
/// authentication. `blocked_by` forces that policy to `failure`.
fn apply_ca(t: &Tenant, ev: &mut SignInEvent, user: &User, trusted: bool, blocked_by: Option<usize>) {
    let operating = OPERATING.contains(&ev.country.as_str());
    let legacy = !matches!(ev.client_app.as_str(), "Browser" | "Mobile Apps and Desktop clients");
    let mfa = ev.auth_requirement == "multiFactorAuthentication";
    let mut policies = Vec::new();
    for (i, p) in t.ca_policies.iter().enumerate() {
        let result = if blocked_by == Some(i) {
            "failure"
        } else {
            match i {
                0 if trusted || legacy || !mfa => "notApplied",
                0 => "success",
                1 => "notApplied",
                2 if user.admin && ev.compliant == Some(true) => "success",
                2 => "notApplied",
                _ if operating => "reportOnlyNotApplied",
                _ => "reportOnlyFailure",
            }
        };
        let enforced = matches!(result, "success" | "failure");
        policies.push(CaPolicy {
            id: p.id.clone(),
            name: p.name.into(),
            result: result.into(),
            grant_controls: if enforced { vec![p.grant.to_string()] } else { Vec::new() },
        });
    }
    ev.ca_status = if policies.iter().any(|p| p.result == "failure") {
        "failure"
    } else if policies.iter().any(|p| p.result == "success") {
        "success"
    } else {
        "notApplied"
    }
    .into();
    ev.ca_policies = policies;
}

/// A service principal's client-credentials sign-in.
pub fn sp_signin(t: &Tenant, rng: &mut Rng, time: Timestamp, sp: &ServicePrincipal, fail: bool) -> SignInEvent {
    let mut ev = SignInEvent::blank(SignInKind::ServicePrincipal, time);
    fill_ids(rng, &mut ev);
    ev.app_name = sp.name.into();
    ev.app_id = sp.app_id.clone();
    ev.app_owner_tenant_id = t.id.clone();
    ev.service_principal_id = sp.sp_id.clone();
    ev.service_principal_name = sp.name.into();
    ev.credential_key_id = sp.key_id.clone();
    ev.credential_thumbprint = sp.thumbprint.clone();
    ev.client_credential_type = sp.credential.into();
    ev.resource_name = sp.resource.resource.into();
    ev.resource_id = sp.resource.resource_id.into();
    ev.resource_sp_id = t.resource_sp(sp.resource.resource_id).to_string();
    ev.resource_tenant_id = t.id.clone();
    ev.resource_owner_tenant_id = MICROSOFT_TENANT.into();
    ev.home_tenant_id = t.id.clone();
    set_place(&mut ev, &sp.place);
    if fail {
        ev.set_result(7000222, "The provided client secret keys for app are expired.");
    }
    ev
}

/// A managed identity's token request (no client address or location).
pub fn mi_signin(t: &Tenant, rng: &mut Rng, time: Timestamp, mi: &ManagedIdentity) -> SignInEvent {
    let mut ev = SignInEvent::blank(SignInKind::ManagedIdentity, time);
    fill_ids(rng, &mut ev);
    ev.app_name = mi.name.into();
    ev.app_id = mi.app_id.clone();
    ev.app_owner_tenant_id = t.id.clone();
    ev.service_principal_id = mi.sp_id.clone();
    ev.service_principal_name = mi.name.into();
    ev.client_credential_type = "managedIdentity".into();
    ev.msi_type = mi.msi_type.into();
    ev.associated_resource_id = mi.resource_id.clone();
    ev.resource_name = mi.target.0.into();
    ev.resource_id = mi.target.1.into();
    ev.resource_sp_id = t.resource_sp(mi.target.1).to_string();
    ev.resource_tenant_id = t.id.clone();
    ev.resource_owner_tenant_id = MICROSOFT_TENANT.into();
    ev.home_tenant_id = t.id.clone();
    ev
}

/// Puts an event into another operation's correlation (events of one flow,
/// such as a consent, share their correlation id); its `id` embeds it.
pub fn correlated(mut a: AuditEvent, correlation_id: &str) -> AuditEvent {
    a.id = a.id.replacen(&a.correlation_id, correlation_id, 1);
    a.correlation_id = correlation_id.to_string();
    a
}

/// `Initiator::User` for a user of the tenant.
pub fn by_user(u: &User, ip: &str) -> Initiator {
    Initiator::User { id: u.id.clone(), upn: u.upn.clone(), display: u.display.clone(), ip: ip.to_string() }
}

/// `Initiator::App` for a first-party or tenant app.
pub fn by_app(display: &str, app_id: &str, sp_id: &str) -> Initiator {
    Initiator::App { app_id: app_id.into(), display: display.into(), sp_id: sp_id.into(), sp_name: display.into() }
}

/// The audit `id` prefix a service uses.
fn id_prefix(service: &str) -> &'static str {
    match service {
        "PIM" => "PIM",
        "Invited Users" => "B2B",
        "Self-service Password Management" => "SSPR",
        "Authentication Methods" => "AuthMethods",
        _ => "Directory",
    }
}

/// An audit event. `user_agent` also goes into the additional details as
/// `User-Agent` (first), as the service records it.
#[allow(clippy::too_many_arguments)]
pub fn audit(
    rng: &mut Rng,
    time: Timestamp,
    category: &str,
    activity: &str,
    service: &str,
    operation_type: &str,
    initiator: Initiator,
    targets: Vec<AuditTarget>,
    mut details: Vec<(String, String)>,
    user_agent: &str,
) -> AuditEvent {
    let correlation_id = rng.guid();
    let mut suffix = String::new();
    for _ in 0..5 {
        suffix.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[rng.below(36) as usize] as char);
    }
    let id = format!("{}_{}_{}_{}", id_prefix(service), correlation_id, suffix, rng.range(10_000_000, 99_999_999));
    if !user_agent.is_empty() {
        details.insert(0, ("User-Agent".into(), user_agent.into()));
    }
    AuditEvent {
        id,
        correlation_id,
        time,
        category: category.into(),
        activity: activity.into(),
        service: service.into(),
        operation_type: operation_type.into(),
        result: "success".into(),
        result_reason: String::new(),
        initiator,
        targets,
        additional_details: details,
        user_agent: user_agent.into(),
    }
}

/// A `User` target.
pub fn user_target(u: &User, modified: Vec<ModifiedProperty>) -> AuditTarget {
    AuditTarget { kind: "User".into(), id: u.id.clone(), display: String::new(), upn: u.upn.clone(), modified }
}

pub fn target(kind: &str, id: &str, display: &str, modified: Vec<ModifiedProperty>) -> AuditTarget {
    AuditTarget { kind: kind.into(), id: id.into(), display: display.into(), upn: String::new(), modified }
}

/// `["value"]`, the JSON-array text audit logs use for old/new values.
pub fn jarr(v: &str) -> String {
    let mut s = String::from("[");
    crate::text::json_str(&mut s, v);
    s.push(']');
    s
}

/// `"value"`, a JSON string literal.
pub fn jstr(v: &str) -> String {
    let mut s = String::new();
    crate::text::json_str(&mut s, v);
    s
}

pub const UA_PORTAL: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";
pub const UA_POWERSHELL: &str = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-GB) WindowsPowerShell/5.1.22621.4391";
