//! Bad input, generated in memory: no panic, a message with file and line,
//! every readable row kept, and `records + rejected_total` = rows.

mod common;

use common::{all_records, read_chunked};
use entrascope_logs::*;

const HEADER_2025: &str = include_str!("data/portal_InteractiveSignIns_header_2025-01_onward.csv");

/// A portal CSV row (2025 header) with the given request id suffix and time.
fn portal_row(n: usize, token: &str) -> String {
    let cols = HEADER_2025.trim_end().split("\",\"").count();
    let mut f = vec![String::new(); cols];
    f[0] = format!("2025-10-01T{:02}:{:02}:{:02}Z", n / 3600 % 24, n / 60 % 60, n % 60);
    f[1] = format!("00000000-0000-4000-8000-{n:012}");
    f[5] = format!("User \"{n}\", Jr.");
    f[6] = format!("User{n}@Contoso.com");
    f[9] = token.to_string();
    f[26] = "Redmond, Washington, US".into();
    f[27] = if n.is_multiple_of(4) { "Failure".into() } else { "Success".into() };
    f[28] = if n.is_multiple_of(4) { "50126".into() } else { String::new() };
    f[29] = if n.is_multiple_of(4) { "Invalid username or password.\nSecond line.".into() } else { String::new() };
    f.iter().map(|x| format!("\"{}\"", x.replace('"', "\"\""))).collect::<Vec<_>>().join(",")
}

fn portal_csv(rows: usize, token: &str) -> String {
    let mut s = HEADER_2025.trim_end().to_string();
    s.push_str("\r\n");
    for n in 0..rows {
        s.push_str(&portal_row(n, token));
        s.push_str("\r\n");
    }
    s
}

fn graph_signin(n: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "createdDateTime": format!("2025-10-01T00:00:{:02}Z", n % 60),
        "userPrincipalName": format!("u{n}@contoso.com"),
        "appDisplayName": "Graph Explorer",
        "ipAddress": "203.0.113.9",
        "status": {"errorCode": if n.is_multiple_of(3) { 50126 } else { 0 }, "failureReason": "x"},
        "isInteractive": true,
        "location": {"city": "Paris", "state": "Paris", "countryOrRegion": "FR"},
    })
}

fn read(path: &str, bytes: &[u8]) -> (Dataset, InputInfo) {
    let mut ing = Ingest::new();
    let idx = ing.read_all(path, bytes);
    let info = ing.dataset().inputs[idx as usize].clone();
    (ing.finish(), info)
}

fn infos(ds: &Dataset) -> String {
    serde_json::to_string(&ds.inputs).unwrap()
}

#[test]
fn truncated_json_keeps_every_complete_record() {
    let records: Vec<serde_json::Value> = (0..50).map(graph_signin).collect();
    let text = serde_json::to_string_pretty(&records).unwrap();
    let cut = &text.as_bytes()[..text.len() * 2 / 3];
    let (ds, info) = read("exports/InteractiveSignIns_2025-10-01_2025-10-31.json", cut);
    assert!(info.records >= 30, "{}", info.records);
    assert_eq!(info.rejected_total, 1);
    let r = &info.rejected[0];
    assert_eq!(r.line, info.records + 1, "the cut record is cited by its ordinal");
    assert!(r.reason.contains("truncated") && r.reason.contains("line "), "{}", r.reason);
    assert!(info.warnings.iter().any(|w| w.contains("closing bracket")), "{:?}", info.warnings);
    assert_eq!(ds.signins.len() as u64, info.records);
}

#[test]
fn truncated_csv_keeps_every_complete_row() {
    let text = portal_csv(40, "None");
    // Cut in the middle of row 31's quoted fields.
    let cut_at = text.match_indices("\r\n\"2025").nth(30).unwrap().0 + 60;
    let (ds, info) = read("InteractiveSignIns.csv", &text.as_bytes()[..cut_at]);
    assert_eq!(info.error, None);
    assert_eq!(info.records, 30, "{:?}", info.rejected);
    assert_eq!(info.rejected_total, 1);
    assert!(info.rejected[0].reason.contains("fields where the header has 57"), "{}", info.rejected[0].reason);
    assert_eq!(ds.signins.len(), 30);
}

#[test]
fn not_logs_are_named() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(vec![7u8; 1000]);
    let mut xlsx = b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0".to_vec();
    xlsx.extend_from_slice(b"\0\0\0\0\0\0\0\0\0\0\0\0\x13\0\0\0[Content_Types].xml");
    xlsx.extend(vec![0u8; 200]);
    xlsx.extend_from_slice(b"PK\x03\x04xl/workbook.xml");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("shot.png", png, "a PNG image"),
        ("InteractiveSignIns.xlsx", xlsx, "an Excel workbook (.xlsx)"),
        ("export.xml", b"<?xml version=\"1.0\"?><a/>".to_vec(), "XML"),
        ("page.html", b"<!DOCTYPE html><html></html>".to_vec(), "HTML"),
        ("empty.csv", Vec::new(), "an empty file"),
        ("blank.json", b"  \r\n\r\n ".to_vec(), "blank"),
        ("notes.csv", b"name,age\nbob,4\n".to_vec(), "match no Entra export"),
        ("bin.dat", vec![1, 2, 3, 0, 5, 6, 0, 0, 9, 10, 11, 12], "binary"),
    ];
    for (name, bytes, want) in cases {
        let (ds, info) = read(name, &bytes);
        let err = info.error.clone().unwrap_or_else(|| panic!("{name}: no error"));
        assert!(err.contains(want), "{name}: {err}");
        assert!(err.contains("entrascope reads"), "{name}: the message says what is read: {err}");
        assert_eq!(ds.signins.len() + ds.audits.len(), 0);
        assert_eq!(info.records, 0);
        assert_eq!(info.bytes, bytes.len() as u64);
    }
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n0000"), Sniff::Other("a PNG image".into()));
    assert!(matches!(sniff(b"PK\x03\x04 ... xl/workbook.xml"), Sniff::Other(s) if s.contains("Excel")));
    assert_eq!(sniff(portal_csv(2, "None").as_bytes()), Sniff::Log);
    assert_eq!(sniff(serde_json::to_string(&vec![graph_signin(1)]).unwrap().as_bytes()), Sniff::Log);
    assert!(matches!(sniff(b"{\"name\": \"package\", \"version\": \"1.0.0\", \"dependencies\": {\"a\": \"1\"}, \"scripts\": {\"b\": \"c\"}, \"description\": \"a long enough description to decide without more bytes: a long enough description to decide without more bytes and more and more words here, and then some more words so that the head is longer than two hundred and fifty-six bytes\"}"), Sniff::Other(_)));
    assert_eq!(sniff(b"[{"), Sniff::NeedMore);
    assert_eq!(sniff(b""), Sniff::NeedMore);
}

#[test]
fn localized_headers_fail_clearly() {
    let text =
        "\"日付 (UTC)\",\"要求 ID\",\"ユーザー\",\"サインインのエラー コード\"\r\n\"2025-10-01T00:00:00Z\",\"1\",\"a\",\"0\"\r\n";
    let (_, info) = read("InteractiveSignIns.csv", text.as_bytes());
    let err = info.error.unwrap();
    assert!(err.contains("not in English") && err.contains("サインインのエラー コード"), "{err}");
    assert_eq!(info.records + info.rejected_total, 1, "the row is counted as not read");
    let de = "\"Datum (UTC)\",\"Anforderungs-ID\",\"Benutzer\",\"Status\",\"IP-Adresse\"\r\n\"x\",\"1\",\"a\",\"b\",\"c\"\r\n";
    let (_, info) = read("InteractiveSignIns.csv", de.as_bytes());
    assert!(info.error.unwrap().contains("not in English"));
}

#[test]
fn broken_quote_loses_only_its_row() {
    let mut text = portal_csv(10, "None");
    // Row 5 (line 6 onwards, after the multi-line failure reasons) loses a closing quote.
    let row5 = portal_row(5, "None");
    let broken = row5.replacen("\"User \"\"5\"\", Jr.\"", "\"User \"\"5\"\", Jr.", 1);
    assert_ne!(broken, row5);
    text = text.replacen(&row5, &broken, 1);
    let (ds, info) = read("InteractiveSignIns.csv", text.as_bytes());
    assert_eq!(info.records, 9, "{:?}", info.rejected);
    assert_eq!(info.rejected_total, 1);
    let line_of_row5 = 1 + 5 + 2 + 1; // after the header and rows 0..4 (rows 0 and 4 take two lines each)
    assert_eq!(info.rejected[0].line, line_of_row5, "{:?}", info.rejected);
    assert!(info.rejected[0].reason.contains(&format!("line {line_of_row5}")));
    let ids: Vec<String> = ds.signins.iter().map(|s| s.request_id.render(&ds.strings)).collect();
    assert!(!ids.iter().any(|i| i.ends_with("000000000005")));
    assert!(ids.iter().any(|i| i.ends_with("000000000006")) && ids.iter().any(|i| i.ends_with("000000000009")));
    // The rows after the broken one keep their own line numbers.
    let s9 = ds.signins.iter().find(|s| s.request_id.render(&ds.strings).ends_with("000000000009")).unwrap();
    assert_eq!(s9.src.line, 1 + 9 + 3 + 1);

    // A quote left open at the end of a line swallows the lines after it;
    // they are read again on their own.
    let text = portal_csv(10, "None");
    let row5 = portal_row(5, "None");
    let open = format!("{}\"", &row5[..row5.len() - 2]);
    let text = text.replacen(&row5, &open, 1);
    let (ds, info) = read("InteractiveSignIns.csv", text.as_bytes());
    assert_eq!((info.records, info.rejected_total), (9, 1), "{:?}", info.rejected);
    assert_eq!(info.rejected[0].line, line_of_row5);
    assert!(info.rejected[0].reason.contains("unbalanced quote"), "{}", info.rejected[0].reason);
    let s9 = ds.signins.iter().find(|s| s.request_id.render(&ds.strings).ends_with("000000000009")).unwrap();
    assert_eq!(s9.src.line, 1 + 9 + 3 + 1);
}

#[test]
fn json_with_trailing_commas_is_repaired_with_a_warning() {
    let text = "[\n {\"id\":\"a\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"userPrincipalName\":\"x@y\",\"riskEventTypes\":[\"a\",],},\n {\"id\":\"b\",\"createdDateTime\":\"2025-01-01T00:00:01Z\",\"userPrincipalName\":\"x@y\"},\n]";
    let (ds, info) = read("signins.json", text.as_bytes());
    assert_eq!((info.records, info.rejected_total), (2, 0), "{:?}", info.rejected);
    assert!(info.warnings.iter().any(|w| w.contains("trailing comma")));
    assert_eq!(ds.risk_events(&ds.signins[0]).len(), 1);
    // Invalid beyond repair: rejected with the line inside the file.
    let bad = "[\n{\"id\":\"a\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"userPrincipalName\":\"x@y\"},\n{\"id\":\"b\",\n \"createdDateTime\": nope}\n]";
    let (_, info) = read("signins.json", bad.as_bytes());
    assert_eq!((info.records, info.rejected_total), (1, 1));
    assert_eq!(info.rejected[0].line, 2);
    assert!(info.rejected[0].reason.contains("invalid JSON at line 4"), "{}", info.rejected[0].reason);
}

#[test]
fn a_fifty_megabyte_single_line() {
    // A 50 MB Graph page on one line: 5,000 records with 10 KB user agents.
    let records: Vec<serde_json::Value> = (0..5_000)
        .map(|n| {
            let mut r = graph_signin(n);
            r["userAgent"] = serde_json::Value::String(format!("{n:05}").repeat(2_000));
            r
        })
        .collect();
    let page = serde_json::json!({"@odata.context": "x", "value": records, "@odata.nextLink": "y"});
    let text = serde_json::to_vec(&page).unwrap();
    assert!(text.len() > 50_000_000 && !text.contains(&b'\n'));
    let mut ing = Ingest::new();
    ing.begin("signIns.json");
    for c in text.chunks(1 << 20) {
        ing.feed(c);
    }
    let info = ing.end().clone();
    assert_eq!((info.records, info.rejected_total), (5_000, 0));
    assert_eq!(info.format, Format::GraphJson);
    assert_eq!(ing.dataset().signins.iter().filter(|s| ing.dataset().str(s.user_agent).len() == 10_000).count(), 5_000);
    // One 40 MB record is refused, with its line, without holding it.
    let mut one = b"{\"id\":\"x\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"userAgent\":\"".to_vec();
    one.extend(vec![b'a'; 40 << 20]);
    one.extend_from_slice(b"\"}\n{\"id\":\"y\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"userPrincipalName\":\"a@b\"}\n");
    let (_, info) = read("huge.json", &one);
    assert_eq!((info.records, info.rejected_total), (1, 1));
    assert!(info.rejected[0].reason.contains("larger than 32 MiB"), "{:?}", info.rejected);
    // The same in a CSV: one row longer than the limit.
    let mut csv = portal_csv(1, "None").into_bytes();
    csv.extend_from_slice(b"\"2025-10-01T00:00:00Z\",\"");
    csv.extend(vec![b'b'; 40 << 20]);
    csv.extend_from_slice(b"\"\r\n");
    csv.extend_from_slice(portal_row(7, "None").as_bytes());
    csv.extend_from_slice(b"\r\n");
    let (_, info) = read("huge.csv", &csv);
    assert_eq!((info.records, info.rejected_total), (2, 1), "{:?}", info.rejected);
    assert!(info.rejected[0].reason.contains("longer than 32 MiB") && info.rejected[0].line == 4, "{:?}", info.rejected);
}

#[test]
fn deep_nesting_does_not_overflow() {
    for n in [100_000usize, 1_000_000] {
        let mut text = b"[".to_vec();
        text.extend(std::iter::repeat_n(b'[', n));
        text.extend(std::iter::repeat_n(b']', n));
        text.extend_from_slice(b",{\"id\":\"y\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"userPrincipalName\":\"a@b\"}]");
        let (_, info) = read("deep.json", &text);
        assert_eq!((info.records, info.rejected_total), (1, 1), "{:?}", info.rejected);
        let mut objs = b"{\"a\":".repeat(n);
        objs.extend(b"1");
        objs.extend(b"}".repeat(n));
        let (_, info) = read("deep.json", &objs);
        assert_eq!((info.records, info.rejected_total), (0, 1));
    }
}

fn utf16(s: &str, le: bool) -> Vec<u8> {
    let mut v = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    for u in s.encode_utf16() {
        v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    v
}

#[test]
fn utf16_inputs_read_like_utf8() {
    let csv = portal_csv(12, "None");
    let json = serde_json::to_string_pretty(&(0..12).map(graph_signin).collect::<Vec<_>>()).unwrap();
    for (name, text) in [("InteractiveSignIns.csv", &csv), ("signins.json", &json)] {
        let (want, winfo) = read(name, text.as_bytes());
        for le in [true, false] {
            assert_eq!(sniff(&utf16(text, le)), Sniff::Log, "{name}");
            let (got, info) = read(name, &utf16(text, le));
            assert_eq!((info.records, info.rejected_total), (winfo.records, 0), "{name}");
            assert!(info.warnings.iter().any(|w| w.contains("UTF-16")), "{:?}", info.warnings);
            // Offsets are in decoded text, so the records are identical.
            assert_eq!(all_records(&want).len(), 12);
            let strip = |mut v: Vec<serde_json::Value>| {
                for r in &mut v {
                    r["source"]["input"] = serde_json::Value::Null;
                }
                v
            };
            assert_eq!(strip(all_records(&want)), strip(all_records(&got)), "{name} le={le}");
        }
    }
}

#[test]
fn feeding_in_any_chunk_size_gives_the_same_dataset() {
    let mut broken = portal_csv(30, "Refresh token");
    broken = broken.replacen("\"User \"\"7\"\", Jr.\"", "\"User \"\"7\"\", Jr.", 1);
    let ndjson: String = (0..20).map(|n| graph_signin(n).to_string() + "\r\n").collect();
    let pages = format!(
        "{}\r\n{}",
        serde_json::to_string_pretty(&(0..10).map(graph_signin).collect::<Vec<_>>()).unwrap(),
        serde_json::to_string_pretty(&(10..20).map(graph_signin).collect::<Vec<_>>()).unwrap()
    );
    let envelope = serde_json::to_string(
        &serde_json::json!({"@odata.context": "x", "value": (0..15).map(graph_signin).collect::<Vec<_>>()}),
    )
    .unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(portal_csv(9, "None").as_bytes());
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("InteractiveSignIns.csv", portal_csv(25, "None").into_bytes()),
        ("NonInteractiveSignIns.csv", broken.into_bytes()),
        ("bom.csv", bom),
        ("sof-elk.json", ndjson.into_bytes()),
        ("merged.json", pages.into_bytes()),
        ("page.json", envelope.into_bytes()),
        ("utf16.csv", utf16(&portal_csv(8, "None"), true)),
        ("AADAuditEvents.json", std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/AADAuditEvents.json")).unwrap()),
    ];
    for (name, bytes) in &inputs {
        let whole = read_chunked(name, bytes, bytes.len().max(1));
        assert!(!whole.signins.is_empty() || !whole.audits.is_empty(), "{name}");
        for chunk in [1, 7, 64 * 1024] {
            let ds = read_chunked(name, bytes, chunk);
            assert_eq!(all_records(&ds), all_records(&whole), "{name} in {chunk}-byte chunks");
            assert_eq!(infos(&ds), infos(&whole), "{name} in {chunk}-byte chunks");
        }
        let info = &whole.inputs[0];
        assert_eq!(info.records + info.rejected_total, if name.starts_with("NonInteractive") { 30 } else { info.records });
    }
}

#[test]
fn counts_add_up_and_round_counts_warn() {
    let (_, info) = read("InteractiveSignIns_2025-10-01_2025-10-31.csv", portal_csv(5_000, "None").as_bytes());
    assert_eq!(info.records, 5_000);
    assert!(info.warnings.iter().any(|w| w.contains("exactly 5,000 rows") && w.contains("truncated")), "{:?}", info.warnings);
    let (_, info) = read("InteractiveSignIns.csv", portal_csv(4_999, "None").as_bytes());
    assert!(!info.warnings.iter().any(|w| w.contains("truncated")));
}

#[test]
fn interactive_or_not_is_read_from_content_then_name() {
    // Refresh tokens say non-interactive whatever the name says.
    let (ds, info) = read("InteractiveSignIns_x.csv", portal_csv(6, "Refresh token").as_bytes());
    assert_eq!(info.kind, InputKind::SignInNonInteractive);
    assert!(ds.signins.iter().all(|s| s.kind == SignInKind::NonInteractive));
    assert!(info.warnings.iter().any(|w| w.contains("file name")), "{:?}", info.warnings);
    // "None" is in both logs: the portal's own name is taken without a warning.
    let (_, info) = read("InteractiveSignIns_2025-10-01_2025-10-31.csv", portal_csv(6, "None").as_bytes());
    assert_eq!(info.kind, InputKind::SignInInteractive);
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    // A token type that says neither: the file name decides, with a warning.
    let (ds, info) =
        read("dl/NonInteractiveSignIns_2025-10-01_2025-10-31.csv", portal_csv(6, "Primary refresh token").as_bytes());
    assert_eq!(info.kind, InputKind::SignInNonInteractive);
    assert!(ds.signins.iter().all(|s| s.kind == SignInKind::NonInteractive));
    assert!(info.warnings.iter().any(|w| w.contains("from the file name")), "{:?}", info.warnings);
    let (_, info) = read("export.csv", portal_csv(6, "Primary refresh token").as_bytes());
    assert_eq!(info.kind, InputKind::SignInInteractive);
    assert!(info.warnings.iter().any(|w| w.contains("read as interactive")), "{:?}", info.warnings);
}

#[test]
fn excel_damage_is_undone() {
    // Semicolons, an apostrophe before an id, TRUE/FALSE, day-first dates.
    let text = "\"Date (UTC)\";\"Request ID\";\"Username\";\"Compliant\";\"Sign-in error code\";\"Status\"\r\n\
                \"25/10/2025 13:45\";\"'00000000-0000-4000-8000-000000000001\";\"A@B.COM\";\"TRUE\";\"'50126\";\"Failure\"\r\n\
                \"03/10/2025 08:00\";\"00000000-0000-4000-8000-000000000002\";\"a@b.com\";\"FALSE\";\"\";\"Success\"\r\n";
    let (ds, info) = read("InteractiveSignIns.csv", text.as_bytes());
    assert_eq!((info.records, info.rejected_total), (2, 0), "{:?}", info.rejected);
    assert!(info.warnings.iter().any(|w| w.contains("delimiter")));
    let s = &ds.signins[1];
    assert_eq!(s.time.to_rfc3339(), "2025-10-25T13:45:00Z");
    assert_eq!(ds.signins[0].time.to_rfc3339(), "2025-10-03T08:00:00Z", "the file's day-first order holds for ambiguous dates");
    assert_eq!(s.request_id.render(&ds.strings), "00000000-0000-4000-8000-000000000001");
    assert_eq!(ds.str(s.upn), "a@b.com");
    assert_eq!((s.compliant, s.error_code, s.outcome), (Tri::Yes, 50126, Outcome::Failure));
}

#[test]
fn legacy_code_page_text_is_kept_with_a_warning() {
    // "Zoë" in Windows-1252 (0xEB), as Excel saves a CSV by default.
    let mut text = portal_csv(3, "None").into_bytes();
    let at = text.windows(6).position(|w| w == b"User \"").unwrap();
    text.splice(at..at + 4, b"Zo\xEB ".iter().copied());
    let (ds, info) = read("InteractiveSignIns.csv", &text);
    assert_eq!((info.records, info.rejected_total), (3, 0));
    assert!(info.warnings.iter().any(|w| w.contains("not UTF-8")), "{:?}", info.warnings);
    assert!(ds.signins.iter().any(|s| ds.str(s.user_display).starts_with("Zo\u{FFFD}")));
}

#[test]
fn json_with_invalid_utf8_is_read_with_a_warning() {
    let text = b"[{\"id\":\"a\",\"createdDateTime\":\"2025-01-01T00:00:00Z\",\"userDisplayName\":\"Zo\xEB\"},]";
    let (ds, info) = read("signins.json", text);
    assert_eq!((info.records, info.rejected_total), (1, 0), "{:?}", info.rejected);
    assert!(info.warnings.iter().any(|w| w.contains("not UTF-8")), "{:?}", info.warnings);
    assert_eq!(ds.str(ds.signins[0].user_display), "Zo\u{FFFD}");
}
