//! Entra sign-in and audit exports, read into one typed record model.
//!
//! Data flows one way: bytes → [`detect`] (format and log kind, from
//! content) → a streaming reader ([`csv`] framing or the [`json`] splitter)
//! → a mapper onto the [`model`] ([`map_csv`], [`map_json`], with the shared
//! value rules of [`norm`]) → [`Dataset`]. Readers are push-based:
//! [`Ingest::feed`] takes chunks of any size, as the browser reads a `File`,
//! and never needs a whole file in memory. Bad input never panics: every
//! row is either a record or a [`model::Rejected`] entry with its line and
//! reason.

pub mod csv;
pub mod decode;
pub mod detect;
pub mod ingest;
pub mod intern;
pub mod json;
pub mod map_csv;
pub mod map_json;
pub mod merge;
pub mod model;
pub mod norm;
pub mod sink;
pub mod view;
pub mod wire;

pub use ingest::{sniff, Ingest, Part, Sniff, SplitInfo};
pub use model::*;
pub use view::{audit_fields, record_json, signin_fields};
