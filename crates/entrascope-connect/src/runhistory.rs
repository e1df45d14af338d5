//! Run-history CSV: `Get-ADSyncRunProfileResult | Export-Csv` (as written by
//! Microsoft Japan support's collector: `"RunNumber","RunHistoryId",
//! "ConnectorName","RunProfileName","Result","StartDate","EndDate"`), or any
//! CSV with those columns (ADSyncTools' `Export-ADSyncToolsRunHistory`).
//!
//! Columns are matched by name, never by position; the delimiter is taken from
//! the header (`,`, `;` from `-UseCulture`, or tab); a `#TYPE` line is skipped.
//! Dates are culture-dependent text: the file's day/month order is settled
//! from its first unambiguous date and applied to every row. Times without an
//! offset are read as UTC (only durations matter to the checks).

use csv_core::{ReadRecordResult, ReaderBuilder};
use entrascope_core::time::{parse_with, DateOrder};

use crate::model::{RunHistory, RunRecord};
use crate::problem::{decode_reporting, Parsed, Problem};

/// Splits CSV text into records of fields, with the 1-based line each record starts on.
pub(crate) fn csv_records(text: &str, delimiter: u8, first_line: u64) -> Vec<(u64, Vec<String>)> {
    let mut rdr = ReaderBuilder::new().delimiter(delimiter).build();
    let bytes = text.as_bytes();
    let mut input = bytes;
    let mut out = vec![0u8; 4096];
    let mut ends = vec![0usize; 32];
    let (mut outlen, mut endlen) = (0usize, 0usize);
    let mut records = Vec::new();
    let mut lines = crate::text::LineCounter::new(bytes);
    let mut start_line = 1;
    loop {
        if outlen == 0 && endlen == 0 {
            // The record starts at the first byte after line breaks left from the previous one.
            let mut at = bytes.len() - input.len();
            while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            start_line = lines.line_at(at);
        }
        let (res, nin, nout, nend) = rdr.read_record(input, &mut out[outlen..], &mut ends[endlen..]);
        input = &input[nin..];
        outlen += nout;
        endlen += nend;
        match res {
            ReadRecordResult::InputEmpty => {
                if input.is_empty() {
                    // Signal the end: csv-core finishes the last record on empty input.
                    continue;
                }
            }
            ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
            ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            ReadRecordResult::Record => {
                let mut fields = Vec::with_capacity(endlen);
                let mut prev = 0;
                for &e in &ends[..endlen] {
                    fields.push(String::from_utf8_lossy(&out[prev..e]).into_owned());
                    prev = e;
                }
                records.push((start_line + first_line - 1, fields));
                outlen = 0;
                endlen = 0;
            }
            ReadRecordResult::End => break,
        }
    }
    records
}

/// The delimiter of a header line: the most frequent of `,`, `;` and tab outside quotes.
pub(crate) fn delimiter(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|i| (counts[*i], usize::MAX - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

fn norm(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

/// Reads a run-history CSV. Rows that cannot be read are reported with their
/// line and reason; the others are kept.
pub fn read_run_history(path: &str, bytes: &[u8]) -> Result<Parsed<RunHistory>, Problem> {
    let mut problems = Vec::new();
    let text = decode_reporting(path, bytes, &mut problems);
    let (body, first_line) = match text.strip_prefix("#TYPE") {
        Some(_) => match text.find('\n') {
            Some(i) => (&text[i + 1..], 2),
            None => ("", 2),
        },
        None => (&text[..], 1),
    };
    let header_line = body.lines().next().unwrap_or("");
    let records = csv_records(body, delimiter(header_line), first_line);
    let Some((_, header)) = records.first() else {
        return Err(Problem::error(path, 1, "empty file: no header row"));
    };
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&norm(h).as_str()));
    let (Some(c_conn), Some(c_prof), Some(c_start)) =
        (find(&["connectorname", "connector"]), find(&["runprofilename", "runprofile"]), find(&["startdate", "starttime"]))
    else {
        return Err(Problem::error(
            path,
            first_line,
            "not a run-history export: the header lacks ConnectorName, RunProfileName or StartDate",
        ));
    };
    let c_end = find(&["enddate", "endtime"]);
    let c_num = find(&["runnumber"]);
    let c_id = find(&["runhistoryid"]);
    let c_res = find(&["result", "runresult"]);
    if c_end.is_none() {
        problems.push(Problem::warning(path, first_line, "no EndDate column: run durations are unknown"));
    }
    let get = |f: &[String], c: Option<usize>| c.and_then(|c| f.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
    // Settle the day/month order from the first unambiguous date of the file.
    let mut order = DateOrder::Unknown;
    for (_, f) in records.iter().skip(1) {
        for c in [Some(c_start), c_end] {
            let mut probe = DateOrder::Unknown;
            let _ = parse_with(&get(f, c), &mut probe);
            if probe != DateOrder::Unknown {
                order = probe;
                break;
            }
        }
        if order != DateOrder::Unknown {
            break;
        }
    }
    let mut runs = Vec::new();
    for (line, f) in records.iter().skip(1) {
        if f.len() == 1 && f[0].trim().is_empty() {
            continue;
        }
        if f.len() != header.len() {
            problems.push(Problem::rejected(path, *line, format!("{} fields where the header has {}", f.len(), header.len())));
            continue;
        }
        let mut o = order;
        let start_text = get(f, Some(c_start));
        let Some(start) = parse_with(&start_text, &mut o) else {
            problems.push(Problem::rejected(path, *line, format!("StartDate {start_text:?} is not a date")));
            continue;
        };
        let end_text = get(f, c_end);
        let end = if end_text.is_empty() {
            None
        } else {
            match parse_with(&end_text, &mut o) {
                Some(t) => Some(t),
                None => {
                    problems.push(Problem::rejected(path, *line, format!("EndDate {end_text:?} is not a date")));
                    continue;
                }
            }
        };
        runs.push(RunRecord {
            run_number: get(f, c_num).parse().ok(),
            run_history_id: get(f, c_id),
            connector: get(f, Some(c_conn)),
            profile: get(f, Some(c_prof)),
            result: get(f, c_res),
            start,
            end,
            line: *line,
        });
    }
    Ok(Parsed { value: RunHistory { input: u32::MAX, path: path.to_string(), runs }, problems })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_rows_and_reports_bad_ones() {
        let csv = "#TYPE Selected.Microsoft.IdentityManagement.PowerShell.ObjectModel.RunHistory\r\n\
\"RunNumber\",\"RunHistoryId\",\"ConnectorName\",\"RunProfileName\",\"Result\",\"StartDate\",\"EndDate\"\r\n\
\"26285\",\"8a654dc1-cf23-40ed-86f4-b745bd553c22\",\"garage.mcardletech.com\",\"Export\",\"no-start-connection\",\"4/8/2022 8:13:31 PM\",\"4/8/2022 8:13:52 PM\"\r\n\
\"26286\",\"x\",\"a, b\",\"Delta Import\",\"success\",\"13/8/2022 8:13:31\",\"\"\r\n\
\"26287\",\"y\",\"c\",\"Delta Import\",\"success\",\"yesterday\",\"\"\r\n\
\"26288\",\"short\"\r\n";
        let p = read_run_history("h.csv", csv.as_bytes()).unwrap();
        let r = &p.value.runs;
        assert_eq!(r.len(), 2);
        // 13/8 settles day-first for the whole file, so 4/8 is 4 August.
        assert_eq!(r[0].start.to_rfc3339(), "2022-08-04T20:13:31Z");
        assert_eq!(r[0].end.unwrap().to_rfc3339(), "2022-08-04T20:13:52Z");
        assert_eq!((r[0].line, r[0].run_number, r[0].profile.as_str()), (3, Some(26285), "Export"));
        assert_eq!((r[1].connector.as_str(), r[1].end), ("a, b", None));
        let rejected: Vec<(u64, &str)> = p.problems.iter().map(|x| (x.line, x.message.as_str())).collect();
        assert_eq!(rejected, [(5, "StartDate \"yesterday\" is not a date"), (6, "2 fields where the header has 7")]);
    }

    #[test]
    fn semicolons_and_missing_columns() {
        let p = read_run_history(
            "h.csv",
            "ConnectorName;RunProfileName;StartDate;EndDate\nc;Export;2022-04-08 20:13:31;2022-04-08 20:14:31\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(p.value.runs.len(), 1);
        assert!(read_run_history("h.csv", b"Foo,Bar\n1,2\n").is_err());
        assert!(read_run_history("h.csv", b"").is_err());
    }
}
