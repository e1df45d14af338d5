//! A streaming push splitter for JSON inputs: finds record boundaries
//! without parsing, so only one record is held in memory at a time.
//!
//! Shapes handled: a bare array (portal download), several arrays back to
//! back (`]\r\n[`, appended pages), NDJSON (one object per line), Graph pages
//! (`{"@odata.context": …, "value": [...]}`, one or several), Azure Monitor
//! (`{"records": [...]}`), and a single object. Nesting is tracked with an
//! explicit depth counter and string/escape flags; nothing recurses on
//! input depth.

/// Records larger than this are rejected (memory stays bounded).
pub const MAX_RECORD_BYTES: usize = 32 << 20;

/// Where a piece came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// An element of a top-level array.
    Array,
    /// An element of an envelope's `value` / `records` array.
    Envelope,
    /// A top-level object (NDJSON line or a single object).
    TopObject,
}

#[derive(Debug)]
pub enum Piece<'a> {
    /// One complete value. `line` is the physical 1-based line it starts
    /// on; `ordinal` its 1-based position among array elements (0 for
    /// top-level objects).
    Record { bytes: &'a [u8], line: u64, ordinal: u64, offset: u64, container: Container },
    /// A record that was cut short or too large.
    Bad { line: u64, ordinal: u64, offset: u64, container: Container, reason: String },
    /// The container's envelope name (`value` or `records`) was seen.
    EnvelopeSeen { records: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Between top-level values.
    Top,
    /// Skipping text that is not JSON until the end of the line.
    Junk,
    /// Inside a container, not in a record.
    Container,
    /// Inside a record (an object/array element, or a candidate top-level object).
    Record,
    /// Inside a scalar array element (ends at `,` or `]`).
    Scalar,
}

pub struct Splitter {
    mode: Mode,
    depth: u32,
    in_str: bool,
    esc: bool,
    /// Depth of the array whose elements are records (0: none).
    arr_level: u32,
    /// The record is a top-level object that may still turn out to be an envelope.
    candidate: bool,
    /// Depth-1 key tracking inside a candidate top-level object.
    key_buf: Vec<u8>,
    key_len_ok: bool,
    last_key_was_envelope: Option<bool>,
    pending_str_is_key: bool,
    /// Inside an envelope object (after its array closed, until it closes).
    in_envelope: bool,
    rec: Vec<u8>,
    rec_over: bool,
    rec_line: u64,
    rec_ordinal: u64,
    rec_offset: u64,
    rec_container: Container,
    line: u64,
    ordinal: u64,
    offset: u64,
    junk_line: u64,
    junk_text: Vec<u8>,
    /// Top-level values seen (for NDJSON vs single object).
    pub top_values: u64,
    /// The input ended inside a container (warned by the caller).
    pub unclosed: bool,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter::new()
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0c)
}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter {
            mode: Mode::Top,
            depth: 0,
            in_str: false,
            esc: false,
            arr_level: 0,
            candidate: false,
            key_buf: Vec::new(),
            key_len_ok: true,
            last_key_was_envelope: None,
            pending_str_is_key: false,
            in_envelope: false,
            rec: Vec::new(),
            rec_over: false,
            rec_line: 0,
            rec_ordinal: 0,
            rec_offset: 0,
            rec_container: Container::TopObject,
            line: 1,
            ordinal: 0,
            offset: 0,
            junk_line: 0,
            junk_text: Vec::new(),
            top_values: 0,
            unclosed: false,
        }
    }

    fn start_record(&mut self, container: Container, at: u64) {
        self.rec.clear();
        self.rec_over = false;
        self.rec_line = self.line;
        self.rec_offset = at;
        self.rec_container = container;
        if container == Container::TopObject {
            self.rec_ordinal = 0;
        } else {
            self.ordinal += 1;
            self.rec_ordinal = self.ordinal;
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.rec_over {
            return;
        }
        if self.rec.len() + bytes.len() > MAX_RECORD_BYTES {
            self.rec_over = true;
            self.rec = Vec::new();
            return;
        }
        self.rec.extend_from_slice(bytes);
    }

    fn emit_record(&mut self, out: &mut dyn FnMut(Piece)) {
        if self.rec_over {
            out(Piece::Bad {
                line: self.rec_line,
                ordinal: self.rec_ordinal,
                offset: self.rec_offset,
                container: self.rec_container,
                reason: format!("record larger than {} MiB", MAX_RECORD_BYTES >> 20),
            });
        } else {
            out(Piece::Record {
                bytes: &self.rec,
                line: self.rec_line,
                ordinal: self.rec_ordinal,
                offset: self.rec_offset,
                container: self.rec_container,
            });
        }
        self.rec.clear();
        self.rec_over = false;
    }

    fn emit_junk(&mut self, out: &mut dyn FnMut(Piece)) {
        let text = String::from_utf8_lossy(&self.junk_text).trim().chars().take(60).collect::<String>();
        out(Piece::Bad {
            line: self.junk_line,
            ordinal: 0,
            offset: 0,
            container: Container::TopObject,
            reason: format!("text that is not JSON: {text:?}"),
        });
        self.junk_text.clear();
    }

    /// Feeds the next chunk; calls `out` for every complete piece.
    pub fn feed(&mut self, chunk: &[u8], out: &mut dyn FnMut(Piece)) {
        let mut i = 0;
        // Start of the current record's bytes within this chunk.
        let mut seg: Option<usize> = if matches!(self.mode, Mode::Record | Mode::Scalar) { Some(0) } else { None };
        let base = self.offset;
        while i < chunk.len() {
            let b = chunk[i];
            if self.in_str {
                // Fast path: jump to the next quote, backslash or newline.
                if !self.esc {
                    let rest = &chunk[i..];
                    let skip = rest.iter().position(|&c| c == b'"' || c == b'\\' || c == b'\n').unwrap_or(rest.len());
                    if self.candidate && self.depth == 1 && self.pending_str_is_key {
                        self.push_key(&rest[..skip]);
                    }
                    i += skip;
                    if i >= chunk.len() {
                        break;
                    }
                }
                let b = chunk[i];
                if b == b'\n' {
                    self.line += 1;
                }
                if self.esc {
                    self.esc = false;
                    if self.candidate && self.depth == 1 && self.pending_str_is_key {
                        self.push_key(&[b]);
                    }
                } else if b == b'\\' {
                    self.esc = true;
                } else if b == b'"' {
                    self.in_str = false;
                }
                i += 1;
                continue;
            }
            if b == b'\n' {
                self.line += 1;
            }
            match self.mode {
                Mode::Junk => {
                    if b == b'\n' {
                        self.mode = Mode::Top;
                        self.emit_junk(out);
                    } else if self.junk_text.len() < 80 {
                        self.junk_text.push(b);
                    }
                }
                Mode::Top => {
                    if is_ws(b) || b == b',' {
                    } else if b == b'[' {
                        self.top_values += 1;
                        self.depth = 1;
                        self.arr_level = 1;
                        self.mode = Mode::Container;
                    } else if b == b'{' {
                        self.top_values += 1;
                        self.depth = 1;
                        self.candidate = true;
                        self.last_key_was_envelope = None;
                        self.pending_str_is_key = true;
                        self.mode = Mode::Record;
                        self.start_record(Container::TopObject, base + i as u64);
                        seg = Some(i);
                    } else {
                        self.mode = Mode::Junk;
                        self.junk_line = self.line;
                        self.junk_text.clear();
                        self.junk_text.push(b);
                    }
                }
                Mode::Container => {
                    // Directly inside the records array (depth == arr_level), or
                    // inside an envelope object outside its array.
                    if self.in_envelope && self.depth == 1 {
                        // Skip the rest of the envelope object (e.g. @odata.nextLink).
                        match b {
                            b'"' => self.in_str = true,
                            b'{' | b'[' => self.depth += 1,
                            b'}' | b']' => {
                                self.depth -= 1;
                                if self.depth == 0 {
                                    self.in_envelope = false;
                                    self.arr_level = 0;
                                    self.mode = Mode::Top;
                                }
                            }
                            _ => {}
                        }
                    } else if self.depth > self.arr_level {
                        // Nested inside something in the envelope that is not the records array.
                        match b {
                            b'"' => self.in_str = true,
                            b'{' | b'[' => self.depth += 1,
                            b'}' | b']' => self.depth -= 1,
                            _ => {}
                        }
                    } else if is_ws(b) || b == b',' {
                    } else if b == b']' || b == b'}' {
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.arr_level = 0;
                            self.mode = Mode::Top;
                        } else {
                            // The envelope's array closed; the envelope goes on.
                            self.arr_level = 0;
                        }
                    } else if b == b'{' || b == b'[' {
                        self.depth += 1;
                        let c = if self.in_envelope { Container::Envelope } else { Container::Array };
                        self.start_record(c, base + i as u64);
                        self.mode = Mode::Record;
                        seg = Some(i);
                    } else {
                        let c = if self.in_envelope { Container::Envelope } else { Container::Array };
                        self.start_record(c, base + i as u64);
                        self.mode = Mode::Scalar;
                        seg = Some(i);
                        if b == b'"' {
                            self.in_str = true;
                        }
                    }
                }
                Mode::Scalar => {
                    if b == b'"' {
                        self.in_str = true;
                    } else if b == b',' || b == b']' || b == b'}' {
                        if let Some(s) = seg {
                            self.append(&chunk[s..i]);
                        }
                        seg = None;
                        self.emit_record(out);
                        self.mode = Mode::Container;
                        continue; // let Container handle the delimiter
                    }
                }
                Mode::Record => match b {
                    b'"' => {
                        self.in_str = true;
                        if self.candidate && self.depth == 1 {
                            self.key_buf.clear();
                            self.key_len_ok = true;
                        }
                    }
                    b':' if self.candidate && self.depth == 1 => {
                        if self.pending_str_is_key {
                            let k = &self.key_buf;
                            self.last_key_was_envelope =
                                if self.key_len_ok && (k.eq_ignore_ascii_case(b"value") || k.eq_ignore_ascii_case(b"records")) {
                                    Some(k.eq_ignore_ascii_case(b"records"))
                                } else {
                                    None
                                };
                        }
                        self.pending_str_is_key = false;
                    }
                    b',' if self.candidate && self.depth == 1 => {
                        self.pending_str_is_key = true;
                        self.last_key_was_envelope = None;
                    }
                    b'{' | b'[' => {
                        if self.candidate && self.depth == 1 && b == b'[' {
                            if let Some(records) = self.last_key_was_envelope {
                                // An envelope: its array's elements are the records.
                                self.candidate = false;
                                self.in_envelope = true;
                                self.rec.clear();
                                self.rec_over = false;
                                seg = None;
                                self.depth = 2;
                                self.arr_level = 2;
                                self.mode = Mode::Container;
                                out(Piece::EnvelopeSeen { records });
                                i += 1;
                                continue;
                            }
                        }
                        self.depth += 1;
                    }
                    b'}' | b']' => {
                        self.depth -= 1;
                        let end_depth = if self.candidate { 0 } else { self.arr_level };
                        if self.depth == end_depth {
                            if let Some(s) = seg {
                                self.append(&chunk[s..=i]);
                            }
                            seg = None;
                            self.emit_record(out);
                            if self.candidate {
                                self.candidate = false;
                                self.mode = Mode::Top;
                            } else {
                                self.mode = Mode::Container;
                            }
                        }
                    }
                    _ => {}
                },
            }
            i += 1;
        }
        if let Some(s) = seg {
            if matches!(self.mode, Mode::Record | Mode::Scalar) {
                self.append(&chunk[s..]);
            }
        }
        self.offset = base + chunk.len() as u64;
    }

    fn push_key(&mut self, bytes: &[u8]) {
        if self.key_buf.len() + bytes.len() > 32 {
            self.key_len_ok = false;
        } else {
            self.key_buf.extend_from_slice(bytes);
        }
    }

    /// Ends the input: reports a record cut short.
    pub fn finish(&mut self, out: &mut dyn FnMut(Piece)) {
        match self.mode {
            Mode::Record => {
                out(Piece::Bad {
                    line: self.rec_line,
                    ordinal: self.rec_ordinal,
                    offset: self.rec_offset,
                    container: self.rec_container,
                    reason: "the input ends inside this record (truncated file?)".to_string(),
                });
                self.rec.clear();
                self.unclosed = self.rec_container != Container::TopObject;
            }
            Mode::Scalar => self.emit_record(out),
            Mode::Junk => self.emit_junk(out),
            Mode::Container => self.unclosed = true,
            Mode::Top => {}
        }
        self.mode = Mode::Top;
    }
}

/// Removes commas that directly precede `]` or `}` (outside strings), as
/// some hand-edited samples and the Graph docs have. Returns `None` when
/// there was none.
pub fn remove_trailing_commas(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut in_str = false;
    let mut esc = false;
    let mut pending_comma: Option<usize> = None;
    let mut changed = false;
    for &b in bytes {
        if in_str {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
            }
            out.push(b);
            continue;
        }
        match b {
            b',' => {
                pending_comma = Some(out.len());
                out.push(b);
            }
            b']' | b'}' => {
                if let Some(p) = pending_comma.take() {
                    out.remove(p);
                    changed = true;
                }
                out.push(b);
            }
            _ if is_ws(b) => out.push(b),
            _ => {
                pending_comma = None;
                if b == b'"' {
                    in_str = true;
                }
                out.push(b);
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8], chunk: usize) -> Vec<String> {
        let mut s = Splitter::new();
        let mut got = Vec::new();
        let mut cb = |p: Piece| match p {
            Piece::Record { bytes, line, ordinal, container, .. } => {
                got.push(format!("{container:?} {line}/{ordinal} {}", String::from_utf8_lossy(bytes)))
            }
            Piece::Bad { line, reason, .. } => got.push(format!("BAD {line} {reason}")),
            Piece::EnvelopeSeen { records } => got.push(format!("ENV {records}")),
        };
        for c in input.chunks(chunk.max(1)) {
            s.feed(c, &mut cb);
        }
        s.finish(&mut cb);
        got
    }

    #[test]
    fn shapes() {
        let cases: &[(&str, &[&str])] = &[
            ("[{\"a\":1},{\"b\":[1,2]}]", &["Array 1/1 {\"a\":1}", "Array 1/2 {\"b\":[1,2]}"]),
            ("[{\"a\":1}]\r\n[{\"a\":\"]\"}]", &["Array 1/1 {\"a\":1}", "Array 2/2 {\"a\":\"]\"}"]),
            ("{\"a\":1}\n{\"a\":\"x\\\"}\"}\n", &["TopObject 1/0 {\"a\":1}", "TopObject 2/0 {\"a\":\"x\\\"}\"}"]),
            (
                "{\"@odata.context\":\"x\",\"value\":[{\"id\":1},{\"id\":2}],\"@odata.nextLink\":\"y\"}",
                &["ENV false", "Envelope 1/1 {\"id\":1}", "Envelope 1/2 {\"id\":2}"],
            ),
            ("{\"records\":[{\"time\":1}]}", &["ENV true", "Envelope 1/1 {\"time\":1}"]),
            ("{\"value\":\"x\",\"k\":[1]}", &["TopObject 1/0 {\"value\":\"x\",\"k\":[1]}"]),
            ("{\"nested\":{\"value\":[1]}}", &["TopObject 1/0 {\"nested\":{\"value\":[1]}}"]),
            ("[1, \"x\"]", &["Array 1/1 1", "Array 1/2 \"x\""]),
            ("[{\"a\":1},{\"b\":", &["Array 1/1 {\"a\":1}", "BAD 1 the input ends inside this record (truncated file?)"]),
            ("hello\n{\"a\":1}", &["BAD 1 text that is not JSON: \"hello\"", "TopObject 2/0 {\"a\":1}"]),
        ];
        for (input, want) in cases {
            for chunk in [1, 3, 1000] {
                assert_eq!(&split(input.as_bytes(), chunk), want, "input {input} chunk {chunk}");
            }
        }
    }

    #[test]
    fn trailing_commas() {
        assert_eq!(remove_trailing_commas(b"{\"a\":[1,2,],\"s\":\",]\",}").unwrap(), b"{\"a\":[1,2],\"s\":\",]\"}".to_vec());
        assert_eq!(remove_trailing_commas(b"{\"a\":[1,2]}"), None);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut input = vec![b'['; 100_000];
        input.extend(vec![b']'; 100_000]);
        let got = split(&input, 4096);
        assert_eq!(got.len(), 1);
    }
}
