//! The web app's demo tenant (`web/demo/`) is committed, so the static site
//! needs no build step to have it. This test keeps it honest: it runs the
//! command of `web/demo-regen.sh` (the `entrascope-gen demo` binary, with the
//! script's seed) into a temporary folder and requires every generated file to
//! be committed byte for byte, and no other generated file to be there.
//! When it fails, run `web/demo-regen.sh` and commit the result.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seed `web/demo-regen.sh` passes (its `SEED=` line).
fn script_seed() -> String {
    let path = repo().join("web/demo-regen.sh");
    let script = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let seed = script
        .lines()
        .find_map(|l| l.trim().strip_prefix("SEED="))
        .unwrap_or_else(|| panic!("{} has no SEED= line", path.display()))
        .trim()
        .to_string();
    assert!(!seed.is_empty() && seed.bytes().all(|b| b.is_ascii_digit()), "SEED=`{seed}` is not a number");
    seed
}

/// The top-level files the regeneration script replaces (`*.csv`, `*.json`).
fn generated_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".csv") || n.ends_with(".json"))
        .collect()
}

/// Where two byte strings first differ: byte offset, line, and the text
/// around it in both.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let line = a[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let around = |s: &[u8]| {
        let from = at.saturating_sub(60).min(s.len());
        let to = (at + 60).min(s.len());
        String::from_utf8_lossy(&s[from..to]).escape_debug().to_string()
    };
    format!(
        "{} bytes committed, {} generated; first difference at byte {at}, line {line}:\n  committed: …{}…\n  generated: …{}…",
        a.len(),
        b.len(),
        around(a),
        around(b)
    )
}

#[test]
fn committed_demo_is_exactly_what_the_generator_writes() {
    let demo = repo().join("web/demo");
    let tmp = std::env::temp_dir().join(format!("entrascope-gen-demo-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);

    let out = Command::new(env!("CARGO_BIN_EXE_entrascope-gen"))
        .args(["demo", "--out"])
        .arg(&tmp)
        .args(["--seed", &script_seed()])
        .output()
        .expect("entrascope-gen runs");
    assert!(out.status.success(), "entrascope-gen demo failed: {}", String::from_utf8_lossy(&out.stderr));

    let generated = generated_names(&tmp);
    // The bundle (sign-in tabs, AuthDetails, audit log), settings and labels.
    assert!(generated.len() >= 8, "generated only {generated:?}");
    assert!(generated.contains("settings.json") && generated.contains("labels.json"), "{generated:?}");
    let committed = generated_names(&demo);
    assert_eq!(committed, generated, "web/demo holds other generated files than the generator writes: run web/demo-regen.sh");

    let mut problems = Vec::new();
    for name in &generated {
        let want = fs::read(tmp.join(name)).expect("generated file");
        let have = fs::read(demo.join(name)).expect("committed file");
        if have != want {
            problems.push(format!("web/demo/{name}: {}", first_difference(&have, &want)));
        }
    }
    let _ = fs::remove_dir_all(&tmp);
    assert!(
        problems.is_empty(),
        "the committed demo drifted from the generator (run web/demo-regen.sh):\n{}",
        problems.join("\n")
    );
}
