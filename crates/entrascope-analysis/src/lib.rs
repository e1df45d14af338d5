//! Analysis (placeholder).
