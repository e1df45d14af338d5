//! Sigma condition expressions: `selection and not 1 of filter_*`.

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Ref(String),
    /// `1 of pattern` / `any of pattern` (pattern may end in `*`, or be `them`).
    AnyOf(String),
    /// `all of pattern`.
    AllOf(String),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// Deepest nesting accepted (conditions are user input).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    OneOf,
    AllOf,
    Word(String),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    if s.contains('|') {
        return Err("aggregation conditions (`| count() ...`) are not supported".into());
    }
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let lw = w.to_ascii_lowercase();
        match lw.as_str() {
            "(" => out.push(Tok::Open),
            ")" => out.push(Tok::Close),
            "and" => out.push(Tok::And),
            "or" => out.push(Tok::Or),
            "not" => out.push(Tok::Not),
            "1" | "any" | "all" if words.get(i + 1).map(|n| n.eq_ignore_ascii_case("of")).unwrap_or(false) => {
                out.push(if lw == "all" { Tok::AllOf } else { Tok::OneOf });
                i += 1;
            }
            _ => out.push(Tok::Word(w.to_string())),
        }
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn or(&mut self, depth: usize) -> Result<Cond, String> {
        let mut left = self.and(depth)?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let right = self.and(depth)?;
            left = Cond::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Cond, String> {
        let mut left = self.unary(depth)?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let right = self.unary(depth)?;
            left = Cond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Cond, String> {
        if depth > MAX_DEPTH {
            return Err("condition nested too deeply".into());
        }
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Not) => {
                self.pos += 1;
                Ok(Cond::Not(Box::new(self.unary(depth + 1)?)))
            }
            Some(Tok::Open) => {
                self.pos += 1;
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Tok::Close) {
                    return Err("unbalanced parentheses in condition".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Tok::OneOf) | Some(Tok::AllOf) => {
                let all = self.toks[self.pos] == Tok::AllOf;
                self.pos += 1;
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Word(w)) => {
                        self.pos += 1;
                        Ok(if all { Cond::AllOf(w) } else { Cond::AnyOf(w) })
                    }
                    _ => Err("`of` must be followed by a name or `them`".into()),
                }
            }
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(Cond::Ref(w))
            }
            Some(t) => Err(format!("unexpected {t:?} in condition")),
            None => Err("condition ends too early".into()),
        }
    }
}

/// Parses a condition string.
pub fn parse(s: &str) -> Result<Cond, String> {
    if s.len() > 10_000 {
        return Err("condition longer than 10,000 characters".into());
    }
    let mut p = Parser { toks: tokenize(s)?, pos: 0 };
    let c = p.or(0)?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected text after the condition: {:?}", &p.toks[p.pos..]));
    }
    Ok(c)
}

/// Names the condition refers to that match `pattern` (`them`, `x_*`, `x`).
pub fn expand<'a>(pattern: &str, names: &'a [String]) -> Vec<&'a str> {
    if pattern.eq_ignore_ascii_case("them") {
        return names.iter().map(String::as_str).filter(|n| !n.starts_with('_')).collect();
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => names.iter().map(String::as_str).filter(|n| n.starts_with(prefix)).collect(),
        None => names.iter().map(String::as_str).filter(|n| *n == pattern).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_sigma_azure_rules_use() {
        assert_eq!(parse("selection").unwrap(), Cond::Ref("selection".into()));
        assert_eq!(
            parse("selection and not 1 of filter_main_*").unwrap(),
            Cond::And(
                Box::new(Cond::Ref("selection".into())),
                Box::new(Cond::Not(Box::new(Cond::AnyOf("filter_main_*".into()))))
            )
        );
        assert!(matches!(parse("(a or b) and not c").unwrap(), Cond::And(..)));
        assert!(matches!(parse("a or b and c").unwrap(), Cond::Or(..)));
        assert!(parse("selection | count(TargetUserName) by IpAddress > 10").unwrap_err().contains("aggregation"));
        assert!(parse("(a and b").is_err());
        assert!(parse(&"(".repeat(1000)).is_err());
        assert_eq!(expand("filter_*", &["selection".into(), "filter_a".into(), "filter_b".into()]), vec!["filter_a", "filter_b"]);
    }
}
