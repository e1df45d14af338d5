//! Embeds the bundled SigmaHQ rules (`rules/**/*.yml`) as a static list.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).expect("rules/") {
        let dir = dir.expect("entry").path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).expect("rules/<service>/") {
                let f = f.expect("entry").path();
                if f.extension().and_then(|e| e.to_str()) == Some("yml") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    let mut out =
        String::from("/// (path inside `rules/`, text) of every bundled rule.\npub static BUNDLED: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        writeln!(out, "    ({rel:?}, include_str!({:?})),", f.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("bundled.rs");
    std::fs::write(dest, out).unwrap();
}
