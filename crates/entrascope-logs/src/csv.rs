//! CSV framing on `csv-core`: a push parser that takes chunks of any size,
//! reuses its buffers across rows, detects the delimiter (`,`, `;` or tab)
//! from the header line, tracks the line each row starts on, and recovers
//! the rows after an unbalanced quote instead of swallowing the rest of the
//! file into one field.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use crate::json::MAX_RECORD_BYTES;

/// Normalizes a header name: trims, collapses internal whitespace,
/// lower-cases, and drops Log Analytics' ` [UTC]` suffix.
pub fn normalize_header(s: &str) -> String {
    let s = s.trim().trim_start_matches('\u{feff}').trim_start_matches('\'');
    let mut out = String::with_capacity(s.len());
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    if let Some(stripped) = out.strip_suffix(" [utc]") {
        out.truncate(stripped.len());
    }
    out
}

/// The original name without ` [UTC]`, trimmed (for Log Analytics columns).
pub fn plain_header(s: &str) -> String {
    let s = s.trim().trim_start_matches('\u{feff}');
    let lower = s.to_ascii_lowercase();
    match lower.rfind("[utc]") {
        Some(i) if lower[i..].trim() == "[utc]" => s[..i].trim().to_string(),
        _ => s.to_string(),
    }
}

/// Splits a header line (for sniffing) into normalized names.
pub fn split_header_line(line: &str) -> Vec<String> {
    let delim = detect_delimiter(line.as_bytes());
    let mut rdr = ReaderBuilder::new().delimiter(delim).build();
    let mut out = vec![0u8; line.len() + 16];
    let mut ends = vec![0usize; line.len() + 2];
    let (_, _, nout, nend) = rdr.read_record(line.as_bytes(), &mut out, &mut ends);
    let (res, _, _, nend2) = rdr.read_record(&[], &mut out[nout..], &mut ends[nend..]);
    let n = if res == ReadRecordResult::Record { nend + nend2 } else { nend };
    let mut names = Vec::with_capacity(n);
    let mut start = 0;
    for &e in &ends[..n] {
        names.push(normalize_header(&String::from_utf8_lossy(&out[start..e])));
        start = e;
    }
    names
}

/// The header line is looked for in this many bytes at most.
const HEADER_LIMIT: usize = 1 << 20;

/// Where the first line ends (a line break outside quotes).
fn first_line_end(text: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// The delimiter of a header line: the most frequent of `,`, `;`, tab
/// outside quotes (`,` on a tie).
pub fn detect_delimiter(line: &[u8]) -> u8 {
    let (mut comma, mut semi, mut tab) = (0, 0, 0);
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => comma += 1,
            b';' if !quoted => semi += 1,
            b'\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

/// One parsed row: the field texts live in one buffer.
pub struct Row<'a> {
    pub text: &'a str,
    pub ends: &'a [usize],
}

impl<'a> Row<'a> {
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`, or "" when the row is shorter.
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        let Some(&end) = self.ends.get(i) else { return "" };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end).unwrap_or("")
    }
}

/// What the framer hands to its consumer.
pub enum Event<'a> {
    Header(Vec<String>),
    Row { row: Row<'a>, line: u64, offset: u64, len: u32 },
    Reject { line: u64, reason: String },
    Warn(String),
}

pub struct CsvFramer {
    started: bool,
    head: Vec<u8>,
    delim: u8,
    rdr: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    /// Raw bytes of the current record, for recovery.
    raw: Vec<u8>,
    in_record: bool,
    rec_line: u64,
    rec_offset: u64,
    /// Decoded bytes consumed so far.
    offset: u64,
    /// The current record outgrew [`MAX_RECORD_BYTES`] on one line: skip it.
    skipping: bool,
    replay: Vec<u8>,
    header_len: Option<usize>,
    lossy_warned: bool,
    lossy: String,
    /// Rows seen after the header (kept, rejected or skipped blank).
    pub rows: u64,
    /// Where the first record after the header starts: decoded offset and line.
    first_data: Option<(u64, u64)>,
    /// Whether single-line records may skip csv-core (see [`CsvFramer::fast_record`]).
    fast: bool,
    /// The csv-core reader has not read yet (it strips a byte-order mark
    /// from its first input, which the fast path does not).
    rdr_fresh: bool,
}

impl Default for CsvFramer {
    fn default() -> Self {
        CsvFramer::new()
    }
}

fn build(delim: u8) -> Reader {
    ReaderBuilder::new().delimiter(delim).build()
}

impl CsvFramer {
    pub fn new() -> CsvFramer {
        CsvFramer {
            started: false,
            head: Vec::new(),
            delim: b',',
            rdr: build(b','),
            out: vec![0; 64 * 1024],
            ends: vec![0; 256],
            nout: 0,
            nend: 0,
            raw: Vec::new(),
            in_record: false,
            rec_line: 1,
            rec_offset: 0,
            offset: 0,
            skipping: false,
            replay: Vec::new(),
            header_len: None,
            lossy_warned: false,
            lossy: String::new(),
            rows: 0,
            first_data: None,
            fast: true,
            rdr_fresh: true,
        }
    }

    /// A framer that sends every record through csv-core (the reference the
    /// fast path is tested against).
    pub fn without_fast_path() -> CsvFramer {
        CsvFramer { fast: false, ..CsvFramer::new() }
    }

    pub fn delimiter(&self) -> u8 {
        self.delim
    }

    /// Feeds decoded UTF-8 bytes.
    pub fn feed(&mut self, chunk: &[u8], out: &mut dyn FnMut(Event)) {
        if !self.started {
            self.head.extend_from_slice(chunk);
            // Wait for the whole header line (bounded).
            if first_line_end(&self.head).is_none() && self.head.len() < HEADER_LIMIT {
                return;
            }
            let head = std::mem::take(&mut self.head);
            self.start(&head, out);
            return;
        }
        self.run(chunk, out);
    }

    fn start(&mut self, head: &[u8], out: &mut dyn FnMut(Event)) {
        self.started = true;
        let mut body = head;
        // Excel's "sep=;" first line names the delimiter.
        if body.len() >= 5 && body[..4].eq_ignore_ascii_case(b"sep=") {
            self.delim = body[4];
            let nl = body.iter().position(|&b| b == b'\n').map(|p| p + 1).unwrap_or(body.len());
            body = &body[nl..];
            self.offset += nl as u64;
            self.rdr = build(self.delim);
            self.rdr_fresh = true;
            self.rdr.set_line(2);
            self.rec_line = 2;
        } else {
            self.delim = detect_delimiter(&body[..body.len().min(HEADER_LIMIT)]);
            self.rdr = build(self.delim);
            self.rdr_fresh = true;
        }
        if self.delim != b',' {
            out(Event::Warn(format!("the delimiter is {:?}, not a comma (a re-saved file?)", self.delim as char)));
        }
        self.run(body, out);
    }

    /// Where the first record after the header starts (decoded offset,
    /// line), once it has started.
    pub fn first_data(&self) -> Option<(u64, u64)> {
        self.first_data
    }

    /// Whether everything fed so far ends exactly at the end of a record
    /// (no record, recovery or skipped line in progress), after the header.
    pub fn at_boundary(&self) -> bool {
        self.started && self.header_len.is_some() && !self.in_record && self.replay.is_empty() && !self.skipping
    }

    /// Decoded bytes consumed and the line the next record starts on.
    pub fn position(&self) -> (u64, u64) {
        (self.offset, self.rdr.line())
    }

    /// Continues as if the bytes of another framer (the part of the same
    /// input after this one, read in parallel) had been read here: its
    /// position (already in this input's numbering) and counts.
    pub fn continue_from(&mut self, rows: u64, lossy_warned: bool, offset: u64, line: u64) {
        self.offset = offset;
        self.rdr.set_line(line);
        self.rows += rows;
        self.lossy_warned |= lossy_warned;
    }

    /// Rows seen and whether the not-UTF-8 warning was given (for joining parts).
    pub fn counts(&self) -> (u64, bool) {
        (self.rows, self.lossy_warned)
    }

    /// Ends the input.
    pub fn finish(&mut self, out: &mut dyn FnMut(Event)) {
        if !self.started {
            let head = std::mem::take(&mut self.head);
            self.start(&head, out);
        }
        loop {
            self.drain_replay(out);
            let (res, _, nout, nend) = self.rdr.read_record(&[], &mut self.out[self.nout..], &mut self.ends[self.nend..]);
            self.nout += nout;
            self.nend += nend;
            match res {
                ReadRecordResult::OutputFull => self.grow_out(),
                ReadRecordResult::OutputEndsFull => self.grow_ends(),
                ReadRecordResult::Record => {
                    let end = self.offset;
                    self.record_done(end, out);
                    if self.replay.is_empty() {
                        break;
                    }
                }
                _ => break,
            }
        }
    }

    fn grow_out(&mut self) {
        let n = self.out.len().max(1024) * 2;
        self.out.resize(n, 0);
    }

    fn grow_ends(&mut self) {
        let n = self.ends.len().max(16) * 2;
        self.ends.resize(n, 0);
    }

    fn drain_replay(&mut self, out: &mut dyn FnMut(Event)) {
        while !self.replay.is_empty() {
            let r = std::mem::take(&mut self.replay);
            let used = self.process(&r, out);
            if used < r.len() {
                // A new replay was started inside `r`: it goes first, then the rest of `r`.
                let mut next = std::mem::take(&mut self.replay);
                next.extend_from_slice(&r[used..]);
                self.replay = next;
            }
        }
    }

    fn run(&mut self, mut input: &[u8], out: &mut dyn FnMut(Event)) {
        loop {
            self.drain_replay(out);
            if input.is_empty() {
                return;
            }
            let used = self.process(input, out);
            input = &input[used..];
        }
    }

    /// Processes `input` until it is used up or a replay starts; returns the bytes used.
    fn process(&mut self, input: &[u8], out: &mut dyn FnMut(Event)) -> usize {
        let base = self.offset;
        let mut pos = 0;
        while pos < input.len() {
            if !self.in_record {
                // Skip line breaks between records ourselves, so each record's
                // first line and offset are exact.
                while pos < input.len() && matches!(input[pos], b'\r' | b'\n') {
                    if input[pos] == b'\n' {
                        self.rdr.set_line(self.rdr.line() + 1);
                    }
                    pos += 1;
                }
                if pos >= input.len() {
                    break;
                }
                self.in_record = true;
                self.rec_line = self.rdr.line();
                self.rec_offset = base + pos as u64;
                self.raw.clear();
                if self.first_data.is_none() && self.header_len.is_some() {
                    self.first_data = Some((self.rec_offset, self.rec_line));
                }
                if self.fast && !self.rdr_fresh && !self.skipping && self.header_len.is_some() {
                    if let Some(used) = self.fast_record(&input[pos..]) {
                        pos += used;
                        self.record_done(base + pos as u64, out);
                        if !self.replay.is_empty() {
                            return pos;
                        }
                        continue;
                    }
                }
            }
            self.rdr_fresh = false;
            let (res, nin, nout, nend) =
                self.rdr.read_record(&input[pos..], &mut self.out[self.nout..], &mut self.ends[self.nend..]);
            if self.raw.len() < MAX_RECORD_BYTES {
                self.raw.extend_from_slice(&input[pos..pos + nin]);
            }
            pos += nin;
            self.nout += nout;
            self.nend += nend;
            match res {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {}
                ReadRecordResult::OutputFull => {
                    if self.nout >= MAX_RECORD_BYTES {
                        if let Some(nl) = self.raw.iter().position(|&b| b == b'\n') {
                            // An unbalanced quote is swallowing lines: give up on the
                            // first line and read the rest again.
                            self.restart_after_first_line(nl, "a quoted field never ends (unbalanced quote)", out);
                            return pos;
                        }
                        self.skipping = true;
                        self.nout = 0;
                        self.nend = 0;
                    } else {
                        self.grow_out();
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= 1 << 20 {
                        self.skipping = true;
                        self.nend = 0;
                    } else {
                        self.grow_ends();
                    }
                }
                ReadRecordResult::Record => {
                    self.record_done(base + pos as u64, out);
                    if !self.replay.is_empty() {
                        return pos;
                    }
                }
            }
        }
        self.offset = base + pos as u64;
        pos
    }

    /// Frames one record that sits on one line of `input` without csv-core,
    /// when it is simple: every field either unquoted (no quote, no carriage
    /// return) or quoted with no doubled quote and followed by a delimiter or
    /// the line's end. That is every row of the admin center's downloads.
    /// Fills `out`/`ends` exactly as csv-core would, consumes the record and
    /// one terminator byte as csv-core does (`\r` of a CRLF, or `\n`, which
    /// counts a line), and returns the bytes consumed. Anything else (a
    /// field spanning lines, an escaped quote, a line not yet complete in
    /// this chunk, a very long line) returns `None` with nothing consumed,
    /// and csv-core reads the record.
    fn fast_record(&mut self, input: &[u8]) -> Option<usize> {
        const MAX_LINE: usize = 1 << 20;
        let window = &input[..input.len().min(MAX_LINE)];
        let nl = memchr::memchr(b'\n', window)?;
        let crlf = nl > 0 && window[nl - 1] == b'\r';
        let content = &window[..if crlf { nl - 1 } else { nl }];
        if content.len() > self.out.len() {
            let n = content.len().next_power_of_two();
            self.out.resize(n, 0);
        }
        let delim = self.delim;
        let (mut nout, mut nend) = (0usize, 0usize);
        let mut i = 0;
        loop {
            if nend == self.ends.len() {
                self.grow_ends();
            }
            if content.get(i) == Some(&b'"') {
                let start = i + 1;
                let len = memchr::memchr(b'"', &content[start..])?;
                let end = start + len;
                self.out[nout..nout + len].copy_from_slice(&content[start..end]);
                nout += len;
                self.ends[nend] = nout;
                nend += 1;
                let after = end + 1;
                if after == content.len() {
                    break;
                }
                if content[after] != delim {
                    return None;
                }
                i = after + 1;
            } else {
                let rest = &content[i..];
                let len = rest.iter().position(|&b| b == delim || b == b'"' || b == b'\r').unwrap_or(rest.len());
                if len < rest.len() && rest[len] != delim {
                    return None;
                }
                self.out[nout..nout + len].copy_from_slice(&rest[..len]);
                nout += len;
                self.ends[nend] = nout;
                nend += 1;
                if len == rest.len() {
                    break;
                }
                i += len + 1;
            }
            if i == content.len() {
                // A delimiter ends the line: one more, empty field.
                if nend == self.ends.len() {
                    self.grow_ends();
                }
                self.ends[nend] = nout;
                nend += 1;
                break;
            }
        }
        self.nout = nout;
        self.nend = nend;
        if crlf {
            Some(content.len() + 1)
        } else {
            self.rdr.set_line(self.rdr.line() + 1);
            Some(nl + 1)
        }
    }

    /// Rejects the first physical line of the current record and queues the
    /// rest of its bytes to be read again with a fresh parser.
    fn restart_after_first_line(&mut self, nl: usize, why: &str, out: &mut dyn FnMut(Event)) {
        let line = self.rec_line;
        let rest = self.raw.split_off(nl + 1);
        self.raw.clear();
        self.rows += 1;
        out(Event::Reject {
            line,
            reason: format!("line {line}: {why}; the row was skipped and reading went on at the next line"),
        });
        // The replayed bytes start right after the first line.
        self.offset = self.rec_offset + nl as u64 + 1;
        self.rdr = build(self.delim);
        self.rdr_fresh = true;
        self.rdr.set_line(line + 1);
        self.nout = 0;
        self.nend = 0;
        self.in_record = false;
        self.skipping = false;
        let mut r = rest;
        r.extend_from_slice(&std::mem::take(&mut self.replay));
        self.replay = r;
    }

    fn record_done(&mut self, end: u64, out: &mut dyn FnMut(Event)) {
        let line = self.rec_line;
        let len = end.saturating_sub(self.rec_offset).min(u32::MAX as u64) as u32;
        let nend = self.nend;
        let nout = self.nout;
        self.nout = 0;
        self.nend = 0;
        self.in_record = false;
        if self.skipping {
            self.skipping = false;
            self.rows += 1;
            out(Event::Reject { line, reason: format!("line {line}: row longer than {} MiB", MAX_RECORD_BYTES >> 20) });
            return;
        }
        let ends = &self.ends[..nend];
        let Some(header_len) = self.header_len else {
            let text = String::from_utf8_lossy(&self.out[..nout]);
            let mut names = Vec::with_capacity(nend);
            let mut start = 0;
            for &e in ends {
                names.push(text.get(start..e).unwrap_or("").to_string());
                start = e;
            }
            self.header_len = Some(names.len());
            out(Event::Header(names));
            return;
        };
        // A line of nothing but spaces is not a row.
        if nend == 1 && self.out[..nout].iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        let n = nend;
        let fits = n == header_len
            || (n > header_len && {
                let start = ends[header_len - 1];
                self.out[start..nout].iter().all(|&b| b.is_ascii_whitespace())
            });
        if !fits {
            let nl = self.raw.iter().position(|&b| b == b'\n');
            match nl {
                Some(nl) if nl + 1 < self.raw.len() && self.raw[nl + 1..].iter().any(|b| !b.is_ascii_whitespace()) => {
                    self.restart_after_first_line(
                        nl,
                        &format!("{n} fields where the header has {header_len} (an unbalanced quote?)"),
                        out,
                    );
                }
                _ => {
                    self.rows += 1;
                    let why = if n < header_len { "too few" } else { "too many" };
                    out(Event::Reject {
                        line,
                        reason: format!(
                            "line {line}: {n} fields where the header has {header_len} ({why}; a truncated or damaged row)"
                        ),
                    });
                }
            }
            return;
        }
        self.rows += 1;
        let bytes = &self.out[..nout];
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                if !self.lossy_warned {
                    self.lossy_warned = true;
                    out(Event::Warn(format!(
                        "line {line}: text that is not UTF-8 (a legacy code page such as Windows-1252?); unreadable characters were replaced"
                    )));
                }
                self.lossy = String::from_utf8_lossy(bytes).into_owned();
                // Lossy replacement changes byte lengths: recompute field ends.
                let mut fixed = Vec::with_capacity(n);
                let mut start = 0;
                let mut acc = 0;
                for &e in ends {
                    acc += String::from_utf8_lossy(&bytes[start..e]).len();
                    fixed.push(acc);
                    start = e;
                }
                let row = Row { text: &self.lossy, ends: &fixed };
                out(Event::Row { row, line, offset: self.rec_offset, len });
                return;
            }
        };
        let row = Row { text, ends };
        out(Event::Row { row, line, offset: self.rec_offset, len });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(input: &[u8], chunk: usize) -> Vec<String> {
        let mut f = CsvFramer::new();
        let mut got = Vec::new();
        let mut cb = |e: Event| match e {
            Event::Header(h) => got.push(format!("H {}", h.join("|"))),
            Event::Row { row, line, .. } => {
                got.push(format!("{line}: {}", (0..row.len()).map(|i| row.get(i)).collect::<Vec<_>>().join("|")))
            }
            Event::Reject { line, .. } => got.push(format!("{line}: REJECTED")),
            Event::Warn(_) => {}
        };
        for c in input.chunks(chunk.max(1)) {
            f.feed(c, &mut cb);
        }
        f.finish(&mut cb);
        got
    }

    /// Every event with everything it carries, for comparing framers.
    fn frame_all(mut f: CsvFramer, input: &[u8], chunk: usize) -> (Vec<String>, u64) {
        let mut got = Vec::new();
        let mut cb = |e: Event| match e {
            Event::Header(h) => got.push(format!("H {}", h.join("|"))),
            Event::Row { row, line, offset, len } => {
                got.push(format!("{line}@{offset}+{len}: {:?}", (0..row.len()).map(|i| row.get(i)).collect::<Vec<_>>()))
            }
            Event::Reject { line, reason } => got.push(format!("{line}: REJECTED {reason}")),
            Event::Warn(w) => got.push(format!("W {w}")),
        };
        for c in input.chunks(chunk.max(1)) {
            f.feed(c, &mut cb);
        }
        f.finish(&mut cb);
        (got, f.rows)
    }

    #[test]
    fn fast_path_frames_exactly_as_csv_core() {
        // Random texts over the bytes that matter to CSV, with mostly
        // well-formed rows so the fast path runs, and every kind of damage.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let pieces: &[&[u8]] = &[
            b"\"abc\"",
            b"\"\"",
            b"\"a,b\"",
            b"\"x\"\"y\"",
            b"plain",
            b"",
            b" ",
            b"\"",
            b"\r",
            b"\n",
            b"\r\n",
            b",",
            b";",
            b"\t",
            b"\"multi\nline\"",
            b"\"cr\rin\"",
            b"\xef\xbb\xbf",
            b"\xc3\xa9",
            b"\xff",
            b"\"tail\"junk",
            b"a\"b",
        ];
        for case in 0..400 {
            let mut text = Vec::new();
            text.extend_from_slice(b"\"h1\",\"h2\",\"h3\"\r\n");
            let rows = 1 + next(12);
            for _ in 0..rows {
                if next(4) == 0 {
                    // Damage: any pieces at all.
                    for _ in 0..next(8) {
                        text.extend_from_slice(pieces[next(pieces.len() as u64) as usize]);
                    }
                } else {
                    for f in 0..3 {
                        if f > 0 {
                            text.push(b',');
                        }
                        text.extend_from_slice(pieces[next(6) as usize]);
                    }
                }
                text.extend_from_slice(if next(3) == 0 { b"\n" } else { b"\r\n" });
            }
            if next(5) == 0 {
                text.truncate(text.len().saturating_sub(next(4) as usize));
            }
            for chunk in [1, 3, 7, 64, 1 << 16] {
                let slow = frame_all(CsvFramer::without_fast_path(), &text, chunk);
                let fast = frame_all(CsvFramer::new(), &text, chunk);
                assert_eq!(fast, slow, "case {case}, chunk {chunk}: {:?}", String::from_utf8_lossy(&text));
            }
        }
    }

    #[test]
    fn headers_normalize() {
        assert_eq!(normalize_header(" Application ID "), "application id");
        assert_eq!(normalize_header("Autonomous system  number"), "autonomous system number");
        assert_eq!(normalize_header("TimeGenerated [UTC]"), "timegenerated");
        assert_eq!(plain_header("TimeGenerated [UTC]"), "TimeGenerated");
        assert_eq!(split_header_line("\"a\";\"B  c\";d"), vec!["a", "b c", "d"]);
    }

    #[test]
    fn rows_lines_and_recovery() {
        let input = b"a,b,c\r\n1,\"x\r\ny\",3\r\n\r\n4,5,6\n7,\"8,9\n10,11,12\n13,14,15";
        for chunk in [1, 2, 5, 1000] {
            let got = frame(input, chunk);
            assert_eq!(
                got,
                vec!["H a|b|c", "2: 1|x\r\ny|3", "5: 4|5|6", "6: REJECTED", "7: 10|11|12", "8: 13|14|15"],
                "chunk {chunk}"
            );
        }
        let semi = frame(b"a;b\n1;2\n", 3);
        assert_eq!(semi, vec!["H a|b", "2: 1|2"]);
        let sep = frame(b"sep=;\na;b\n1;2\n", 3);
        assert_eq!(sep, vec!["H a|b", "3: 1|2"]);
    }
}
