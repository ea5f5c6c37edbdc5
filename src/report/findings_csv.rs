//! The findings as CSV, one row per finding, for spreadsheets.
//!
//! RFC 4180: a header row, then one record per finding and one per absent finding
//! (with `--baseline`), every record ended by CRLF (the RFC's line break, and what
//! spreadsheets expect). A field is quoted when it holds a comma, a double quote, a
//! CR or an LF; a double quote inside is doubled. Line breaks inside a field are
//! kept as they are, within the quotes.
//!
//! Names, tags, descriptions and mute reasons come from AWS accounts and config
//! files, so a cell may be hostile: a spreadsheet runs a cell that starts with `=`,
//! `+`, `-` or `@` as a formula (OWASP "CSV injection"), and some also after a
//! leading tab or CR. Such a cell gets a leading apostrophe, which spreadsheets
//! read as "this is text" and hide: `=cmd|' /C calc'!A0` is written
//! `'=cmd|' /C calc'!A0`. Every cell is treated so, not only the names.

use std::borrow::Cow;

use super::scan_report::ScanReport;
use crate::finding::Finding;

/// The columns, in order.
pub const COLUMNS: [&str; 16] = [
    "check",
    "severity",
    "status",
    "account",
    "region",
    "resource_type",
    "resource_id",
    "resource_arn",
    "resource_name",
    "title",
    "message",
    "related",
    "baseline",
    "muted",
    "mute_expires",
    "fingerprint",
];

/// The record separator (RFC 4180's CRLF).
const EOL: &str = "\r\n";

/// [`write`] into a string.
pub fn render(report: &ScanReport) -> String {
    let mut out = Vec::new();
    // Writing to a `Vec` cannot fail, and every cell is a `str`.
    let _ = write(report, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// One record per finding, each written as soon as it is made.
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut record = String::new();
    push_record(&mut record, COLUMNS.iter().copied());
    out.write_all(record.as_bytes())?;
    for f in rows(report) {
        record.clear();
        push_record(&mut record, row(f).iter().map(|c| c.as_ref()));
        out.write_all(record.as_bytes())?;
    }
    Ok(())
}

/// The findings with a row: the current ones, then the baseline's gone ones.
fn rows<'a>(report: &'a ScanReport) -> impl Iterator<Item = &'a Finding> {
    report.findings.iter().chain(report.absent.iter())
}

/// One finding's cells, in [`COLUMNS`] order, borrowed where they can be.
fn row(f: &Finding) -> [Cow<'_, str>; 16] {
    let related: Vec<&str> = f.related.iter().map(|r| r.id.as_str()).collect();
    let muted = f.muted.as_ref();
    [
        Cow::Borrowed(f.check.as_str()),
        Cow::Borrowed(f.severity.as_str()),
        Cow::Borrowed(f.status.as_str()),
        Cow::Borrowed(f.account.as_str()),
        Cow::Borrowed(f.region.as_str()),
        Cow::Borrowed(f.resource.resource_type.as_str()),
        Cow::Borrowed(f.resource.id.as_str()),
        opt(f.resource.arn.as_deref()),
        opt(f.resource.name.as_deref()),
        Cow::Borrowed(f.title.as_str()),
        Cow::Borrowed(f.message.as_str()),
        Cow::Owned(related.join(" ")),
        opt(f.baseline.map(|b| b.as_str())),
        opt(muted.map(|m| m.reason.as_str())),
        opt(muted.and_then(|m| m.expires.as_deref())),
        Cow::Borrowed(f.fingerprint.as_str()),
    ]
}

/// An optional cell: empty when absent.
fn opt(s: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(s.unwrap_or_default())
}

pub(crate) fn push_record<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str(EOL);
}

/// Whether a spreadsheet could read a cell starting with this as a formula.
fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// One field: defused, then quoted when it must be.
fn push_cell(out: &mut String, cell: &str) {
    let defuse = formula_like(cell);
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if defuse {
        out.push('\'');
    }
    if quote {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{BaselineState, Muted, Resource, Severity, Status};

    fn cell(text: &str) -> String {
        let mut out = String::new();
        push_cell(&mut out, text);
        out
    }

    fn finding(name: &str) -> Finding {
        Finding {
            check: "egress-world-open".into(),
            severity: Severity::High,
            status: Status::Fail,
            title: "Egress open to the world".into(),
            message: "sg-1 allows all, to 0.0.0.0/0".into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            resource: Resource {
                resource_type: "AWS::EC2::SecurityGroup".into(),
                id: "sg-1".into(),
                arn: None,
                name: Some(name.into()),
            },
            related: vec![
                Resource {
                    resource_type: "AWS::EC2::VPC".into(),
                    id: "vpc-1".into(),
                    arn: Some("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1".into()),
                    name: None,
                },
                Resource {
                    resource_type: "AWS::EC2::Subnet".into(),
                    id: "subnet-1".into(),
                    arn: None,
                    name: None,
                },
            ],
            evidence: vec![],
            remediation: "Narrow it.".into(),
            fingerprint: "0123456789abcdef0123456789abcdef".into(),
            path: None,
            blast_radius: None,
            baseline: None,
            muted: None,
        }
    }

    #[test]
    fn plain_cells_are_written_as_they_are() {
        assert_eq!(cell("sg-1"), "sg-1");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a b;c'd"), "a b;c'd");
        assert_eq!(cell("ünïcode ✓"), "ünïcode ✓");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("\""), "\"\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(cell("cr\ronly"), "\"cr\ronly\"");
    }

    #[test]
    fn formula_starts_get_an_apostrophe() {
        assert_eq!(cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell("+1+1"), "'+1+1");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1:A2)"), "'@SUM(A1:A2)");
        assert_eq!(cell("\t=1"), "'\t=1");
        // Defused and quoted: the apostrophe goes inside the quotes.
        assert_eq!(cell("\r=1"), "\"'\r=1\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        // Only the first character counts.
        assert_eq!(cell("a=1"), "a=1");
        assert_eq!(cell(" =1"), " =1");
        assert_eq!(cell("sg-1"), "sg-1");
    }

    fn report_with<'a>(
        inventory: &'a crate::inventory::Inventory,
        findings: Vec<Finding>,
        absent: Vec<Finding>,
    ) -> ScanReport<'a> {
        ScanReport {
            inventory,
            checks: vec![],
            findings,
            baselined: !absent.is_empty(),
            passed: Vec::new(),
            include_passed: false,

            absent,
            elapsed: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn header_then_findings_then_absent_each_ended_by_crlf() {
        let inventory = crate::inventory::Inventory::new(0);
        let mut muted = finding("=cmd|' /C calc'!A0");
        muted.baseline = Some(BaselineState::Unchanged);
        muted.muted = Some(Muted {
            reason: "accepted, see \"RISK-1\"".into(),
            expires: Some("2099-12-31".into()),
            rule: "vpcaudit.toml, mute #1".into(),
        });
        let mut gone = finding("old");
        gone.baseline = Some(BaselineState::Absent);
        gone.resource.arn = Some("arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1".into());
        let report = report_with(&inventory, vec![muted], vec![gone]);
        let csv = render(&report);
        let records: Vec<&str> = csv.split_terminator("\r\n").collect();
        assert!(csv.ends_with("\r\n"));
        assert_eq!(records.len(), 3, "{csv}");
        assert_eq!(records[0], COLUMNS.join(","));
        assert_eq!(
            records[1],
            "egress-world-open,high,fail,123456789012,eu-west-1,AWS::EC2::SecurityGroup,sg-1,,\
             '=cmd|' /C calc'!A0,Egress open to the world,\"sg-1 allows all, to 0.0.0.0/0\",\
             vpc-1 subnet-1,unchanged,\"accepted, see \"\"RISK-1\"\"\",2099-12-31,\
             0123456789abcdef0123456789abcdef"
        );
        assert_eq!(
            records[2],
            "egress-world-open,high,fail,123456789012,eu-west-1,AWS::EC2::SecurityGroup,sg-1,\
             arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1,old,\
             Egress open to the world,\"sg-1 allows all, to 0.0.0.0/0\",vpc-1 subnet-1,absent,,,\
             0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn no_findings_is_the_header_alone() {
        let inventory = crate::inventory::Inventory::new(0);
        let report = report_with(&inventory, vec![], vec![]);
        assert_eq!(render(&report), format!("{}\r\n", COLUMNS.join(",")));
    }
}
