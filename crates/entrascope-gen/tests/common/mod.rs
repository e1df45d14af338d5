//! Test helpers: independent mini-readers for every format, so the tests can
//! check that each format carries the same records.

#![allow(dead_code)]

use std::collections::BTreeMap;

use entrascope_core::Timestamp;
use entrascope_gen::{Generated, MemorySink};
use serde_json::Value;

/// The fields every sign-in format carries, as read back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SignInKey {
    pub time: Timestamp,
    pub upn: String,
    pub error_code: u32,
    pub ip: String,
    pub country: String,
    pub app_id: String,
}

/// The fields every audit format carries.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AuditKey {
    pub time: Timestamp,
    pub activity: String,
    pub actor_upn: String,
    pub first_target: String,
}

#[derive(Debug, Default)]
pub struct ReadBack {
    /// By request id.
    pub signins: BTreeMap<String, SignInKey>,
    /// By audit id, or by correlation id where the format has no id.
    pub audits: BTreeMap<String, AuditKey>,
    /// AuthDetails rows: request id → result details.
    pub steps: BTreeMap<String, Vec<String>>,
}

pub fn model_view(g: &Generated, audit_by_correlation: bool) -> ReadBack {
    let mut r = ReadBack::default();
    for s in &g.logs.signins {
        r.signins.insert(
            s.request_id.clone(),
            SignInKey {
                time: s.time,
                upn: s.upn.clone(),
                error_code: s.error_code,
                ip: s.ip.clone(),
                country: s.country.clone(),
                app_id: s.app_id.clone(),
            },
        );
    }
    for a in &g.logs.audits {
        let actor = match &a.initiator {
            entrascope_gen::Initiator::User { upn, .. } => upn.clone(),
            entrascope_gen::Initiator::App { .. } => String::new(),
        };
        let key = if audit_by_correlation { portal_audit_key(&a.correlation_id, &a.activity) } else { a.id.clone() };
        r.audits.insert(
            key,
            AuditKey {
                time: a.time,
                activity: a.activity.clone(),
                actor_upn: actor,
                first_target: a.targets.first().map(|t| t.id.clone()).unwrap_or_default(),
            },
        );
    }
    r
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8").trim_start_matches('\u{feff}')
}

fn csv_records(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new().from_reader(text(bytes).as_bytes());
    let h = r.headers().expect("header").iter().map(|s| s.trim().to_string()).collect();
    let rows = r.records().map(|x| x.expect("row")).collect();
    (h, rows)
}

fn get<'a>(h: &[String], row: &'a csv::StringRecord, names: &[&str]) -> &'a str {
    for n in names {
        if let Some(i) = h.iter().position(|x| x == n) {
            return row.get(i).unwrap_or("");
        }
    }
    ""
}

fn country_of_location(loc: &str) -> String {
    loc.rsplit(',').next().unwrap_or("").trim().to_string()
}

fn code(s: &str) -> u32 {
    if s.trim().is_empty() {
        0
    } else {
        s.trim().parse().expect("error code")
    }
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap_or_else(|| panic!("timestamp {s}"))
}

/// Every top-level JSON value in a file: arrays are flattened, Graph
/// envelopes give their `value`, diagnostic envelopes their `records`.
fn json_objects(bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    for v in serde_json::Deserializer::from_str(text(bytes)).into_iter::<Value>() {
        let v = v.expect("JSON value");
        match v {
            Value::Array(items) => out.extend(items),
            Value::Object(ref m) if m.contains_key("value") => out.extend(m["value"].as_array().cloned().unwrap_or_default()),
            Value::Object(ref m) if m.contains_key("records") => out.extend(m["records"].as_array().cloned().unwrap_or_default()),
            other => out.push(other),
        }
    }
    out
}

fn s(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(x) => x.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn graph_signin(v: &Value, r: &mut ReadBack) {
    r.signins.insert(
        s(v, &["id"]),
        SignInKey {
            time: ts(&s(v, &["createdDateTime"])),
            upn: s(v, &["userPrincipalName"]),
            error_code: code(&s(v, &["status", "errorCode"])),
            ip: s(v, &["ipAddress"]),
            country: s(v, &["location", "countryOrRegion"]),
            app_id: s(v, &["appId"]),
        },
    );
}

fn graph_audit(v: &Value, r: &mut ReadBack) {
    r.audits.insert(
        s(v, &["id"]),
        AuditKey {
            time: ts(&s(v, &["activityDateTime"])),
            activity: s(v, &["activityDisplayName"]),
            actor_upn: s(v, &["initiatedBy", "user", "userPrincipalName"]),
            first_target: v["targetResources"].get(0).map(|t| s(t, &["id"])).unwrap_or_default(),
        },
    );
}

/// The portal CSV has no audit `id`: correlation id and activity identify an event.
pub fn portal_audit_key(correlation_id: &str, activity: &str) -> String {
    format!("{correlation_id}|{activity}")
}

/// Reads back every file of a format.
pub fn read_back(format: &str, sink: &MemorySink) -> ReadBack {
    let mut r = ReadBack::default();
    for (name, bytes) in &sink.files {
        let audit = name.contains("Audit") || name.contains("directoryAudits");
        match format {
            f if f.starts_with("portal-csv") => {
                let (h, rows) = csv_records(bytes);
                for row in rows {
                    if name.contains("AuthDetails") {
                        r.steps
                            .entry(get(&h, &row, &["Request ID"]).to_string())
                            .or_default()
                            .push(get(&h, &row, &["Result detail"]).to_string());
                    } else if audit {
                        r.audits.insert(
                            portal_audit_key(get(&h, &row, &["CorrelationId"]), get(&h, &row, &["Activity"])),
                            AuditKey {
                                time: ts(get(&h, &row, &["Date (UTC)"])),
                                activity: get(&h, &row, &["Activity"]).to_string(),
                                actor_upn: get(&h, &row, &["ActorUserPrincipalName"]).to_string(),
                                first_target: get(&h, &row, &["Target1ObjectId"]).to_string(),
                            },
                        );
                    } else {
                        r.signins.insert(
                            get(&h, &row, &["Request ID"]).to_string(),
                            SignInKey {
                                time: ts(get(&h, &row, &["Date (UTC)"])),
                                upn: get(&h, &row, &["Username"]).to_string(),
                                error_code: code(get(&h, &row, &["Sign-in error code"])),
                                ip: get(&h, &row, &["IP address"]).to_string(),
                                country: country_of_location(get(&h, &row, &["Location"])),
                                app_id: get(&h, &row, &["Application ID"]).to_string(),
                            },
                        );
                    }
                }
            }
            "loganalytics-csv" => {
                let (h, rows) = csv_records(bytes);
                for row in rows {
                    if audit {
                        let by: Value = serde_json::from_str(get(&h, &row, &["InitiatedBy"])).expect("InitiatedBy JSON");
                        let targets: Value =
                            serde_json::from_str(get(&h, &row, &["TargetResources"])).expect("TargetResources JSON");
                        r.audits.insert(
                            get(&h, &row, &["Id"]).to_string(),
                            AuditKey {
                                time: ts(get(&h, &row, &["TimeGenerated [UTC]"])),
                                activity: get(&h, &row, &["OperationName"]).to_string(),
                                actor_upn: s(&by, &["user", "userPrincipalName"]),
                                first_target: targets.get(0).map(|t| s(t, &["id"])).unwrap_or_default(),
                            },
                        );
                    } else {
                        let loc: Value = serde_json::from_str(get(&h, &row, &["LocationDetails"])).expect("LocationDetails JSON");
                        r.signins.insert(
                            get(&h, &row, &["Id"]).to_string(),
                            SignInKey {
                                time: ts(get(&h, &row, &["TimeGenerated [UTC]"])),
                                upn: get(&h, &row, &["UserPrincipalName"]).to_string(),
                                error_code: code(get(&h, &row, &["ResultType"])),
                                ip: get(&h, &row, &["IPAddress"]).to_string(),
                                country: s(&loc, &["countryOrRegion"]),
                                app_id: get(&h, &row, &["AppId"]).to_string(),
                            },
                        );
                    }
                }
            }
            "loganalytics-json" => {
                for line in text(bytes).split("\r\n").filter(|l| !l.is_empty()) {
                    let v: Value = serde_json::from_str(line).expect("NDJSON line");
                    if audit {
                        let by: Value =
                            serde_json::from_str(v["InitiatedBy"].as_str().expect("string")).expect("InitiatedBy JSON");
                        let targets: Value =
                            serde_json::from_str(v["TargetResources"].as_str().expect("string")).expect("TargetResources JSON");
                        r.audits.insert(
                            s(&v, &["Id"]),
                            AuditKey {
                                time: ts(&s(&v, &["TimeGenerated"])),
                                activity: s(&v, &["OperationName"]),
                                actor_upn: s(&by, &["user", "userPrincipalName"]),
                                first_target: targets.get(0).map(|t| s(t, &["id"])).unwrap_or_default(),
                            },
                        );
                    } else {
                        assert!(v["ResultType"].is_string(), "ResultType is a string");
                        let loc: Value =
                            serde_json::from_str(v["LocationDetails"].as_str().expect("string")).expect("LocationDetails JSON");
                        r.signins.insert(
                            s(&v, &["Id"]),
                            SignInKey {
                                time: ts(&s(&v, &["TimeGenerated"])),
                                upn: s(&v, &["UserPrincipalName"]),
                                error_code: code(&s(&v, &["ResultType"])),
                                ip: s(&v, &["IPAddress"]),
                                country: s(&loc, &["countryOrRegion"]),
                                app_id: s(&v, &["AppId"]),
                            },
                        );
                    }
                }
            }
            "azure-monitor-json" | "azure-monitor-lines" => {
                for rec in json_objects(bytes) {
                    let props = &rec["properties"];
                    if s(&rec, &["category"]) == "AuditLogs" {
                        graph_audit(props, &mut r);
                    } else {
                        graph_signin(props, &mut r);
                    }
                }
            }
            _ => {
                for v in json_objects(bytes) {
                    if audit {
                        graph_audit(&v, &mut r);
                    } else {
                        graph_signin(&v, &mut r);
                    }
                }
            }
        }
    }
    r
}
