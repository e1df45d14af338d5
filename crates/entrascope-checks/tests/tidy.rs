//! The registry is complete and every check is fully declared.

use std::collections::BTreeSet;
use std::path::Path;

use entrascope_checks::registry;

#[test]
fn codes_are_unique_and_declarations_complete() {
    let mut codes = BTreeSet::new();
    let mut problems = Vec::new();
    for def in registry() {
        if !codes.insert(def.meta.code) {
            problems.push(format!("duplicate code {}", def.meta.code));
        }
        problems.extend(def.meta.lint());
        for g in def.meta.guide {
            if entrascope_core::catalogue::row(g).is_none() {
                problems.push(format!("{}: unknown guide row {g}", def.meta.code));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_check_file_is_registered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    let registered: BTreeSet<String> =
        registry().iter().map(|d| d.meta.file.replace('\\', "/").rsplit("src/checks/").next().unwrap().to_string()).collect();
    let mut missing = Vec::new();
    for folder in entrascope_checks::checks::FOLDERS {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            if name.ends_with(".rs") && name != "mod.rs" {
                let rel = format!("{folder}/{name}");
                if !registered.contains(&rel) {
                    missing.push(rel);
                }
            }
        }
    }
    assert!(missing.is_empty(), "check files not in the registry: {missing:?}");
}
