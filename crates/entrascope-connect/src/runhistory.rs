//! Run-history CSV (reader lands in a later commit).

use crate::model::RunHistory;
use crate::problem::{Parsed, Problem};

pub fn read_run_history(path: &str, _bytes: &[u8]) -> Result<Parsed<RunHistory>, Problem> {
    Err(Problem::error(path, 0, "recognized as a run-history export, which this build cannot read yet"))
}
