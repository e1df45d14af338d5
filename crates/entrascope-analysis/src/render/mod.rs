//! Renderers: the same report as JSON (the CLI contract), CSV, SARIF 2.1.0,
//! a self-contained HTML page, and a terminal table.
//!
//! Values from logs are data: HTML output escapes every value and CSV output
//! neutralizes spreadsheet formulas (`entrascope_core::escape`).

mod csv;
mod html;
mod json;
mod markdown;
mod sarif;
mod table;

pub use self::csv::render_csv;
pub use self::html::render_html;
pub use self::json::render_json;
pub use self::markdown::markdown_html;
pub use self::sarif::render_sarif;
pub use self::table::render_table;
