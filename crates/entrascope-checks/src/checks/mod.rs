//! The checks, by the log they read. Each submodule lists its checks with
//! [`register!`]; `tests/tidy.rs` fails when a file is not registered.

/// Declares the check modules of a folder and its `CHECKS` table.
macro_rules! register {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// The checks of this folder.
        pub static CHECKS: &[$crate::CheckDef] = &[
            $($crate::CheckDef { meta: &$module::META, run: $module::run },)*
        ];
    };
}
pub(crate) use register;

pub mod apps;
pub mod audit;
pub mod correlation;
pub mod signin;

/// The folders of checks, in registry order.
pub const FOLDERS: &[&str] = &["signin", "correlation", "audit", "apps"];
