//! A deliberately small Markdown renderer for check documentation: headings,
//! paragraphs, bullet lists, `code`, **bold** and bare links. Everything is
//! escaped first, so no input can produce markup of its own.

use entrascope_core::escape::html;

fn inline(text: &str) -> String {
    let escaped = html(text);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    // `code`
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`') else { break };
        out.push_str(&links(&bold(&rest[..start])));
        out.push_str("<code>");
        out.push_str(&rest[start + 1..start + 1 + len]);
        out.push_str("</code>");
        rest = &rest[start + 2 + len..];
    }
    out.push_str(&links(&bold(rest)));
    out
}

fn bold(s: &str) -> String {
    let mut out = String::new();
    let mut parts = s.split("**");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut open = false;
    let rest: Vec<&str> = parts.collect();
    let n = rest.len();
    for (i, p) in rest.into_iter().enumerate() {
        // An unmatched trailing ** stays literal.
        if !open && i == n - 1 {
            out.push_str("**");
            out.push_str(p);
            break;
        }
        out.push_str(if open { "</strong>" } else { "<strong>" });
        open = !open;
        out.push_str(p);
    }
    out
}

fn links(s: &str) -> String {
    let mut out = String::new();
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let trimmed = word.trim_end_matches(['.', ',', ')', ';']);
        if trimmed.starts_with("https://") && !trimmed.contains('"') {
            out.push_str(&format!("<a href=\"{trimmed}\" rel=\"noreferrer noopener\">{trimmed}</a>{}", &word[trimmed.len()..]));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Renders documentation Markdown to safe HTML. `## ` headings become `<h{level}>`.
pub fn markdown_html(md: &str, heading_level: u8) -> String {
    let mut out = String::new();
    let mut para: Vec<&str> = Vec::new();
    let mut in_list = false;
    let flush = |para: &mut Vec<&str>, out: &mut String| {
        if !para.is_empty() {
            out.push_str("<p>");
            out.push_str(&inline(&para.join(" ")));
            out.push_str("</p>\n");
            para.clear();
        }
    };
    for line in md.lines() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix("## ").or_else(|| t.strip_prefix("# ")) {
            flush(&mut para, &mut out);
            if in_list {
                out.push_str("</ul>\n");
                in_list = false;
            }
            out.push_str(&format!("<h{heading_level}>{}</h{heading_level}>\n", inline(h)));
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush(&mut para, &mut out);
            if !in_list {
                out.push_str("<ul>\n");
                in_list = true;
            }
            out.push_str(&format!("<li>{}</li>\n", inline(item)));
        } else if t.is_empty() {
            flush(&mut para, &mut out);
            if in_list {
                out.push_str("</ul>\n");
                in_list = false;
            }
        } else {
            if in_list {
                out.push_str("</ul>\n");
                in_list = false;
            }
            para.push(t);
        }
    }
    flush(&mut para, &mut out);
    if in_list {
        out.push_str("</ul>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_escapes() {
        let html = markdown_html("## What it detects\nA `<script>` and **bold**.\n\n- one https://learn.microsoft.com/x.\n- <img src=x onerror=alert(1)>", 3);
        assert!(html.contains("<h3>What it detects</h3>"));
        assert!(html.contains("<code>&lt;script&gt;</code>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<a href=\"https://learn.microsoft.com/x\""));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<img"));
    }
}
