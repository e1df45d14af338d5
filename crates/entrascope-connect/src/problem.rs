//! What went wrong or is worth knowing while reading a file.

use std::borrow::Cow;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Read, but worth knowing (an unknown element kept, a missing part of a folder).
    Warning,
    /// One row or item could not be read; the rest of the file was.
    Rejected,
    /// The file (or the configuration it belongs to) could not be read.
    Error,
}

/// A problem with one input, with the line it is about (0 when it concerns
/// the whole file or a folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The input index the caller gave the file (`u32::MAX` when the problem
    /// concerns a folder rather than one file).
    pub input: u32,
    pub path: String,
    pub line: u64,
    pub level: Level,
    pub message: String,
}

impl Problem {
    pub fn new(path: &str, line: u64, level: Level, message: impl Into<String>) -> Problem {
        Problem { input: u32::MAX, path: path.to_string(), line, level, message: message.into() }
    }

    pub fn warning(path: &str, line: u64, message: impl Into<String>) -> Problem {
        Problem::new(path, line, Level::Warning, message)
    }

    pub fn rejected(path: &str, line: u64, message: impl Into<String>) -> Problem {
        Problem::new(path, line, Level::Rejected, message)
    }

    pub fn error(path: &str, line: u64, message: impl Into<String>) -> Problem {
        Problem::new(path, line, Level::Error, message)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A reader's result: the value and the problems met on the way (warnings
/// and rejected rows). A file that cannot be read at all is an `Err(Problem)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub value: T,
    pub problems: Vec<Problem>,
}

/// Decodes a file's bytes ([`crate::text::decode`]) and records a warning
/// when invalid bytes had to be replaced.
pub(crate) fn decode_reporting<'a>(path: &str, bytes: &'a [u8], problems: &mut Vec<Problem>) -> Cow<'a, str> {
    let (text, _, lossy) = crate::text::decode(bytes);
    if lossy {
        problems.push(Problem::warning(path, 0, "invalid UTF-8/UTF-16 bytes replaced with U+FFFD"));
    }
    text
}
