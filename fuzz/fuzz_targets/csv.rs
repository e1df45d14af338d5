//! CSV framing and the portal mappers: fuzz bytes after a real header.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const HEADERS: [&str; 3] = [
    include_str!("../../crates/entrascope-logs/tests/data/portal_InteractiveSignIns_header_2025-01_onward.csv"),
    include_str!("../../crates/entrascope-logs/tests/data/portal_AuditLogs_header_2025-02_onward.csv"),
    include_str!("../../crates/entrascope-logs/tests/data/loganalytics_SigninLogs_csv_export_header_2023-09.csv"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let mut input = HEADERS[(ctl % 3) as usize].as_bytes().to_vec();
    input.extend_from_slice(rest);
    common::check("InteractiveSignIns_fuzz.csv", &input, 1 + (ctl as usize >> 2));
    // The bytes alone, as whatever they look like.
    common::check("fuzz.csv", rest, 1 + (ctl as usize >> 2));
});
