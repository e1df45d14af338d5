//! The targets share the integration tests' helpers (read whole and in
//! chunks, compare), so a fuzz finding replays the same way in
//! `crates/entrascope-logs/tests/regressions.rs`.

#[path = "../../crates/entrascope-logs/tests/common/mod.rs"]
mod shared;

pub fn check(path: &str, data: &[u8], chunk: usize) {
    shared::check_chunking(path, data, chunk);
}
