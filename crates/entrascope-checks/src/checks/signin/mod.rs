//! Checks over single sign-ins and small groups of them: legacy protocols,
//! Conditional Access outcomes, privileged and break-glass accounts, devices.

super::register! {
    legacy_auth_success,
}
