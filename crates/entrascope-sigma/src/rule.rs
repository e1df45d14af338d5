//! Sigma rule files: YAML → a mapped, runnable [`Rule`].

use std::borrow::Cow;
use std::collections::HashMap;

use entrascope_logs::{AuditEvent, Dataset, SignIn};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;
use yaml_rust2::{Yaml, YamlLoader};

use crate::condition::{self, Cond};
use crate::fields::{self, AuditField, SignInField};
use crate::Unmapped;

/// Largest rule file read (Sigma rules are a few KiB).
const MAX_RULE_BYTES: usize = 512 * 1024;

/// Which records a rule runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Target {
    SignIns,
    Audits,
}

#[derive(Debug, Clone)]
enum FieldRef {
    SignIn(SignInField),
    Audit(AuditField),
}

#[derive(Debug, Clone)]
enum Pat {
    /// Lower-case exact value.
    Exact(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    Re(regex_lite::Regex),
    Cidr(ipnet::IpNet),
    /// The field is empty.
    Null,
    Exists(bool),
}

impl Pat {
    fn matches(&self, v: &str) -> bool {
        match self {
            Pat::Exact(p) => v.eq_ignore_ascii_case(p) || v.to_lowercase() == *p,
            Pat::Contains(p) => v.to_lowercase().contains(p.as_str()),
            Pat::StartsWith(p) => v.to_lowercase().starts_with(p.as_str()),
            Pat::EndsWith(p) => v.to_lowercase().ends_with(p.as_str()),
            Pat::Re(r) => r.is_match(v),
            Pat::Cidr(n) => entrascope_core::settings::parse_ip(v).is_some_and(|ip| n.contains(&ip)),
            Pat::Null => v.is_empty(),
            Pat::Exists(want) => v.is_empty() != *want,
        }
    }
}

#[derive(Debug, Clone)]
struct FieldTest {
    field: FieldRef,
    pats: Vec<Pat>,
    /// `|all`: every pattern must match (some candidate each).
    all: bool,
}

/// AND of field tests; a detection is an OR of selectors.
#[derive(Debug, Clone)]
struct Selector(Vec<FieldTest>);

/// A loaded rule with its metadata (kept for attribution, DRL 1.1).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rule {
    pub source: String,
    pub id: String,
    pub title: String,
    pub level: String,
    pub status: String,
    pub author: String,
    pub description: String,
    pub references: Vec<String>,
    pub tags: Vec<String>,
    pub falsepositives: Vec<String>,
    pub target: Target,
    #[serde(skip)]
    detections: HashMap<String, Vec<Selector>>,
    #[serde(skip)]
    names: Vec<String>,
    #[serde(skip)]
    condition: Vec<Cond>,
}

fn s(y: &Yaml) -> String {
    match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    }
}

fn list(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::Array(a) => a.iter().map(s).filter(|x| !x.is_empty()).collect(),
        Yaml::BadValue | Yaml::Null => Vec::new(),
        other => vec![s(other)],
    }
}

struct AliasCounter {
    aliases: usize,
    events: usize,
}

impl MarkedEventReceiver for AliasCounter {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        self.events += 1;
        if matches!(ev, Event::Alias(_)) {
            self.aliases += 1;
        }
    }
}

/// Parses every YAML document of a file.
pub fn parse_documents(source: &str, text: &str) -> Result<Vec<Result<Rule, Unmapped>>, String> {
    if text.len() > MAX_RULE_BYTES {
        return Err(format!("larger than {} KiB: not a Sigma rule", MAX_RULE_BYTES / 1024));
    }
    // Aliases can expand exponentially (a "billion laughs" document); Sigma
    // rules never need them, so refuse them before building any tree.
    let mut counter = AliasCounter { aliases: 0, events: 0 };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut counter, true).map_err(|e| format!("not valid YAML: {e}"))?;
    if counter.aliases > 0 {
        return Err("YAML aliases are not accepted in rules".into());
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    Ok(docs.iter().filter(|d| !d.is_null() && !d.is_badvalue()).map(|d| parse_rule(source, d)).collect())
}

fn parse_rule(source: &str, d: &Yaml) -> Result<Rule, Unmapped> {
    let id = s(&d["id"]);
    let title = s(&d["title"]);
    let fail = |reason: String| Unmapped { source: source.to_string(), id: id.clone(), title: title.clone(), reason };
    if title.is_empty() || d["detection"].is_badvalue() {
        return Err(fail("not a Sigma rule (no title or detection)".into()));
    }
    if s(&d["status"]) == "deprecated" {
        return Err(fail("deprecated by SigmaHQ".into()));
    }
    let product = s(&d["logsource"]["product"]).to_ascii_lowercase();
    let service = s(&d["logsource"]["service"]).to_ascii_lowercase();
    if product != "azure" {
        return Err(fail(format!("log source product `{product}` is not azure")));
    }
    let target = match service.as_str() {
        "signinlogs" => Target::SignIns,
        "auditlogs" => Target::Audits,
        // Risk detections surface on sign-ins as riskEventTypes.
        "riskdetection" => Target::SignIns,
        "pim" => return Err(fail("needs the PIM alerts export, which entrascope does not read".into())),
        "activitylogs" => return Err(fail("needs the Azure activity log, which entrascope does not read".into())),
        other => return Err(fail(format!("log source service `{other}` is not a sign-in or audit log"))),
    };
    let det = d["detection"].as_hash().ok_or_else(|| fail("detection is not a map".into()))?;
    let mut detections = HashMap::new();
    let mut names = Vec::new();
    let mut conditions = Vec::new();
    for (k, v) in det {
        let name = s(k);
        match name.as_str() {
            "condition" => {
                for c in list(v) {
                    conditions.push(condition::parse(&c).map_err(|e| fail(format!("condition `{c}`: {e}")))?);
                }
            }
            "timeframe" => return Err(fail("time-window (timeframe) rules are not supported".into())),
            _ => {
                let selectors = parse_detection(v, target).map_err(|e| fail(format!("{name}: {e}")))?;
                names.push(name.clone());
                detections.insert(name, selectors);
            }
        }
    }
    if conditions.is_empty() {
        return Err(fail("no condition".into()));
    }
    for c in &conditions {
        check_refs(c, &names).map_err(&fail)?;
    }
    Ok(Rule {
        source: source.to_string(),
        id,
        title,
        level: s(&d["level"]),
        status: s(&d["status"]),
        author: s(&d["author"]),
        description: s(&d["description"]),
        references: list(&d["references"]),
        tags: list(&d["tags"]),
        falsepositives: list(&d["falsepositives"]),
        target,
        detections,
        names,
        condition: conditions,
    })
}

fn check_refs(c: &Cond, names: &[String]) -> Result<(), String> {
    match c {
        Cond::Ref(n) if !names.contains(n) => Err(format!("condition names `{n}`, which the detection does not define")),
        Cond::AnyOf(p) | Cond::AllOf(p) if condition::expand(p, names).is_empty() => {
            Err(format!("`of {p}` matches no detection"))
        }
        Cond::Not(x) => check_refs(x, names),
        Cond::And(a, b) | Cond::Or(a, b) => check_refs(a, names).and(check_refs(b, names)),
        _ => Ok(()),
    }
}

fn parse_detection(v: &Yaml, target: Target) -> Result<Vec<Selector>, String> {
    match v {
        Yaml::Hash(_) => Ok(vec![parse_selector(v, target)?]),
        Yaml::Array(items) => {
            if items.iter().all(|i| matches!(i, Yaml::Hash(_))) {
                items.iter().map(|i| parse_selector(i, target)).collect()
            } else {
                Err("keyword searches (values without a field) are not supported".into())
            }
        }
        _ => Err("keyword searches (values without a field) are not supported".into()),
    }
}

fn escape_glob(v: &str) -> (String, bool) {
    // Sigma: `*` any run, `?` one char, `\` escapes. Returns a regex body and whether wildcards were used.
    let mut out = String::new();
    let mut wild = false;
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                out.push_str(&regex_lite::escape(&chars.next().unwrap().to_string()));
            }
            '*' => {
                wild = true;
                out.push_str(".*");
            }
            '?' => {
                wild = true;
                out.push('.');
            }
            c => out.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    (out, wild)
}

fn pattern(value: &Yaml, mods: &[&str]) -> Result<Pat, String> {
    if value.is_null() {
        return Ok(Pat::Null);
    }
    let raw = s(value);
    if mods.contains(&"exists") {
        return Ok(Pat::Exists(raw.eq_ignore_ascii_case("true")));
    }
    if mods.contains(&"re") {
        let flags: String = mods
            .iter()
            .filter_map(|m| match *m {
                "i" => Some('i'),
                "m" => Some('m'),
                "s" => Some('s'),
                _ => None,
            })
            .collect();
        let re = if flags.is_empty() { raw.clone() } else { format!("(?{flags}){raw}") };
        return regex_lite::Regex::new(&re).map(Pat::Re).map_err(|e| format!("invalid regular expression: {e}"));
    }
    if mods.contains(&"cidr") {
        return raw.parse::<ipnet::IpNet>().map(Pat::Cidr).map_err(|_| format!("`{raw}` is not a CIDR"));
    }
    let (body, wild) = escape_glob(&raw);
    let lower = raw.to_lowercase();
    let (prefix, suffix) = match (mods.contains(&"contains"), mods.contains(&"startswith"), mods.contains(&"endswith")) {
        (true, _, _) => (".*", ".*"),
        (_, true, _) => ("", ".*"),
        (_, _, true) => (".*", ""),
        _ => ("", ""),
    };
    if wild {
        return regex_lite::Regex::new(&format!("(?is)^{prefix}{body}{suffix}$")).map(Pat::Re).map_err(|e| e.to_string());
    }
    let unescaped = lower.replace("\\*", "*").replace("\\?", "?");
    Ok(match (prefix, suffix) {
        (".*", ".*") => Pat::Contains(unescaped),
        ("", ".*") => Pat::StartsWith(unescaped),
        (".*", "") => Pat::EndsWith(unescaped),
        _ => Pat::Exact(unescaped),
    })
}

const KNOWN_MODS: &[&str] = &["contains", "startswith", "endswith", "all", "re", "i", "m", "s", "cidr", "exists"];

fn parse_selector(v: &Yaml, target: Target) -> Result<Selector, String> {
    let h = v.as_hash().ok_or("selection is not a map")?;
    let mut tests = Vec::new();
    for (k, val) in h {
        let key = s(k);
        let mut parts = key.split('|');
        let field_name = parts.next().unwrap_or("");
        let mods: Vec<&str> = parts.collect();
        if let Some(m) = mods.iter().find(|m| !KNOWN_MODS.contains(m)) {
            return Err(format!("modifier `{m}` is not supported"));
        }
        let field = match target {
            Target::SignIns => FieldRef::SignIn(fields::signin_field(field_name)?),
            Target::Audits => FieldRef::Audit(fields::audit_field(field_name)?),
        };
        let values: Vec<&Yaml> = match val {
            Yaml::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let pats = values.iter().map(|v| pattern(v, &mods)).collect::<Result<Vec<_>, _>>()?;
        tests.push(FieldTest { field, pats, all: mods.contains(&"all") });
    }
    Ok(Selector(tests))
}

impl Rule {
    /// The finding code for this rule: `SIGMA-` and the first 8 characters of its id.
    pub fn code(&self) -> String {
        let short: String =
            self.id.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect::<String>().to_ascii_uppercase();
        if short.is_empty() {
            "SIGMA-RULE".into()
        } else {
            format!("SIGMA-{short}")
        }
    }

    fn eval<F: Fn(&FieldTest) -> bool>(&self, c: &Cond, test: &F) -> bool {
        let sel = |name: &str| self.detections.get(name).is_some_and(|sels| sels.iter().any(|s| s.0.iter().all(test)));
        match c {
            Cond::Ref(n) => sel(n),
            Cond::AnyOf(p) => condition::expand(p, &self.names).into_iter().any(sel),
            Cond::AllOf(p) => condition::expand(p, &self.names).into_iter().all(sel),
            Cond::Not(x) => !self.eval(x, test),
            Cond::And(a, b) => self.eval(a, test) && self.eval(b, test),
            Cond::Or(a, b) => self.eval(a, test) || self.eval(b, test),
        }
    }

    fn test_values(t: &FieldTest, vals: &[Cow<str>]) -> bool {
        let one = |p: &Pat| match p {
            Pat::Null | Pat::Exists(_) => {
                let joined = vals.iter().any(|v| !v.is_empty());
                p.matches(if joined { "x" } else { "" })
            }
            _ => vals.iter().any(|v| p.matches(v)),
        };
        if t.all {
            t.pats.iter().all(one)
        } else {
            t.pats.iter().any(one)
        }
    }

    pub fn matches_signin(&self, ds: &Dataset, s: &SignIn) -> bool {
        let test = |t: &FieldTest| {
            let FieldRef::SignIn(f) = t.field else { return false };
            let mut vals = Vec::with_capacity(4);
            fields::signin_values(ds, s, f, &mut vals);
            Self::test_values(t, &vals)
        };
        self.condition.iter().any(|c| self.eval(c, &test))
    }

    pub fn matches_audit(&self, ds: &Dataset, a: &AuditEvent) -> bool {
        let test = |t: &FieldTest| {
            let FieldRef::Audit(f) = t.field else { return false };
            let mut vals = Vec::with_capacity(4);
            fields::audit_values(ds, a, f, &mut vals);
            Self::test_values(t, &vals)
        };
        self.condition.iter().any(|c| self.eval(c, &test))
    }
}
