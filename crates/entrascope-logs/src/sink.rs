//! Where mapped records go: the dataset, plus per-input bookkeeping
//! (counts per kind, the file's date order, warnings).

use entrascope_core::time::DateOrder;

use crate::intern::{Interner, Sym};
use crate::model::{AuditEvent, AuthStep, Dataset, Format, Id, SignIn, SignInKind};

/// What the readers learn about the current input while reading it.
#[derive(Debug, Default)]
pub struct FileState {
    pub input: u32,
    pub order: DateOrder,
    /// Sign-ins per [`SignInKind`] (in declaration order).
    pub kinds: [u64; 4],
    pub audits: u64,
    pub steps: u64,
    /// A kind suggested by the file name (a hint only; content wins).
    pub name_hint: Option<SignInKind>,
    pub format: Format,
    /// What the CSV header says the input is, for inputs without rows.
    pub header_kind: Option<crate::model::InputKind>,
    /// Index of the first sign-in of this input in `Dataset::signins`.
    pub signin_start: usize,
    /// Scratch for lower-casing.
    pub scratch: String,
    /// The record tables were sized from the input's size: beyond that they
    /// grow by an eighth, not twofold (see `Ingest::expect_bytes`).
    pub gentle_growth: bool,
}

/// Room for one more record: an eighth more at a time under `gentle` growth.
#[inline]
fn make_room<T>(v: &mut Vec<T>, gentle: bool) {
    if gentle && v.len() == v.capacity() {
        v.reserve_exact((v.len() / 8).max(1024));
    }
}

impl FileState {
    pub fn new(input: u32, path: &str, signin_start: usize) -> FileState {
        FileState { input, name_hint: name_hint(path), signin_start, ..Default::default() }
    }
}

/// The sign-in kind a file name suggests: the admin center's
/// `NonInteractiveSignIns_…`, `ApplicationSignIns_…`, `MSISignIns_…`, the
/// Extractor Suite's `…-nonInteractiveUser-SignInLogs.json`.
pub fn name_hint(path: &str) -> Option<SignInKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase();
    if name.contains("noninteractive") {
        Some(SignInKind::NonInteractive)
    } else if name.contains("msisignins") || name.contains("managedidentity") {
        Some(SignInKind::ManagedIdentity)
    } else if name.contains("applicationsignins") || name.contains("serviceprincipal") {
        Some(SignInKind::ServicePrincipal)
    } else if name.contains("interactive") {
        Some(SignInKind::Interactive)
    } else {
        None
    }
}

pub fn kind_index(k: SignInKind) -> usize {
    match k {
        SignInKind::Interactive => 0,
        SignInKind::NonInteractive => 1,
        SignInKind::ServicePrincipal => 2,
        SignInKind::ManagedIdentity => 3,
    }
}

pub const KINDS: [SignInKind; 4] =
    [SignInKind::Interactive, SignInKind::NonInteractive, SignInKind::ServicePrincipal, SignInKind::ManagedIdentity];

pub fn push_signin(ds: &mut Dataset, fs: &mut FileState, s: SignIn) {
    let info = &mut ds.inputs[fs.input as usize];
    info.records += 1;
    info.saw(s.time);
    fs.kinds[kind_index(s.kind)] += 1;
    make_room(&mut ds.signins, fs.gentle_growth);
    ds.signins.push(s);
}

pub fn push_audit(ds: &mut Dataset, fs: &mut FileState, a: AuditEvent) {
    let info = &mut ds.inputs[fs.input as usize];
    info.records += 1;
    info.saw(a.time);
    fs.audits += 1;
    make_room(&mut ds.audits, fs.gentle_growth);
    ds.audits.push(a);
}

pub fn push_step(ds: &mut Dataset, fs: &mut FileState, id: Id, step: AuthStep) {
    let info = &mut ds.inputs[fs.input as usize];
    info.records += 1;
    if let Some(t) = step.time {
        info.saw(t);
    }
    fs.steps += 1;
    ds.pending_steps.push((id, step));
}

pub fn reject(ds: &mut Dataset, fs: &FileState, line: u64, reason: impl Into<String>) {
    ds.inputs[fs.input as usize].reject(line, reason);
}

pub fn warn(ds: &mut Dataset, fs: &FileState, w: impl Into<String>) {
    ds.inputs[fs.input as usize].warn(w);
}

/// Interns a trimmed value.
#[inline]
pub fn sym(strings: &mut Interner, s: &str) -> Sym {
    strings.intern(s.trim())
}

/// Interns a trimmed, lower-cased value (UPNs).
#[inline]
pub fn sym_lower(strings: &mut Interner, scratch: &mut String, s: &str) -> Sym {
    let s = s.trim();
    if crate::norm::has_upper(s) {
        scratch.clear();
        scratch.extend(s.chars().flat_map(char::to_lowercase));
        strings.intern(scratch)
    } else {
        strings.intern(s)
    }
}

/// Interns an enumerated value in its canonical spelling.
#[inline]
pub fn sym_enum(strings: &mut Interner, e: crate::norm::Enum, s: &str) -> Sym {
    let s = s.trim();
    if s.is_empty() {
        return Sym::EMPTY;
    }
    match crate::norm::canon(e, s) {
        Some(c) => strings.intern(c),
        None => strings.intern(s),
    }
}

/// The managed identity type (`systemAssigned`, `userAssigned`), with
/// `none` read as absent.
pub fn sym_msi(strings: &mut Interner, s: &str) -> Sym {
    let s = s.trim();
    if s.eq_ignore_ascii_case("none") {
        Sym::EMPTY
    } else {
        sym_enum(strings, crate::norm::Enum::MsiType, s)
    }
}
