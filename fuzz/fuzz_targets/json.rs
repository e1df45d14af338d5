//! The JSON splitter and mappers: fuzz bytes as a JSON export.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let chunk = 1 + (ctl as usize >> 2);
    match ctl % 3 {
        0 => common::check("signins.json", rest, chunk),
        1 => {
            let mut v = b"[".to_vec();
            v.extend_from_slice(rest);
            common::check("signins.json", &v, chunk)
        }
        _ => {
            let mut v = b"{\"@odata.context\":\"x\",\"value\":[".to_vec();
            v.extend_from_slice(rest);
            common::check("signins.json", &v, chunk)
        }
    }
});
