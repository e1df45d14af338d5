//! Entra sign-in and audit exports, read into one typed record model.
//!
//! Data flows one way: bytes → [`detect`] (format and log kind, from
//! content) → a streaming reader (CSV or JSON framing) → a mapper onto the
//! [`model`] → [`Dataset`]. Readers are push-based: [`Ingest::feed`] takes
//! chunks of any size, as the browser reads a `File`, and never needs a whole
//! file in memory. Bad input never panics: every row is either a record or a
//! [`model::Rejected`] entry with its line and reason.

pub mod intern;
pub mod model;
pub mod view;
pub mod ingest;

pub use ingest::{sniff, Ingest, Sniff};
pub use model::*;
