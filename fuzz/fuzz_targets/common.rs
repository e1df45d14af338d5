//! Shared by the targets: read the same bytes whole and in chunks, and
//! check that the datasets are identical and the counts are sane.

use entrascope_core::Table;
use entrascope_logs::{record_json, Dataset, Ingest};

fn read(path: &str, data: &[u8], chunk: usize) -> Dataset {
    let mut ing = Ingest::new();
    ing.begin(path);
    for c in data.chunks(chunk.max(1)) {
        ing.feed(c);
    }
    ing.end();
    ing.finish()
}

fn view(ds: &Dataset) -> (Vec<serde_json::Value>, String) {
    let mut v: Vec<serde_json::Value> = (0..ds.signins.len() as u32).map(|i| record_json(ds, Table::SignIn, i)).collect();
    v.extend((0..ds.audits.len() as u32).map(|i| record_json(ds, Table::Audit, i)));
    (v, serde_json::to_string(&ds.inputs).unwrap())
}

pub fn check(path: &str, data: &[u8], chunk: usize) {
    let whole = read(path, data, data.len().max(1));
    let parts = read(path, data, chunk);
    let info = &whole.inputs[0];
    assert_eq!(info.records as usize, whole.signins.len() + whole.audits.len() + whole.pending_steps.len());
    assert!(info.rejected.len() as u64 <= info.rejected_total);
    assert_eq!(info.bytes, data.len() as u64);
    for r in &info.rejected {
        assert!(!r.reason.is_empty());
    }
    assert_eq!(view(&whole), view(&parts), "chunk size {chunk}");
}
