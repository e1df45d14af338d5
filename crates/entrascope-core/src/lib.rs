//! The shared vocabulary of entrascope.
//!
//! Every other crate speaks in these types: a [`Timestamp`], the tenant
//! [`Settings`], a check's [`CheckMeta`], the [`Finding`]s it emits with their
//! [`Evidence`], and the [`coverage`] of every guide row. This crate does no IO
//! and has no browser dependency.

pub mod catalogue;
pub mod check;
pub mod coverage;
pub mod error_codes;
pub mod escape;
pub mod finding;
pub mod settings;
pub mod time;

pub use check::{CheckMeta, DataNeed, SettingKey};
pub use coverage::{Availability, CoverageEntry, CoverageStatus};
pub use finding::{Evidence, Finding, RecordRef, Severity, Table};
pub use settings::Settings;
pub use time::Timestamp;
