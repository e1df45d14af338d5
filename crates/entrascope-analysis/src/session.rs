//! Routing inputs by content and holding what was parsed.

use std::io::Read;

use entrascope_core::coverage::{self, RuntimeStatus};
use entrascope_core::finding::sort_findings;
use entrascope_core::{Finding, Settings, Timestamp};
use entrascope_logs::{Dataset, Ingest, Sniff};

use crate::connect::{self, Collector};
use crate::report::{self, InputReport, Report};
use entrascope_connect::ConnectData;

/// Bytes looked at before deciding what an input is.
const HEAD: usize = 64 * 1024;
/// Largest zip archive or Connect file held in memory.
const MAX_BUFFERED: usize = 1024 * 1024 * 1024;
/// Nested zip depth followed (a zip inside a zip inside a zip).
const MAX_ZIP_DEPTH: u32 = 3;

enum Route {
    /// Still reading the head.
    Pending(Vec<u8>),
    Log,
    Buffer(Vec<u8>, Buffered),
    Unreadable(String),
}

#[derive(Clone, Copy, PartialEq)]
enum Buffered {
    Zip,
    Connect,
}

/// Where one input went.
#[derive(Debug, Clone)]
enum Slot {
    Log(u32),
    Connect {
        input: u32,
        path: String,
        kind: Result<&'static str, String>,
        bytes: u64,
    },
    Unreadable {
        path: String,
        reason: String,
        bytes: u64,
    },
    /// A zip archive: its entries are inputs of their own.
    Archive {
        path: String,
        entries: u32,
        bytes: u64,
        error: Option<String>,
    },
}

/// What `end_file` tells a caller about the input it just finished.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileSummary {
    pub path: String,
    pub kind: String,
    pub records: u64,
    pub rejected: u64,
    pub error: Option<String>,
}

/// Collects inputs. Feed files with `begin_file` / `feed` / `end_file` (or
/// `add_bytes`), then `finish` to get an [`Analysis`].
pub struct Session {
    ingest: Ingest,
    connect: Collector,
    slots: Vec<Slot>,
    current: Option<(String, Route, u64)>,
    zip_depth: u32,
    /// The size of the file being read, when the caller said it.
    expect: Option<u64>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

fn looks_like_ooxml(head: &[u8]) -> Option<&'static str> {
    // A zip's first local header names its first entry at offset 30.
    if head.len() < 30 {
        return None;
    }
    let name_len = u16::from_le_bytes([head[26], head[27]]) as usize;
    let name = head.get(30..30 + name_len)?;
    let name = std::str::from_utf8(name).ok()?;
    if name == "[Content_Types].xml" || name.starts_with("xl/") || name.starts_with("docProps/") || name.starts_with("_rels/") {
        return Some("an Office document (likely an Excel workbook, .xlsx): open it in Excel and save each sheet as CSV (UTF-8)");
    }
    None
}

impl Session {
    pub fn new() -> Session {
        Session {
            ingest: Ingest::new(),
            connect: Collector::default(),
            slots: Vec::new(),
            current: None,
            zip_depth: 0,
            expect: None,
        }
    }

    /// Starts an input. `path` is how reports name it (relative path in a
    /// dropped folder, `archive.zip/inner/file.csv` inside a zip).
    pub fn begin_file(&mut self, path: &str) {
        if self.current.is_some() {
            self.end_file();
        }
        self.current = Some((path.to_string(), Route::Pending(Vec::new()), 0));
        self.expect = None;
    }

    /// Says the size in bytes of the file being read: a log export's record
    /// table is then sized once from it instead of doubling as it grows
    /// (see [`entrascope_logs::Ingest::expect_bytes`]). Optional.
    pub fn expect_bytes(&mut self, total: u64) {
        match self.current.as_ref() {
            Some((_, Route::Log, _)) => self.ingest.expect_bytes(total),
            Some((_, Route::Pending(_), _)) => self.expect = Some(total),
            _ => {}
        }
    }

    /// Feeds the next chunk of the current input.
    pub fn feed(&mut self, chunk: &[u8]) {
        let Some((path, route, bytes)) = self.current.as_mut() else { return };
        *bytes += chunk.len() as u64;
        match route {
            Route::Pending(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= HEAD {
                    let head = std::mem::take(head);
                    let path = path.clone();
                    self.decide(&path, head, false);
                }
            }
            Route::Log => self.ingest.feed(chunk),
            Route::Buffer(buf, _) => {
                if buf.len() + chunk.len() > MAX_BUFFERED {
                    *route = Route::Unreadable(format!(
                        "larger than {} MiB: split the archive or extract it and add the files",
                        MAX_BUFFERED >> 20
                    ));
                } else {
                    buf.extend_from_slice(chunk);
                }
            }
            Route::Unreadable(_) => {}
        }
    }

    fn decide(&mut self, path: &str, head: Vec<u8>, complete: bool) {
        let route = if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            match looks_like_ooxml(&head) {
                Some(what) => Route::Unreadable(format!("{what}; entrascope reads CSV and JSON exports")),
                None => Route::Buffer(head, Buffered::Zip),
            }
        } else if connect::claims(path, &head) {
            Route::Buffer(head, Buffered::Connect)
        } else {
            match entrascope_logs::sniff(&head) {
                Sniff::Log | Sniff::NeedMore if !head.is_empty() || !complete => {
                    self.ingest.begin(path);
                    if let Some(total) = self.expect.take() {
                        self.ingest.expect_bytes(total);
                    }
                    self.ingest.feed(&head);
                    Route::Log
                }
                Sniff::Other(what) => Route::Unreadable(what),
                _ => {
                    self.ingest.begin(path);
                    Route::Log
                }
            }
        };
        if let Some((_, r, _)) = self.current.as_mut() {
            *r = route;
        }
    }

    /// When the file being read is a CSV log export whose header has been
    /// read: where the rest of it can be split to be read in parallel
    /// ([`Part`](entrascope_logs::Part), then [`Session::adopt`]).
    pub fn split_info(&self) -> Option<entrascope_logs::SplitInfo> {
        match self.current.as_ref() {
            Some((_, Route::Log, _)) => self.ingest.split_info(),
            _ => None,
        }
    }

    /// Joins a part of the file being read that starts right after the
    /// bytes fed so far, as if its bytes had been fed; gives it back when
    /// that cannot be guaranteed (then feed the bytes instead).
    pub fn adopt(&mut self, part: entrascope_logs::Part) -> Result<(), entrascope_logs::Part> {
        let Some((_, Route::Log, bytes)) = self.current.as_mut() else { return Err(part) };
        let n = part.bytes();
        self.ingest.adopt(part)?;
        *bytes += n;
        Ok(())
    }

    /// [`Session::adopt`] for a part in its byte form
    /// ([`Part::encode`](entrascope_logs::Part::encode)), as another web
    /// worker sends it; `Err` says why it was not joined (then feed the
    /// part's bytes instead).
    pub fn adopt_encoded(&mut self, part: &[u8]) -> Result<(), String> {
        match self.current.as_ref() {
            Some((_, Route::Log, _)) => self.ingest.adopt_encoded(part),
            _ => Err("the file being read is not a log export".into()),
        }
    }

    /// Ends the current input.
    pub fn end_file(&mut self) -> Option<FileSummary> {
        if let Some((path, Route::Pending(head), _)) = self.current.as_mut() {
            let head = std::mem::take(head);
            let path = path.clone();
            self.decide(&path, head, true);
        }
        let (path, route, bytes) = self.current.take()?;
        let summary = match route {
            Route::Pending(_) => unreachable!("decided above"),
            Route::Log => {
                let idx = (self.ingest.dataset().inputs.len() - 1) as u32;
                let info = self.ingest.end();
                let s = FileSummary {
                    path: path.clone(),
                    kind: info.kind.as_str().to_string(),
                    records: info.records,
                    rejected: info.rejected_total,
                    error: info.error.clone(),
                };
                self.slots.push(Slot::Log(idx));
                s
            }
            Route::Buffer(buf, Buffered::Connect) => {
                let (input, kind) = self.connect.add(&path, &buf);
                let s = FileSummary {
                    path: path.clone(),
                    kind: kind.as_ref().map(|k| k.to_string()).unwrap_or_else(|_| "connect".into()),
                    records: 0,
                    rejected: 0,
                    error: kind.as_ref().err().cloned(),
                };
                self.slots.push(Slot::Connect { input, path, kind, bytes });
                s
            }
            Route::Buffer(buf, Buffered::Zip) => self.expand_zip(&path, &buf, bytes),
            Route::Unreadable(reason) => {
                self.slots.push(Slot::Unreadable { path: path.clone(), reason: reason.clone(), bytes });
                FileSummary { path, kind: "unknown".into(), records: 0, rejected: 0, error: Some(reason) }
            }
        };
        Some(summary)
    }

    fn expand_zip(&mut self, path: &str, buf: &[u8], bytes: u64) -> FileSummary {
        let slot = self.slots.len();
        self.slots.push(Slot::Archive { path: path.to_string(), entries: 0, bytes, error: None });
        let mut error = None;
        let mut entries = 0u32;
        if self.zip_depth >= MAX_ZIP_DEPTH {
            error = Some(format!("zip archives nested deeper than {MAX_ZIP_DEPTH} levels are not opened"));
        } else {
            match zip::ZipArchive::new(std::io::Cursor::new(buf)) {
                Err(e) => {
                    error = Some(format!("not a readable zip archive ({e}): re-create the archive or add the files directly"))
                }
                Ok(mut archive) => {
                    let mut names: Vec<(usize, String)> = (0..archive.len())
                        .filter_map(|i| archive.by_index_raw(i).ok().map(|f| (i, f.name().to_string(), f.is_dir())))
                        .filter(|(_, _, dir)| !dir)
                        .map(|(i, n, _)| (i, n))
                        .collect();
                    names.sort_by(|a, b| a.1.cmp(&b.1));
                    self.zip_depth += 1;
                    for (i, name) in names {
                        let inner = format!("{path}/{name}");
                        match archive.by_index(i) {
                            Err(e) => self.slots.push(Slot::Unreadable {
                                path: inner,
                                reason: format!("cannot open this archive entry: {e}"),
                                bytes: 0,
                            }),
                            Ok(mut file) => {
                                entries += 1;
                                self.begin_file(&inner);
                                let mut chunk = vec![0u8; 1 << 20];
                                loop {
                                    // An entry already known to be unreadable is not decompressed further.
                                    if matches!(self.current, Some((_, Route::Unreadable(_), _))) {
                                        break;
                                    }
                                    match file.read(&mut chunk) {
                                        Ok(0) => break,
                                        Ok(n) => self.feed(&chunk[..n]),
                                        Err(e) => {
                                            // Keep what was read; say the entry is damaged.
                                            if let Some((_, _, _)) = &self.current {
                                                self.end_file();
                                            }
                                            self.slots.push(Slot::Unreadable {
                                                path: format!("{inner} (rest)"),
                                                reason: format!("the archive entry is damaged after this point: {e}"),
                                                bytes: 0,
                                            });
                                            break;
                                        }
                                    }
                                }
                                if self.current.is_some() {
                                    self.end_file();
                                }
                            }
                        }
                    }
                    self.zip_depth -= 1;
                }
            }
        }
        if let Slot::Archive { entries: e, error: err, .. } = &mut self.slots[slot] {
            *e = entries;
            *err = error.clone();
        }
        FileSummary { path: path.to_string(), kind: "zip".into(), records: entries as u64, rejected: 0, error }
    }

    /// Reads a whole input held in memory (zip aware).
    pub fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> Option<FileSummary> {
        self.begin_file(path);
        self.expect_bytes(bytes.len() as u64);
        for chunk in bytes.chunks(1 << 20) {
            self.feed(chunk);
        }
        self.end_file()
    }

    /// The dataset read so far (for progress reporting).
    pub fn dataset(&self) -> &Dataset {
        self.ingest.dataset()
    }

    /// Ends reading: joins and orders the records.
    pub fn finish(mut self) -> Analysis {
        if self.current.is_some() {
            self.end_file();
        }
        let ds = self.ingest.finish();
        let connect = self.connect.finish();
        Analysis { ds, connect, slots: self.slots }
    }
}

/// Everything parsed, ready to be analyzed (again and again, as settings change).
pub struct Analysis {
    pub ds: Dataset,
    pub connect: ConnectData,
    slots: Vec<Slot>,
}

impl Analysis {
    /// The inputs in the order they were given, then folder-level notes.
    pub fn inputs(&self) -> Vec<InputReport> {
        let mut out = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            out.push(match slot {
                Slot::Log(i) => InputReport::from_log(&self.ds.inputs[*i as usize]),
                Slot::Connect { input, path, kind, bytes } => connect::input_report(&self.connect, *input, path, kind, *bytes),
                Slot::Unreadable { path, reason, bytes } => InputReport::unreadable(path, reason, *bytes),
                Slot::Archive { path, entries, bytes, error } => InputReport::archive(path, *entries, *bytes, error.clone()),
            });
        }
        out.extend(connect::folder_reports(&self.connect));
        out
    }

    /// The path of an input by the number evidence cites.
    pub fn input_path(&self, input: u32) -> Option<&str> {
        if input >= connect::INPUT_BASE {
            self.slots.iter().find_map(|s| match s {
                Slot::Connect { input: i, path, .. } if *i == input => Some(path.as_str()),
                _ => None,
            })
        } else {
            self.ds.inputs.get(input as usize).map(|i| i.path.as_str())
        }
    }

    /// Whether any input was readable at all.
    pub fn has_readable_input(&self) -> bool {
        self.ds.inputs.iter().any(|i| i.error.is_none() && i.records > 0) || !self.connect.inputs.is_empty()
    }

    /// Runs every check and computes coverage.
    pub fn analyze(&self, settings: &Settings, now: Timestamp) -> Report {
        self.analyze_with(settings, now, None)
    }

    /// Runs every check, and the Sigma rules given, and computes coverage.
    pub fn analyze_with(&self, settings: &Settings, now: Timestamp, sigma: Option<&entrascope_sigma::RuleSet>) -> Report {
        let mut avail = self.ds.availability();
        connect::fill_availability(&self.connect, &mut avail);

        let cx = entrascope_checks::Context::new(&self.ds, settings, now);
        let mut findings: Vec<Finding> = entrascope_checks::run_all(&cx, &avail);
        let (connect_findings, runtime): (Vec<Finding>, Vec<RuntimeStatus>) = connect::run(&self.connect, now);
        findings.extend(connect_findings);
        if let Some(rules) = sigma {
            findings.extend(entrascope_sigma::run(rules, &self.ds));
        }
        sort_findings(&mut findings);

        let metas = crate::all_checks();
        let coverage = coverage::compute(&metas, &avail, settings, &runtime);
        let inputs = self.inputs();
        report::build(self, inputs, findings, coverage, settings, now, avail, sigma)
    }

    /// A record's full content, for "show the raw record" views.
    pub fn record(&self, r: entrascope_core::RecordRef) -> Option<serde_json::Value> {
        crate::report::record_view(&self.ds, r)
    }

    pub(crate) fn connect_view(&self) -> Option<serde_json::Value> {
        connect::view(&self.connect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of one stored entry, written by hand.
    fn zip_of(name: &str, body: &[u8]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file(name, opts).unwrap();
        std::io::Write::write_all(&mut w, body).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_highly_compressed_junk_entry_is_not_read_to_the_end() {
        // 256 MiB of zeros compress to a few hundred KiB; the entry is known
        // not to be a log after its first 64 KiB.
        let zeros = vec![0u8; 256 << 20];
        let z = zip_of("zeros.csv", &zeros);
        drop(zeros);
        assert!(z.len() < 2 << 20);
        let mut s = Session::new();
        s.add_bytes("bomb.zip", &z);
        let a = s.finish();
        let inputs = a.inputs();
        let entry = inputs.iter().find(|i| i.path == "bomb.zip/zeros.csv").expect("entry listed");
        assert!(entry.error.is_some());
        assert!(entry.bytes < 8 << 20, "stopped early: {} bytes read", entry.bytes);
    }

    #[test]
    fn nested_archives_stop_at_the_depth_limit() {
        let mut z = zip_of("inner.txt", b"not a log");
        for i in 0..5 {
            z = zip_of(&format!("level{i}.zip"), &z);
        }
        let mut s = Session::new();
        s.add_bytes("outer.zip", &z);
        let a = s.finish();
        let inputs = a.inputs();
        assert!(inputs.iter().any(|i| i.error.as_deref().is_some_and(|e| e.contains("nested deeper"))), "{inputs:#?}");
    }

    #[test]
    fn empty_and_office_files_are_named_not_read() {
        let mut s = Session::new();
        s.add_bytes("empty.csv", b"");
        let xlsx = zip_of("[Content_Types].xml", b"<Types/>");
        s.add_bytes("export.xlsx", &xlsx);
        let a = s.finish();
        let inputs = a.inputs();
        assert!(inputs[0].error.is_some(), "{:?}", inputs[0]);
        assert!(inputs[1].error.as_deref().unwrap().contains("Excel"), "{:?}", inputs[1]);
        assert!(!a.has_readable_input());
    }
}
