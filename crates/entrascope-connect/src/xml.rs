//! A small, bounded element tree over quick-xml, built without recursion.
//!
//! Entities are never expanded: quick-xml does not expand custom entities,
//! a DOCTYPE is ignored (with a warning), and text is decoded by
//! [`crate::text::unescape_lenient`], which keeps unknown entity references
//! literally. Depth and element count are bounded; subtrees that no reader
//! needs (the connector schema) are skipped without building nodes.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::text::{unescape_lenient, LineCounter};

/// Deepest element nesting accepted (real exports nest about 12 deep).
pub const MAX_DEPTH: usize = 256;
/// Most elements kept in one tree.
pub const MAX_NODES: usize = 2_000_000;

#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The element's own text (all its text and CDATA children, concatenated, trimmed).
    pub text: String,
    pub children: Vec<usize>,
    /// 1-based line of the start tag.
    pub line: u64,
}

/// A parsed document. Node 0 is the document itself; its children are the
/// top-level elements.
#[derive(Debug, Clone)]
pub struct Doc {
    pub nodes: Vec<Node>,
    /// Things worth reporting that did not stop the parse (line, message).
    pub warnings: Vec<(u64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct XmlError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl Doc {
    /// The first top-level element.
    pub fn root(&self) -> Option<&Node> {
        self.nodes.first()?.children.first().and_then(|i| self.nodes.get(*i))
    }

    pub fn children<'a>(&'a self, n: &'a Node) -> impl Iterator<Item = &'a Node> + 'a {
        n.children.iter().filter_map(move |i| self.nodes.get(*i))
    }

    /// The children of `n` named `name`.
    pub fn all<'a>(&'a self, n: &'a Node, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children(n).filter(move |c| c.name == name)
    }

    pub fn child<'a>(&'a self, n: &'a Node, name: &str) -> Option<&'a Node> {
        self.children(n).find(|c| c.name == name)
    }

    /// The text of the child `name`, if present.
    pub fn text<'a>(&'a self, n: &'a Node, name: &str) -> Option<&'a str> {
        self.child(n, name).map(|c| c.text.as_str())
    }

    /// Follows a path of child names.
    pub fn path<'a>(&'a self, n: &'a Node, path: &[&str]) -> Option<&'a Node> {
        let mut cur = n;
        for p in path {
            cur = self.child(cur, p)?;
        }
        Some(cur)
    }

    /// Every element below `n` (pre-order), iteratively.
    pub fn descendants<'a>(&'a self, n: &'a Node) -> Vec<&'a Node> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = n.children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            if let Some(node) = self.nodes.get(i) {
                out.push(node);
                stack.extend(node.children.iter().rev().copied());
            }
        }
        out
    }
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn name_of(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

fn attrs_of(e: &BytesStart, line: u64, warnings: &mut Vec<(u64, String)>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in e.attributes().with_checks(false) {
        match a {
            Ok(a) => {
                let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                let raw = String::from_utf8_lossy(&a.value);
                let (v, unknown) = unescape_lenient(&raw, false);
                if unknown {
                    warnings.push((
                        line,
                        format!("attribute {key}: unknown entity reference kept as text (entities are not expanded)"),
                    ));
                }
                out.push((key, v.into_owned()));
            }
            Err(err) => warnings.push((line, format!("unreadable attribute on <{}>: {err}", name_of(e)))),
        }
    }
    out
}

/// Parses `text` into a tree, skipping the subtrees of elements named in `skip`.
pub fn parse(text: &str, skip: &[&str]) -> Result<Doc, XmlError> {
    let mut reader = Reader::from_str(text);
    {
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.expand_empty_elements = false;
        cfg.check_end_names = true;
    }
    let mut lines = LineCounter::new(text.as_bytes());
    let mut doc = Doc {
        nodes: vec![Node { name: String::new(), attrs: Vec::new(), text: String::new(), children: Vec::new(), line: 1 }],
        warnings: Vec::new(),
    };
    let mut stack: Vec<usize> = vec![0];
    let mut warned_outside = false;
    loop {
        let before = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            XmlError { line: lines.line_at(at), message: format!("not well-formed XML: {e}{}", eof_note(&e)) }
        })?;
        let line = lines.line_at(before);
        match ev {
            Event::Start(e) if skip.iter().any(|s| e.name().as_ref() == s.as_bytes()) => {
                let name = e.name().as_ref().to_vec();
                reader.read_to_end(quick_xml::name::QName(&name)).map_err(|err| {
                    let at = reader.error_position() as usize;
                    XmlError {
                        line: lines.line_at(at),
                        message: format!(
                            "not well-formed XML inside <{}>: {err}{}",
                            String::from_utf8_lossy(&name),
                            eof_note(&err)
                        ),
                    }
                })?;
            }
            Event::Empty(e) if skip.iter().any(|s| e.name().as_ref() == s.as_bytes()) => {}
            Event::Start(e) => {
                let node = open(&mut doc, &stack, &e, line)?;
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError { line, message: format!("elements nested deeper than {MAX_DEPTH} levels") });
                }
                stack.push(node);
            }
            Event::Empty(e) => {
                open(&mut doc, &stack, &e, line)?;
            }
            Event::End(_) => {
                if stack.len() > 1 {
                    if let Some(top) = stack.pop() {
                        if let Some(n) = doc.nodes.get_mut(top) {
                            let trimmed = n.text.trim();
                            if trimmed.len() != n.text.len() {
                                n.text = trimmed.to_string();
                            }
                        }
                    }
                }
            }
            Event::Text(t) => {
                let raw = String::from_utf8_lossy(&t);
                append_text(&mut doc, &stack, &raw, line, true, &mut warned_outside);
            }
            Event::CData(t) => {
                let raw = String::from_utf8_lossy(&t).into_owned();
                append_text(&mut doc, &stack, &raw, line, false, &mut warned_outside);
            }
            Event::DocType(_) => {
                doc.warnings.push((line, "DOCTYPE ignored: entity declarations are not expanded".to_string()));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if stack.len() > 1 {
        let open_name = stack.last().and_then(|i| doc.nodes.get(*i)).map(|n| n.name.clone()).unwrap_or_default();
        return Err(XmlError {
            line: lines.line_at(text.len()),
            message: format!("file ends inside <{open_name}> (truncated?)"),
        });
    }
    match doc.nodes.first().map(|d| d.children.len()).unwrap_or(0) {
        0 => return Err(XmlError { line: 1, message: "no XML element found".to_string() }),
        1 => {}
        n => doc.warnings.push((1, format!("{n} top-level elements; only the first is read"))),
    }
    Ok(doc)
}

/// Says so when the input ended before the markup did: the file was probably cut short.
fn eof_note(e: &quick_xml::Error) -> &'static str {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    match e {
        quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(_))
        | quick_xml::Error::Syntax(SyntaxError::UnclosedTag | SyntaxError::UnclosedCData | SyntaxError::UnclosedComment) => {
            " (the file ends early: truncated?)"
        }
        _ => "",
    }
}

fn open(doc: &mut Doc, stack: &[usize], e: &BytesStart, line: u64) -> Result<usize, XmlError> {
    if doc.nodes.len() >= MAX_NODES {
        return Err(XmlError { line, message: format!("more than {MAX_NODES} elements") });
    }
    let attrs = attrs_of(e, line, &mut doc.warnings);
    let idx = doc.nodes.len();
    doc.nodes.push(Node { name: name_of(e), attrs, text: String::new(), children: Vec::new(), line });
    let parent = stack.last().copied().unwrap_or(0);
    if let Some(p) = doc.nodes.get_mut(parent) {
        p.children.push(idx);
    }
    Ok(idx)
}

fn append_text(doc: &mut Doc, stack: &[usize], raw: &str, line: u64, escaped: bool, warned_outside: &mut bool) {
    let top = stack.last().copied().unwrap_or(0);
    if top == 0 {
        if !raw.trim().is_empty() && !*warned_outside {
            *warned_outside = true;
            doc.warnings.push((line, "text outside the root element ignored".to_string()));
        }
        return;
    }
    let text = if escaped {
        let (t, unknown) = unescape_lenient(raw, false);
        if unknown {
            doc.warnings.push((line, "unknown entity reference kept as text (entities are not expanded)".to_string()));
        }
        t.into_owned()
    } else {
        raw.to_string()
    };
    if let Some(n) = doc.nodes.get_mut(top) {
        if n.text.is_empty() && text.trim().is_empty() {
            return;
        }
        n.text.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_with_lines_and_skips() {
        let x = "<a x='1'>\n <schema><big/><big/></schema>\n <b>t &amp; u</b>\n <c/>\n</a>";
        let d = parse(x, &["schema"]).unwrap();
        let root = d.root().unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x"), Some("1"));
        let names: Vec<&str> = d.children(root).map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(d.text(root, "b"), Some("t & u"));
        assert_eq!(d.child(root, "b").unwrap().line, 3);
    }

    #[test]
    fn entity_bomb_is_not_expanded() {
        let mut x = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        x.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..10 {
            x.push_str(&format!(
                " <!ENTITY lol{i} \"&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};&lol{p};\">\n",
                p = i - 1
            ));
        }
        x.push_str("]>\n<lolz>&lol9;</lolz>");
        let d = parse(&x, &[]).unwrap();
        assert_eq!(d.root().unwrap().text, "&lol9;");
        assert!(d.warnings.iter().any(|(_, w)| w.contains("DOCTYPE ignored")));
        assert!(d.warnings.iter().any(|(_, w)| w.contains("unknown entity")));
    }

    #[test]
    fn malformed_and_deep_input_is_an_error() {
        assert!(parse("<a><b></a>", &[]).is_err());
        assert!(parse("<a><b>", &[]).unwrap_err().message.contains("truncated"));
        assert!(parse("just text", &[]).is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 5);
        assert!(parse(&deep, &[]).unwrap_err().message.contains("deeper"));
    }
}
