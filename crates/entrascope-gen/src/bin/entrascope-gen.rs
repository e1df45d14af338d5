//! `entrascope-gen`: writes generated Entra exports to disk.
//!
//! ```text
//! entrascope-gen tenant --out DIR [--seed N] [--days 30] [--members 300] [--guests 12]
//!                       [--end YYYY-MM-DD] [--formats all|portal-csv,graph-json,...] [--no-incidents]
//! entrascope-gen demo   --out DIR [--seed N] [--formats bundle|all|...]
//! entrascope-gen bench  --out DIR [--signins 1000000] [--audits 100000] [--seed N] [--no-incidents]
//! entrascope-gen formats | incidents
//! ```

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use entrascope_core::Timestamp;
use entrascope_gen::formats::{write_demo_bundle, write_format, FileSink, Format};
use entrascope_gen::{bench, generate, Generated, TenantConfig, INCIDENTS};

/// Writes each created file into a directory.
struct DirSink {
    dir: PathBuf,
    current: Option<BufWriter<File>>,
    files: Vec<(PathBuf, u64)>,
}

impl DirSink {
    fn new(dir: &Path) -> io::Result<DirSink> {
        fs::create_dir_all(dir)?;
        Ok(DirSink { dir: dir.to_path_buf(), current: None, files: Vec::new() })
    }

    fn finish(&mut self) -> io::Result<()> {
        if let Some(mut w) = self.current.take() {
            w.flush()?;
        }
        Ok(())
    }
}

impl FileSink for DirSink {
    fn create(&mut self, name: &str) -> io::Result<()> {
        self.finish()?;
        let path = self.dir.join(name);
        self.current = Some(BufWriter::with_capacity(1 << 20, File::create(&path)?));
        self.files.push((path, 0));
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(last) = self.files.last_mut() {
            last.1 += bytes.len() as u64;
        }
        match &mut self.current {
            Some(w) => w.write_all(bytes),
            None => Err(io::Error::other("write before create")),
        }
    }
}

impl Drop for DirSink {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

struct Args {
    rest: Vec<String>,
}

impl Args {
    fn value(&mut self, flag: &str) -> Result<Option<String>, String> {
        match self.rest.iter().position(|a| a == flag) {
            Some(i) => {
                if i + 1 >= self.rest.len() {
                    return Err(format!("{flag} needs a value"));
                }
                let v = self.rest.remove(i + 1);
                self.rest.remove(i);
                Ok(Some(v))
            }
            None => Ok(None),
        }
    }

    fn flag(&mut self, flag: &str) -> bool {
        match self.rest.iter().position(|a| a == flag) {
            Some(i) => {
                self.rest.remove(i);
                true
            }
            None => false,
        }
    }

    fn number<T: std::str::FromStr>(&mut self, flag: &str) -> Result<Option<T>, String> {
        match self.value(flag)? {
            Some(v) => v.replace('_', "").parse().map(Some).map_err(|_| format!("{flag}: `{v}` is not a number")),
            None => Ok(None),
        }
    }

    fn done(&self) -> Result<(), String> {
        match self.rest.first() {
            Some(a) => Err(format!("unexpected argument `{a}`")),
            None => Ok(()),
        }
    }
}

const USAGE: &str = "usage:
  entrascope-gen tenant --out DIR [--seed N] [--days 30] [--members 300] [--guests 12]
                        [--end YYYY-MM-DD (a Monday)] [--formats all|LIST] [--no-incidents]
  entrascope-gen demo   --out DIR [--seed N] [--formats bundle|all|LIST]
  entrascope-gen bench  --out DIR [--signins 1000000] [--audits 100000] [--seed N] [--no-incidents]
  entrascope-gen formats      list the format names
  entrascope-gen incidents    list the incident labels";

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let cmd = argv.remove(0);
    let result = match cmd.as_str() {
        "tenant" => tenant(Args { rest: argv }, false),
        "demo" => tenant(Args { rest: argv }, true),
        "bench" => run_bench(Args { rest: argv }),
        "formats" => {
            for f in Format::ALL {
                println!("{}", f.name());
            }
            Ok(())
        }
        "incidents" => {
            for i in INCIDENTS {
                println!("{i}");
            }
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("entrascope-gen: {e}");
            ExitCode::from(2)
        }
    }
}

fn parse_formats(list: &str) -> Result<Vec<Format>, String> {
    if list == "all" {
        return Ok(Format::ALL.to_vec());
    }
    list.split(',')
        .map(|s| Format::parse(s).ok_or_else(|| format!("unknown format `{s}` (see `entrascope-gen formats`)")))
        .collect()
}

fn tenant(mut args: Args, demo: bool) -> Result<(), String> {
    let out = PathBuf::from(args.value("--out")?.ok_or("--out DIR is required")?);
    let seed = args.number("--seed")?.unwrap_or(1);
    let mut cfg = if demo { TenantConfig::demo(seed) } else { TenantConfig::standard(seed) };
    if let Some(d) = args.number("--days")? {
        cfg.days = d;
    }
    if let Some(m) = args.number("--members")? {
        cfg.members = m;
    }
    if let Some(g) = args.number("--guests")? {
        cfg.guests = g;
    }
    if let Some(end) = args.value("--end")? {
        cfg.end = Timestamp::parse(&format!("{end}T00:00:00Z")).ok_or_else(|| format!("--end: `{end}` is not YYYY-MM-DD"))?;
    }
    if args.flag("--no-incidents") {
        cfg.incidents = false;
    }
    let formats = args.value("--formats")?.unwrap_or_else(|| if demo { "bundle".into() } else { "all".into() });
    args.done()?;

    let t0 = Instant::now();
    let g = generate(&cfg)?;
    eprintln!(
        "generated {} sign-ins, {} audit events, {} labels in {:.2} s",
        g.logs.signins.len(),
        g.logs.audits.len(),
        g.labels.len(),
        t0.elapsed().as_secs_f64()
    );
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    write_meta(&out, &g)?;
    if formats == "bundle" {
        let mut sink = DirSink::new(&out).map_err(|e| e.to_string())?;
        write_demo_bundle(&g.logs, &g.ctx, &mut sink).map_err(|e| e.to_string())?;
        sink.finish().map_err(|e| e.to_string())?;
        report(&sink);
        return Ok(());
    }
    for format in parse_formats(&formats)? {
        let t1 = Instant::now();
        let dir = out.join(format.name());
        let mut sink = DirSink::new(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write_format(format, &g.logs, &g.ctx, &mut sink).map_err(|e| format!("{}: {e}", dir.display()))?;
        sink.finish().map_err(|e| e.to_string())?;
        let bytes: u64 = sink.files.iter().map(|f| f.1).sum();
        eprintln!("{:<20} {:>6} files {:>12} bytes  {:.2} s", format.name(), sink.files.len(), bytes, t1.elapsed().as_secs_f64());
    }
    Ok(())
}

fn write_meta(out: &Path, g: &Generated) -> Result<(), String> {
    fs::write(out.join("labels.json"), g.labels_json()).map_err(|e| e.to_string())?;
    fs::write(out.join("settings.json"), g.settings_json()).map_err(|e| e.to_string())
}

fn report(sink: &DirSink) {
    let mut total = 0;
    for (path, bytes) in &sink.files {
        eprintln!("{:>10}  {}", bytes, path.display());
        total += bytes;
    }
    eprintln!("{total:>10}  total");
}

fn run_bench(mut args: Args) -> Result<(), String> {
    let out = PathBuf::from(args.value("--out")?.ok_or("--out DIR is required")?);
    let signins: u64 = args.number("--signins")?.unwrap_or(1_000_000);
    let audits: u64 = args.number("--audits")?.unwrap_or(100_000);
    let seed = args.number("--seed")?.unwrap_or(1);
    let incidents = !args.flag("--no-incidents");
    args.done()?;
    let t0 = Instant::now();
    let mut sink = DirSink::new(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let cfg = bench::BenchConfig { seed, signins, audits, incidents, ..bench::BenchConfig::default() };
    bench::write_bench(&cfg, &mut sink).map_err(|e| e.to_string())?;
    sink.finish().map_err(|e| e.to_string())?;
    let secs = t0.elapsed().as_secs_f64();
    let bytes: u64 = sink.files.iter().map(|f| f.1).sum();
    report(&sink);
    eprintln!("{signins} sign-ins + {audits} audit rows in {secs:.2} s ({:.0} MB/s)", bytes as f64 / 1e6 / secs);
    Ok(())
}
