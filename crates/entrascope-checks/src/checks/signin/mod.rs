//! Checks over sign-in logs.

super::register! {
    legacy_auth_success,
}
