//! `sniff` and format detection on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = entrascope_logs::sniff(data);
    for n in [0, 1, 2, 3, 4, 7, 64] {
        let _ = entrascope_logs::sniff(&data[..data.len().min(n)]);
    }
    common::check("input", data, 3);
});
