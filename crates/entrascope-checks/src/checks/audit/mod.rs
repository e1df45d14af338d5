//! Checks over audit logs.

super::register! {
    ca_policy_changed_by_unapproved,
}
