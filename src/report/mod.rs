//! What the user sees: tables and files. Renderers read a [`ScanReport`] (or the
//! inventory alone) and know nothing of checks or AWS calls.

pub mod asff;
pub mod attack_graph;
pub mod compliance_csv;
pub mod compliance_html;
pub mod compliance_json;
pub mod compliance_md;
pub mod compliance_table;
pub mod diff_json;
pub mod diff_table;
pub mod dot;
pub mod findings_csv;
pub mod findings_json;
pub mod findings_table;
pub mod html;
pub mod intents;
pub mod inventory_summary;
pub mod ocsf;
pub mod reach_dot;
pub mod reach_json;
pub mod reach_table;
pub mod sarif;
pub mod scan_report;
pub mod svg;
pub mod text;
pub mod utc;

pub use scan_report::ScanReport;

use crate::finding;

/// An output format. The doc comments are the command line's help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "aws", derive(clap::ValueEnum))]
pub enum Format {
    /// Findings grouped by severity, for people.
    Table,
    /// `vpcaudit/findings/v1` JSON, for machines.
    Json,
    /// The inventory's resource counts and coverage gaps, without running checks.
    Summary,
    /// One self-contained HTML page: counts, a drawing of the attack paths, blast
    /// radius and the findings (inline CSS and SVG; loads nothing).
    Html,
    /// The attack-path graph as Graphviz DOT (render with `dot -Tsvg`).
    Dot,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// One row per finding, for spreadsheets.
    Csv,
    /// OCSF 1.x Detection Finding (class 2004) objects, as Prowler writes them.
    Ocsf,
    /// AWS Security Finding Format, the `Findings` of Security Hub's
    /// `BatchImportFindings`.
    Asff,
}

impl Format {
    /// The file a format is written to in an output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "vpcaudit.txt",
            Format::Json => "vpcaudit.json",
            Format::Summary => "vpcaudit-summary.txt",
            Format::Html => "vpcaudit.html",
            Format::Dot => "vpcaudit.dot",
            Format::Sarif => "vpcaudit.sarif",
            Format::Csv => "vpcaudit.csv",
            Format::Ocsf => "vpcaudit.ocsf.json",
            Format::Asff => "vpcaudit.asff.json",
        }
    }

    /// Formats for people, which go to standard output even with an output
    /// directory.
    pub fn for_people(self) -> bool {
        matches!(self, Format::Table | Format::Summary)
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("serialising the findings: {0}")]
    Json(serde_json::Error),
    #[error("serialising the SARIF log: {0}")]
    Sarif(serde_json::Error),
    #[error("serialising the OCSF findings: {0}")]
    Ocsf(serde_json::Error),
    #[error("serialising the ASFF findings: {0}")]
    Asff(serde_json::Error),
    /// The writer the report was streamed to failed.
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
}

impl RenderError {
    /// A serialiser's error: the writer's own failure is [`RenderError::Io`], so a
    /// caller can tell a full disk from a document that cannot be written.
    fn serde(kind: fn(serde_json::Error) -> RenderError) -> impl Fn(serde_json::Error) -> Self {
        move |e| {
            if e.is_io() {
                RenderError::Io(e.into())
            } else {
                kind(e)
            }
        }
    }
}

/// `report` in `format`, streamed into `out` (buffered here: `out` may be a bare
/// file). The JSON formats are serialised as they are written, from borrowed
/// findings: no copy of the document is held in memory.
pub fn write(
    report: &ScanReport,
    format: Format,
    colour: bool,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    write_to(report, format, colour, &mut out)?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

/// `report` in `format`. `colour`: the table may use ANSI colours.
pub fn render(report: &ScanReport, format: Format, colour: bool) -> Result<String, RenderError> {
    let mut out = Vec::new();
    write_to(report, format, colour, &mut out)?;
    // Every renderer writes UTF-8 (serde_json and `String`s).
    json_text(out).map_err(RenderError::serde(RenderError::Json))
}

fn write_to(
    report: &ScanReport,
    format: Format,
    colour: bool,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    let text = match format {
        Format::Json => {
            return findings_json::write(report, out).map_err(RenderError::serde(RenderError::Json))
        }
        Format::Sarif => {
            return sarif::write(report, out).map_err(RenderError::serde(RenderError::Sarif))
        }
        Format::Ocsf => {
            return ocsf::write(report, out).map_err(RenderError::serde(RenderError::Ocsf))
        }
        Format::Asff => {
            return asff::write(report, out).map_err(RenderError::serde(RenderError::Asff))
        }
        Format::Csv => return Ok(findings_csv::write(report, out)?),
        Format::Table => findings_table::render(report, colour),
        Format::Summary => inventory_summary::render(report.inventory),
        // Pictures of what is open now: muted (accepted) findings are left out.
        Format::Html => {
            let active: Vec<&finding::Finding> = report.active().collect();
            html::render_refs(report.inventory, &report.check_ids(), &active)
        }
        Format::Dot => dot::render_graph(&attack_graph::AttackGraph::from_paths(
            report.active().filter_map(|f| f.path.as_ref()),
        )),
    };
    Ok(out.write_all(text.as_bytes())?)
}

/// `value` as pretty JSON and a final newline: the shape of every JSON document
/// vpcaudit writes.
pub(crate) fn write_json<T: serde::Serialize>(
    value: &T,
    out: &mut dyn std::io::Write,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// What [`write_json`] wrote, as text (serde_json writes only UTF-8).
pub(crate) fn json_text(out: Vec<u8>) -> Result<String, serde_json::Error> {
    String::from_utf8(out)
        .map_err(|e| serde_json::Error::io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// A JSON array whose items are made one at a time as they are written, from an
/// iterator `F` makes, never collected into a `Vec` first.
pub(crate) struct Items<F>(pub F);

impl<F, I> serde::Serialize for Items<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}
