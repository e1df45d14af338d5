//! The push-based entry point: `begin` a file, `feed` chunks, `end` it.

use crate::model::{Dataset, InputInfo};

/// What the first bytes of an input look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniff {
    /// Looks like a sign-in or audit export this crate reads (CSV or JSON).
    Log,
    /// Not a log export; says what it looks like ("a PNG image", "an Excel workbook (.xlsx)", "XML").
    Other(String),
    /// Too few bytes to say.
    NeedMore,
}

/// Says whether `head` (the first bytes of a file, up to 64 KiB) is a log
/// export this crate reads.
pub fn sniff(head: &[u8]) -> Sniff {
    let _ = head;
    todo!("readers")
}

/// Reads inputs into one [`Dataset`].
#[derive(Default)]
pub struct Ingest {
    ds: Dataset,
}

impl Ingest {
    pub fn new() -> Ingest {
        Ingest::default()
    }

    /// Starts a new input; returns its index in [`Dataset::inputs`].
    pub fn begin(&mut self, path: &str) -> u32 {
        self.ds.inputs.push(InputInfo { path: path.to_string(), ..Default::default() });
        (self.ds.inputs.len() - 1) as u32
    }

    /// Feeds the next chunk of the current input.
    pub fn feed(&mut self, chunk: &[u8]) {
        let _ = chunk;
        todo!("readers")
    }

    /// Ends the current input and returns what was read from it.
    pub fn end(&mut self) -> &InputInfo {
        todo!("readers")
    }

    /// The dataset read so far (not yet joined or sorted).
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// Joins AuthDetails to sign-ins, orders records by time, and returns the dataset.
    pub fn finish(mut self) -> Dataset {
        self.ds.finish();
        self.ds
    }

    /// Reads a whole input held in memory (tests, small files).
    pub fn read_all(&mut self, path: &str, bytes: &[u8]) -> u32 {
        let idx = self.begin(path);
        self.feed(bytes);
        self.end();
        idx
    }
}
