//! Helpers shared by the integration tests and the fuzz targets (which
//! include this file by path): read bytes in chunks of a given size, and a
//! comparable view of everything read.

#![allow(dead_code)]

use entrascope_core::Table;
use entrascope_logs::{record_json, Dataset, Ingest};

/// Reads `data` as one input fed in `chunk`-byte pieces.
pub fn read_chunked(path: &str, data: &[u8], chunk: usize) -> Dataset {
    let mut ing = Ingest::new();
    ing.begin(path);
    for c in data.chunks(chunk.max(1)) {
        ing.feed(c);
    }
    ing.end();
    ing.finish()
}

/// Every record, resolved, sign-ins then audits.
pub fn all_records(ds: &Dataset) -> Vec<serde_json::Value> {
    let mut v: Vec<serde_json::Value> = (0..ds.signins.len() as u32).map(|i| record_json(ds, Table::SignIn, i)).collect();
    v.extend((0..ds.audits.len() as u32).map(|i| record_json(ds, Table::Audit, i)));
    v
}

/// The records and the inputs' reports, for comparing two readings.
pub fn view(ds: &Dataset) -> (Vec<serde_json::Value>, String) {
    (all_records(ds), serde_json::to_string(&ds.inputs).unwrap())
}

/// Reads `data` whole and in `chunk`-byte pieces: the results must be
/// identical and the counts consistent.
pub fn check_chunking(path: &str, data: &[u8], chunk: usize) {
    let whole = read_chunked(path, data, data.len().max(1));
    let parts = read_chunked(path, data, chunk);
    let info = &whole.inputs[0];
    assert_eq!(info.records as usize, whole.signins.len() + whole.audits.len() + whole.pending_steps.len(), "{path}");
    assert!(info.rejected.len() as u64 <= info.rejected_total);
    assert_eq!(info.bytes, data.len() as u64);
    assert!(info.rejected.iter().all(|r| !r.reason.is_empty()));
    assert_eq!(view(&whole), view(&parts), "{path}: chunks of {chunk}");
}
