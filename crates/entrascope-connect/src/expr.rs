//! Measures of sync-rule expressions (the declarative provisioning language),
//! computed with a small scanner that skips string literals. No parsing into
//! a tree: the measures need only calls and parentheses.

/// Function calls (`Name(`) outside string literals, with the parenthesis
/// depth each call opens at (1 = outermost).
fn calls(expr: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut ident_start: Option<usize> = None;
    for (i, c) in expr.char_indices() {
        if in_string {
            if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                ident_start = None;
            }
            '(' => {
                depth += 1;
                if let Some(s) = ident_start.take() {
                    out.push((expr[s..i].to_string(), depth));
                }
            }
            ')' => {
                depth = depth.saturating_sub(1);
                ident_start = None;
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                if ident_start.is_none() {
                    ident_start = Some(i);
                }
            }
            _ => ident_start = None,
        }
    }
    out
}

/// Deepest nesting of function calls (`IIF(Trim(x))` = 2).
pub fn call_depth(expr: &str) -> usize {
    let mut max = 0;
    let mut stack: Vec<bool> = Vec::new(); // true when the '(' opened a call
    let mut in_string = false;
    let mut prev_ident = false;
    for c in expr.chars() {
        if in_string {
            in_string = c != '"';
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                prev_ident = false;
            }
            '(' => {
                stack.push(prev_ident);
                max = max.max(stack.iter().filter(|b| **b).count());
                prev_ident = false;
            }
            ')' => {
                stack.pop();
                prev_ident = false;
            }
            c if c.is_ascii_alphanumeric() || c == '_' => prev_ident = true,
            ' ' | '\t' | '\r' | '\n' => {}
            _ => prev_ident = false,
        }
    }
    max
}

/// How many times `IIF(` is called.
pub fn iif_count(expr: &str) -> usize {
    calls(expr).iter().filter(|(n, _)| n.eq_ignore_ascii_case("IIF")).count()
}

/// String-cleanup functions, whose chains compensate for dirty source data.
pub const CLEANUP_FUNCTIONS: &[&str] =
    &["Replace", "Trim", "LTrim", "RTrim", "UCase", "LCase", "PCase", "ProperCase", "Left", "Right", "Mid", "RemoveDuplicates"];

/// How many cleanup functions are called.
pub fn cleanup_calls(expr: &str) -> usize {
    calls(expr).iter().filter(|(n, _)| CLEANUP_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(n))).count()
}

/// The string literals compared for equality with `[attr]` (`[attr] = "x"`
/// or `"x" = [attr]`) for any attribute of `attrs` (case-insensitive).
/// Returns (attribute, literal) pairs.
pub fn literal_comparisons(expr: &str, attrs: &[&str]) -> Vec<(String, String)> {
    // Tokens: attribute refs, string literals, '=' and "other".
    #[derive(Debug)]
    enum Tok {
        Attr(String),
        Str(String),
        Eq,
        Other,
    }
    let mut toks = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                let end = expr[start..].find('"').map(|e| start + e).unwrap_or(b.len());
                toks.push(Tok::Str(expr[start..end].to_string()));
                i = end + 1;
            }
            b'[' => {
                let start = i + 1;
                match expr[start..].find(']') {
                    Some(e) => {
                        toks.push(Tok::Attr(expr[start..start + e].trim().to_string()));
                        i = start + e + 1;
                    }
                    None => {
                        toks.push(Tok::Other);
                        i += 1;
                    }
                }
            }
            b'=' => {
                // `<=`, `>=`, `<>` are not equality.
                let prev = if i > 0 { b[i - 1] } else { b' ' };
                toks.push(if prev == b'<' || prev == b'>' || prev == b'!' { Tok::Other } else { Tok::Eq });
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                toks.push(Tok::Other);
                i += 1;
            }
        }
    }
    let wanted = |a: &str| attrs.iter().any(|x| x.eq_ignore_ascii_case(a));
    let mut out = Vec::new();
    for w in toks.windows(3) {
        match (&w[0], &w[1], &w[2]) {
            (Tok::Attr(a), Tok::Eq, Tok::Str(s)) | (Tok::Str(s), Tok::Eq, Tok::Attr(a)) if wanted(a) => {
                out.push((a.clone(), s.clone()))
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures() {
        let e = r#"IIF(IsPresent([a]), Trim(Replace(UCase([b]), " ", "")), IIF([c] = "(x)", NULL, [d]))"#;
        assert_eq!(iif_count(e), 2);
        assert_eq!(cleanup_calls(e), 3);
        assert_eq!(call_depth(e), 4);
        assert_eq!(call_depth("[a]"), 0);
        assert_eq!(call_depth("(([a]))"), 0);
        assert_eq!(call_depth(r#"Trim("((((")"#), 1);
    }

    #[test]
    fn literal_equality() {
        let e = r#"IIF([sAMAccountName] = "jdoe" || "a@b.c"=[Mail] || Left([sAMAccountName], 4) = "AAD_" || [sAMAccountName] <> "x", True, NULL)"#;
        assert_eq!(
            literal_comparisons(e, &["sAMAccountName", "mail"]),
            [("sAMAccountName".to_string(), "jdoe".to_string()), ("Mail".to_string(), "a@b.c".to_string())]
        );
    }
}
