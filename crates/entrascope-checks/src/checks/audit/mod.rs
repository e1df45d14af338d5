//! Audit checks on accounts, privileged roles, PIM, groups and devices.

super::register! {
    ca_policy_changed_by_unapproved,
}
