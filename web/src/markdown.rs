//! A tiny Markdown reader for check documentation: headings, paragraphs,
//! bullet and numbered lists, fenced code, inline code, bold and links.
//!
//! It produces a small tree that the UI turns into DOM nodes with text
//! content only, so nothing in a document can become markup: there is no
//! `innerHTML` anywhere. Links are kept only when they are `http(s)` URLs.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(u8, Vec<Inline>),
    Paragraph(Vec<Inline>),
    List { ordered: bool, items: Vec<Vec<Inline>> },
    Code(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(String),
    Emphasis(String),
    Link { text: String, href: String },
}

/// Parses Markdown into blocks. Never fails; unknown syntax stays text.
pub fn parse(src: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut code: Option<Vec<&str>> = None;

    fn flush_para(para: &mut Vec<&str>, blocks: &mut Vec<Block>) {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inlines(&para.join(" "))));
            para.clear();
        }
    }
    fn flush_list(list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Block>) {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List { ordered, items: items.iter().map(|i| inlines(i)).collect() });
        }
    }

    for line in src.lines() {
        if let Some(buf) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(Block::Code(buf.join("\n")));
                code = None;
            } else {
                buf.push(line);
            }
            continue;
        }
        let t = line.trim();
        if t.starts_with("```") {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            code = Some(Vec::new());
            continue;
        }
        if t.is_empty() {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            continue;
        }
        let hashes = t.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut list, &mut blocks);
            blocks.push(Block::Heading(hashes as u8, inlines(t[hashes..].trim())));
            continue;
        }
        if let Some((ordered, item)) = list_item(t) {
            flush_para(&mut para, &mut blocks);
            match list.as_mut() {
                Some((o, items)) if *o == ordered => items.push(item.to_string()),
                _ => {
                    flush_list(&mut list, &mut blocks);
                    list = Some((ordered, vec![item.to_string()]));
                }
            }
            continue;
        }
        // A continuation line of a list item (indented) or of a paragraph.
        if let Some((_, items)) = list.as_mut() {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(t);
                    continue;
                }
            }
            flush_list(&mut list, &mut blocks);
        }
        para.push(t);
    }
    if let Some(buf) = code {
        blocks.push(Block::Code(buf.join("\n")));
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut list, &mut blocks);
    blocks
}

fn list_item(t: &str) -> Option<(bool, &str)> {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            return Some((false, rest.trim()));
        }
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < 4 {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, r.trim()));
        }
    }
    None
}

/// Splits a line into text, `code`, **strong** and [links](https://...).
pub fn inlines(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            if let Some(end) = rest[1..].find('`') {
                push_text(&mut out, &mut text);
                out.push(Inline::Code(rest[1..1 + end].to_string()));
                rest = &rest[end + 2..];
                continue;
            }
        } else if rest.starts_with("**") {
            if let Some(end) = rest[2..].find("**") {
                if end > 0 {
                    push_text(&mut out, &mut text);
                    out.push(Inline::Strong(rest[2..2 + end].to_string()));
                    rest = &rest[end + 4..];
                    continue;
                }
            }
        } else if c == '*' || c == '_' {
            // *emphasis* (not a bullet, not inside a word for `_`).
            let close = rest[1..].find(c).map(|e| e + 1);
            if let Some(end) = close {
                let inner = &rest[1..end];
                let word_start = c == '*' || text.chars().last().is_none_or(|p| !p.is_alphanumeric());
                if !inner.is_empty() && !inner.starts_with(' ') && !inner.ends_with(' ') && word_start {
                    push_text(&mut out, &mut text);
                    out.push(Inline::Emphasis(inner.to_string()));
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        } else if c == '[' {
            if let Some((label, href, used)) = link(rest) {
                push_text(&mut out, &mut text);
                if safe_href(href) {
                    out.push(Inline::Link { text: label.to_string(), href: href.to_string() });
                } else {
                    out.push(Inline::Text(label.to_string()));
                }
                rest = &rest[used..];
                continue;
            }
        } else if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest.find(|ch: char| ch.is_whitespace() || ch == ')' || ch == '>').unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';']);
            push_text(&mut out, &mut text);
            out.push(Inline::Link { text: url.to_string(), href: url.to_string() });
            rest = &rest[url.len()..];
            continue;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    push_text(&mut out, &mut text);
    out
}

fn push_text(out: &mut Vec<Inline>, text: &mut String) {
    if !text.is_empty() {
        out.push(Inline::Text(std::mem::take(text)));
    }
}

/// `[label](href)` at the start of `s`: (label, href, bytes used).
fn link(s: &str) -> Option<(&str, &str, usize)> {
    let close = s.find("](")?;
    let label = &s[1..close];
    if label.contains('[') || label.contains(']') {
        return None;
    }
    let after = &s[close + 2..];
    // The closing parenthesis that balances the opening one.
    let mut depth = 0usize;
    let mut end = None;
    for (i, c) in after.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = Some(i);
                break;
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    let end = end?;
    let href = after[..end].trim();
    Some((label, href, close + 2 + end + 1))
}

/// Only absolute web links; never `javascript:`, `data:` or relative URLs.
pub fn safe_href(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !href.contains(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documentation_shapes() {
        let doc = "## What it detects\nA user signed in\nwith IMAP.\n\n- one `code`\n- two\n  continued\n\n1. first\n2. second\n\n```\nlet x = 1;\n```\nSee [the guide](https://learn.microsoft.com/x).";
        let b = parse(doc);
        assert_eq!(b[0], Block::Heading(2, vec![Inline::Text("What it detects".into())]));
        assert_eq!(b[1], Block::Paragraph(vec![Inline::Text("A user signed in with IMAP.".into())]));
        assert_eq!(
            b[2],
            Block::List {
                ordered: false,
                items: vec![
                    vec![Inline::Text("one ".into()), Inline::Code("code".into())],
                    vec![Inline::Text("two continued".into())]
                ]
            }
        );
        assert!(matches!(&b[3], Block::List { ordered: true, items } if items.len() == 2));
        assert_eq!(b[4], Block::Code("let x = 1;".into()));
        assert_eq!(
            b[5],
            Block::Paragraph(vec![
                Inline::Text("See ".into()),
                Inline::Link { text: "the guide".into(), href: "https://learn.microsoft.com/x".into() },
                Inline::Text(".".into())
            ])
        );
    }

    #[test]
    fn markup_stays_text_and_bad_links_are_dropped() {
        let b = parse("<script>alert(1)</script> [x](javascript:alert(1)) **<b>**");
        assert_eq!(
            b,
            vec![Block::Paragraph(vec![
                Inline::Text("<script>alert(1)</script> ".into()),
                Inline::Text("x".into()),
                Inline::Text(" ".into()),
                Inline::Strong("<b>".into()),
            ])]
        );
        assert!(!safe_href("data:text/html,x"));
        assert!(!safe_href("//evil.example"));
        assert!(safe_href("https://attack.mitre.org/techniques/T1110/003/"));
    }

    #[test]
    fn emphasis_needs_a_closing_mark() {
        assert_eq!(
            inlines("the *Client app* column"),
            vec![Inline::Text("the ".into()), Inline::Emphasis("Client app".into()), Inline::Text(" column".into())]
        );
        assert_eq!(inlines("a * b * c"), vec![Inline::Text("a * b * c".into())]);
        assert_eq!(inlines("snake_case_name"), vec![Inline::Text("snake_case_name".into())]);
    }

    #[test]
    fn unterminated_syntax_never_panics() {
        for s in ["`", "**", "[", "[a](", "```\ncode", "#", "####### seven", "1.", "é`ü**ß[ä]("] {
            let _ = parse(s);
        }
        assert_eq!(parse("#nospace"), vec![Block::Paragraph(vec![Inline::Text("#nospace".into())])]);
    }
}
