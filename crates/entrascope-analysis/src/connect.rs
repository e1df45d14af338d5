//! The seam to `entrascope-connect`.

use entrascope_core::coverage::RuntimeStatus;
use entrascope_core::{CheckMeta, Finding, Timestamp};

pub fn checks() -> Vec<&'static CheckMeta> {
    Vec::new()
}

/// Whether the file belongs to Entra Connect (configuration export file,
/// Documenter report, run history, sync errors).
pub fn sniff(_path: &str, _head: &[u8]) -> bool {
    false
}

#[derive(Default)]
pub struct Collector {}

#[derive(Default)]
pub struct ConnectData {}

pub struct ConnectInput {
    pub path: String,
    pub kind: String,
    pub records: u64,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

impl Collector {
    pub fn add(&mut self, path: &str, _bytes: &[u8]) -> ConnectInput {
        ConnectInput { path: path.into(), kind: "connect".into(), records: 0, warnings: vec![], error: Some("Entra Connect files are not read yet".into()) }
    }

    pub fn finish(self) -> (ConnectData, Vec<ConnectInput>) {
        (ConnectData {}, Vec::new())
    }
}

impl ConnectData {
    pub fn configs(&self) -> u32 {
        0
    }

    pub fn has_run_history(&self) -> bool {
        false
    }

    pub fn has_errors(&self) -> bool {
        false
    }

    pub fn run(&self, _now: Timestamp) -> (Vec<Finding>, Vec<RuntimeStatus>) {
        (Vec::new(), Vec::new())
    }

    pub fn view(&self) -> Option<serde_json::Value> {
        None
    }
}
