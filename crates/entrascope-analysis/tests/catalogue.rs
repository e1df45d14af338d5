//! The checks cover the guides: every log-answerable row of the security
//! operations guide and every privileged-access, operations and Entra
//! Connect row has a check that implements it.

use std::collections::BTreeSet;

use entrascope_core::catalogue::{rows, Answerable};

#[test]
fn every_answerable_row_has_a_check() {
    let covered: BTreeSet<&str> = entrascope_analysis::all_checks().iter().flat_map(|m| m.guide.iter().copied()).collect();
    let missing: Vec<String> = rows()
        .iter()
        .filter(|r| r.answerable == Answerable::Yes)
        .filter(|r| !covered.contains(r.id.as_str()))
        .map(|r| format!("{} ({}): {}", r.id, r.data_source, r.what))
        .collect();
    assert!(missing.is_empty(), "rows without a check:\n{}", missing.join("\n"));
}

#[test]
fn checks_cite_only_catalogue_rows_and_codes_are_unique() {
    let mut codes = BTreeSet::new();
    for m in entrascope_analysis::all_checks() {
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        assert!(m.lint().is_empty(), "{:?}", m.lint());
        for g in m.guide {
            assert!(entrascope_core::catalogue::row(g).is_some(), "{}: unknown row {g}", m.code);
        }
    }
}
