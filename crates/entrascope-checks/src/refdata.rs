//! Reference lists kept as data in `data/*.tsv`, each with its source and
//! retrieval date in its `#` header lines: legacy client apps, sign-in error
//! codes, privileged directory roles, sensitive Graph permissions, consumer
//! e-mail domains.

use std::sync::OnceLock;

/// Rows of a TSV: comment lines (`#`) and the header line are skipped.
fn rows(text: &'static str) -> Vec<Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect()
}

static LEGACY: &str = include_str!("../data/legacy-client-apps.tsv");

/// Client-app names that mean legacy (basic) authentication.
pub fn legacy_client_apps() -> &'static [&'static str] {
    static V: OnceLock<Vec<&'static str>> = OnceLock::new();
    V.get_or_init(|| rows(LEGACY).into_iter().filter_map(|r| r.first().copied()).collect())
}

/// Whether a sign-in's client app is a legacy authentication protocol.
pub fn is_legacy_client(client_app: &str) -> bool {
    let c = client_app.trim();
    !c.is_empty() && legacy_client_apps().iter().any(|l| l.eq_ignore_ascii_case(c))
}

/// Whether a directory role name or template id is privileged.
///
/// Until the privileged-role list lands as data, a role is privileged when
/// its name says administrator (the Sentinel "UserAssignedPrivilegedRole"
/// rule's own test).
pub fn is_privileged_role(name_or_template: &str) -> bool {
    name_or_template.to_ascii_lowercase().contains("admin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_list_reads_its_data() {
        assert!(is_legacy_client("IMAP4"));
        assert!(is_legacy_client("exchange activesync"));
        assert!(!is_legacy_client("Browser"));
        assert!(!is_legacy_client("Mobile Apps and Desktop clients"));
        assert!(!is_legacy_client(""));
    }
}
