//! Value normalization shared by every reader, so the same event read from
//! any format gives an identical record.
//!
//! Canonical forms (what checks can compare against):
//! - enumerations that Microsoft Graph defines (`incomingTokenType`,
//!   `authenticationProtocol`, `crossTenantAccessType`, `tokenIssuerType`,
//!   risk levels and states, Conditional Access policy results) use Graph's
//!   spelling (`primaryRefreshToken`, `oAuth2`, `b2bCollaboration`,
//!   `AzureAD`, `none`, `notApplied`); the admin center's display strings
//!   (`Primary refresh token`, `Azure AD`, `B2B collaboration`) are mapped
//!   onto them. Values this crate does not know are kept as written.
//! - `user_type` is `Member` / `Guest`.
//! - UPNs are lower-cased.

use entrascope_core::time::{parse_with, DateOrder};
use entrascope_core::Timestamp;

use crate::model::{AuditResult, AuthRequirement, CaStatus, Outcome, Tri};

/// Removes the apostrophe Excel (or a portal replica) puts before values
/// starting with `=`, `+`, `-`, `@` or digits to keep them as text.
pub fn strip_excel(s: &str) -> &str {
    // Most values start and end with a visible ASCII character: nothing to strip.
    if let (Some(&first), Some(&last)) = (s.as_bytes().first(), s.as_bytes().last()) {
        if first > b' ' && first < 0x7f && first != b'\'' && last > b' ' && last < 0x7f {
            return s;
        }
    }
    let s = s.trim();
    s.strip_prefix('\'').map(str::trim_start).unwrap_or(s)
}

/// Reads an error code written as a number or a string; blank is 0.
/// `None` when the text is not a number.
pub fn error_code(s: &str) -> Option<u32> {
    let s = strip_excel(s);
    if s.is_empty() {
        return Some(0);
    }
    if let Ok(v) = s.parse::<u32>() {
        return Some(v);
    }
    // Excel re-saves numbers as "50126.0" or "5.0126E+4".
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Some(f as u32),
        _ => None,
    }
}

/// The outcome from the admin center's `Status` column when present, else
/// from the error code.
pub fn outcome(status: &str, code: u32) -> Outcome {
    match SmallKey::new(status).as_str() {
        "success" => Outcome::Success,
        "failure" | "failed" => Outcome::Failure,
        "interrupted" => Outcome::Interrupted,
        _ => outcome_of_code(code),
    }
}

/// The outcome an error code stands for, by the shared error-code list
/// (`entrascope_core::error_codes`): 0 is success, interrupt codes (MFA or
/// registration required, "stay signed in"...) are interrupted, anything
/// else, known or not, is a failure.
pub fn outcome_of_code(code: u32) -> Outcome {
    use entrascope_core::error_codes::{error_code_class, ErrorClass};
    if code == 0 {
        return Outcome::Success;
    }
    match error_code_class(code) {
        Some(ErrorClass::Success) => Outcome::Success,
        Some(ErrorClass::Interrupt) => Outcome::Interrupted,
        Some(ErrorClass::Failure) | None => Outcome::Failure,
    }
}

/// Lower-case ASCII letters and digits only: `Not Applied`, `notApplied`
/// and `not_applied` all become `notapplied`.
pub fn key(s: &str) -> String {
    let mut k = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            k.push(c.to_ascii_lowercase());
        }
    }
    k
}

/// [`key`] without allocating, for the per-row enumerations: long enough
/// for every spelling this module knows (the longest has 37 characters);
/// longer text gets a key no spelling has.
pub(crate) struct SmallKey {
    buf: [u8; SMALL_KEY],
    len: usize,
}

const SMALL_KEY: usize = 48;

impl SmallKey {
    pub(crate) fn new(s: &str) -> SmallKey {
        let mut k = SmallKey { buf: [0; SMALL_KEY], len: 0 };
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if k.len == SMALL_KEY {
                    // Too long for any known spelling: match nothing.
                    k.buf[0] = b'~';
                    k.len = 1;
                    return k;
                }
                k.buf[k.len] = b.to_ascii_lowercase();
                k.len += 1;
            }
        }
        k
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII alphanumerics (or `~`) are ever stored.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("~")
    }
}

pub fn auth_requirement(s: &str) -> AuthRequirement {
    match SmallKey::new(s).as_str() {
        "multifactorauthentication" | "multifactor" | "mfa" => AuthRequirement::MultiFactor,
        "singlefactorauthentication" | "singlefactor" => AuthRequirement::SingleFactor,
        _ => AuthRequirement::Unknown,
    }
}

pub fn ca_status(s: &str) -> CaStatus {
    match SmallKey::new(s).as_str() {
        "success" => CaStatus::Success,
        "failure" => CaStatus::Failure,
        "notapplied" => CaStatus::NotApplied,
        _ => CaStatus::Unknown,
    }
}

pub fn tri(s: &str) -> Tri {
    let s = strip_excel(s);
    if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes") || s == "1" {
        Tri::Yes
    } else if s.eq_ignore_ascii_case("false") || s.eq_ignore_ascii_case("no") || s == "0" {
        Tri::No
    } else {
        Tri::Unknown
    }
}

pub fn audit_result(s: &str) -> AuditResult {
    match SmallKey::new(s).as_str() {
        "success" | "0" => AuditResult::Success,
        "failure" | "failed" => AuditResult::Failure,
        "timeout" => AuditResult::Timeout,
        _ => AuditResult::Unknown,
    }
}

/// `City, State, CC`, split from the right (a city may contain a comma).
pub fn split_location(s: &str) -> (&str, &str, &str) {
    let s = s.trim();
    if s.is_empty() {
        return ("", "", "");
    }
    let (rest, country) = match s.rfind(',') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => return ("", "", s),
    };
    let (city, state) = match rest.rfind(',') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => ("", rest),
    };
    (city.trim(), state.trim(), country.trim())
}

/// Parses a timestamp with the file's date order.
pub fn time(s: &str, order: &mut DateOrder) -> Option<Timestamp> {
    parse_with(s, order)
}

/// Why `what` (a column or key name) holding `s` gave no time.
pub fn bad_time(what: &str, s: &str) -> String {
    if s.trim().is_empty() {
        format!("no {what}")
    } else {
        format!("{what} {:?} is not a readable time", s.chars().take(40).collect::<String>())
    }
}

/// Parses a required timestamp, or says why it could not.
pub fn required_time(what: &str, s: &str, order: &mut DateOrder) -> Result<Timestamp, String> {
    parse_with(s, order).ok_or_else(|| bad_time(what, s))
}

/// Which enumeration a value belongs to, for [`canon`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enum {
    IncomingTokenType,
    AuthProtocol,
    CrossTenant,
    TokenIssuerType,
    UserType,
    Risk,
    CaResult,
    MsiType,
}

/// The canonical spelling of an enumerated value (see the module docs), or
/// `None` to keep the value as written.
pub fn canon(e: Enum, s: &str) -> Option<&'static str> {
    let k = SmallKey::new(s);
    let v = match e {
        Enum::IncomingTokenType => match k.as_str() {
            "none" => "none",
            "primaryrefreshtoken" | "prt" => "primaryRefreshToken",
            "saml11" => "saml11",
            "saml20" => "saml20",
            "remotedesktoptoken" => "remoteDesktopToken",
            "refreshtoken" => "refreshToken",
            "accesstoken" => "accessToken",
            _ => return None,
        },
        Enum::AuthProtocol => match k.as_str() {
            "none" => "none",
            "oauth2" | "oauth20" => "oAuth2",
            "ropc" => "ropc",
            "wsfederation" | "wsfed" => "wsFederation",
            "saml20" => "saml20",
            "devicecode" => "deviceCode",
            "authenticationtransfer" => "authenticationTransfer",
            "nativeauth" => "nativeAuth",
            "implicitaccesstokenandgetresponsemode" => "implicitAccessTokenAndGetResponseMode",
            _ => return None,
        },
        Enum::CrossTenant => match k.as_str() {
            "none" => "none",
            "b2bcollaboration" => "b2bCollaboration",
            "b2bdirectconnect" => "b2bDirectConnect",
            "microsoftsupport" => "microsoftSupport",
            "serviceprovider" => "serviceProvider",
            "passthrough" => "passthrough",
            _ => return None,
        },
        Enum::TokenIssuerType => match k.as_str() {
            "azuread" | "microsoftentraid" | "entraid" => "AzureAD",
            "adfederationservices" | "adfs" => "ADFederationServices",
            "adfederationservicesmfaadapter" => "ADFederationServicesMFAAdapter",
            "npsextension" => "NPSExtension",
            _ => return None,
        },
        Enum::UserType => match k.as_str() {
            "member" => "Member",
            "guest" => "Guest",
            _ => return None,
        },
        Enum::Risk => match k.as_str() {
            "none" => "none",
            "low" => "low",
            "medium" => "medium",
            "high" => "high",
            "hidden" => "hidden",
            "atrisk" => "atRisk",
            "confirmedsafe" => "confirmedSafe",
            "remediated" => "remediated",
            "dismissed" => "dismissed",
            "confirmedcompromised" => "confirmedCompromised",
            _ => return None,
        },
        Enum::MsiType => match k.as_str() {
            "systemassigned" => "systemAssigned",
            "userassigned" => "userAssigned",
            _ => return None,
        },
        Enum::CaResult => match k.as_str() {
            "success" => "success",
            "failure" => "failure",
            "notapplied" => "notApplied",
            "notenabled" => "notEnabled",
            "reportonlysuccess" => "reportOnlySuccess",
            "reportonlyfailure" => "reportOnlyFailure",
            "reportonlynotapplied" => "reportOnlyNotApplied",
            "reportonlyinterrupted" => "reportOnlyInterrupted",
            _ => return None,
        },
    };
    Some(v)
}

/// True when `s` has an ASCII upper-case letter (so it needs lower-casing).
pub fn has_upper(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_key_is_key_for_every_known_length() {
        for s in ["Success", " Not Applied ", "oAuth 2.0", "MFA", "", "Ünïcode-Wörds", "implicitAccessTokenAndGetResponseMode"]
        {
            assert_eq!(SmallKey::new(s).as_str(), key(s), "{s:?}");
        }
        let long = "a".repeat(SMALL_KEY + 1);
        assert_eq!(SmallKey::new(&long).as_str(), "~");
        assert_eq!(canon(Enum::AuthProtocol, &long), None);
        assert_eq!(SmallKey::new(&"b".repeat(SMALL_KEY)).as_str(), "b".repeat(SMALL_KEY));
    }

    #[test]
    fn values_from_every_format_agree() {
        assert_eq!(error_code(""), Some(0));
        assert_eq!(error_code("'50126"), Some(50126));
        assert_eq!(error_code("50126.0"), Some(50126));
        assert_eq!(error_code("abc"), None);
        assert_eq!(outcome("", 50074), Outcome::Interrupted);
        assert_eq!(outcome("Failure", 50074), Outcome::Failure);
        assert_eq!(outcome("", 50126), Outcome::Failure);
        assert_eq!(outcome("", 0), Outcome::Success);
        assert_eq!(auth_requirement("Multifactor authentication"), AuthRequirement::MultiFactor);
        assert_eq!(auth_requirement("multiFactorAuthentication"), AuthRequirement::MultiFactor);
        assert_eq!(auth_requirement("Single-factor authentication"), AuthRequirement::SingleFactor);
        assert_eq!(ca_status("Not Applied"), CaStatus::NotApplied);
        assert_eq!(ca_status("notApplied"), CaStatus::NotApplied);
        assert_eq!(tri("TRUE"), Tri::Yes);
        assert_eq!(tri("Yes"), Tri::Yes);
        assert_eq!(tri("false"), Tri::No);
        assert_eq!(tri(""), Tri::Unknown);
        assert_eq!(split_location("Redmond, Washington, US"), ("Redmond", "Washington", "US"));
        assert_eq!(
            split_location("Washington, D.C., District of Columbia, US"),
            ("Washington, D.C.", "District of Columbia", "US")
        );
        assert_eq!(split_location("US"), ("", "", "US"));
        assert_eq!(split_location(",,"), ("", "", ""));
        assert_eq!(canon(Enum::IncomingTokenType, "Primary refresh token"), Some("primaryRefreshToken"));
        assert_eq!(canon(Enum::TokenIssuerType, "Azure AD"), Some("AzureAD"));
        assert_eq!(canon(Enum::AuthProtocol, "OAuth 2.0"), Some("oAuth2"));
        assert_eq!(canon(Enum::UserType, "member"), Some("Member"));
        assert_eq!(canon(Enum::Risk, "whatever"), None);
    }
}
