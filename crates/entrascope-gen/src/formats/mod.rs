//! Writers for every export format, and the file layout of each format.
//!
//! A writer turns records into text one at a time ([`RecordWriter`]): it
//! appends to a `String` buffer that [`write_records`] hands to a
//! [`FileSink`] whenever it grows past [`FLUSH_AT`], so a 1 GB export never
//! sits in memory. The library itself does no IO: the binary's sink writes
//! files, [`MemorySink`] keeps them in memory (tests, the web demo).

pub mod graph;
pub mod loganalytics;
pub mod monitor;
pub mod portal_csv;

use std::io;

use entrascope_core::Timestamp;

use crate::model::{AuditEvent, SignInEvent, SignInKind};

/// Turns records into text, one record at a time.
pub trait RecordWriter<T> {
    /// Whatever precedes the first record (header, `[`, BOM).
    fn begin(&mut self, _out: &mut String) {}
    fn record(&mut self, rec: &T, out: &mut String);
    /// Whatever follows the last record.
    fn end(&mut self, _out: &mut String) {}
}

/// Where the output files go. `create` starts a file; `write` appends to the
/// file created last.
pub trait FileSink {
    fn create(&mut self, name: &str) -> io::Result<()>;
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
}

/// Files kept in memory, in creation order.
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    pub files: Vec<(String, Vec<u8>)>,
}

impl MemorySink {
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    pub fn total_bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum()
    }
}

impl FileSink for MemorySink {
    fn create(&mut self, name: &str) -> io::Result<()> {
        self.files.push((name.to_string(), Vec::new()));
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.files.last_mut() {
            Some((_, buf)) => {
                buf.extend_from_slice(bytes);
                Ok(())
            }
            None => Err(io::Error::other("write before create")),
        }
    }
}

/// The buffer is handed to the sink once it holds this many bytes.
pub const FLUSH_AT: usize = 256 * 1024;

/// Writes a whole file: `begin`, every record, `end`, flushing as it goes.
pub fn write_records<'a, T: 'a, W: RecordWriter<T> + ?Sized>(
    writer: &mut W,
    records: impl IntoIterator<Item = &'a T>,
    sink: &mut dyn FileSink,
) -> io::Result<()> {
    let mut buf = String::with_capacity(FLUSH_AT + 64 * 1024);
    writer.begin(&mut buf);
    for rec in records {
        writer.record(rec, &mut buf);
        if buf.len() >= FLUSH_AT {
            sink.write(buf.as_bytes())?;
            buf.clear();
        }
    }
    writer.end(&mut buf);
    sink.write(buf.as_bytes())
}

/// Renders a whole file into a `String` (small outputs, tests).
pub fn render<'a, T: 'a, W: RecordWriter<T> + ?Sized>(writer: &mut W, records: impl IntoIterator<Item = &'a T>) -> String {
    let mut buf = String::new();
    writer.begin(&mut buf);
    for rec in records {
        writer.record(rec, &mut buf);
    }
    writer.end(&mut buf);
    buf
}

/// Tenant-level values some formats carry on every record.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportContext {
    /// The Entra tenant id (`AADTenantId`, diagnostic `tenantId`).
    pub tenant_id: String,
    /// The Log Analytics workspace id (Log Analytics `TenantId`).
    pub workspace_id: String,
    /// First and last day covered, for file names (`InteractiveSignIns_<from>_<to>.csv`).
    pub from: Timestamp,
    pub to: Timestamp,
}

impl ExportContext {
    fn day(t: Timestamp) -> String {
        let (y, m, d, ..) = t.civil();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `<from>_<to>` as the portal names its downloads.
    pub fn range(&self) -> String {
        format!("{}_{}", Self::day(self.from), Self::day(self.to))
    }

    /// `yyyyMMddHHmmss` of the export, as Extractor Suite names its files.
    pub fn stamp(&self) -> String {
        let (y, m, d, h, mi, s, _) = self.to.civil();
        format!("{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}")
    }
}

/// An export format, one output directory each in `entrascope-gen tenant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Admin center CSV download, January 2025 header (57 columns), plus
    /// AuthDetails, ApplicationSignIns, MSISignIns and the audit CSV.
    PortalCsv,
    /// The same with the November 2024 sign-in header (55 columns).
    PortalCsv2024_11,
    /// The same with the October 2024 sign-in header (54 columns).
    PortalCsv2024_10,
    /// Admin center JSON download: bare arrays of Graph objects.
    PortalJson,
    /// Graph API pages (`@odata.context`, `@odata.nextLink`, `value`), several per file.
    GraphJson,
    /// Microsoft-Extractor-Suite: concatenated pretty-printed arrays, BOM, CRLF.
    ExtractorSuite,
    /// One Graph object per line (Extractor Suite `-Output SOF-ELK`).
    Ndjson,
    /// Log Analytics / Sentinel JSON export (PascalCase, CRLF).
    LogAnalyticsJson,
    /// Log Analytics / Sentinel CSV export.
    LogAnalyticsCsv,
    /// Azure Monitor diagnostic records, `{"records":[...]}`.
    AzureMonitor,
    /// Azure Monitor diagnostic records, one per line.
    AzureMonitorLines,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::PortalCsv,
        Format::PortalCsv2024_11,
        Format::PortalCsv2024_10,
        Format::PortalJson,
        Format::GraphJson,
        Format::ExtractorSuite,
        Format::Ndjson,
        Format::LogAnalyticsJson,
        Format::LogAnalyticsCsv,
        Format::AzureMonitor,
        Format::AzureMonitorLines,
    ];

    /// The name used for the output directory and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::PortalCsv => "portal-csv",
            Format::PortalCsv2024_11 => "portal-csv-2024-11",
            Format::PortalCsv2024_10 => "portal-csv-2024-10",
            Format::PortalJson => "portal-json",
            Format::GraphJson => "graph-json",
            Format::ExtractorSuite => "extractor-suite",
            Format::Ndjson => "ndjson",
            Format::LogAnalyticsJson => "loganalytics-json",
            Format::LogAnalyticsCsv => "loganalytics-csv",
            Format::AzureMonitor => "azure-monitor-json",
            Format::AzureMonitorLines => "azure-monitor-lines",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s.trim())
    }

    pub fn is_portal_csv(self) -> bool {
        matches!(self, Format::PortalCsv | Format::PortalCsv2024_11 | Format::PortalCsv2024_10)
    }

    /// Whether sign-ins in this format carry the risk fields
    /// (`riskLevelDuringSignIn`...). The portal CSV has no risk columns.
    pub fn carries_risk(self) -> bool {
        !self.is_portal_csv()
    }

    /// Whether audit events in this format carry their `id`. The portal CSV
    /// has only `CorrelationId` (unique per event in generated data).
    pub fn carries_audit_id(self) -> bool {
        !self.is_portal_csv()
    }

    /// Whether the format keeps a sign-in's session id. The October 2024
    /// portal header and the Log Analytics tables do not.
    pub fn carries_session_id(self) -> bool {
        !matches!(self, Format::PortalCsv2024_10 | Format::LogAnalyticsJson | Format::LogAnalyticsCsv)
    }
}

/// What to write: sign-ins and audit events, each sorted by time (oldest
/// first). Writers of formats that list newest first reverse them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logs {
    pub signins: Vec<SignInEvent>,
    pub audits: Vec<AuditEvent>,
}

impl Logs {
    /// Sign-ins of one kind, oldest first.
    pub fn of_kind(&self, kind: SignInKind) -> impl DoubleEndedIterator<Item = &SignInEvent> + Clone {
        self.signins.iter().filter(move |s| s.kind == kind)
    }

    pub fn count(&self, kind: SignInKind) -> usize {
        self.of_kind(kind).count()
    }
}

fn portal_layout(format: Format, kind: SignInKind) -> portal_csv::SignInLayout {
    use portal_csv::SignInLayout as L;
    match (kind, format) {
        (SignInKind::ServicePrincipal, _) => L::Application,
        (SignInKind::ManagedIdentity, _) => L::ManagedIdentity,
        (_, Format::PortalCsv2024_11) => L::V2024_11,
        (_, Format::PortalCsv2024_10) => L::V2024_10,
        _ => L::V2025_01,
    }
}

/// Writes every file of `format` for `logs` into `sink`. File names are
/// relative (no directory); sign-in files come first, then audit files.
pub fn write_format(format: Format, logs: &Logs, ctx: &ExportContext, sink: &mut dyn FileSink) -> io::Result<()> {
    let range = ctx.range();
    let stamp = ctx.stamp();
    for kind in SignInKind::ALL {
        let newest_first = logs.of_kind(kind).rev();
        let oldest_first = logs.of_kind(kind);
        let count = logs.count(kind);
        let prefix = kind.portal_prefix();
        // Tools that write one value per line (or append per page) create no
        // file when there is nothing to write.
        let line_based =
            matches!(format, Format::ExtractorSuite | Format::Ndjson | Format::LogAnalyticsJson | Format::AzureMonitorLines);
        if count == 0 && line_based {
            continue;
        }
        match format {
            Format::PortalCsv | Format::PortalCsv2024_11 | Format::PortalCsv2024_10 => {
                sink.create(&format!("{prefix}_{range}.csv"))?;
                write_records(&mut portal_csv::PortalSignInCsv::new(portal_layout(format, kind)), newest_first.clone(), sink)?;
                if kind == SignInKind::Interactive {
                    sink.create(&format!("{prefix}_AuthDetails_{range}.csv"))?;
                    write_records(&mut portal_csv::PortalAuthDetailsCsv, newest_first, sink)?;
                }
            }
            Format::PortalJson => {
                sink.create(&format!("{prefix}_{range}.json"))?;
                write_records(&mut graph::PortalJson::default(), newest_first, sink)?;
            }
            Format::GraphJson => {
                sink.create(&format!("signIns-{}.json", kind.event_type()))?;
                write_records(&mut graph::GraphPages::signins(count), newest_first, sink)?;
            }
            Format::ExtractorSuite => {
                sink.create(&format!("{stamp}-{}-SignInLogs.json", kind.event_type()))?;
                write_records(&mut graph::ExtractorSuite::new(count), newest_first, sink)?;
            }
            Format::Ndjson => {
                sink.create(&format!("{stamp}-{}-SignInLogs-SOF-ELK.json", kind.event_type()))?;
                write_records(&mut graph::Ndjson, newest_first, sink)?;
            }
            Format::LogAnalyticsJson => {
                sink.create(&format!("{}.json", kind.la_table()))?;
                write_records(&mut loganalytics::LaSignInJson { ctx: ctx.clone(), kind }, newest_first, sink)?;
            }
            Format::LogAnalyticsCsv => {
                sink.create(&format!("{}.csv", kind.la_table()))?;
                write_records(&mut loganalytics::LaSignInCsv { ctx: ctx.clone(), kind }, newest_first, sink)?;
            }
            Format::AzureMonitor => {
                sink.create(&format!("{}.json", kind.diagnostic_category()))?;
                write_records(&mut monitor::MonitorRecords::new(ctx.clone()), oldest_first, sink)?;
            }
            Format::AzureMonitorLines => {
                sink.create(&format!("{}-PT1H.json", kind.diagnostic_category()))?;
                write_records(&mut monitor::MonitorLines { ctx: ctx.clone() }, oldest_first, sink)?;
            }
        }
    }
    let newest_first = logs.audits.iter().rev();
    let oldest_first = logs.audits.iter();
    match format {
        Format::PortalCsv | Format::PortalCsv2024_11 | Format::PortalCsv2024_10 => {
            sink.create(&format!("AuditLogs_{range}.csv"))?;
            write_records(&mut portal_csv::PortalAuditCsv, newest_first, sink)
        }
        Format::PortalJson => {
            sink.create(&format!("AuditLogs_{range}.json"))?;
            write_records(&mut graph::PortalJson::default(), newest_first, sink)
        }
        Format::GraphJson => {
            sink.create("directoryAudits.json")?;
            write_records(&mut graph::GraphPages::audits(logs.audits.len()), newest_first, sink)
        }
        Format::ExtractorSuite => {
            sink.create(&format!("{stamp}-AuditLogs.json"))?;
            write_records(&mut graph::ExtractorSuite::new(logs.audits.len()), newest_first, sink)
        }
        Format::Ndjson => {
            sink.create(&format!("{stamp}-AuditLogs-SOF-ELK.json"))?;
            write_records(&mut graph::Ndjson, newest_first, sink)
        }
        Format::LogAnalyticsJson => {
            sink.create("AuditLogs.json")?;
            write_records(&mut loganalytics::LaAuditJson { ctx: ctx.clone() }, newest_first, sink)
        }
        Format::LogAnalyticsCsv => {
            sink.create("AuditLogs.csv")?;
            write_records(&mut loganalytics::LaAuditCsv { ctx: ctx.clone() }, newest_first, sink)
        }
        Format::AzureMonitor => {
            sink.create("AuditLogs.json")?;
            write_records(&mut monitor::MonitorRecords::new(ctx.clone()), oldest_first, sink)
        }
        Format::AzureMonitorLines => {
            sink.create("AuditLogs-PT1H.json")?;
            write_records(&mut monitor::MonitorLines { ctx: ctx.clone() }, oldest_first, sink)
        }
    }
}

/// The web app's demo bundle: the files an analyst would download from the
/// admin center, some tabs as CSV and some as JSON, so the demo also shows
/// mixed inputs. Interactive (with AuthDetails), non-interactive and
/// application sign-ins as portal CSV; managed-identity sign-ins and the
/// audit log as portal JSON.
pub fn write_demo_bundle(logs: &Logs, ctx: &ExportContext, sink: &mut dyn FileSink) -> io::Result<()> {
    let range = ctx.range();
    for kind in [SignInKind::Interactive, SignInKind::NonInteractive, SignInKind::ServicePrincipal] {
        let prefix = kind.portal_prefix();
        sink.create(&format!("{prefix}_{range}.csv"))?;
        write_records(
            &mut portal_csv::PortalSignInCsv::new(portal_layout(Format::PortalCsv, kind)),
            logs.of_kind(kind).rev(),
            sink,
        )?;
        if kind == SignInKind::Interactive {
            sink.create(&format!("{prefix}_AuthDetails_{range}.csv"))?;
            write_records(&mut portal_csv::PortalAuthDetailsCsv, logs.of_kind(kind).rev(), sink)?;
        }
    }
    sink.create(&format!("{}_{range}.json", SignInKind::ManagedIdentity.portal_prefix()))?;
    write_records(&mut graph::PortalJson::default(), logs.of_kind(SignInKind::ManagedIdentity).rev(), sink)?;
    sink.create(&format!("AuditLogs_{range}.json"))?;
    write_records(&mut graph::PortalJson::default(), logs.audits.iter().rev(), sink)
}
