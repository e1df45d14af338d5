//! Checks that correlate many sign-ins: password spray, brute force, MFA
//! fatigue, new countries, impossible travel, volume changes, risk.

super::register! {}
