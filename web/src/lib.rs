//! entrascope's web app: a Yew UI (`src/main.rs`) and a Web Worker
//! (`src/bin/worker.rs`) that reads files and runs the analysis.
//!
//! Architecture invariants:
//! - Parsing and checks never run on the UI thread; the UI holds views
//!   ([`protocol`]) and `Blob` handles, never file bytes or the dataset.
//! - Nothing is fetched from another origin and nothing is stored, except the
//!   settings when the user ticks "remember on this device".
//! - Values from logs reach the DOM only as text nodes; there is no
//!   `innerHTML` and no inline script or style (see the CSP in index.html).

pub mod engine;
pub mod markdown;
pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
