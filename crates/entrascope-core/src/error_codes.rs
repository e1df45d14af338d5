//! Sign-in error codes (`data/signin-error-codes.tsv`): the outcome class
//! each stands for (success, interrupt, failure), whether it proves the first
//! factor was accepted, and its meaning in plain words. The readers classify
//! outcomes with it when an export has no Status column; checks explain codes
//! with it. Sources and retrieval date are in the file's `#` lines.

use std::sync::OnceLock;

static ERROR_CODES: &str = include_str!("../data/signin-error-codes.tsv");

fn rows(text: &'static str) -> Vec<Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect()
}

/// What a sign-in error code stands for (`data/signin-error-codes.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// A token was issued.
    Success,
    /// The sign-in paused to ask for more (MFA, registration, consent,
    /// "stay signed in", account choice); not a final rejection.
    Interrupt,
    /// The sign-in was rejected.
    Failure,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Success => "success",
            ErrorClass::Interrupt => "interrupt",
            ErrorClass::Failure => "failure",
        }
    }
}

/// One row of the sign-in error code list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    pub code: u32,
    pub class: ErrorClass,
    /// `Some(true)`: only returned after the password (first factor) was
    /// accepted; `Some(false)`: the first factor was wrong or unknown;
    /// `None`: the code says nothing about it.
    pub first_factor: Option<bool>,
    /// A short meaning in plain words.
    pub meaning: &'static str,
    /// Where the meaning comes from (see the file's `# source:` line).
    pub source: &'static str,
}

/// Every known code, sorted by code.
pub fn all() -> &'static [ErrorCode] {
    static V: OnceLock<Vec<ErrorCode>> = OnceLock::new();
    V.get_or_init(|| {
        let mut v: Vec<ErrorCode> = rows(ERROR_CODES)
            .into_iter()
            .filter_map(|r| {
                let class = match *r.get(1)? {
                    "success" => ErrorClass::Success,
                    "interrupt" => ErrorClass::Interrupt,
                    "failure" => ErrorClass::Failure,
                    _ => return None,
                };
                let first_factor = match r.get(2).copied().unwrap_or("-") {
                    "passed" => Some(true),
                    "failed" => Some(false),
                    _ => None,
                };
                Some(ErrorCode {
                    code: r.first()?.parse().ok()?,
                    class,
                    first_factor,
                    meaning: r.get(3).copied().unwrap_or(""),
                    source: r.get(4).copied().unwrap_or(""),
                })
            })
            .collect();
        v.sort_by_key(|e| e.code);
        v
    })
}

/// The list entry for a sign-in error code; `None` when the list does not know it.
pub fn error_code(code: u32) -> Option<&'static ErrorCode> {
    let list = all();
    list.binary_search_by_key(&code, |e| e.code).ok().map(|i| &list[i])
}

/// Whether a sign-in error code means success, an interrupt or a failure;
/// `None` for a code the list does not know.
pub fn error_code_class(code: u32) -> Option<ErrorClass> {
    error_code(code).map(|e| e.class)
}

/// The meaning of a sign-in error code in plain words; `None` when unknown.
pub fn error_code_meaning(code: u32) -> Option<&'static str> {
    error_code(code).map(|e| e.meaning)
}

/// Whether a sign-in with this error code got past the password (or other
/// first factor): success, MFA required or denied, Conditional Access block...
pub fn error_code_first_factor_passed(code: u32) -> bool {
    error_code(code).and_then(|e| e.first_factor) == Some(true)
}
