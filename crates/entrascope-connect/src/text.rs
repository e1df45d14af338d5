//! Bytes to text: byte-order marks, UTF-16, lenient entity decoding, line numbers.

use std::borrow::Cow;

/// How the bytes of a file were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

/// Decodes a file's bytes: strips a UTF-8 byte-order mark, decodes UTF-16
/// (PowerShell's `Out-File` default) when a UTF-16 byte-order mark is present,
/// and replaces invalid UTF-8 with U+FFFD. The flag says whether any
/// replacement happened (the caller reports it; nothing is dropped silently).
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Encoding, bool) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let (s, lossy) = utf8(rest);
        return (s, Encoding::Utf8Bom, lossy);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let (s, lossy) = utf16(rest, u16::from_le_bytes);
        return (Cow::Owned(s), Encoding::Utf16Le, lossy);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let (s, lossy) = utf16(rest, u16::from_be_bytes);
        return (Cow::Owned(s), Encoding::Utf16Be, lossy);
    }
    let (s, lossy) = utf8(bytes);
    (s, Encoding::Utf8, lossy)
}

fn utf8(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(bytes), true),
    }
}

fn utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> (String, bool) {
    let odd = bytes.len() % 2 == 1;
    let units = bytes.chunks_exact(2).map(|c| read([c[0], c[1]]));
    let mut lossy = odd;
    let s: String = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    (s, lossy)
}

/// The text of the first bytes of a file, for content sniffing: decodes a
/// UTF-16 head, strips a BOM, tolerates a cut multi-byte character at the end.
pub fn head_text(head: &[u8]) -> Cow<'_, str> {
    let (s, _, _) = decode(head);
    s
}

/// Decodes the five XML entities and numeric character references (`&#8592;`,
/// `&#x41;`) and, when `html` is set, `&nbsp;`. Anything else, in particular a
/// custom entity declared in a DOCTYPE, is kept literally: entities are never
/// expanded, so an entity bomb stays a few bytes of text. Returns the text and
/// whether an unknown entity reference was kept.
pub fn unescape_lenient(raw: &str, html: bool) -> (Cow<'_, str>, bool) {
    if !raw.contains('&') {
        return (Cow::Borrowed(raw), false);
    }
    let mut out = String::with_capacity(raw.len());
    let mut unknown = false;
    let mut rest = raw;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        // An entity name is short; look for `;` within 32 bytes.
        let semi = after.char_indices().take(33).find(|(_, c)| *c == ';').map(|(i, _)| i);
        let decoded = semi.and_then(|end| {
            let name = &after[..end];
            let ch = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "apos" => Some('\''),
                "quot" => Some('"'),
                "nbsp" if html => Some('\u{a0}'),
                _ => {
                    if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(dec) = name.strip_prefix('#') {
                        dec.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            ch.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                if let Some(end) = semi {
                    let name = &after[..end];
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') {
                        unknown = true;
                    }
                }
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (Cow::Owned(out), unknown)
}

/// Turns byte offsets into 1-based line numbers. Offsets must be asked for in
/// increasing order (as a reader produces them); each byte is scanned once.
#[derive(Debug)]
pub struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        LineCounter { text, pos: 0, line: 1 }
    }

    /// The line of byte offset `at`. An offset before the last one asked
    /// returns the last line (never rescans).
    pub fn line_at(&mut self, at: usize) -> u64 {
        let at = at.min(self.text.len());
        if at > self.pos {
            self.line += self.text[self.pos..at].iter().filter(|b| **b == b'\n').count() as u64;
            self.pos = at;
        }
        self.line
    }
}

/// Normalizes a GUID for comparison: lowercase, with braces.
pub fn norm_guid(s: &str) -> String {
    let t = s.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase();
    format!("{{{t}}}")
}

/// Whether a GUID is absent or all zeros.
pub fn is_zero_guid(s: &str) -> bool {
    let t = s.trim().trim_start_matches('{').trim_end_matches('}');
    t.is_empty() || t.chars().all(|c| c == '0' || c == '-')
}

/// Parses the boolean spellings of the exports: True/False, true/false, 1/0, Yes/No.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Parses a .NET TimeSpan (`00:30:00`, `7.00:00:00`, `1:00:00`) into seconds.
pub fn parse_timespan(s: &str) -> Option<u64> {
    let s = s.trim();
    let (days, hms) = match s.split_once('.') {
        // `d.hh:mm:ss` (a dot before the first colon), not `hh:mm:ss.fff`.
        Some((d, rest)) if !d.contains(':') => (d.parse::<u64>().ok()?, rest),
        _ => (0, s),
    };
    let hms = hms.split('.').next()?;
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() != 3 {
        return None;
    }
    let h: u64 = parts[0].parse().ok()?;
    let m: u64 = parts[1].parse().ok()?;
    let sec: u64 = parts[2].parse().ok()?;
    if m > 59 || sec > 59 {
        return None;
    }
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc").0, "abc");
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain("<a/>".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        let (s, enc, lossy) = decode(&le);
        assert_eq!((s.as_ref(), enc, lossy), ("<a/>", Encoding::Utf16Le, false));
        let (_, _, lossy) = decode(b"ab\xFFc");
        assert!(lossy);
    }

    #[test]
    fn unescape_keeps_unknown_entities() {
        assert_eq!(unescape_lenient("a &amp;&amp; b &gt; 0 &#8592; &#x41;", false).0, "a && b > 0 \u{2190} A");
        let (s, unknown) = unescape_lenient("&lol9;&lol9;", false);
        assert_eq!(s, "&lol9;&lol9;");
        assert!(unknown);
        // A bare ampersand (the Documenter writes expressions unescaped) stays.
        let (s, unknown) = unescape_lenient("[a]&\"@\"&[b] && c", true);
        assert_eq!(s, "[a]&\"@\"&[b] && c");
        assert!(!unknown);
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:30:00"), Some(1800));
        assert_eq!(parse_timespan("03:00:00"), Some(10800));
        assert_eq!(parse_timespan("7.00:00:00"), Some(7 * 86400));
        assert_eq!(parse_timespan("00:30:00.5000000"), Some(1800));
        assert_eq!(parse_timespan("soon"), None);
        assert_eq!(parse_timespan("00:61:00"), None);
    }

    #[test]
    fn line_counter_is_monotonic() {
        let t = b"a\nb\nc\n";
        let mut lc = LineCounter::new(t);
        assert_eq!(lc.line_at(0), 1);
        assert_eq!(lc.line_at(2), 2);
        assert_eq!(lc.line_at(1), 2);
        assert_eq!(lc.line_at(100), 4);
    }
}
