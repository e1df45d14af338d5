//! Synchronization-error exports.
//!
//! - `csexport.exe "<connector>" out.xml /f:e` (export errors) or `/f:i`
//!   (import errors): `<cs-objects><cs-object cs-dn=… id=… object-type=…>
//!   <export-errordetail date-occurred=… first-occurred=… retry-count=…
//!   error-type=…><export-status><cd-error><error-code/><error-literal/>
//!   <server-error-detail/>…`. The object holograms are skipped.
//! - Run-step `SyncErrorsXml`: `<synchronization-errors><export-error dn=…>
//!   <date-occurred/><first-occurred/><retry-count/><error-type/>…`.
//! - Graph users, groups or contacts with `onPremisesProvisioningErrors`
//!   (`category`, `occurredDateTime`, `propertyCausingError`, `value`), as a
//!   Graph page (`{"value": [...]}`), an array, or one object.
//!
//! Fields are read from attributes or child elements, whichever is present.

use serde_json::Value;

use crate::model::{ErrorFormat, ErrorSet, SyncError};
use crate::problem::{decode_reporting, Parsed, Problem};
use crate::xml::{self, Doc, Node};
use entrascope_core::Timestamp;

/// The object copies of a cs-object, which can be large and say nothing about errors.
const SKIP: &[&str] = &[
    "synchronized-hologram",
    "unapplied-export-hologram",
    "escrowed-export-hologram",
    "unconfirmed-export-hologram",
    "pending-import-hologram",
    "unapplied-export",
    "escrowed-export",
    "unconfirmed-export",
    "pending-import",
    "cs-mv-links",
];

const ERROR_ELEMENTS: &[&str] =
    &["export-errordetail", "import-errordetail", "export-error", "import-error", "synchronization-error"];

const DETAIL_ELEMENTS: &[&str] =
    &["error-code", "error-name", "error-literal", "server-error-detail", "extra-error-details", "extension-name"];

/// A field from an attribute or a child element.
fn field(doc: &Doc, n: &Node, name: &str) -> Option<String> {
    n.attr(name).map(|s| s.to_string()).or_else(|| doc.text(n, name).map(|s| s.to_string())).filter(|s| !s.trim().is_empty())
}

fn time(doc: &Doc, n: &Node, name: &str, path: &str, problems: &mut Vec<Problem>) -> Option<Timestamp> {
    let s = field(doc, n, name)?;
    let t = Timestamp::parse(&s);
    if t.is_none() {
        problems.push(Problem::warning(path, n.line, format!("{name} {s:?} is not a date")));
    }
    t
}

fn error_of(doc: &Doc, e: &Node, object: Option<&Node>, path: &str, problems: &mut Vec<Problem>) -> SyncError {
    let mut detail: Vec<String> = Vec::new();
    for d in doc.descendants(e) {
        if DETAIL_ELEMENTS.contains(&d.name.as_str()) && !d.text.is_empty() && !detail.contains(&d.text) {
            detail.push(d.text.clone());
        }
    }
    let mut detail = detail.join(" | ");
    if detail.len() > 2000 {
        let cut = (0..=2000).rev().find(|i| detail.is_char_boundary(*i)).unwrap_or(0);
        detail.truncate(cut);
    }
    let obj_attr = |name: &str| object.and_then(|o| o.attr(name)).map(|s| s.to_string());
    SyncError {
        object: obj_attr("cs-dn").or_else(|| e.attr("dn").map(|s| s.to_string())).unwrap_or_default(),
        object_id: obj_attr("id").or_else(|| e.attr("cs-guid").map(|s| s.to_string())).unwrap_or_default(),
        object_type: obj_attr("object-type").unwrap_or_default(),
        kind: e.name.clone(),
        error_type: field(doc, e, "error-type").unwrap_or_default(),
        detail,
        first_occurred: time(doc, e, "first-occurred", path, problems),
        date_occurred: time(doc, e, "date-occurred", path, problems),
        retry_count: field(doc, e, "retry-count").and_then(|s| s.trim().parse().ok()),
        line: e.line,
    }
}

/// Reads csexport error XML or run-step `<synchronization-errors>` XML.
pub fn read_csexport_errors(path: &str, bytes: &[u8]) -> Result<Parsed<ErrorSet>, Problem> {
    let mut problems = Vec::new();
    let text = decode_reporting(path, bytes, &mut problems);
    // csexport writes `encoding="UTF-16"` in its declaration; the bytes were decoded above.
    let doc = xml::parse(&text, SKIP).map_err(|e| Problem::error(path, e.line, format!("not readable as XML: {}", e.message)))?;
    problems.extend(doc.warnings.iter().map(|(l, w)| Problem::warning(path, *l, w.clone())));
    let root = doc.root().ok_or_else(|| Problem::error(path, 1, "no XML element"))?;
    let mut errors = Vec::new();
    let objects: Vec<&Node> = match root.name.as_str() {
        "cs-object" => vec![root],
        _ => doc.all(root, "cs-object").collect(),
    };
    for o in &objects {
        for e in doc.children(o).filter(|c| ERROR_ELEMENTS.contains(&c.name.as_str())) {
            errors.push(error_of(&doc, e, Some(o), path, &mut problems));
        }
    }
    let run_step = match root.name.as_str() {
        "synchronization-errors" => Some(root),
        _ => doc.descendants(root).into_iter().find(|n| n.name == "synchronization-errors"),
    };
    if let Some(se) = run_step {
        for e in doc.children(se).filter(|c| ERROR_ELEMENTS.contains(&c.name.as_str())) {
            errors.push(error_of(&doc, e, None, path, &mut problems));
        }
    }
    if objects.is_empty() && run_step.is_none() {
        return Err(Problem::error(
            path,
            root.line,
            format!("not a csexport or sync-error export: the root element is <{}>", root.name),
        ));
    }
    Ok(Parsed { value: ErrorSet { input: u32::MAX, path: path.to_string(), format: ErrorFormat::CsExportXml, errors }, problems })
}

fn s(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Reads Graph objects with `onPremisesProvisioningErrors`.
pub fn read_graph_errors(path: &str, bytes: &[u8]) -> Result<Parsed<ErrorSet>, Problem> {
    let mut problems = Vec::new();
    let text = decode_reporting(path, bytes, &mut problems);
    let root: Value =
        serde_json::from_str(&text).map_err(|e| Problem::error(path, e.line() as u64, format!("not readable as JSON: {e}")))?;
    let items: Vec<&Value> = match &root {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => match o.get("value") {
            Some(Value::Array(a)) => a.iter().collect(),
            _ => vec![&root],
        },
        _ => return Err(Problem::error(path, 1, "neither a JSON object nor an array")),
    };
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let ordinal = i as u64 + 1;
        let list = match item.get("onPremisesProvisioningErrors") {
            Some(Value::Array(a)) => a,
            Some(Value::Null) | None => continue,
            Some(_) => {
                problems.push(Problem::rejected(path, ordinal, "onPremisesProvisioningErrors is not an array"));
                continue;
            }
        };
        let object = ["userPrincipalName", "mail", "displayName", "id"]
            .iter()
            .map(|k| s(item, k))
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        let object_type = s(item, "@odata.type").trim_start_matches("#microsoft.graph.").to_string();
        for e in list {
            let occurred = s(e, "occurredDateTime");
            let when = Timestamp::parse(&occurred);
            if when.is_none() && !occurred.is_empty() {
                problems.push(Problem::warning(path, ordinal, format!("occurredDateTime {occurred:?} is not a date")));
            }
            let (category, property, value) = (s(e, "category"), s(e, "propertyCausingError"), s(e, "value"));
            errors.push(SyncError {
                object: object.clone(),
                object_id: s(item, "id"),
                object_type: if object_type.is_empty() { "user".into() } else { object_type.clone() },
                kind: category.clone(),
                error_type: if property.is_empty() { category } else { format!("{category} on {property}") },
                detail: if value.is_empty() { String::new() } else { format!("{property} = {value}") },
                first_occurred: when,
                date_occurred: None,
                retry_count: None,
                line: ordinal,
            });
        }
    }
    Ok(Parsed {
        value: ErrorSet { input: u32::MAX, path: path.to_string(), format: ErrorFormat::GraphProvisioningErrors, errors },
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csexport_attributes_and_elements() {
        let x = r#"<?xml version="1.0" encoding="UTF-16"?>
<cs-objects>
 <cs-object cs-dn="CN={ABC}" id="{1}" object-type="user">
  <synchronized-hologram><entry><attr name="displayName"><value>big</value></attr></entry></synchronized-hologram>
  <export-errordetail first-occurred="2025-01-02 03:04:05.000" date-occurred="2026-11-01 00:00:00.000" retry-count="40" error-type="AttributeValueMustBeUnique">
   <export-status><cd-error><error-code>0x8023134a</error-code><error-literal>AttributeValueMustBeUnique</error-literal><server-error-detail>proxyAddresses smtp:a@b.c</server-error-detail></cd-error></export-status>
  </export-errordetail>
 </cs-object>
 <cs-object cs-dn="CN=ok" id="{2}" object-type="group"/>
</cs-objects>"#;
        let p = read_csexport_errors("e.xml", x.as_bytes()).unwrap();
        let e = &p.value.errors;
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].object.as_str(), e[0].object_type.as_str(), e[0].retry_count), ("CN={ABC}", "user", Some(40)));
        assert_eq!(e[0].first_occurred.unwrap().to_rfc3339(), "2025-01-02T03:04:05Z");
        assert_eq!(e[0].detail, "0x8023134a | AttributeValueMustBeUnique | proxyAddresses smtp:a@b.c");
        assert_eq!(e[0].line, 5);
        let run_step = r#"<synchronization-errors><export-error dn="CN=x" cs-guid="{9}"><date-occurred>2026-01-01T00:00:00Z</date-occurred><first-occurred>2025-06-01T00:00:00Z</first-occurred><retry-count>3</retry-count><error-type>permission-issue</error-type></export-error></synchronization-errors>"#;
        let p = read_csexport_errors("s.xml", run_step.as_bytes()).unwrap();
        assert_eq!((p.value.errors[0].object.as_str(), p.value.errors[0].error_type.as_str()), ("CN=x", "permission-issue"));
        assert!(read_csexport_errors("x.xml", b"<foo/>").is_err());
    }

    #[test]
    fn graph_provisioning_errors() {
        let j = r#"{"@odata.context":"x","value":[
          {"id":"u1","userPrincipalName":"a@contoso.com","onPremisesProvisioningErrors":[{"category":"PropertyConflict","occurredDateTime":"2026-01-10T10:00:00Z","propertyCausingError":"ProxyAddress","value":"smtp:a@contoso.com"}]},
          {"id":"u2","userPrincipalName":"b@contoso.com","onPremisesProvisioningErrors":[]},
          {"id":"u3","onPremisesProvisioningErrors":"oops"}]}"#;
        let p = read_graph_errors("g.json", j.as_bytes()).unwrap();
        let e = &p.value.errors;
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].object.as_str(), e[0].error_type.as_str(), e[0].line),
            ("a@contoso.com", "PropertyConflict on ProxyAddress", 1)
        );
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].line, 3);
    }
}
