//! Encoding primitives shared by the writers: CSV fields, JSON values and
//! the timestamp spellings of each format. All append to a `String`.

use std::fmt::Write as _;

use entrascope_core::Timestamp;

/// Appends a CSV field, always quoted (RFC 4180: quotes doubled, commas,
/// newlines and anything else kept verbatim inside the quotes).
#[inline]
pub fn csv_quoted(out: &mut String, s: &str) {
    out.push('"');
    if s.contains('"') {
        for (i, part) in s.split('"').enumerate() {
            if i > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
    } else {
        out.push_str(s);
    }
    out.push('"');
}

/// Appends a CSV field, quoted only when it must be (comma, quote, CR, LF,
/// or leading/trailing space).
pub fn csv_minimal(out: &mut String, s: &str) {
    let needs = s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) || s.starts_with(' ') || s.ends_with(' ');
    if needs {
        csv_quoted(out, s);
    } else {
        out.push_str(s);
    }
}

/// Appends a JSON string literal. Escapes `"`, `\` and control characters;
/// everything else (non-ASCII, `<`, `/`) is written as is, like Graph does.
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// A JSON value built per record. Object keys keep their order (serde_json's
/// map would sort them unless a workspace-wide feature is turned on).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Text that is already JSON (used for numbers kept as written).
    Raw(String),
    Arr(Vec<Node>),
    Obj(Vec<(&'static str, Node)>),
}

impl Node {
    /// A string, or `null` when empty.
    pub fn str_or_null(s: &str) -> Node {
        if s.is_empty() {
            Node::Null
        } else {
            Node::Str(s.to_string())
        }
    }

    pub fn str(s: &str) -> Node {
        Node::Str(s.to_string())
    }

    pub fn opt_bool(b: Option<bool>) -> Node {
        b.map_or(Node::Null, Node::Bool)
    }

    pub fn strs(items: &[String]) -> Node {
        Node::Arr(items.iter().map(|s| Node::Str(s.clone())).collect())
    }

    /// Compact JSON text of this node.
    pub fn to_compact(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, Style::Compact);
        s
    }

    /// Writes the node. Depth is bounded by the writers' own construction.
    pub fn write(&self, out: &mut String, style: Style) {
        self.write_at(out, style, 0);
    }

    fn write_at(&self, out: &mut String, style: Style, depth: usize) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Node::Float(f) => {
                if f.is_finite() {
                    let _ = write!(out, "{f}");
                } else {
                    out.push_str("null");
                }
            }
            Node::Str(s) => json_str(out, s),
            Node::Raw(s) => out.push_str(s),
            Node::Arr(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    style.newline(out, depth + 1);
                    item.write_at(out, style, depth + 1);
                }
                style.newline(out, depth);
                out.push(']');
            }
            Node::Obj(fields) => {
                if fields.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    style.newline(out, depth + 1);
                    json_str(out, k);
                    out.push(':');
                    if style != Style::Compact {
                        out.push(' ');
                    }
                    v.write_at(out, style, depth + 1);
                }
                style.newline(out, depth);
                out.push('}');
            }
        }
    }
}

/// How JSON is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No whitespace.
    Compact,
    /// Indented by `indent` spaces, lines ended by LF.
    Pretty { indent: usize },
    /// Indented by `indent` spaces, lines ended by CRLF (PowerShell on Windows).
    PrettyCrlf { indent: usize },
}

impl Style {
    fn newline(self, out: &mut String, depth: usize) {
        let indent = match self {
            Style::Compact => return,
            Style::Pretty { indent } => {
                out.push('\n');
                indent
            }
            Style::PrettyCrlf { indent } => {
                out.push_str("\r\n");
                indent
            }
        };
        for _ in 0..depth * indent {
            out.push(' ');
        }
    }
}

fn push2(out: &mut String, v: u32) {
    out.push((b'0' + (v / 10 % 10) as u8) as char);
    out.push((b'0' + (v % 10) as u8) as char);
}

/// `2025-12-04T08:19:41` (no zone), the common prefix of the ISO spellings.
pub fn iso_seconds(out: &mut String, t: Timestamp) {
    let (y, mo, d, h, mi, s, _) = t.civil();
    let _ = write!(out, "{y:04}-");
    push2(out, mo);
    out.push('-');
    push2(out, d);
    out.push('T');
    push2(out, h);
    out.push(':');
    push2(out, mi);
    out.push(':');
    push2(out, s);
}

/// `2025-12-04T08:19:41Z`: the portal CSV and JSON, Graph sign-ins.
pub fn iso_z(out: &mut String, t: Timestamp) {
    iso_seconds(out, t);
    out.push('Z');
}

pub fn iso_z_string(t: Timestamp) -> String {
    let mut s = String::with_capacity(20);
    iso_z(&mut s, t);
    s
}

/// `2025-12-04T08:19:41.000Z`: Log Analytics JSON.
pub fn iso_millis_z(out: &mut String, t: Timestamp) {
    iso_seconds(out, t);
    let _ = write!(out, ".{:03}Z", t.0.rem_euclid(1000));
}

/// `2025-12-04T08:19:41.0000000Z`: Graph `activityDateTime`, diagnostic `time`.
pub fn iso_7_z(out: &mut String, t: Timestamp) {
    iso_seconds(out, t);
    let _ = write!(out, ".{:03}0000Z", t.0.rem_euclid(1000));
}

/// `2025-12-04T08:19:41+00:00`: diagnostic records' `createdDateTime`.
pub fn iso_offset(out: &mut String, t: Timestamp) {
    iso_seconds(out, t);
    out.push_str("+00:00");
}

/// `9/19/2023, 1:45:17.287 PM`: Log Analytics CSV in the en-US browser locale.
pub fn la_locale(out: &mut String, t: Timestamp) {
    let (y, mo, d, h, mi, s, ms) = t.civil();
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let _ = write!(out, "{mo}/{d}/{y}, {h12}:");
    push2(out, mi);
    out.push(':');
    push2(out, s);
    let _ = write!(out, ".{ms:03} {ampm}");
}

/// Wrapper to render a node with `format!`-style helpers in tests.
pub fn fmt_node(n: &Node, style: Style) -> String {
    let mut s = String::new();
    n.write(&mut s, style);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_doubles() {
        let mut s = String::new();
        csv_quoted(&mut s, "a \"b\", c\nd");
        assert_eq!(s, "\"a \"\"b\"\", c\nd\"");
        s.clear();
        csv_minimal(&mut s, "plain");
        csv_minimal(&mut s, "x,y");
        assert_eq!(s, "plain\"x,y\"");
    }

    #[test]
    fn json_escapes_controls_only() {
        let mut s = String::new();
        json_str(&mut s, "<script>\"x\"\\\n\u{1}é");
        assert_eq!(s, "\"<script>\\\"x\\\"\\\\\\n\\u0001é\"");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v, "<script>\"x\"\\\n\u{1}é");
    }

    #[test]
    fn nodes_keep_key_order_and_pretty_print() {
        let n =
            Node::Obj(vec![("b", Node::Int(1)), ("a", Node::Arr(vec![Node::Null, Node::str("x")])), ("c", Node::Obj(vec![]))]);
        assert_eq!(n.to_compact(), r#"{"b":1,"a":[null,"x"],"c":{}}"#);
        assert_eq!(
            fmt_node(&n, Style::PrettyCrlf { indent: 2 }),
            "{\r\n  \"b\": 1,\r\n  \"a\": [\r\n    null,\r\n    \"x\"\r\n  ],\r\n  \"c\": {}\r\n}"
        );
    }

    #[test]
    fn timestamp_spellings_parse_back_to_the_same_instant() {
        let t = Timestamp::from_civil(2023, 9, 19, 13, 45, 17, 0).unwrap();
        let mut forms = Vec::new();
        for f in [iso_z, iso_millis_z, iso_7_z, iso_offset, la_locale] {
            let mut s = String::new();
            f(&mut s, t);
            forms.push(s);
        }
        assert_eq!(forms[0], "2023-09-19T13:45:17Z");
        assert_eq!(forms[2], "2023-09-19T13:45:17.0000000Z");
        assert_eq!(forms[4], "9/19/2023, 1:45:17.000 PM");
        for f in &forms {
            assert_eq!(Timestamp::parse(f), Some(t), "{f}");
        }
        let mut s = String::new();
        la_locale(&mut s, Timestamp::from_civil(2024, 1, 2, 0, 5, 9, 0).unwrap());
        assert_eq!(s, "1/2/2024, 12:05:09.000 AM");
    }
}
