//! `entrascope`: the command line of the contract in `cli-contract.md`.
//!
//! The only crate that touches the filesystem: it walks paths, streams files
//! into an [`entrascope_analysis::Session`] and writes the rendered report.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use entrascope_analysis::{render, CheckInfo, Session};
use entrascope_core::{Settings, Severity, Timestamp};

#[derive(Parser)]
#[command(name = "entrascope", version, about = "Analyze Microsoft Entra ID sign-in and audit exports and Entra Connect configurations, offline.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze files, folders (recursively) and .zip archives.
    Scan(ScanArgs),
    /// List every check with its guide rows and documentation.
    Checks(ChecksArgs),
    /// Compare two Entra Connect configurations (production and staging, or a baseline).
    Diff(DiffArgs),
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    Json,
    Table,
    Csv,
    Sarif,
    Html,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum FailOn {
    High,
    Medium,
    Low,
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Files, folders or .zip archives; formats are detected from content.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The tenant context (JSON settings file).
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Output format (default: table on a terminal, json otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The clock for age-based checks, YYYY-MM-DDTHH:MM:SSZ (default: now).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// Also run Sigma rules: `bundled` (SigmaHQ's Azure sign-in and audit
    /// rules) or a .yml file or folder of your own. Repeatable.
    #[arg(long, value_name = "bundled|PATH")]
    sigma: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum ChecksFormat {
    Json,
    Table,
    Markdown,
}

#[derive(clap::Args)]
struct ChecksArgs {
    /// Show only this check (its code, case-insensitive).
    code: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: ChecksFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum DiffFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The configuration to compare (a Connect export folder or .zip, or a Documenter report).
    a: PathBuf,
    /// The reference configuration.
    b: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Checks(args) => checks(args),
        Command::Diff(args) => diff(args),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("entrascope: {msg}");
            ExitCode::from(2)
        }
    }
}

fn write_out(out: Option<&Path>, text: &str) -> Result<(), String> {
    match out {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write to standard output: {e}")),
            }
        }
    }
}

/// Files under `path` in a stable order; folders are walked recursively
/// (symbolic links to folders are not followed, so loops cannot happen).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        let link = std::fs::symlink_metadata(&e).map(|m| m.file_type().is_symlink()).unwrap_or(false);
        if link && e.is_dir() {
            continue;
        }
        let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        collect(&e, out)?;
    }
    Ok(())
}

fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn read_into(session: &mut Session, files: &[PathBuf]) {
    let mut buf = vec![0u8; 1 << 20];
    for f in files {
        session.begin_file(&display_path(f));
        match std::fs::File::open(f) {
            Ok(mut file) => loop {
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => session.feed(&buf[..n]),
                    Err(e) => {
                        eprintln!("entrascope: {}: read error after part of the file: {e}", f.display());
                        break;
                    }
                }
            },
            Err(e) => eprintln!("entrascope: {}: {e}", f.display()),
        }
        session.end_file();
    }
}

fn parse_now(now: Option<&str>) -> Result<Timestamp, String> {
    match now {
        Some(s) => Timestamp::parse(s).ok_or_else(|| format!("--now: `{s}` is not a time like 2026-11-21T00:00:00Z")),
        None => {
            let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
            Ok(Timestamp(ms))
        }
    }
}

fn scan(args: ScanArgs) -> Result<ExitCode, String> {
    let now = parse_now(args.now.as_deref())?;
    let settings = match &args.settings {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("--settings {}: {e}", p.display()))?;
            let (s, warnings) = Settings::from_json(&text).map_err(|e| format!("--settings {}: {e}", p.display()))?;
            for w in warnings {
                eprintln!("entrascope: --settings {}: {w}", p.display());
            }
            s
        }
        None => Settings::default(),
    };
    let mut files = Vec::new();
    for p in &args.paths {
        collect(p, &mut files)?;
    }
    if files.is_empty() {
        return Err("no files found in the paths given".into());
    }
    let mut session = Session::new();
    read_into(&mut session, &files);
    let sigma = load_sigma(&args.sigma)?;
    let analysis = session.finish();
    let report = analysis.analyze_with(&settings, now, sigma.as_ref());
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() && args.out.is_none() { Format::Table } else { Format::Json });
    let text = match format {
        Format::Json => render::render_json(&report),
        Format::Table => render::render_table(&report),
        Format::Csv => render::render_csv(&report),
        Format::Sarif => render::render_sarif(&report),
        Format::Html => render::render_html(&report),
    };
    write_out(args.out.as_deref(), &text)?;
    if !analysis.has_readable_input() {
        eprintln!("entrascope: none of the inputs could be read: see the inputs section of the report for what each file was recognized as");
        return Ok(ExitCode::from(2));
    }
    if let Some(level) = args.fail_on {
        let min = match level {
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        };
        if report.findings.iter().any(|f| f.severity >= min) {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load_sigma(specs: &[String]) -> Result<Option<entrascope_analysis::sigma::RuleSet>, String> {
    if specs.is_empty() {
        return Ok(None);
    }
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut set = entrascope_analysis::sigma::RuleSet::default();
    for spec in specs {
        if spec == "bundled" {
            let b = entrascope_analysis::sigma::bundled();
            set.rules.extend(b.rules);
            set.unmapped.extend(b.unmapped);
            continue;
        }
        let mut files = Vec::new();
        collect(Path::new(spec), &mut files).map_err(|e| format!("--sigma: {e}"))?;
        for f in files.into_iter().filter(|f| matches!(f.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))) {
            let text = std::fs::read_to_string(&f).map_err(|e| format!("--sigma {}: {e}", f.display()))?;
            sources.push((display_path(&f), text));
        }
    }
    let own = entrascope_analysis::sigma::load(&sources);
    set.rules.extend(own.rules);
    set.unmapped.extend(own.unmapped);
    for u in &set.unmapped {
        if !u.source.starts_with("sigma/") {
            eprintln!("entrascope: sigma rule {} not run: {}", u.source, u.reason);
        }
    }
    Ok(Some(set))
}

fn checks(args: ChecksArgs) -> Result<ExitCode, String> {
    let mut infos: Vec<CheckInfo> = entrascope_analysis::all_checks().into_iter().map(CheckInfo::of).collect();
    if let Some(code) = &args.code {
        infos.retain(|c| c.code.eq_ignore_ascii_case(code));
        if infos.is_empty() {
            return Err(format!("no check has the code `{code}`; `entrascope checks` lists them"));
        }
    }
    let text = match args.format {
        ChecksFormat::Json => serde_json::to_string_pretty(&infos).expect("serializes") + "\n",
        ChecksFormat::Markdown => {
            let mut s = String::from("# entrascope checks\n\n");
            for c in &infos {
                s.push_str(&format!(
                    "## {} — {}\n\n- Severity: {}\n- Guide rows: {}\n- Needs: {}\n- Settings: {}\n\n{}\n",
                    c.code,
                    c.title,
                    c.severity.as_str(),
                    c.guide.join(", "),
                    if c.inputs.is_empty() { "nothing but settings".into() } else { c.inputs.join("; ") },
                    settings_text(c),
                    c.doc.replace("\n## ", "\n### ").replacen("## ", "### ", 1)
                ));
            }
            s
        }
        ChecksFormat::Table => {
            let mut s = String::new();
            if args.code.is_none() {
                s.push_str(&format!("{} checks\n\n", infos.len()));
            }
            for c in &infos {
                s.push_str(&format!(
                    "{}  [{}]  {}\n  guide: {}\n  needs: {}\n  settings: {}\n\n",
                    c.code,
                    c.severity.as_str(),
                    c.title,
                    c.guide.join(", "),
                    if c.inputs.is_empty() { "nothing but settings".into() } else { c.inputs.join("; ") },
                    settings_text(c)
                ));
                for line in c.doc.lines() {
                    s.push_str("  ");
                    s.push_str(line);
                    s.push('\n');
                }
                s.push('\n');
            }
            s
        }
    };
    write_out(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn settings_text(c: &CheckInfo) -> String {
    let mut parts = Vec::new();
    if !c.settings.is_empty() {
        parts.push(format!("requires {}", c.settings.join(", ")));
    }
    if !c.optional_settings.is_empty() {
        parts.push(format!("uses {}", c.optional_settings.join(", ")));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("; ")
    }
}

/// Reads one side of `diff`: an export folder, a .zip holding one, a policy
/// JSON, or a Documenter report (its target configuration).
fn load_config(path: &Path) -> Result<entrascope_connect::Config, String> {
    let mut files = Vec::new();
    collect(path, &mut files)?;
    let mut session = Session::new();
    read_into(&mut session, &files);
    let analysis = session.finish();
    let data = &analysis.connect;
    match data.configs.len() {
        1 => Ok(data.configs[0].clone()),
        0 => {
            if let Some(report) = data.reports.first() {
                return Ok(report.target.clone());
            }
            let why: Vec<String> = data.problems.iter().take(5).map(|p| p.to_string()).collect();
            Err(format!(
                "{}: no Entra Connect configuration found (expected a Get-ADSyncServerConfiguration folder with Connectors/, GlobalSettings/ and SynchronizationRules/, a .zip of one, or a Documenter report){}",
                path.display(),
                if why.is_empty() { String::new() } else { format!("; {}", why.join("; ")) }
            ))
        }
        n => Err(format!(
            "{}: holds {n} configurations ({}); point at one of them",
            path.display(),
            data.configs.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn diff(args: DiffArgs) -> Result<ExitCode, String> {
    let a = load_config(&args.a)?;
    let b = load_config(&args.b)?;
    let d = entrascope_connect::diff::diff(&a, &b);
    let text = match args.format {
        DiffFormat::Text => entrascope_connect::diff::render_diff_text(&d),
        DiffFormat::Json => serde_json::to_string_pretty(&d).expect("diff serializes") + "\n",
    };
    write_out(args.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}
