//! Audit checks on applications, infrastructure (domains, federation,
//! policies) and consumer (B2C) tenants.

super::register! {}
