//! A deterministic generator of realistic Microsoft Entra ID sign-in and
//! audit exports.
//!
//! - [`model`]: the generator's own event model ([`SignInEvent`],
//!   [`AuditEvent`]), plain structs with `String` fields.
//! - [`formats`]: streaming writers for every export format the readers
//!   accept (portal CSV in three header versions, portal JSON, Graph pages,
//!   Extractor Suite, NDJSON, Log Analytics JSON and CSV, Azure Monitor
//!   diagnostic records), byte-faithful to `shared/formats/FORMATS.md`.
//! - [`sim`]: a seeded Contoso tenant with a background of normal activity
//!   and planted incidents with near misses, labelled ([`Label`]), plus the
//!   settings file that goes with it.
//! - [`bench`](mod@bench): large portal CSVs for benchmarks, generated on demand.
//!
//! The crate's README lists the formats, the incidents and their near
//! misses, and measured speeds.
//!
//! ## Time precision
//! Every generated instant is a **whole second** (UTC). Each format spells
//! it its own way (`2025-10-02T08:19:41Z`, `…41.0000000Z`, `…41+00:00`,
//! `10/2/2025, 8:19:41.000 AM`), and every spelling parses back to the same
//! [`entrascope_core::Timestamp`], so a record read from any format compares
//! equal.
//!
//! ## Determinism
//! Output depends only on the seed and the configuration: the PRNG is the
//! crate's own SplitMix64 ([`rng::Rng`]), nothing reads the clock, and
//! iteration orders are fixed.
//!
//! The library does no IO: writers append to `String` buffers handed to a
//! [`formats::FileSink`]. The `entrascope-gen` binary writes files.

pub mod bench;
pub mod formats;
pub mod model;
pub mod rng;
pub mod sim;
pub mod text;

pub use formats::{write_demo_bundle, write_format, ExportContext, FileSink, Format, Logs, MemorySink, RecordWriter};
pub use model::{AuditEvent, AuditTarget, AuthStep, CaPolicy, Initiator, ModifiedProperty, SignInEvent, SignInKind, Status};
pub use sim::{generate, Generated, Label, TenantConfig, INCIDENTS};
