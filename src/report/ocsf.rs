//! The findings as OCSF Detection Findings (class 2004, category 2 "Findings"), a
//! JSON array of one object per finding in the shape Prowler writes with
//! `py-ocsf-models` (which models OCSF [`OCSF_VERSION`]): `metadata.event_code` is
//! the check id, `status_code` is `FAIL`, `MANUAL` (unknown: someone has to look)
//! or `PASS`, and `status_id` is the workflow state, `New`, or `Suppressed` for a
//! muted finding, whose mute `status_detail` explains.
//!
//! `finding_info.uid` is the finding's fingerprint, so importing a later scan
//! updates a finding instead of adding a second one. Times are the inventory's
//! `collected_at` (OCSF `timestamp_t` is milliseconds), never the clock: the same
//! report always gives the same document. Current findings (muted ones included)
//! come first, then the passes of `--include-passed`; a baseline's gone findings
//! are not current and are left out.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::{
    AttackPath, BlastRadius, Evidence, Finding, Meta, Resource, Severity, Status,
};

use super::scan_report::ScanReport;

/// The OCSF schema version the objects follow: the one `py-ocsf-models` 0.10
/// models, which validates them in the tests.
pub const OCSF_VERSION: &str = "1.5.0";
const PRODUCT: &str = "vpcaudit";
const CATEGORY_UID: u32 = 2;
const CATEGORY_NAME: &str = "Findings";
const CLASS_UID: u32 = 2004;
const CLASS_NAME: &str = "Detection Finding";
/// `activity_id` 1: a finding was created (every scan reports its findings anew).
const ACTIVITY_CREATE: u32 = 1;
/// OCSF `account.type_id` 10.
const AWS_ACCOUNT: (u32, &str) = (10, "AWS Account");
/// OCSF `analytic.type_id` 1: a check is a rule.
const ANALYTIC_RULE: (u32, &str) = (1, "Rule");
/// An ASFF-style finding type (Prowler's default); standards a check maps to add
/// their own.
const TYPE_BEST_PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";
const TYPE_CIS: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
const TYPE_FSBP: &str = "Software and Configuration Checks/Industry and Regulatory Standards/AWS Foundational Security Best Practices";

pub fn render(report: &ScanReport) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    write(report, &mut out)?;
    super::json_text(out)
}

/// The objects, each made as it is written into `out`.
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> Result<(), serde_json::Error> {
    let time = Time::of(report.inventory.collected_at);
    let objects = super::Items(|| {
        report
            .findings
            .iter()
            .chain(&report.passed)
            .map(|f| detection_finding(f, report.meta(&f.check), &time))
    });
    super::write_json(&objects, out)
}

/// The event time in both of OCSF's forms (the datetime profile).
struct Time {
    /// Milliseconds since the Unix epoch.
    ms: u64,
    /// RFC 3339, UTC.
    dt: String,
}

impl Time {
    fn of(collected_at: u64) -> Time {
        Time {
            ms: collected_at.saturating_mul(1000),
            dt: super::utc::rfc3339(collected_at),
        }
    }
}

fn detection_finding<'a>(
    f: &'a Finding,
    meta: Option<&'a Meta>,
    time: &Time,
) -> DetectionFinding<'a> {
    let (severity_id, severity) = severity(f.severity);
    let (status_id, status) = workflow_status(f);
    DetectionFinding {
        metadata: Metadata {
            version: OCSF_VERSION,
            product: Product {
                uid: PRODUCT,
                name: PRODUCT,
                vendor_name: PRODUCT,
                version: env!("CARGO_PKG_VERSION"),
            },
            event_code: &f.check,
            profiles: ["cloud", "datetime"],
        },
        category_uid: CATEGORY_UID,
        category_name: CATEGORY_NAME,
        class_uid: CLASS_UID,
        class_name: CLASS_NAME,
        activity_id: ACTIVITY_CREATE,
        activity_name: "Create",
        type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
        type_name: "Detection Finding: Create",
        time: time.ms,
        time_dt: time.dt.clone(),
        severity_id,
        severity,
        status_id,
        status,
        status_code: status_code(f.status),
        status_detail: status_detail(f),
        message: &f.message,
        finding_info: FindingInfo {
            uid: &f.fingerprint,
            title: &f.title,
            desc: &f.message,
            types: meta.map(types),
            created_time: time.ms,
            created_time_dt: time.dt.clone(),
            analytic: meta.map(|m| Analytic {
                uid: &m.id,
                name: &m.title,
                desc: &m.description,
                type_id: ANALYTIC_RULE.0,
                type_name: ANALYTIC_RULE.1,
            }),
        },
        cloud: Cloud {
            provider: "AWS",
            region: non_empty(&f.region),
            account: non_empty(&f.account).map(|uid| Account {
                // Accounts have no name in the inventory: AWS shows the id.
                name: uid,
                uid,
                type_id: AWS_ACCOUNT.0,
                type_name: AWS_ACCOUNT.1,
            }),
        },
        resources: [resource(f, meta)],
        remediation: remediation(f, meta),
        risk_details: meta.and_then(|m| non_empty(&m.rationale)),
        unmapped: meta.and_then(unmapped),
    }
}

fn resource<'a>(f: &'a Finding, meta: Option<&'a Meta>) -> ResourceDetails<'a> {
    let r = &f.resource;
    let data = ResourceData {
        evidence: &f.evidence,
        related: &f.related,
        path: f.path.as_ref(),
        blast_radius: f.blast_radius.as_ref(),
    };
    ResourceDetails {
        uid: r.arn.as_deref().unwrap_or(&r.id),
        // Resources without a Name tag go by their id, as the AWS console shows them.
        name: r.name.as_deref().unwrap_or(&r.id),
        type_name: &r.resource_type,
        region: non_empty(&f.region),
        cloud_partition: partition(r, &f.region),
        group: meta.map(|m| Group { name: &m.service }),
        data: (!data.is_empty()).then_some(data),
    }
}

fn remediation<'a>(f: &'a Finding, meta: Option<&'a Meta>) -> Option<Remediation<'a>> {
    // Passes carry no remediation of their own: the check's text still says what
    // keeps the resource passing.
    let desc =
        non_empty(&f.remediation).or_else(|| meta.and_then(|m| non_empty(&m.remediation.text)))?;
    Some(Remediation {
        desc,
        references: meta
            .map(|m| m.references.as_slice())
            .filter(|r| !r.is_empty()),
    })
}

fn types(meta: &Meta) -> Vec<&'static str> {
    let mut out = vec![TYPE_BEST_PRACTICES];
    let maps_to = |framework: &str| meta.compliance.iter().any(|c| c.framework == framework);
    if maps_to("cis-aws-5.0") {
        out.push(TYPE_CIS);
    }
    if maps_to("fsbp") {
        out.push(TYPE_FSBP);
    }
    out
}

/// The compliance controls a check decides (from `compliance/<framework>.toml`),
/// by framework id, where Prowler puts them: OCSF's Detection Finding has no field
/// for them.
fn unmapped(meta: &Meta) -> Option<Unmapped<'_>> {
    let mut compliance: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in &meta.compliance {
        compliance
            .entry(c.framework.as_str())
            .or_default()
            .push(c.control.as_str());
    }
    (!compliance.is_empty()).then_some(Unmapped { compliance })
}

/// OCSF `severity_id` and its caption.
fn severity(s: Severity) -> (u32, &'static str) {
    match s {
        Severity::Critical => (5, "Critical"),
        Severity::High => (4, "High"),
        Severity::Medium => (3, "Medium"),
        Severity::Low => (2, "Low"),
        Severity::Info => (1, "Informational"),
    }
}

/// The check's verdict as Prowler spells it. `unknown` (the engine could not
/// decide) is Prowler's `MANUAL`: a person has to look.
fn status_code(s: Status) -> &'static str {
    match s {
        Status::Fail => "FAIL",
        Status::Unknown => "MANUAL",
        Status::Pass => "PASS",
    }
}

/// OCSF `status_id` and its caption: the finding's workflow state. A muted finding
/// is an accepted exception, `Suppressed` (3); any other is `New` (1), as Prowler
/// reports every result.
fn workflow_status(f: &Finding) -> (u32, &'static str) {
    if f.muted.is_some() {
        (3, "Suppressed")
    } else {
        (1, "New")
    }
}

/// Why the status is what it is: the finding's message, or for a muted finding the
/// mute (its rule, reason and expiry).
fn status_detail(f: &Finding) -> String {
    match &f.muted {
        Some(m) => {
            let until = m
                .expires
                .as_deref()
                .map(|d| format!(", until {d}"))
                .unwrap_or_default();
            format!("muted by {}{until}: {}", m.rule, m.reason)
        }
        None => f.message.clone(),
    }
}

/// The AWS partition of a resource: from its ARN, else from its region's name.
fn partition<'a>(r: &'a Resource, region: &str) -> Option<&'a str> {
    if let Some(p) = r
        .arn
        .as_deref()
        .and_then(|a| a.strip_prefix("arn:"))
        .and_then(|a| a.split(':').next())
    {
        return non_empty(p);
    }
    if region.is_empty() {
        None
    } else if region.starts_with("cn-") {
        Some("aws-cn")
    } else if region.starts_with("us-gov-") {
        Some("aws-us-gov")
    } else {
        Some("aws")
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

// The OCSF objects, fields in the order OCSF's schema browser lists them. Names
// are OCSF's; `type` is a Rust keyword, hence the renames.

#[derive(Serialize)]
struct DetectionFinding<'a> {
    metadata: Metadata<'a>,
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    time: u64,
    time_dt: String,
    severity_id: u32,
    severity: &'static str,
    status_id: u32,
    status: &'static str,
    status_code: &'static str,
    status_detail: String,
    message: &'a str,
    finding_info: FindingInfo<'a>,
    cloud: Cloud<'a>,
    resources: [ResourceDetails<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<Remediation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk_details: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unmapped: Option<Unmapped<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: Product,
    event_code: &'a str,
    profiles: [&'static str; 2],
}

#[derive(Serialize)]
struct Product {
    uid: &'static str,
    name: &'static str,
    vendor_name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: &'a str,
    title: &'a str,
    desc: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    types: Option<Vec<&'static str>>,
    created_time: u64,
    created_time_dt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    analytic: Option<Analytic<'a>>,
}

#[derive(Serialize)]
struct Analytic<'a> {
    uid: &'a str,
    name: &'a str,
    desc: &'a str,
    type_id: u32,
    #[serde(rename = "type")]
    type_name: &'static str,
}

#[derive(Serialize)]
struct Cloud<'a> {
    provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<Account<'a>>,
}

#[derive(Serialize)]
struct Account<'a> {
    uid: &'a str,
    name: &'a str,
    type_id: u32,
    #[serde(rename = "type")]
    type_name: &'static str,
}

#[derive(Serialize)]
struct ResourceDetails<'a> {
    uid: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    type_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloud_partition: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<Group<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<ResourceData<'a>>,
}

#[derive(Serialize)]
struct Group<'a> {
    name: &'a str,
}

/// What the finding knows beyond OCSF's fields, as the findings JSON spells it.
#[derive(Serialize)]
struct ResourceData<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    evidence: &'a [Evidence],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    related: &'a [Resource],
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a AttackPath>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blast_radius: Option<&'a BlastRadius>,
}

impl ResourceData<'_> {
    fn is_empty(&self) -> bool {
        self.evidence.is_empty()
            && self.related.is_empty()
            && self.path.is_none()
            && self.blast_radius.is_none()
    }
}

#[derive(Serialize)]
struct Remediation<'a> {
    desc: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    references: Option<&'a [String]>,
}

#[derive(Serialize)]
struct Unmapped<'a> {
    /// Framework id -> control ids.
    compliance: BTreeMap<&'a str, Vec<&'a str>>,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::finding::{BaselineState, Muted};
    use crate::inventory::Inventory;

    /// A real check's metadata, with one control as the registry fills it in from
    /// the frameworks.
    fn flow_logs() -> Meta {
        let mut m =
            Meta::parse(include_str!("../../checks/flow-logs-disabled.toml")).expect("metadata");
        m.compliance = vec![crate::finding::ControlRef {
            framework: "cis-aws-5.0".into(),
            framework_title: "CIS Amazon Web Services Foundations Benchmark 5.0.0".into(),
            control: "3.7".into(),
        }];
        m
    }

    fn finding(status: Status, id: &str) -> Finding {
        let mut f = Finding::sample("flow-logs-disabled", "AWS::EC2::VPC", id);
        f.status = status;
        f.severity = Severity::Medium;
        f.title = "VPC flow logs disabled".into();
        f.message = format!("{id} has no flow log");
        f.account = "123456789012".into();
        f.region = "eu-west-1".into();
        f.resource.arn = Some(format!("arn:aws:ec2:eu-west-1:123456789012:vpc/{id}"));
        f.fingerprint = format!("fp-{id}");
        f
    }

    fn render_objects(
        findings: Vec<Finding>,
        passed: Vec<Finding>,
        absent: Vec<Finding>,
    ) -> Vec<Value> {
        let inventory = Inventory::new(1_709_164_800);
        let report = ScanReport {
            inventory: &inventory,
            checks: vec![flow_logs()],
            findings,
            include_passed: !passed.is_empty(),
            passed,
            baselined: !absent.is_empty(),
            absent,
            elapsed: std::time::Duration::from_secs(3),
        };
        let out = render(&report).expect("render");
        assert!(out.ends_with("]\n"), "{out}");
        match serde_json::from_str(&out).expect("JSON") {
            Value::Array(objects) => objects,
            other => panic!("not an array: {other}"),
        }
    }

    #[test]
    fn severities_map_to_ocsf_ids_and_captions() {
        let got: Vec<(u32, &str)> = Severity::ALL.iter().map(|s| severity(*s)).collect();
        assert_eq!(
            got,
            [
                (5, "Critical"),
                (4, "High"),
                (3, "Medium"),
                (2, "Low"),
                (1, "Informational")
            ]
        );
    }

    #[test]
    fn statuses_map_to_prowlers_codes_and_mutes_to_suppressed() {
        assert_eq!(status_code(Status::Fail), "FAIL");
        assert_eq!(status_code(Status::Unknown), "MANUAL");
        assert_eq!(status_code(Status::Pass), "PASS");
        let mut f = finding(Status::Fail, "vpc-1");
        assert_eq!(workflow_status(&f), (1, "New"));
        assert_eq!(status_detail(&f), "vpc-1 has no flow log");
        f.muted = Some(Muted {
            reason: "sandbox, no logs needed".into(),
            expires: Some("2099-12-31".into()),
            rule: "vpcaudit.toml, mute #2".into(),
        });
        assert_eq!(workflow_status(&f), (3, "Suppressed"));
        assert_eq!(
            status_detail(&f),
            "muted by vpcaudit.toml, mute #2, until 2099-12-31: sandbox, no logs needed"
        );
        f.muted.as_mut().expect("muted").expires = None;
        assert_eq!(
            status_detail(&f),
            "muted by vpcaudit.toml, mute #2: sandbox, no logs needed"
        );
    }

    #[test]
    fn times_are_rfc3339_utc() {
        for (secs, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_164_800, "2024-02-29T00:00:00Z"),
            (1_735_689_599, "2024-12-31T23:59:59Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
        ] {
            assert_eq!(super::super::utc::rfc3339(secs), want, "{secs}");
        }
        let t = Time::of(1_709_164_800);
        assert_eq!(t.ms, 1_709_164_800_000);
    }

    #[test]
    fn partitions_come_from_the_arn_then_the_region() {
        let mut r = Finding::sample("c", "AWS::EC2::VPC", "vpc-1").resource;
        assert_eq!(partition(&r, "cn-north-1"), Some("aws-cn"));
        assert_eq!(partition(&r, "us-gov-west-1"), Some("aws-us-gov"));
        assert_eq!(partition(&r, "eu-west-1"), Some("aws"));
        assert_eq!(partition(&r, ""), None);
        r.arn = Some("arn:aws-cn:ec2:cn-north-1:123456789012:vpc/vpc-1".into());
        assert_eq!(partition(&r, "eu-west-1"), Some("aws-cn"));
    }

    #[test]
    fn one_detection_finding_per_current_finding_then_per_pass() {
        let mut muted = finding(Status::Fail, "vpc-2");
        muted.muted = Some(Muted {
            reason: "accepted".into(),
            expires: None,
            rule: "mutes.toml, mute #1".into(),
        });
        muted.baseline = Some(BaselineState::Unchanged);
        let mut unknown = finding(Status::Unknown, "vpc-3");
        unknown.severity = Severity::High;
        let mut pass = finding(Status::Pass, "vpc-4");
        pass.remediation = String::new();
        let mut absent = finding(Status::Fail, "vpc-gone");
        absent.baseline = Some(BaselineState::Absent);
        let mut fail = finding(Status::Fail, "vpc-1");
        fail.remediation = "Create a flow log.".into();
        fail.evidence = vec![Evidence {
            component: "vpc-1".into(),
            detail: "no flow log".into(),
        }];

        let objects = render_objects(vec![fail, muted, unknown], vec![pass], vec![absent]);
        let uids: Vec<&str> = objects
            .iter()
            .map(|o| o["finding_info"]["uid"].as_str().expect("uid"))
            .collect();
        assert_eq!(uids, ["fp-vpc-1", "fp-vpc-2", "fp-vpc-3", "fp-vpc-4"]);
        let column = |key: &str| -> Vec<Value> { objects.iter().map(|o| o[key].clone()).collect() };
        assert_eq!(column("status_code"), ["FAIL", "FAIL", "MANUAL", "PASS"]);
        assert_eq!(column("status_id"), [1, 3, 1, 1]);
        assert_eq!(column("severity_id"), [3, 3, 4, 3]);
        for o in &objects {
            assert_eq!(o["class_uid"], 2004);
            assert_eq!(o["category_uid"], 2);
            assert_eq!(o["activity_id"], 1);
            assert_eq!(o["type_uid"], 200_401);
            assert_eq!(o["time"], 1_709_164_800_000_u64);
            assert_eq!(o["time_dt"], "2024-02-29T00:00:00Z");
            assert_eq!(o["metadata"]["version"], OCSF_VERSION);
            assert_eq!(o["metadata"]["event_code"], "flow-logs-disabled");
            assert_eq!(
                o["metadata"]["product"]["version"],
                env!("CARGO_PKG_VERSION")
            );
            assert_eq!(o["cloud"]["account"]["uid"], "123456789012");
            assert_eq!(o["cloud"]["region"], "eu-west-1");
            assert_eq!(o["resources"][0]["cloud_partition"], "aws");
            assert_eq!(o["resources"][0]["group"]["name"], "vpc");
            assert_eq!(o["unmapped"]["compliance"]["cis-aws-5.0"][0], "3.7");
        }
        let fail = &objects[0];
        assert_eq!(
            fail["resources"][0]["uid"],
            "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1"
        );
        assert_eq!(fail["resources"][0]["name"], "vpc-1", "nameless: the id");
        assert_eq!(
            fail["resources"][0]["data"]["evidence"][0]["detail"],
            "no flow log"
        );
        assert_eq!(fail["remediation"]["desc"], "Create a flow log.");
        assert_eq!(fail["finding_info"]["desc"], "vpc-1 has no flow log");
        assert_eq!(fail["status_detail"], "vpc-1 has no flow log");
        assert_eq!(
            objects[1]["status_detail"],
            "muted by mutes.toml, mute #1: accepted"
        );
        // A pass has no evidence and no remediation of its own: the check's text.
        let pass = &objects[3];
        assert!(pass["resources"][0].get("data").is_none(), "{pass}");
        assert_eq!(pass["remediation"]["desc"], flow_logs().remediation.text);
        assert_eq!(
            pass["remediation"]["references"][0],
            "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"
        );
    }

    #[test]
    fn a_failed_check_has_no_account_region_or_partition() {
        let mut failed = Finding::sample(
            "flow-logs-disabled",
            crate::finding::CHECK_FAILED_TYPE,
            "flow-logs-disabled",
        );
        failed.fingerprint = "fp".into();
        let objects = render_objects(vec![failed], Vec::new(), Vec::new());
        let o = &objects[0];
        assert_eq!(o["status_code"], "MANUAL");
        assert_eq!(o["cloud"], serde_json::json!({"provider": "AWS"}));
        let r = &o["resources"][0];
        assert_eq!(r["uid"], "flow-logs-disabled");
        assert!(
            r.get("region").is_none() && r.get("cloud_partition").is_none(),
            "{r}"
        );
    }

    #[test]
    fn a_finding_of_a_check_that_did_not_run_keeps_the_required_fields() {
        let mut f = finding(Status::Fail, "vpc-1");
        f.check = "not-a-check".into();
        let objects = render_objects(vec![f], Vec::new(), Vec::new());
        let o = &objects[0];
        assert_eq!(o["metadata"]["event_code"], "not-a-check");
        for key in ["risk_details", "unmapped", "remediation"] {
            assert!(o.get(key).is_none(), "{key}: {o}");
        }
        assert!(o["finding_info"].get("types").is_none());
        assert!(o["finding_info"].get("analytic").is_none());
        assert_eq!(o["finding_info"]["title"], "VPC flow logs disabled");
    }

    #[test]
    fn no_findings_is_an_empty_array() {
        assert!(render_objects(Vec::new(), Vec::new(), Vec::new()).is_empty());
    }
}
