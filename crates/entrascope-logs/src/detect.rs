//! What an input is, from its first bytes: a file type that is not a log
//! (by magic number), the text encoding, and JSON vs CSV.

use crate::decode::{self, Encoding, Utf16Decoder};

/// What entrascope reads, for error messages.
pub const READS: &str = "entrascope reads Entra sign-in and audit exports: the admin center's CSV or JSON downloads, Microsoft Graph JSON pages, Log Analytics / Sentinel exports (JSON or CSV) and Azure Monitor diagnostic records";

/// Recognizes file types that are not text exports, from magic numbers.
pub fn magic(head: &[u8]) -> Option<String> {
    let starts = |m: &[u8]| head.starts_with(m);
    let what = if starts(b"\x89PNG\r\n\x1a\n") {
        "a PNG image"
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        "a JPEG image"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "a GIF image"
    } else if starts(b"%PDF") {
        "a PDF document"
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        let window = &head[..head.len().min(4096)];
        let has = |n: &[u8]| window.windows(n.len()).any(|w| w == n);
        if has(b"xl/") || (has(b"[Content_Types].xml") && !has(b"word/") && !has(b"ppt/")) {
            "an Excel workbook (.xlsx): open it in Excel and save it as CSV (UTF-8), or download the CSV from the admin center again"
        } else {
            "a ZIP archive: extract it and read the files inside"
        }
    } else if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        "an Office 97-2003 document (such as an .xls workbook): save it as CSV (UTF-8)"
    } else if starts(&[0x1F, 0x8B]) {
        "a gzip-compressed file: decompress it first"
    } else if starts(b"7z\xBC\xAF\x27\x1C") {
        "a 7-Zip archive: extract it first"
    } else if starts(b"Rar!") {
        "a RAR archive: extract it first"
    } else if starts(b"\x7fELF") || starts(b"MZ") {
        "a program, not a text export"
    } else if starts(b"SQLite format 3\0") {
        "an SQLite database"
    } else if starts(b"BZh") && head.len() > 3 && head[3].is_ascii_digit() {
        "a bzip2-compressed file: decompress it first"
    } else {
        return None;
    };
    Some(what.to_string())
}

/// The first bytes decoded to UTF-8 (BOM removed), for looking at.
pub fn decoded_head(head: &[u8]) -> (Encoding, Vec<u8>) {
    let (enc, bom) = decode::detect(head);
    let body = &head[bom..];
    match enc {
        Encoding::Utf8 => (enc, body.to_vec()),
        _ => {
            let mut d = Utf16Decoder::new(enc);
            let mut out = Vec::with_capacity(body.len() / 2);
            d.decode(body, &mut out);
            (enc, out)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    Json,
    Csv,
    /// Not a log: what it looks like.
    Other(String),
    /// Only whitespace so far.
    Blank,
}

/// Looks at decoded text: JSON, CSV, or something else (XML, HTML, binary).
pub fn shape(text: &[u8]) -> Shape {
    let Some(pos) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Shape::Blank;
    };
    let t = &text[pos..];
    match t[0] {
        b'[' | b'{' => return Shape::Json,
        b'<' => {
            let lower: Vec<u8> = t.iter().take(512).map(|b| b.to_ascii_lowercase()).collect();
            let has = |n: &[u8]| lower.windows(n.len()).any(|w| w == n);
            let what = if has(b"<html") || has(b"<!doctype html") {
                "an HTML page (a saved web page, not an export)"
            } else if has(b"<?xml") || has(b"<") {
                "XML (entrascope reads Entra Connect XML through its own reader, not as a log)"
            } else {
                "markup"
            };
            return Shape::Other(what.to_string());
        }
        _ => {}
    }
    // Binary: NUL or many control bytes in the first KiB.
    let sample = &t[..t.len().min(1024)];
    let ctrl = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')).count();
    if sample.contains(&0) || ctrl * 20 > sample.len() {
        return Shape::Other("a binary file, not a text export".to_string());
    }
    Shape::Csv
}

/// Header names (normalized, see `csv::normalize_header`) that mark an
/// English Entra export.
const KNOWN_HEADERS: &[&str] = &[
    "date (utc)",
    "request id",
    "correlation id",
    "user",
    "username",
    "application",
    "status",
    "ip address",
    "activity",
    "correlationid",
    "actortype",
    "timegenerated",
    "createddatetime",
    "activitydatetime",
    "resulttype",
    "userprincipalname",
    "authentication method",
    "service principal id",
    "operationname",
    "category",
    "tenantid",
];

const JSON_KEYS: &[&str] = &[
    "createddatetime",
    "activitydatetime",
    "timegenerated",
    "userprincipalname",
    "activitydisplayname",
    "\"category\"",
    "operationname",
    "correlationid",
    "signineventtypes",
    "\"records\"",
    "@odata.context",
    "appdisplayname",
    "ipaddress",
];

/// Quick verdict on the first bytes of a file, for choosing inputs.
pub fn sniff(head: &[u8]) -> crate::Sniff {
    use crate::Sniff;
    if let Some(what) = magic(head) {
        return Sniff::Other(what);
    }
    if head.len() < 4 {
        // Could be a BOM or the start of one.
        return Sniff::NeedMore;
    }
    let (_, text) = decoded_head(head);
    match shape(&text) {
        Shape::Other(w) => Sniff::Other(w),
        Shape::Blank => Sniff::NeedMore,
        Shape::Json => {
            let lower: Vec<u8> = text.iter().map(|b| b.to_ascii_lowercase()).collect();
            let has = |n: &str| lower.windows(n.len()).any(|w| w == n.as_bytes());
            if JSON_KEYS.iter().any(|k| has(k)) {
                Sniff::Log
            } else if text.len() < 256 {
                Sniff::NeedMore
            } else {
                Sniff::Other("JSON without sign-in or audit fields".to_string())
            }
        }
        Shape::Csv => {
            let Some(end) = text.iter().position(|&b| b == b'\n') else {
                return if text.len() >= 64 * 1024 {
                    Sniff::Other("text with no line break in its first 64 KiB".into())
                } else {
                    Sniff::NeedMore
                };
            };
            let line = String::from_utf8_lossy(&text[..end]);
            let names = crate::csv::split_header_line(&line);
            let known = names.iter().filter(|n| KNOWN_HEADERS.contains(&n.as_str())).count();
            if known >= 2 {
                Sniff::Log
            } else if names.len() >= 8 && names.iter().any(|n| !n.is_ascii()) {
                // Probably an export with localized headers: let the reader explain.
                Sniff::Log
            } else {
                Sniff::Other("a text or CSV file whose first line is not an Entra export header".to_string())
            }
        }
    }
}
