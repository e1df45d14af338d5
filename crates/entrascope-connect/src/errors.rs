//! Sync-error exports (readers land in a later commit).

use crate::model::ErrorSet;
use crate::problem::{Parsed, Problem};

pub fn read_csexport_errors(path: &str, _bytes: &[u8]) -> Result<Parsed<ErrorSet>, Problem> {
    Err(Problem::error(path, 0, "recognized as a csexport error export, which this build cannot read yet"))
}

pub fn read_graph_errors(path: &str, _bytes: &[u8]) -> Result<Parsed<ErrorSet>, Problem> {
    Err(Problem::error(path, 0, "recognized as a Graph provisioning-error export, which this build cannot read yet"))
}
