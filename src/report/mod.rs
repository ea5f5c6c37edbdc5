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
}

/// `report` in `format`. `colour`: the table may use ANSI colours.
pub fn render(report: &ScanReport, format: Format, colour: bool) -> Result<String, RenderError> {
    Ok(match format {
        Format::Table => findings_table::render(report, colour),
        Format::Summary => inventory_summary::render(report.inventory),
        Format::Json => findings_json::render(report).map_err(RenderError::Json)?,
        Format::Sarif => sarif::render(report).map_err(RenderError::Sarif)?,
        Format::Csv => findings_csv::render(report),
        Format::Ocsf => ocsf::render(report).map_err(RenderError::Ocsf)?,
        Format::Asff => asff::render(report).map_err(RenderError::Asff)?,
        // Pictures of what is open now: muted (accepted) findings are left out.
        Format::Html => {
            let active: Vec<_> = report.active().cloned().collect();
            html::render(report.inventory, &report.check_ids(), &active)
        }
        Format::Dot => {
            let active: Vec<_> = report.active().cloned().collect();
            dot::render(&active)
        }
    })
}
