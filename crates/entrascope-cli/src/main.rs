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
#[command(
    name = "entrascope",
    version,
    about = "Analyze Microsoft Entra ID sign-in and audit exports and Entra Connect configurations, offline."
)]
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
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(16);
    for f in files {
        session.begin_file(&display_path(f));
        match std::fs::File::open(f) {
            Ok(file) => read_file(session, f, file, threads),
            Err(e) => eprintln!("entrascope: {}: {e}", f.display()),
        }
        session.end_file();
    }
}

/// Bytes read per `read` call.
const READ: usize = 1 << 20;
/// A file is split for parallel reading only when each part gets at least this much.
const MIN_PART: u64 = 16 << 20;

/// Feeds `file` into the session. A large CSV export is read by `threads`
/// threads at once: once its header is known, the rest is cut at line
/// breaks into byte ranges; this thread reads the first, the others each
/// read one as a [`Part`](entrascope_analysis::Part), and the parts are
/// joined in order (a part that cannot be joined exactly is read again here).
fn read_file(session: &mut Session, path: &Path, mut file: std::fs::File, threads: usize) {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // The whole file's records end up here (parts are joined into it).
    session.expect_bytes(size);
    let mut buf = vec![0u8; READ];
    let mut pos = 0u64;
    // The head, until the reader knows the header (at most 8 MiB).
    while session.split_info().is_none() && pos < 8 << 20 {
        match file.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                session.feed(&buf[..n]);
                pos += n as u64;
            }
            Err(e) => {
                eprintln!("entrascope: {}: read error after part of the file: {e}", path.display());
                return;
            }
        }
    }
    let ranges = match session.split_info() {
        Some(info) if threads > 1 && size > pos && info.fed == pos => split_points(path, pos, size, threads),
        _ => Vec::new(),
    };
    let header = match (ranges.len() > 1, session.split_info()) {
        (true, Some(info)) => read_range(path, 0, info.header_bytes).ok(),
        _ => None,
    };
    let Some(header) = header else {
        feed_range(session, path, &mut file, pos, size, &mut buf);
        return;
    };
    // ranges[0] is read here; the others in parallel.
    std::thread::scope(|scope| {
        let parts: Vec<_> = ranges[1..]
            .iter()
            .map(|&(start, end)| {
                let header = &header;
                scope.spawn(move || read_part(path, header, start, end, end >= size))
            })
            .collect();
        let (start, end) = ranges[0];
        feed_range(session, path, &mut file, start, end, &mut buf);
        for (handle, &(start, end)) in parts.into_iter().zip(&ranges[1..]) {
            let joined = match handle.join() {
                Ok(Some(part)) => session.adopt(part).is_ok(),
                _ => false,
            };
            if !joined {
                feed_range(session, path, &mut file, start, end, &mut buf);
            }
        }
    });
}

/// `[from, size)` cut into about `n` ranges, each ending just after a line break.
fn split_points(path: &Path, from: u64, size: u64, n: usize) -> Vec<(u64, u64)> {
    let n = (n as u64).min((size - from) / MIN_PART).max(1);
    let mut cuts = vec![from];
    for k in 1..n {
        let guess = from + (size - from) * k / n;
        match next_line_start(path, guess) {
            Some(c) if c > *cuts.last().unwrap_or(&from) && c < size => cuts.push(c),
            _ => {}
        }
    }
    cuts.push(size);
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// The offset just after the first line break at or after `at`.
fn next_line_start(path: &Path, at: u64) -> Option<u64> {
    let bytes = read_range(path, at, at + (1 << 20)).ok()?;
    bytes.iter().position(|&b| b == b'\n').map(|i| at + i as u64 + 1)
}

fn read_range(path: &Path, from: u64, to: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(from))?;
    let mut out = Vec::new();
    f.take(to.saturating_sub(from)).read_to_end(&mut out)?;
    Ok(out)
}

/// Feeds the bytes `[from, to)` of the file.
fn feed_range(session: &mut Session, path: &Path, file: &mut std::fs::File, from: u64, to: u64, buf: &mut [u8]) {
    use std::io::{Seek, SeekFrom};
    if let Err(e) = file.seek(SeekFrom::Start(from)) {
        eprintln!("entrascope: {}: {e}", path.display());
        return;
    }
    let mut left = to - from;
    while left > 0 {
        let want = buf.len().min(left as usize);
        match file.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => {
                session.feed(&buf[..n]);
                left -= n as u64;
            }
            Err(e) => {
                eprintln!("entrascope: {}: read error after part of the file: {e}", path.display());
                break;
            }
        }
    }
}

/// Reads `[from, to)` as a part of the file; `None` if it could not be read whole.
fn read_part(path: &Path, header: &[u8], from: u64, to: u64, last: bool) -> Option<entrascope_analysis::Part> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(from)).ok()?;
    let mut part = entrascope_analysis::Part::new(&display_path(path), header);
    part.expect_bytes(header.len() as u64 + (to - from));
    let mut buf = vec![0u8; READ];
    let mut left = to - from;
    while left > 0 {
        let want = buf.len().min(left as usize);
        let n = f.read(&mut buf[..want]).ok()?;
        if n == 0 {
            return None;
        }
        part.feed(&buf[..n]);
        left -= n as u64;
    }
    part.finish(last);
    Some(part)
}

fn parse_now(now: Option<&str>) -> Result<Timestamp, String> {
    match now {
        Some(s) => Timestamp::parse(s).ok_or_else(|| format!("--now: `{s}` is not a time like 2026-11-21T00:00:00Z")),
        None => {
            let ms =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
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
    let format =
        args.format.unwrap_or(if std::io::stdout().is_terminal() && args.out.is_none() { Format::Table } else { Format::Json });
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
