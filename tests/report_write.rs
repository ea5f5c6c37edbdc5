//! `report::write` streams what `report::render` returns: the same bytes for every
//! format, however the writer takes them, and a writer that fails part-way gives a
//! `RenderError::Io`, never a panic or a half-reported success.

use std::io::{self, Write};
use std::time::Instant;

use vpcaudit::config::mute::Date;
use vpcaudit::finding::{BaselineState, Muted};
use vpcaudit::inventory::Inventory;
use vpcaudit::report::{render, write, Format, RenderError, ScanReport};
use vpcaudit::scan::{Compare, Plan, Settings};

const FORMATS: [Format; 9] = [
    Format::Table,
    Format::Json,
    Format::Summary,
    Format::Html,
    Format::Dot,
    Format::Sarif,
    Format::Csv,
    Format::Ocsf,
    Format::Asff,
];

/// Stops compiling when a format is added, until it joins [`FORMATS`].
#[allow(dead_code)]
fn every_format_is_listed(f: Format) {
    match f {
        Format::Table
        | Format::Json
        | Format::Summary
        | Format::Html
        | Format::Dot
        | Format::Sarif
        | Format::Csv
        | Format::Ocsf
        | Format::Asff => {}
    }
}

fn demo() -> Inventory {
    vpcaudit::demo::inventory().expect("the built-in demo loads")
}

/// The demo's report with every part a renderer reads filled in: passes, a muted
/// finding, and (as if a baseline had been compared) new, unchanged and absent ones.
fn full_report(inventory: &Inventory) -> ScanReport<'_> {
    let settings = Settings::default();
    let plan = Plan::new(settings, &[], &[]).expect("every check");
    let compare = Compare {
        include_passed: true,
        ..Compare::default()
    };
    let today = Date {
        year: 2026,
        month: 12,
        day: 6,
    };
    let mut report = plan.run(inventory, compare, today, Instant::now()).report;
    assert!(report.findings.len() > 3, "the demo has findings");
    assert!(!report.passed.is_empty(), "the demo has passes");
    let mut gone = report.findings.pop().expect("a finding");
    gone.baseline = Some(BaselineState::Absent);
    report.absent.push(gone);
    for (i, f) in report.findings.iter_mut().enumerate() {
        f.baseline = Some(if i % 2 == 0 {
            BaselineState::New
        } else {
            BaselineState::Unchanged
        });
    }
    report.findings[1].muted = Some(Muted {
        reason: "accepted".into(),
        expires: Some("2099-01-31".into()),
        rule: "vpcaudit.toml, mute #1".into(),
    });
    report.baselined = true;
    report
}

/// Takes at most `chunk` bytes per call, as a pipe or socket may.
struct Trickle {
    chunk: usize,
    bytes: Vec<u8>,
}

impl Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Accepts `limit` bytes, then fails every write (a full disk).
struct FailsAfter {
    limit: usize,
    bytes: Vec<u8>,
}

impl Write for FailsAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit - self.bytes.len();
        if room == 0 {
            return Err(io::Error::other("no space left"));
        }
        let n = buf.len().min(room);
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn assert_write_matches_render(report: &ScanReport) {
    for format in FORMATS {
        for colour in [false, true] {
            let rendered = render(report, format, colour).expect("render");
            assert!(!rendered.is_empty(), "{format:?}");
            for chunk in [1, 7, 4096, usize::MAX] {
                let mut out = Trickle {
                    chunk,
                    bytes: Vec::new(),
                };
                write(report, format, colour, &mut out).expect("write");
                assert!(
                    out.bytes == rendered.as_bytes(),
                    "{format:?} (colour {colour}, {chunk}-byte writes): write and render differ"
                );
            }
        }
    }
}

#[test]
fn write_and_render_agree_on_the_demo() {
    let inventory = demo();
    let settings = Settings::default();
    let plan = Plan::new(settings, &[], &[]).expect("every check");
    let today = Date {
        year: 2026,
        month: 12,
        day: 6,
    };
    let report = plan
        .run(&inventory, Compare::default(), today, Instant::now())
        .report;
    assert_write_matches_render(&report);
}

#[test]
fn write_and_render_agree_with_passes_mutes_and_a_baseline() {
    let inventory = demo();
    assert_write_matches_render(&full_report(&inventory));
}

#[test]
fn a_writer_failing_part_way_gives_an_io_error() {
    let inventory = demo();
    let report = full_report(&inventory);
    for format in FORMATS {
        let whole = render(&report, format, false).expect("render");
        let len = whole.len();
        for limit in [0, 1, 100, len / 2, len - 1] {
            let mut out = FailsAfter {
                limit,
                bytes: Vec::new(),
            };
            match write(&report, format, false, &mut out) {
                Err(RenderError::Io(e)) => {
                    assert_eq!(e.to_string(), "no space left", "{format:?} at {limit}")
                }
                Err(other) => panic!("{format:?} at {limit}: not an I/O error: {other}"),
                Ok(()) => panic!("{format:?} at {limit}: a failed write reported success"),
            }
            // What did get through is the start of the document, nothing else.
            assert!(
                whole.as_bytes().starts_with(&out.bytes),
                "{format:?} at {limit}"
            );
        }
        let mut out = FailsAfter {
            limit: len,
            bytes: Vec::new(),
        };
        write(&report, format, false, &mut out).expect("exactly enough room");
        assert!(out.bytes == whole.as_bytes(), "{format:?}");
    }
}
