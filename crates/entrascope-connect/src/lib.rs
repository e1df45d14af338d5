//! Entra Connect Sync: configuration exports, Configuration Documenter
//! reports, run history and sync errors, read into one typed model.
//!
//! Data flows one way: `(path, bytes)` → [`sniff`] → a reader → the model
//! ([`Config`], [`RunHistory`], [`ErrorSet`]) → checks, diff and views. Callers
//! (the CLI, the browser) supply the files; this crate does no IO.
//!
//! ```no_run
//! let mut c = entrascope_connect::Collector::new();
//! # let files: Vec<(String, Vec<u8>)> = Vec::new();
//! for (path, bytes) in &files {
//!     let _ = c.add(path, bytes); // Err: not an Entra Connect file, or unreadable (see problems)
//! }
//! let data = c.finish();
//! ```

pub mod collect;
pub mod documenter;
pub mod errors;
pub mod export;
pub mod model;
pub mod policy;
pub mod problem;
pub mod runhistory;
pub mod sniff;
pub mod text;
pub mod xml;

pub use collect::{Collector, ConnectData, ConnectInput};
pub use model::*;
pub use problem::{Level, Parsed, Problem};
pub use sniff::{sniff, ConnectKind, SNIFF_HEAD};
