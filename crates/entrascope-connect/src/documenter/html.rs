//! A small HTML tokenizer for Documenter reports.
//!
//! The reports are not XML: expressions are written unescaped (`&&`, `>`),
//! attributes may have no value (`disabled`), and `<script>`/`<style>` hold
//! code. So instead of an XML reader this follows the HTML rules that matter:
//! `<` opens a tag only before a letter, `/` or `!`; script and style content
//! is skipped; only numeric references and the five XML entities (plus
//! `&nbsp;`) are decoded, anything else stays literal. Linear, no recursion.

use std::borrow::Cow;

use crate::text::unescape_lenient;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'a> {
    Start { name: String, attrs: Vec<(String, String)>, self_closing: bool },
    End { name: String },
    Text(Cow<'a, str>),
}

pub struct Tokenizer<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    pub fn new(s: &'a str) -> Self {
        Tokenizer { s, pos: 0 }
    }

    /// Byte offset of the next token.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn find_from(&self, from: usize, pat: &str) -> Option<usize> {
        self.s.get(from..)?.find(pat).map(|i| from + i)
    }

    /// Skips raw text up to `</name` (ASCII case-insensitive) and past its `>`.
    fn skip_raw(&mut self, name: &str) {
        let bytes = self.s.as_bytes();
        let needle: Vec<u8> = format!("</{name}").into_bytes();
        let mut i = self.pos;
        while i + needle.len() <= bytes.len() {
            if bytes[i] == b'<' && bytes[i..i + needle.len()].eq_ignore_ascii_case(&needle) {
                self.pos = self.find_from(i, ">").map(|e| e + 1).unwrap_or(bytes.len());
                return;
            }
            i += 1;
        }
        self.pos = bytes.len();
    }

    fn tag_starts_at(&self, i: usize) -> bool {
        let b = self.s.as_bytes();
        match b.get(i + 1) {
            Some(c) if c.is_ascii_alphabetic() || *c == b'!' || *c == b'?' => true,
            Some(b'/') => b.get(i + 2).is_some_and(|c| c.is_ascii_alphabetic()),
            _ => false,
        }
    }

    fn parse_tag(&mut self) -> Option<Tok<'a>> {
        let s = self.s;
        let b = s.as_bytes();
        let start = self.pos;
        if s[start..].starts_with("<!--") {
            self.pos = self.find_from(start + 4, "-->").map(|e| e + 3).unwrap_or(b.len());
            return None;
        }
        if matches!(b.get(start + 1), Some(b'!') | Some(b'?')) {
            self.pos = self.find_from(start, ">").map(|e| e + 1).unwrap_or(b.len());
            return None;
        }
        let closing = b.get(start + 1) == Some(&b'/');
        let mut i = start + if closing { 2 } else { 1 };
        let name_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
            i += 1;
        }
        let name = s[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                None => break,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') if b.get(i + 1) == Some(&b'>') => {
                    self_closing = true;
                    i += 2;
                    break;
                }
                Some(b'/') => i += 1,
                Some(_) => {
                    let ks = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                        i += 1;
                    }
                    let k = s[ks..i].to_ascii_lowercase();
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    let mut v = String::new();
                    if b.get(i) == Some(&b'=') {
                        i += 1;
                        while i < b.len() && b[i].is_ascii_whitespace() {
                            i += 1;
                        }
                        match b.get(i) {
                            Some(q @ (b'"' | b'\'')) => {
                                let vs = i + 1;
                                let ve = s[vs..].find(*q as char).map(|e| vs + e).unwrap_or(b.len());
                                v = unescape_lenient(&s[vs..ve], true).0.into_owned();
                                i = (ve + 1).min(b.len());
                            }
                            _ => {
                                let vs = i;
                                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                                    i += 1;
                                }
                                v = unescape_lenient(&s[vs..i], true).0.into_owned();
                            }
                        }
                    }
                    if !k.is_empty() {
                        attrs.push((k, v));
                    } else {
                        i += 1;
                    }
                }
            }
        }
        self.pos = i;
        if closing {
            return Some(Tok::End { name });
        }
        if !self_closing && (name == "script" || name == "style") {
            self.skip_raw(&name);
            return None;
        }
        Some(Tok::Start { name, attrs, self_closing })
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Tok<'a>;

    fn next(&mut self) -> Option<Tok<'a>> {
        let b = self.s.as_bytes();
        while self.pos < b.len() {
            if b[self.pos] == b'<' && self.tag_starts_at(self.pos) {
                if let Some(t) = self.parse_tag() {
                    return Some(t);
                }
                continue;
            }
            // Text up to the next tag start.
            let start = self.pos;
            let mut i = start + self.s[start..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
            loop {
                match self.s[i.min(b.len())..].find('<') {
                    None => {
                        i = b.len();
                        break;
                    }
                    Some(off) => {
                        i += off;
                        if self.tag_starts_at(i) {
                            break;
                        }
                        i += 1;
                    }
                }
            }
            self.pos = i;
            return Some(Tok::Text(unescape_lenient(&self.s[start..i], true).0));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_report_markup() {
        let h = r#"<style>td { x: "<b>" }</style><input disabled id=x /><td class="Modified" rowspan="2"><span class="Deleted">a && b > 0 &#8592;</span></td>< 5<script>if (a < b) {}</script><!-- c --><br/>"#;
        let toks: Vec<Tok> = Tokenizer::new(h).collect();
        assert_eq!(
            toks,
            vec![
                Tok::Start {
                    name: "input".into(),
                    attrs: vec![("disabled".into(), String::new()), ("id".into(), "x".into())],
                    self_closing: true
                },
                Tok::Start {
                    name: "td".into(),
                    attrs: vec![("class".into(), "Modified".into()), ("rowspan".into(), "2".into())],
                    self_closing: false
                },
                Tok::Start { name: "span".into(), attrs: vec![("class".into(), "Deleted".into())], self_closing: false },
                Tok::Text("a && b > 0 \u{2190}".into()),
                Tok::End { name: "span".into() },
                Tok::End { name: "td".into() },
                Tok::Text("< 5".into()),
                Tok::Start { name: "br".into(), attrs: vec![], self_closing: true },
            ]
        );
    }

    #[test]
    fn unterminated_input_ends() {
        for h in ["<td class=\"x", "<script>never closed", "<!-- open", "<a", "text <", "é<é", "<a b='é"] {
            let _ = Tokenizer::new(h).count();
        }
    }
}
