//! Reading a CSV input in two parts ([`Part`] + [`Ingest::adopt`]) gives
//! exactly what reading it in one piece gives: the same records with the
//! same lines and offsets, the same input report. When a split cannot be
//! joined (a quoted field spans it, the part met a damaged row), `adopt`
//! refuses and the bytes are fed as usual, with the same result.

mod common;

use entrascope_gen::formats::{write_format, Format as GenFormat, MemorySink};
use entrascope_logs::{Dataset, Ingest, Part};

/// Every record with its source, and the inputs' reports.
fn full_view(ds: &Dataset) -> (Vec<serde_json::Value>, String, Vec<(u32, u32, u64, u32)>) {
    let (records, inputs) = common::view(ds);
    let srcs = ds
        .signins
        .iter()
        .map(|s| s.src)
        .chain(ds.audits.iter().map(|a| a.src))
        .map(|s| (s.input, s.line, s.offset, s.len))
        .collect();
    (records, inputs, srcs)
}

fn whole(path: &str, data: &[u8]) -> Dataset {
    common::read_chunked(path, data, 1 << 16)
}

/// Reads `data[..split]` into an ingest, `data[split..]` as a part, and
/// joins them; feeds the part's bytes when the join is refused. Returns
/// the dataset and whether the part was adopted. The part crosses over in
/// its byte form when `encoded` (as between web workers).
fn in_two_as(path: &str, data: &[u8], split: usize, chunk: usize, encoded: bool) -> (Dataset, bool) {
    let mut ing = Ingest::new();
    ing.begin(path);
    // The head first, so the header is known, as a reader would.
    let head = split.min(data.len());
    for c in data[..head].chunks(chunk.max(1)) {
        ing.feed(c);
    }
    let Some(info) = ing.split_info() else {
        for c in data[head..].chunks(chunk.max(1)) {
            ing.feed(c);
        }
        ing.end();
        return (ing.finish(), false);
    };
    assert_eq!(info.fed as usize, head);
    let header = &data[..info.header_bytes as usize];
    let mut part = Part::new(path, header);
    for c in data[head..].chunks(chunk.max(1)) {
        part.feed(c);
    }
    part.finish(true);
    let joined = if encoded { ing.adopt_encoded(&part.encode()).is_ok() } else { ing.adopt(part).is_ok() };
    let adopted = match joined {
        true => true,
        false => {
            for c in data[head..].chunks(chunk.max(1)) {
                ing.feed(c);
            }
            false
        }
    };
    ing.end();
    (ing.finish(), adopted)
}

/// Line starts of `data` (candidate split points), every `step`-th.
fn line_starts(data: &[u8], step: usize) -> Vec<usize> {
    data.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1).step_by(step.max(1)).collect()
}

fn generated(format: GenFormat) -> MemorySink {
    let g = entrascope_gen::sim::generate(&entrascope_gen::sim::TenantConfig::demo(5)).unwrap();
    let mut sink = MemorySink::default();
    write_format(format, &g.logs, &g.ctx, &mut sink).unwrap();
    sink
}

#[test]
fn generated_exports_read_in_two_parts_as_in_one() {
    let sink = generated(GenFormat::PortalCsv);
    let mut adopted = 0;
    let mut tried = 0;
    for (name, data) in &sink.files {
        if !name.ends_with(".csv") || data.len() < 2000 {
            continue;
        }
        let expected = full_view(&whole(name, data));
        let starts = line_starts(data, 1);
        let step = (starts.len() / 7).max(1);
        for &split in starts.iter().step_by(step) {
            if split >= data.len() {
                continue;
            }
            for (chunk, encoded) in [(4096, false), (1 << 16, true)] {
                let (ds, ok) = in_two_as(name, data, split, chunk, encoded);
                tried += 1;
                adopted += ok as usize;
                assert_eq!(full_view(&ds), expected, "{name} split at {split}, chunks of {chunk}");
            }
        }
    }
    assert!(tried > 20, "{tried} splits tried");
    // Clean exports (the audit file's quoted JSON may span lines) mostly join.
    assert!(adopted * 2 > tried, "{adopted} of {tried} splits joined");
}

#[test]
fn damaged_and_multiline_inputs_read_in_two_parts_as_in_one() {
    let header = "\"Date (UTC)\",\"Request ID\",\"Username\",\"Status\",\"Sign-in error code\",\"IP address\",\"Location\",\"Client app\"\r\n";
    let row = |i: usize, user: &str, ip: &str| {
        format!("\"2025-10-0{}T10:{:02}:00Z\",\"5b1c0000-aaaa-4bbb-8ccc-{i:012}\",\"{user}\",\"Success\",\"\",\"{ip}\",\"Berlin, Berlin, DE\",\"Browser\"\r\n", 1 + i % 8, i % 60)
    };
    let mut clean = String::from(header);
    for i in 0..200 {
        clean.push_str(&row(i, &format!("user{}@contoso.com", i % 7), "198.51.100.7"));
    }
    // A user name with a line break inside quotes, a short row, a stray quote,
    // LF-only lines, a blank line, a row without its final line break.
    let mut damaged = String::from(header);
    for i in 0..40 {
        match i % 10 {
            3 => damaged.push_str(&row(i, "multi\nline@contoso.com", "198.51.100.8")),
            5 => damaged.push_str("\"2025-10-01T10:00:00Z\",\"short\"\r\n"),
            7 => damaged.push_str(&row(i, "quo\"te@contoso.com", "198.51.100.9").replace("\r\n", "\n")),
            8 => damaged.push_str("\r\n"),
            _ => damaged.push_str(&row(i, "x@contoso.com", "198.51.100.10")),
        }
    }
    damaged.push_str(row(99, "last@contoso.com", "203.0.113.1").trim_end());
    let with_bom = format!("\u{feff}{clean}");
    let (mut adopted_clean, mut clean_tries) = (0, 0);
    for (name, text) in
        [("InteractiveSignIns_a.csv", &clean), ("InteractiveSignIns_b.csv", &damaged), ("InteractiveSignIns_c.csv", &with_bom)]
    {
        let data = text.as_bytes();
        let expected = full_view(&whole(name, data));
        for split in line_starts(data, 1) {
            if split >= data.len() {
                continue;
            }
            for (chunk, encoded) in [(7, false), (1 << 16, false), (1 << 16, true)] {
                let (ds, ok) = in_two_as(name, data, split, chunk, encoded);
                // Past the first 4 KiB (held until the format is known).
                if name.ends_with("a.csv") && split > 4096 {
                    clean_tries += 1;
                    adopted_clean += ok as usize;
                }
                assert_eq!(full_view(&ds), expected, "{name} split at {split}, chunks of {chunk}");
            }
        }
    }
    assert!(clean_tries > 100 && adopted_clean == clean_tries, "{adopted_clean} of {clean_tries} clean splits joined");
}

#[test]
fn a_part_that_is_not_of_the_same_input_is_refused() {
    let mut a = String::from("\"Date (UTC)\",\"Request ID\",\"Username\",\"Status\",\"Sign-in error code\"\n");
    for i in 0..100 {
        a.push_str(&format!("\"2025-10-01T10:00:00Z\",\"r{i}\",\"a@x.com\",\"Success\",\"\"\n"));
    }
    let mut ing = Ingest::new();
    ing.begin("InteractiveSignIns.csv");
    ing.feed(a.as_bytes());
    assert!(ing.split_info().is_some());
    // Another header altogether (an audit export).
    let mut part = Part::new(
        "InteractiveSignIns.csv",
        b"\"Date (UTC)\",\"CorrelationId\",\"Service\",\"Category\",\"Activity\",\"Result\"\n",
    );
    part.feed(b"\"2025-10-01T10:00:00Z\",\"c1\",\"Core Directory\",\"UserManagement\",\"Add user\",\"Success\"\n");
    part.finish(true);
    assert!(ing.adopt(part).is_err());
}

#[test]
fn expected_size_sizes_the_record_table_once_and_reads_the_same() {
    let mut text =
        String::from("\"Date (UTC)\",\"Request ID\",\"Username\",\"Status\",\"Sign-in error code\",\"IP address\"\r\n");
    for i in 0..20_000 {
        text.push_str(&format!("\"2025-10-01T10:{:02}:00Z\",\"5b1c0000-aaaa-4bbb-8ccc-{i:012}\",\"user{}@contoso.com\",\"Success\",\"\",\"198.51.100.{}\"\r\n", i % 60, i % 13, i % 200));
    }
    let data = text.as_bytes();
    let plain = whole("InteractiveSignIns.csv", data);
    let mut ing = Ingest::new();
    ing.begin("InteractiveSignIns.csv");
    ing.expect_bytes(data.len() as u64);
    for c in data.chunks(1 << 16) {
        ing.feed(c);
    }
    let cap = ing.dataset().signins.capacity();
    ing.end();
    let sized = ing.finish();
    assert_eq!(full_view(&sized), full_view(&plain));
    // Sized from the first rows: within a few percent, never twofold.
    assert!((20_000..=21_500).contains(&cap), "capacity {cap} for 20000 rows");
}

#[test]
fn a_damaged_encoded_part_is_refused_and_leaves_nothing_behind() {
    let mut text = String::from("\"Date (UTC)\",\"Request ID\",\"Username\",\"Status\",\"Sign-in error code\"\n");
    for i in 0..400 {
        text.push_str(&format!("\"2025-10-01T10:00:00Z\",\"r{i}\",\"user{i}@x.com\",\"Success\",\"\"\n"));
    }
    let data = text.as_bytes();
    let split = line_starts(data, 1).into_iter().find(|&s| s > 8192).unwrap();
    let mut ing = Ingest::new();
    ing.begin("InteractiveSignIns.csv");
    ing.feed(&data[..split]);
    let info = ing.split_info().unwrap();
    let mut part = Part::new("InteractiveSignIns.csv", &data[..info.header_bytes as usize]);
    part.feed(&data[split..]);
    part.finish(true);
    let bytes = part.encode();
    let before = ing.dataset().signins.len();
    // Cut short, and with a byte changed in every position of a stretch.
    assert!(ing.adopt_encoded(&bytes[..bytes.len() - 3]).is_err());
    assert_eq!(ing.dataset().signins.len(), before);
    for i in (bytes.len() / 2..bytes.len()).step_by(97) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x55;
        // Either refused (nothing added) or read; never a panic.
        if ing.adopt_encoded(&bad).is_err() {
            assert_eq!(ing.dataset().signins.len(), before);
        } else {
            return;
        }
    }
    assert!(ing.adopt_encoded(&bytes).is_ok());
    assert_eq!(ing.dataset().signins.len(), 400);
}
