//! The push-based entry point: `begin` a file, `feed` chunks, `end` it.
//!
//! Stages of one input: the first bytes are held until the file type is
//! known (magic numbers, BOM, UTF-16, first non-blank byte); then decoded
//! text streams into the CSV framer or the JSON splitter, whose rows and
//! records are mapped onto the model one at a time.

use serde_json::Value;

use crate::csv::{CsvFramer, Event};
use crate::decode::{self, Encoding, Utf16Decoder};
use crate::detect::{self, Shape, READS};
use crate::json::{remove_trailing_commas, Container, Piece, Splitter};
use crate::map_csv::CsvMapper;
use crate::map_json::{self, Dialect};
use crate::model::{Dataset, Format, InputInfo, InputKind, Src};
use crate::sink::{self, FileState, KINDS};
use entrascope_core::time::DateOrder;

/// What the first bytes of an input look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniff {
    /// Looks like a sign-in or audit export this crate reads (CSV or JSON).
    Log,
    /// Not a log export; says what it looks like ("a PNG image", "an Excel workbook (.xlsx)", "XML").
    Other(String),
    /// Too few bytes to say.
    NeedMore,
}

/// Says whether `head` (the first bytes of a file, up to 64 KiB) is a log
/// export this crate reads.
pub fn sniff(head: &[u8]) -> Sniff {
    detect::sniff(head)
}

/// Bytes held before deciding what an input is.
const HEAD_BYTES: usize = 4096;
/// Leading whitespace tolerated before giving up on finding content.
const MAX_BLANK_HEAD: usize = 1 << 20;

/// Row counts at which the admin center's download is known to stop.
const ROUND_COUNTS: &[u64] = &[5_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

struct JsonState {
    first: Option<Dialect>,
    container: Option<Container>,
    records_envelope: bool,
    /// Records read after removing a trailing comma.
    repaired: u64,
    /// Records read after replacing bytes that are not UTF-8.
    lossy: u64,
}

enum Stage {
    Head,
    Json(Box<Splitter>, JsonState),
    Csv(Box<CsvFramer>, Option<CsvMapper>),
    Failed,
}

struct Current {
    fs: FileState,
    path: String,
    stage: Stage,
    head: Vec<u8>,
    utf16: Option<Utf16Decoder>,
    encoding: Encoding,
    buf: Vec<u8>,
    /// Length of the byte-order mark skipped at the start.
    bom: usize,
    /// The input's size, when known ([`Ingest::expect_bytes`]), until the
    /// record table has been sized from it.
    expect: Option<u64>,
}

/// Records and bytes read before the number of records an input will hold
/// is estimated from its size.
const ESTIMATE_AFTER_RECORDS: u64 = 1000;
const ESTIMATE_AFTER_BYTES: u64 = 1 << 20;

/// Reads inputs into one [`Dataset`].
#[derive(Default)]
pub struct Ingest {
    ds: Dataset,
    cur: Option<Current>,
}

impl Ingest {
    pub fn new() -> Ingest {
        Ingest::default()
    }

    /// Starts a new input; returns its index in [`Dataset::inputs`]. An input
    /// still open is ended first.
    pub fn begin(&mut self, path: &str) -> u32 {
        if self.cur.is_some() {
            self.end();
        }
        self.ds.inputs.push(InputInfo { path: path.to_string(), ..Default::default() });
        let idx = (self.ds.inputs.len() - 1) as u32;
        self.cur = Some(Current {
            fs: FileState::new(idx, path, self.ds.signins.len()),
            path: path.to_string(),
            stage: Stage::Head,
            head: Vec::new(),
            utf16: None,
            encoding: Encoding::Utf8,
            buf: Vec::new(),
            bom: 0,
            expect: None,
        });
        idx
    }

    /// Says how many bytes the current input has in all (a file's size).
    /// Once its first records are read, the table they go to is sized for
    /// the records that many bytes will hold (estimated from the bytes per
    /// record so far, plus 4 %), and grows by an eighth at a time beyond
    /// that: millions of records then never need the table twice over, as
    /// doubling would (a concern in the browser, whose memory is 4 GiB).
    pub fn expect_bytes(&mut self, total: u64) {
        if let Some(cur) = self.cur.as_mut() {
            cur.expect = Some(total);
        }
    }

    /// Feeds the next chunk of the current input (after [`Ingest::begin`]).
    pub fn feed(&mut self, chunk: &[u8]) {
        let Some(cur) = self.cur.as_mut() else { return };
        let ds = &mut self.ds;
        ds.inputs[cur.fs.input as usize].bytes += chunk.len() as u64;
        match cur.stage {
            Stage::Failed => {}
            Stage::Head => {
                cur.head.extend_from_slice(chunk);
                if cur.head.len() >= HEAD_BYTES {
                    decide(cur, ds, false);
                }
            }
            _ => decode_and_push(cur, ds, chunk),
        }
        if cur.expect.is_some() {
            size_tables(cur, ds);
        }
    }

    /// Ends the current input and returns what was read from it.
    pub fn end(&mut self) -> &InputInfo {
        if self.cur.is_none() && self.ds.inputs.is_empty() {
            // `end` without `begin`: an empty, unnamed input rather than a panic.
            self.begin("");
        }
        let Some(mut cur) = self.cur.take() else {
            return self.ds.inputs.last().expect("an input exists");
        };
        let ds = &mut self.ds;
        if matches!(cur.stage, Stage::Head) {
            decide(&mut cur, ds, true);
        }
        if let Some(d) = cur.utf16.as_mut() {
            let mut tail = Vec::new();
            d.finish(&mut tail);
            if d.replaced > 0 {
                sink::warn(ds, &cur.fs, format!("{} unreadable UTF-16 code units were replaced", d.replaced));
            }
            if !tail.is_empty() {
                push_text(&mut cur.stage, &mut cur.fs, ds, &tail);
            }
        }
        let fs = &mut cur.fs;
        match &mut cur.stage {
            Stage::Json(sp, st) => {
                let mut pieces = |p: Piece| on_piece(p, st, fs, ds);
                sp.finish(&mut pieces);
                if sp.unclosed {
                    sink::warn(ds, fs, "the input ends before its closing bracket (a truncated download?); every complete record before it was read");
                }
                if st.repaired > 0 {
                    sink::warn(
                        ds,
                        fs,
                        format!("{} record(s) had a trailing comma (invalid JSON) and were read after removing it", st.repaired),
                    );
                }
                if st.lossy > 0 {
                    sink::warn(
                        ds,
                        fs,
                        format!("{} record(s) held text that is not UTF-8; unreadable characters were replaced", st.lossy),
                    );
                }
                fs.format = json_format(st, sp.top_values);
            }
            Stage::Csv(fr, mapper) => {
                let mut ev = |e: Event| on_event(e, mapper, fs, ds);
                fr.finish(&mut ev);
                if let Some(m) = mapper.as_mut() {
                    m.finish(ds, fs, &cur.path);
                }
                let info = &ds.inputs[fs.input as usize];
                if info.error.is_none() && fr.rows == 0 && mapper.is_none() {
                    ds.inputs[fs.input as usize].error = Some("a text file with no CSV header".into());
                }
            }
            _ => {}
        }
        let info = &mut ds.inputs[fs.input as usize];
        info.format = fs.format;
        info.kind = input_kind(fs);
        if cur.encoding != Encoding::Utf8 {
            info.warn(format!("the file is {}, not UTF-8 (PowerShell's Out-File default?); it was decoded", cur.encoding.name()));
        }
        let rows = info.records + info.rejected_total;
        if matches!(fs.format, Format::PortalCsv | Format::PortalJson) && ROUND_COUNTS.contains(&rows) {
            info.warn(format!(
                "exactly {} rows: the admin center's download stops at about this many, so this export is probably truncated; download shorter date ranges",
                group(rows)
            ));
        }
        if info.error.is_none() && info.records == 0 && info.rejected_total == 0 {
            info.warn("no records in this input");
        }
        if fs.audits > 0 && fs.kinds.iter().sum::<u64>() > 0 {
            info.warn("the input holds both sign-ins and audit events");
        }
        ds.inputs.last().expect("an input was begun")
    }

    /// When the current input is a UTF-8 CSV export whose header has been
    /// read, where a later part of it could be read in parallel: see
    /// [`Part`] and [`Ingest::adopt`].
    pub fn split_info(&self) -> Option<SplitInfo> {
        let cur = self.cur.as_ref()?;
        let Stage::Csv(fr, Some(_)) = &cur.stage else { return None };
        if cur.utf16.is_some() || cur.encoding != Encoding::Utf8 {
            return None;
        }
        let (data_offset, _) = fr.first_data()?;
        Some(SplitInfo { header_bytes: data_offset + cur.bom as u64, fed: self.ds.inputs.get(cur.fs.input as usize)?.bytes })
    }

    /// Joins `part`, read from the bytes right after those fed so far, to
    /// the current input, exactly as if those bytes had been fed here.
    /// When that cannot be guaranteed (the bytes fed so far do not end on a
    /// record boundary, the part met a damaged row or a warning, dates of
    /// an order the part could not know), the part is returned untouched:
    /// feed its bytes here instead.
    pub fn adopt(&mut self, part: Part) -> Result<(), Part> {
        let Some(summary) = part.summary() else { return Err(part) };
        if !self.can_adopt(&summary) {
            return Err(part);
        }
        let Ingest { ds, .. } = *part.ing;
        // Cannot fail: can_adopt checked what join needs, and moving
        // in-memory records has no error.
        let _ = self.join(&summary, |this, fix| {
            this.ds.append_records(ds, fix);
            Ok(())
        });
        Ok(())
    }

    /// [`Ingest::adopt`] for a part in its byte form ([`Part::encode`]),
    /// as another web worker sends it. `Err` says why it was not joined
    /// (nothing of it was); then feed the part's bytes here instead.
    pub fn adopt_encoded(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut r = crate::wire::Reader::new(bytes);
        let summary = PartSummary::read(&mut r)?;
        if !self.can_adopt(&summary) {
            return Err("the part cannot be joined exactly here".into());
        }
        self.join(&summary, |this, fix| this.ds.append_encoded(&mut r, fix))
    }

    /// Joins a part that [`Ingest::can_adopt`] accepted: `append` moves its
    /// records in, renumbering their sources with the function it is given.
    fn join(
        &mut self,
        p: &PartSummary,
        append: impl FnOnce(&mut Ingest, &dyn Fn(Src) -> Src) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some(cur) = self.cur.as_ref() else { return Err("no input".into()) };
        let Stage::Csv(fr, Some(_)) = &cur.stage else { return Err("no CSV input".into()) };
        let input = cur.fs.input;
        let (offset, line) = fr.position();
        let (data_offset, data_line) = fr.first_data().unwrap_or((0, 1));
        // The part numbered lines and offsets from its header; here they
        // continue from where this reading stands.
        let (line_delta, offset_delta) = (line - data_line, offset - data_offset);
        let fix = move |src: Src| Src {
            input,
            line: (src.line as u64 + line_delta).min(u32::MAX as u64) as u32,
            offset: src.offset + offset_delta,
            len: src.len,
        };
        append(self, &fix)?;
        let Some(cur) = self.cur.as_mut() else { return Err("no input".into()) };
        let Stage::Csv(fr, Some(mapper)) = &mut cur.stage else { return Err("no CSV input".into()) };
        fr.continue_from(p.rows, p.lossy_warned, p.position.0 + offset_delta, p.position.1 + line_delta);
        mapper.add_nonint_tokens(p.nonint_tokens);
        let fs = &mut cur.fs;
        for (k, n) in fs.kinds.iter_mut().zip(p.kinds) {
            *k += n;
        }
        fs.audits += p.audits;
        fs.steps += p.steps;
        fs.order = p.order;
        let info = &mut self.ds.inputs[input as usize];
        info.records += p.records;
        info.bytes += p.bytes.saturating_sub(p.header_bytes);
        if let Some(t) = p.first {
            info.saw(t);
        }
        if let Some(t) = p.last_time {
            info.saw(t);
        }
        Ok(())
    }

    fn can_adopt(&self, p: &PartSummary) -> bool {
        let Some(cur) = self.cur.as_ref() else { return false };
        let Stage::Csv(fr, Some(mapper)) = &cur.stage else { return false };
        let Some(info) = self.ds.inputs.get(cur.fs.input as usize) else { return false };
        p.finished
            && (p.last || p.at_boundary)
            && cur.utf16.is_none()
            && cur.encoding == Encoding::Utf8
            && p.plain_utf8
            && p.bom == cur.bom as u64
            && fr.at_boundary()
            && fr.first_data().is_some()
            && p.first_data == fr.first_data()
            // Locale dates of an order only the earlier rows settled would
            // read differently in the part.
            && cur.fs.order == DateOrder::Unknown
            && p.format == cur.fs.format
            && p.header_kind == cur.fs.header_kind
            && !p.error
            && p.rejected_total == 0
            && p.warnings.iter().all(|w| info.warnings.contains(w))
            && p.name_hint == cur.fs.name_hint
            // Same header, same mapping (kind 0 never joins).
            && mapper.fingerprint().0 != 0
            && p.mapper == Some(mapper.fingerprint())
    }

    /// The dataset read so far (not yet joined or sorted).
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// Joins AuthDetails to sign-ins, orders records by time, and returns the dataset.
    pub fn finish(mut self) -> Dataset {
        if self.cur.is_some() {
            self.end();
        }
        self.ds.finish();
        self.ds
    }

    /// Reads a whole input held in memory (tests, small files).
    pub fn read_all(&mut self, path: &str, bytes: &[u8]) -> u32 {
        let idx = self.begin(path);
        self.feed(bytes);
        self.end();
        idx
    }
}

/// Where the current input may be split to read its rest in parallel
/// ([`Ingest::split_info`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitInfo {
    /// A part is given the input's bytes `[0, header_bytes)` first: the
    /// header (with a byte-order mark or `sep=` line if any).
    pub header_bytes: u64,
    /// Bytes of the input fed so far.
    pub fed: u64,
}

/// A later byte range of a CSV input read on its own (on another thread
/// or web worker), to be joined to the reading of the earlier bytes with
/// [`Ingest::adopt`]. Give it the input's header bytes
/// ([`SplitInfo::header_bytes`]) and then the bytes of its range, which
/// must start right after a line break.
pub struct Part {
    ing: Box<Ingest>,
    header_bytes: u64,
    last: bool,
    finished: bool,
}

impl Part {
    /// A part of the input at `path`, given the input's first `header` bytes.
    pub fn new(path: &str, header: &[u8]) -> Part {
        let mut ing = Box::new(Ingest::new());
        ing.begin(path);
        ing.feed(header);
        Part { ing, header_bytes: header.len() as u64, last: false, finished: false }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        if !self.finished {
            self.ing.feed(chunk);
        }
    }

    /// The bytes this part will be given in all, header included (see
    /// [`Ingest::expect_bytes`]).
    pub fn expect_bytes(&mut self, total: u64) {
        self.ing.expect_bytes(total);
    }

    /// Ends the part: `last` when its range runs to the end of the input
    /// (the final record may lack a line break), else it must end on a
    /// record boundary to be adopted.
    pub fn finish(&mut self, last: bool) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.last = last;
        let Some(cur) = self.ing.cur.as_mut() else { return };
        let ds = &mut self.ing.ds;
        if matches!(cur.stage, Stage::Head) {
            decide(cur, ds, last);
        }
        if last {
            if let Stage::Csv(fr, mapper) = &mut cur.stage {
                let fs = &mut cur.fs;
                let mut ev = |e: Event| on_event(e, mapper, fs, ds);
                fr.finish(&mut ev);
            }
        }
    }

    /// What [`Ingest::adopt`] needs to know besides the records; `None`
    /// when the part is not a CSV input with a recognized header.
    fn summary(&self) -> Option<PartSummary> {
        let cur = self.ing.cur.as_ref()?;
        let Stage::Csv(fr, Some(mapper)) = &cur.stage else { return None };
        let info = self.ing.ds.inputs.first()?;
        let (rows, lossy_warned) = fr.counts();
        Some(PartSummary {
            header_bytes: self.header_bytes,
            last: self.last,
            finished: self.finished,
            bom: cur.bom as u64,
            plain_utf8: cur.utf16.is_none() && cur.encoding == Encoding::Utf8,
            at_boundary: fr.at_boundary(),
            first_data: fr.first_data(),
            position: fr.position(),
            rows,
            lossy_warned,
            kinds: cur.fs.kinds,
            audits: cur.fs.audits,
            steps: cur.fs.steps,
            order: cur.fs.order,
            format: cur.fs.format,
            header_kind: cur.fs.header_kind,
            name_hint: cur.fs.name_hint,
            mapper: Some(mapper.fingerprint()),
            nonint_tokens: mapper.nonint_tokens(),
            records: info.records,
            bytes: info.bytes,
            first: info.first,
            last_time: info.last,
            rejected_total: info.rejected_total,
            error: info.error.is_some(),
            warnings: info.warnings.clone(),
        })
    }

    /// The part in a byte form another web worker can join with
    /// [`Ingest::adopt_encoded`]. A part that could not be joined anyway
    /// (damaged rows, no CSV header) encodes to a short refusal.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = crate::wire::Writer::default();
        match self.summary() {
            Some(s) if !s.error && s.rejected_total == 0 => {
                s.write(&mut w);
                crate::wire::put_dataset(&mut w, &self.ing.ds);
            }
            _ => w.buf.extend_from_slice(b"refused"),
        }
        w.buf
    }

    /// Bytes of the input's range given (without the header).
    pub fn bytes(&self) -> u64 {
        self.ing.ds.inputs.first().map_or(0, |i| i.bytes.saturating_sub(self.header_bytes))
    }

    /// Records read so far (for progress).
    pub fn records(&self) -> u64 {
        self.ing.ds.inputs.first().map_or(0, |i| i.records)
    }
}

/// Sizes the record table of the current input from its expected size
/// (see [`Ingest::expect_bytes`]).
fn size_tables(cur: &mut Current, ds: &mut Dataset) {
    let (Some(total), Some(info)) = (cur.expect, ds.inputs.get(cur.fs.input as usize)) else { return };
    let (records, fed) = (info.records, info.bytes);
    if records < ESTIMATE_AFTER_RECORDS || fed < ESTIMATE_AFTER_BYTES {
        return;
    }
    cur.expect = None;
    cur.fs.gentle_growth = true;
    // Records the whole input will hold, with a margin; never more than
    // one per 64 bytes (no export row is shorter).
    let estimate = (records as f64 * total as f64 / fed as f64 * 1.04) as u64;
    let more = estimate.saturating_sub(records).min(total / 64) as usize;
    let signins: u64 = cur.fs.kinds.iter().sum();
    if cur.fs.audits > signins {
        ds.audits.reserve_exact(more);
    } else if signins > 0 {
        ds.signins.reserve_exact(more);
    }
    // A unique string per record so far (a token id) means about as many
    // more to come; the first records also brought the tenant's names, so
    // count at most one per record.
    if ds.strings.len() as u64 >= records {
        ds.strings.reserve(more, 0);
    }
}

/// What joining a part needs besides its records.
#[derive(Debug, Clone, PartialEq)]
struct PartSummary {
    header_bytes: u64,
    last: bool,
    finished: bool,
    bom: u64,
    plain_utf8: bool,
    at_boundary: bool,
    first_data: Option<(u64, u64)>,
    position: (u64, u64),
    rows: u64,
    lossy_warned: bool,
    kinds: [u64; 4],
    audits: u64,
    steps: u64,
    order: DateOrder,
    format: Format,
    header_kind: Option<InputKind>,
    name_hint: Option<crate::model::SignInKind>,
    mapper: Option<(u8, u64)>,
    nonint_tokens: u64,
    records: u64,
    bytes: u64,
    first: Option<entrascope_core::Timestamp>,
    last_time: Option<entrascope_core::Timestamp>,
    rejected_total: u64,
    error: bool,
    warnings: Vec<String>,
}

/// The first bytes of an encoded part.
const PART_MAGIC: &[u8] = b"entrascope-part-1";

impl PartSummary {
    fn write(&self, w: &mut crate::wire::Writer) {
        use crate::wire::*;
        let PartSummary {
            header_bytes,
            last,
            finished,
            bom,
            plain_utf8,
            at_boundary,
            first_data,
            position,
            rows,
            lossy_warned,
            kinds,
            audits,
            steps,
            order,
            format,
            header_kind,
            name_hint,
            mapper,
            nonint_tokens,
            records,
            bytes,
            first,
            last_time,
            rejected_total,
            error,
            warnings,
        } = self;
        w.buf.extend_from_slice(PART_MAGIC);
        w.u64(*header_bytes);
        w.bool(*last);
        w.bool(*finished);
        w.u64(*bom);
        w.bool(*plain_utf8);
        w.bool(*at_boundary);
        w.bool(first_data.is_some());
        let (o, l) = first_data.unwrap_or((0, 0));
        w.u64(o);
        w.u64(l);
        w.u64(position.0);
        w.u64(position.1);
        w.u64(*rows);
        w.bool(*lossy_warned);
        for k in kinds {
            w.u64(*k);
        }
        w.u64(*audits);
        w.u64(*steps);
        put_order(w, *order);
        put_format(w, *format);
        w.bool(header_kind.is_some());
        put_input_kind(w, header_kind.unwrap_or_default());
        w.bool(name_hint.is_some());
        put_kind(w, name_hint.unwrap_or_default());
        w.bool(mapper.is_some());
        let (mk, mf) = mapper.unwrap_or((0, 0));
        w.u8(mk);
        w.u64(mf);
        w.u64(*nonint_tokens);
        w.u64(*records);
        w.u64(*bytes);
        w.opt_time(*first);
        w.opt_time(*last_time);
        w.u64(*rejected_total);
        w.bool(*error);
        w.u64(warnings.len() as u64);
        for x in warnings {
            w.str(x);
        }
    }

    fn read(r: &mut crate::wire::Reader) -> Result<PartSummary, String> {
        use crate::wire::*;
        for &b in PART_MAGIC {
            if r.u8().ok() != Some(b) {
                return Err("not an entrascope part (or one that could not be joined)".into());
            }
        }
        let header_bytes = r.u64()?;
        let last = r.bool()?;
        let finished = r.bool()?;
        let bom = r.u64()?;
        let plain_utf8 = r.bool()?;
        let at_boundary = r.bool()?;
        let has_first = r.bool()?;
        let first_data = (r.u64()?, r.u64()?);
        let position = (r.u64()?, r.u64()?);
        let rows = r.u64()?;
        let lossy_warned = r.bool()?;
        let kinds = [r.u64()?, r.u64()?, r.u64()?, r.u64()?];
        let audits = r.u64()?;
        let steps = r.u64()?;
        let order = get_order(r)?;
        let format = get_format(r)?;
        let has_kind = r.bool()?;
        let header_kind = get_input_kind(r)?;
        let has_hint = r.bool()?;
        let name_hint = get_kind(r)?;
        let has_mapper = r.bool()?;
        let mapper = (r.u8()?, r.u64()?);
        let nonint_tokens = r.u64()?;
        let records = r.u64()?;
        let bytes = r.u64()?;
        let first = r.opt_time()?;
        let last_time = r.opt_time()?;
        let rejected_total = r.u64()?;
        let error = r.bool()?;
        let n = r.count()?;
        let mut warnings = Vec::with_capacity(n);
        for _ in 0..n {
            warnings.push(r.str()?.to_string());
        }
        Ok(PartSummary {
            header_bytes,
            last,
            finished,
            bom,
            plain_utf8,
            at_boundary,
            first_data: has_first.then_some(first_data),
            position,
            rows,
            lossy_warned,
            kinds,
            audits,
            steps,
            order,
            format,
            header_kind: has_kind.then_some(header_kind),
            name_hint: has_hint.then_some(name_hint),
            mapper: has_mapper.then_some(mapper),
            nonint_tokens,
            records,
            bytes,
            first,
            last_time,
            rejected_total,
            error,
            warnings,
        })
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fail(cur: &mut Current, ds: &mut Dataset, msg: String) {
    ds.inputs[cur.fs.input as usize].error = Some(msg);
    cur.stage = Stage::Failed;
    cur.head = Vec::new();
}

/// Decides what the input is from the bytes held so far.
fn decide(cur: &mut Current, ds: &mut Dataset, eof: bool) {
    if cur.head.is_empty() && eof {
        fail(cur, ds, format!("an empty file; {READS}"));
        return;
    }
    if let Some(what) = detect::magic(&cur.head) {
        fail(cur, ds, format!("{what}; {READS}"));
        return;
    }
    let (enc, bom) = decode::detect(&cur.head);
    let (_, text) = detect::decoded_head(&cur.head);
    match detect::shape(&text) {
        Shape::Blank if !eof && cur.head.len() < MAX_BLANK_HEAD => return,
        Shape::Blank => {
            fail(cur, ds, format!("a file with nothing but blank space; {READS}"));
            return;
        }
        Shape::Other(what) => {
            fail(cur, ds, format!("{what}; {READS}"));
            return;
        }
        Shape::Json => {
            cur.stage = Stage::Json(
                Box::default(),
                JsonState { first: None, container: None, records_envelope: false, repaired: 0, lossy: 0 },
            );
        }
        Shape::Csv => {
            cur.stage = Stage::Csv(Box::default(), None);
        }
    }
    cur.encoding = enc;
    cur.bom = bom;
    if enc != Encoding::Utf8 {
        cur.utf16 = Some(Utf16Decoder::new(enc));
    }
    let head = std::mem::take(&mut cur.head);
    decode_and_push(cur, ds, &head[bom..]);
}

fn decode_and_push(cur: &mut Current, ds: &mut Dataset, chunk: &[u8]) {
    match cur.utf16.as_mut() {
        Some(d) => {
            let mut buf = std::mem::take(&mut cur.buf);
            buf.clear();
            d.decode(chunk, &mut buf);
            push_text(&mut cur.stage, &mut cur.fs, ds, &buf);
            cur.buf = buf;
        }
        None => push_text(&mut cur.stage, &mut cur.fs, ds, chunk),
    }
}

fn push_text(stage: &mut Stage, fs: &mut FileState, ds: &mut Dataset, text: &[u8]) {
    match stage {
        Stage::Json(sp, st) => {
            let mut pieces = |p: Piece| on_piece(p, st, fs, ds);
            sp.feed(text, &mut pieces);
        }
        Stage::Csv(fr, mapper) => {
            let mut ev = |e: Event| on_event(e, mapper, fs, ds);
            fr.feed(text, &mut ev);
        }
        _ => {}
    }
}

fn on_event(e: Event, mapper: &mut Option<CsvMapper>, fs: &mut FileState, ds: &mut Dataset) {
    match e {
        Event::Header(names) => match CsvMapper::from_header(&names, fs) {
            Ok(m) => *mapper = Some(m),
            Err(msg) => {
                if ds.inputs[fs.input as usize].error.is_none() {
                    ds.inputs[fs.input as usize].error = Some(msg);
                }
            }
        },
        Event::Row { row, line, offset, len } => {
            let src = Src { input: fs.input, line: line.min(u32::MAX as u64) as u32, offset, len };
            match mapper.as_mut() {
                Some(m) => {
                    if let Err(reason) = m.row(ds, fs, &row, src) {
                        sink::reject(ds, fs, line, format!("line {line}: {reason}"));
                    }
                }
                None => sink::reject(ds, fs, line, format!("line {line}: not read (the header was not recognized)")),
            }
        }
        Event::Reject { line, reason } => sink::reject(ds, fs, line, reason),
        Event::Warn(w) => sink::warn(ds, fs, w),
    }
}

fn on_piece(p: Piece, st: &mut JsonState, fs: &mut FileState, ds: &mut Dataset) {
    match p {
        Piece::EnvelopeSeen { records } => st.records_envelope |= records,
        Piece::Bad { line, ordinal, container, reason, .. } => {
            let (at, key) = position(line, ordinal, container);
            sink::reject(ds, fs, key, format!("{at}: {reason}"));
        }
        Piece::Record { bytes, line, ordinal, offset, container } => {
            st.container.get_or_insert(container);
            let (at, key) = position(line, ordinal, container);
            let src = Src {
                input: fs.input,
                line: key.min(u32::MAX as u64) as u32,
                offset,
                len: bytes.len().min(u32::MAX as usize) as u32,
            };
            let value = match parse(bytes, line) {
                Ok((v, repair)) => {
                    match repair {
                        Some(Repair::TrailingComma) => st.repaired += 1,
                        Some(Repair::InvalidUtf8) => st.lossy += 1,
                        None => {}
                    }
                    v
                }
                Err(e) => {
                    sink::reject(ds, fs, key, format!("{at}: {e}"));
                    return;
                }
            };
            // A page inside an array (a list of pages): read its records.
            if let Some(items) = envelope_items(&value) {
                for (i, item) in items.iter().enumerate() {
                    let sub = Src { line: src.line.saturating_add(i as u32), ..src };
                    map_one(item, sub, &format!("{at}, item {}", i + 1), key, st, fs, ds);
                }
                return;
            }
            map_one(&value, src, &at, key, st, fs, ds);
        }
    }
}

fn map_one(v: &Value, src: Src, at: &str, key: u64, st: &mut JsonState, fs: &mut FileState, ds: &mut Dataset) {
    match map_json::map_value(ds, fs, v, src) {
        Ok(d) => {
            st.first.get_or_insert(d);
        }
        Err(reason) => sink::reject(ds, fs, key, format!("{at}: {reason}")),
    }
}

fn envelope_items(v: &Value) -> Option<&Vec<Value>> {
    let Value::Object(o) = v else { return None };
    if map_json::get(o, "createdDateTime").is_some() || map_json::get(o, "activityDateTime").is_some() {
        return None;
    }
    match map_json::get(o, "value").or_else(|| map_json::get(o, "records")) {
        Some(Value::Array(a)) => Some(a),
        _ => None,
    }
}

/// How a record is cited: NDJSON lines by line, array elements by ordinal.
fn position(line: u64, ordinal: u64, container: Container) -> (String, u64) {
    match container {
        Container::TopObject => (format!("line {line}"), line),
        _ => (format!("record {ordinal} (line {line})"), ordinal),
    }
}

/// What had to be mended before a record parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repair {
    TrailingComma,
    InvalidUtf8,
}

/// Parses one record; retries without trailing commas, then with invalid
/// UTF-8 replaced.
fn parse(bytes: &[u8], line: u64) -> Result<(Value, Option<Repair>), String> {
    let e = match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => return Ok((v, None)),
        Err(e) => e,
    };
    if let Some(fixed) = remove_trailing_commas(bytes) {
        if let Ok(v) = serde_json::from_slice::<Value>(&fixed) {
            return Ok((v, Some(Repair::TrailingComma)));
        }
    }
    if std::str::from_utf8(bytes).is_err() {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut parsed = serde_json::from_str::<Value>(&text).ok();
        if parsed.is_none() {
            parsed = remove_trailing_commas(text.as_bytes()).and_then(|f| serde_json::from_slice::<Value>(&f).ok());
        }
        if let Some(v) = parsed {
            return Ok((v, Some(Repair::InvalidUtf8)));
        }
    }
    let at = if e.line() > 0 { format!(" at line {}, column {}", line + e.line() as u64 - 1, e.column()) } else { String::new() };
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg);
    Err(format!("invalid JSON{at}: {msg}"))
}

fn json_format(st: &JsonState, top_values: u64) -> Format {
    match st.first {
        None => Format::Unknown,
        Some(Dialect::Diagnostic) => Format::AzureMonitorJson,
        Some(Dialect::LogAnalytics) => Format::LoganalyticsJson,
        Some(Dialect::Graph) => {
            if st.records_envelope {
                Format::AzureMonitorJson
            } else {
                match st.container {
                    Some(Container::Array) => Format::PortalJson,
                    Some(Container::Envelope) => Format::GraphJson,
                    Some(Container::TopObject) if top_values > 1 => Format::Ndjson,
                    _ => Format::GraphJson,
                }
            }
        }
    }
}

fn input_kind(fs: &FileState) -> InputKind {
    let signins: u64 = fs.kinds.iter().sum();
    if signins == 0 && fs.audits == 0 {
        return if fs.steps > 0 { InputKind::AuthDetails } else { fs.header_kind.unwrap_or(InputKind::Unknown) };
    }
    if fs.audits >= signins {
        return InputKind::Audit;
    }
    let present: Vec<usize> = (0..4).filter(|&i| fs.kinds[i] > 0).collect();
    match present.as_slice() {
        [one] => InputKind::of_signin(KINDS[*one]),
        _ => InputKind::SignInMixed,
    }
}
