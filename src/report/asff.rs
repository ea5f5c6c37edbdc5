//! AWS Security Finding Format (ASFF): the `Findings` list of Security Hub's
//! `BatchImportFindings`, as a JSON array. `scan --security-hub` imports these same
//! objects ([`findings`]).
//!
//! - `Id` is `vpcaudit/<fingerprint>`: the same finding keeps its id from run to
//!   run, so a re-import updates it instead of adding a duplicate.
//! - `ProductArn` is the account's own "default" product (a custom integration),
//!   the one a finding of the account may be imported under.
//! - `CreatedAt`/`UpdatedAt` are the inventory's collection time: the same report
//!   always gives the same document.
//! - Current findings (muted ones `SUPPRESSED`), then with `--include-passed` the
//!   passes (`Compliance.Status` `PASSED`). The baseline's findings that are gone
//!   are not findings any more: `--security-hub` archives them instead.
//! - A finding with no AWS account or region (a Kubernetes cluster read through a
//!   kubeconfig, a check that failed) cannot be imported and is left out
//!   ([`Asff::unplaced`] counts them).
//! - Texts are cut to ASFF's limits at a character boundary, and people-facing
//!   ones (title, description, recommendation) have control, bidi and invisible
//!   characters made visible, as every other report does.

use std::collections::BTreeMap;

use serde::Serialize;

use super::scan_report::ScanReport;
use super::text;
use super::utc;
use crate::finding::{Finding, Meta, Resource, Severity, Status};

pub const SCHEMA_VERSION: &str = "2018-10-08";
/// Prefix of every `Id` and `GeneratorId` vpcaudit writes: how `--security-hub`
/// tells its own findings from other products'.
pub const ID_PREFIX: &str = "vpcaudit/";
/// ASFF's limits, in characters (the `BatchImportFindings` documentation).
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;
const MAX_PRODUCT_FIELD_VALUE: usize = 2048;
const MAX_RESOURCES: usize = 32;
/// "Software and Configuration Checks/AWS Security Best Practices" and a
/// classifier, for checks about what can reach what.
const TYPE_BEST_PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";
const TYPE_REACHABILITY: &str =
    "Software and Configuration Checks/AWS Security Best Practices/Network Reachability";
/// Checks about logging, deletion protection and zonal resilience: best practices,
/// but not about network reachability.
const NOT_REACHABILITY: &[&str] = &[
    "dns-query-logging-disabled",
    "firewall-delete-protection-disabled",
    "firewall-endpoint-missing-az",
    "firewall-logging-disabled",
    "flow-logs-disabled",
    "vpc-endpoint-missing-az",
];

/// The ASFF objects of a report, and how many findings could not be placed.
pub struct Asff {
    pub findings: Vec<AsffFinding>,
    /// Findings without an AWS account or region, left out.
    pub unplaced: usize,
}

/// One `AwsSecurityFinding`, with the fields vpcaudit sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    pub schema_version: &'static str,
    pub id: String,
    pub product_arn: String,
    pub product_name: &'static str,
    pub company_name: &'static str,
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<AsffRemediation>,
    pub product_fields: BTreeMap<String, String>,
    pub resources: Vec<AsffResource>,
    pub compliance: AsffCompliance,
    pub record_state: RecordState,
    pub workflow: AsffWorkflow,
    pub finding_provider_fields: AsffProviderFields,
    /// The region Security Hub keeps the finding in (that of the resource). Not an
    /// ASFF field to send: Security Hub sets it from the endpoint.
    #[serde(skip)]
    pub region: String,
    /// The check that reported it.
    #[serde(skip)]
    pub check: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    pub label: &'static str,
    /// vpcaudit's own severity.
    pub original: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRemediation {
    pub recommendation: AsffRecommendation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRecommendation {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResource {
    #[serde(rename = "Type")]
    pub resource_type: &'static str,
    pub id: String,
    pub partition: &'static str,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffCompliance {
    pub status: ComplianceStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    Passed,
    Warning,
    Failed,
    NotAvailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordState {
    Active,
    Archived,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffWorkflow {
    pub status: WorkflowStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowStatus {
    New,
    Suppressed,
    Resolved,
}

impl ComplianceStatus {
    /// Its ASFF spelling (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceStatus::Passed => "PASSED",
            ComplianceStatus::Warning => "WARNING",
            ComplianceStatus::Failed => "FAILED",
            ComplianceStatus::NotAvailable => "NOT_AVAILABLE",
        }
    }
}

impl RecordState {
    /// Its ASFF spelling (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Active => "ACTIVE",
            RecordState::Archived => "ARCHIVED",
        }
    }
}

impl WorkflowStatus {
    /// Its ASFF spelling (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowStatus::New => "NEW",
            WorkflowStatus::Suppressed => "SUPPRESSED",
            WorkflowStatus::Resolved => "RESOLVED",
        }
    }
}

/// What the provider says about severity and type: Security Hub copies it to the
/// top-level fields unless someone changed those with `BatchUpdateFindings`, so a
/// re-import still updates a finding nobody triaged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffProviderFields {
    pub severity: AsffSeverity,
    pub types: Vec<String>,
}

/// The JSON array of [`findings`], each object made as it is written into `out`.
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> Result<(), serde_json::Error> {
    let at = utc::rfc3339(report.inventory.collected_at);
    let objects = super::Items(|| {
        report
            .findings
            .iter()
            .chain(&report.passed)
            .filter(|f| placed(f))
            .map(|f| finding(f, report.meta(&f.check), &at))
    });
    super::write_json(&objects, out)
}

/// The report's findings, then its passes, as ASFF.
pub fn findings(report: &ScanReport) -> Asff {
    let at = utc::rfc3339(report.inventory.collected_at);
    let mut out = Asff {
        findings: Vec::with_capacity(report.findings.len() + report.passed.len()),
        unplaced: 0,
    };
    for f in report.findings.iter().chain(&report.passed) {
        if !placed(f) {
            out.unplaced += 1;
            continue;
        }
        out.findings.push(finding(f, report.meta(&f.check), &at));
    }
    out
}

/// Whether Security Hub can hold the finding: it needs an AWS account and region,
/// and a check that failed is about vpcaudit, not the account.
fn placed(f: &Finding) -> bool {
    !(f.account.is_empty() || f.region.is_empty() || f.is_check_failure())
}

/// The ARN of the account's "default" product: findings a customer writes
/// themselves (a custom integration).
pub fn product_arn(account: &str, region: &str) -> String {
    format!(
        "arn:{}:securityhub:{region}:{account}:product/{account}/default",
        partition(region)
    )
}

fn finding(f: &Finding, meta: Option<&Meta>, at: &str) -> AsffFinding {
    let severity = AsffSeverity {
        // Security Hub's own passed control findings are informational.
        label: if f.status == Status::Pass {
            "INFORMATIONAL"
        } else {
            label(f.severity)
        },
        original: f.severity.as_str(),
    };
    let types = vec![if NOT_REACHABILITY.contains(&f.check.as_str()) {
        TYPE_BEST_PRACTICES.to_string()
    } else {
        TYPE_REACHABILITY.to_string()
    }];
    let title = if f.title.is_empty() {
        f.check.clone()
    } else {
        f.title.clone()
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION,
        id: format!("{ID_PREFIX}{}", f.fingerprint),
        product_arn: product_arn(&f.account, &f.region),
        product_name: "vpcaudit",
        company_name: "vpcaudit",
        generator_id: format!("{ID_PREFIX}{}", f.check),
        aws_account_id: f.account.clone(),
        types: types.clone(),
        created_at: at.to_string(),
        updated_at: at.to_string(),
        severity: severity.clone(),
        title: shown(&title, MAX_TITLE),
        description: cut(&description(f, &title), MAX_DESCRIPTION),
        remediation: remediation(f, meta),
        product_fields: product_fields(f),
        resources: resources(f),
        compliance: AsffCompliance {
            status: match f.status {
                Status::Fail => ComplianceStatus::Failed,
                Status::Unknown => ComplianceStatus::Warning,
                Status::Pass => ComplianceStatus::Passed,
            },
        },
        record_state: RecordState::Active,
        workflow: AsffWorkflow {
            status: match (f.status, &f.muted) {
                (_, Some(_)) => WorkflowStatus::Suppressed,
                (Status::Pass, None) => WorkflowStatus::Resolved,
                _ => WorkflowStatus::New,
            },
        },
        finding_provider_fields: AsffProviderFields { severity, types },
        region: f.region.clone(),
        check: f.check.clone(),
    }
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// The message, then the evidence one line per component: each part made
/// visible, the line breaks between them vpcaudit's own.
fn description(f: &Finding, title: &str) -> String {
    let mut out = text::visible(if f.message.is_empty() {
        title
    } else {
        &f.message
    })
    .into_owned();
    for e in &f.evidence {
        out.push('\n');
        out.push_str(&text::visible(&e.component));
        out.push_str(": ");
        out.push_str(&text::visible(&e.detail));
    }
    out
}

fn remediation(f: &Finding, meta: Option<&Meta>) -> Option<AsffRemediation> {
    let text = if f.remediation.is_empty() {
        meta.map(|m| m.remediation.text.clone())?
    } else {
        f.remediation.clone()
    };
    if text.trim().is_empty() {
        return None;
    }
    let url = meta
        .and_then(|m| m.references.iter().find(|r| r.starts_with("https://")))
        .cloned();
    Some(AsffRemediation {
        recommendation: AsffRecommendation {
            text: shown(&text, MAX_RECOMMENDATION),
            url,
        },
    })
}

fn product_fields(f: &Finding) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            out.insert(k.to_string(), cut(v, MAX_PRODUCT_FIELD_VALUE));
        }
    };
    put("vpcaudit/check", &f.check);
    put("vpcaudit/fingerprint", &f.fingerprint);
    put("vpcaudit/status", f.status.as_str());
    put("vpcaudit/severity", f.severity.as_str());
    put("vpcaudit/resource-type", &f.resource.resource_type);
    put("vpcaudit/resource-id", &f.resource.id);
    if let Some(b) = f.baseline {
        put("vpcaudit/baseline", b.as_str());
    }
    if let Some(m) = &f.muted {
        put("vpcaudit/muted", &m.reason);
        put("vpcaudit/mute-rule", &m.rule);
        if let Some(e) = &m.expires {
            put("vpcaudit/mute-expires", e);
        }
    }
    out
}

/// The finding's resource first, then the related ones, each once, at most ASFF's
/// 32.
fn resources(f: &Finding) -> Vec<AsffResource> {
    let mut out: Vec<AsffResource> = Vec::new();
    for r in std::iter::once(&f.resource).chain(&f.related) {
        if out.len() == MAX_RESOURCES {
            break;
        }
        if r.id.is_empty() {
            continue;
        }
        let asff = resource(r, &f.account, &f.region);
        if !out.iter().any(|o| o.id == asff.id) {
            out.push(asff);
        }
    }
    out
}

fn resource(r: &Resource, account: &str, region: &str) -> AsffResource {
    // A related resource may live elsewhere (a peer's VPC): its ARN says where.
    let arn = r.arn.clone().or_else(|| ec2_arn(r, account, region));
    let arn_region = arn
        .as_deref()
        .and_then(|a| a.split(':').nth(3))
        .filter(|r| !r.is_empty());
    let region = arn_region.unwrap_or(region).to_string();
    AsffResource {
        resource_type: resource_type(&r.resource_type),
        id: arn.unwrap_or_else(|| r.id.clone()),
        partition: partition(&region),
        region,
    }
}

/// The ARN of an EC2 resource known by id only (EC2's ARNs follow one pattern).
fn ec2_arn(r: &Resource, account: &str, region: &str) -> Option<String> {
    let kind = match r.resource_type.as_str() {
        "AWS::EC2::SecurityGroup" => "security-group",
        "AWS::EC2::VPC" => "vpc",
        "AWS::EC2::Subnet" => "subnet",
        "AWS::EC2::NetworkInterface" => "network-interface",
        "AWS::EC2::NetworkAcl" => "network-acl",
        "AWS::EC2::RouteTable" => "route-table",
        "AWS::EC2::NatGateway" => "natgateway",
        "AWS::EC2::VPCEndpoint" => "vpc-endpoint",
        "AWS::EC2::Instance" => "instance",
        "AWS::EC2::InternetGateway" => "internet-gateway",
        "AWS::EC2::TransitGateway" => "transit-gateway",
        "AWS::EC2::VPCPeeringConnection" => "vpc-peering-connection",
        _ => return None,
    };
    // Only an id of the resource's own shape (`sg-…`), never free text.
    let well_formed =
        r.id.split_once('-')
            .is_some_and(|(p, rest)| !p.is_empty() && !rest.is_empty())
            && r.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    well_formed.then(|| {
        format!(
            "arn:{}:ec2:{region}:{account}:{kind}/{}",
            partition(region),
            r.id
        )
    })
}

/// ASFF's resource type names; `Other` for those it has none for.
fn resource_type(aws: &str) -> &'static str {
    match aws {
        "AWS::EC2::SecurityGroup" => "AwsEc2SecurityGroup",
        "AWS::EC2::VPC" => "AwsEc2Vpc",
        "AWS::EC2::Subnet" => "AwsEc2Subnet",
        "AWS::EC2::NetworkInterface" => "AwsEc2NetworkInterface",
        "AWS::EC2::NetworkAcl" => "AwsEc2NetworkAcl",
        "AWS::EC2::RouteTable" => "AwsEc2RouteTable",
        "AWS::EC2::Instance" => "AwsEc2Instance",
        "AWS::EC2::TransitGateway" => "AwsEc2TransitGateway",
        "AWS::EC2::VPCPeeringConnection" => "AwsEc2VpcPeeringConnection",
        "AWS::EKS::Cluster" => "AwsEksCluster",
        "AWS::NetworkFirewall::Firewall" => "AwsNetworkFirewallFirewall",
        "AWS::NetworkFirewall::FirewallPolicy" => "AwsNetworkFirewallFirewallPolicy",
        "AWS::NetworkFirewall::RuleGroup" => "AwsNetworkFirewallRuleGroup",
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => "AwsElbv2LoadBalancer",
        "AWS::ElasticLoadBalancing::LoadBalancer" => "AwsElbLoadBalancer",
        "AWS::RDS::DBInstance" => "AwsRdsDbInstance",
        "AWS::RDS::DBCluster" => "AwsRdsDbCluster",
        _ => "Other",
    }
}

/// The partition of a region: China and GovCloud have their own.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Text a person reads in Security Hub: unsafe characters made visible, then cut.
fn shown(s: &str, max: usize) -> String {
    cut(&text::visible(s), max)
}

/// `s` in at most `max` characters, cut at a character boundary with an ellipsis.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_spellings_are_what_serde_writes() {
        for c in [
            ComplianceStatus::Passed,
            ComplianceStatus::Warning,
            ComplianceStatus::Failed,
            ComplianceStatus::NotAvailable,
        ] {
            assert_eq!(json(&c), c.as_str());
        }
        for r in [RecordState::Active, RecordState::Archived] {
            assert_eq!(json(&r), r.as_str());
        }
        for w in [
            WorkflowStatus::New,
            WorkflowStatus::Suppressed,
            WorkflowStatus::Resolved,
        ] {
            assert_eq!(json(&w), w.as_str());
        }
    }

    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_value(v)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn cut_keeps_characters_whole_and_within_the_limit() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        let s = "é".repeat(2000);
        let c = cut(&s, MAX_DESCRIPTION);
        assert_eq!(c.chars().count(), MAX_DESCRIPTION);
        assert!(c.ends_with('…'));
    }

    #[test]
    fn shown_text_has_no_raw_controls() {
        let s = shown("a\u{1b}[31mred\u{202e}", MAX_TITLE);
        assert!(!s.chars().any(text::is_unsafe), "{s}");
    }

    #[test]
    fn ec2_arns_only_for_well_formed_ids() {
        let r = |t: &str, id: &str| Resource {
            resource_type: t.into(),
            id: id.into(),
            arn: None,
            name: None,
        };
        assert_eq!(
            ec2_arn(
                &r("AWS::EC2::SecurityGroup", "sg-0abc"),
                "111122223333",
                "cn-north-1"
            )
            .as_deref(),
            Some("arn:aws-cn:ec2:cn-north-1:111122223333:security-group/sg-0abc")
        );
        assert_eq!(
            ec2_arn(&r("AWS::EC2::SecurityGroup", "sg x/y"), "1", "us-east-1"),
            None
        );
        assert_eq!(
            ec2_arn(&r("AWS::EKS::Cluster", "c-1"), "1", "us-east-1"),
            None
        );
    }

    #[test]
    fn a_related_resource_keeps_the_region_of_its_arn() {
        let r = Resource {
            resource_type: "AWS::EC2::VPC".into(),
            id: "vpc-1".into(),
            arn: Some("arn:aws:ec2:eu-west-1:444455556666:vpc/vpc-1".into()),
            name: None,
        };
        let a = resource(&r, "111122223333", "us-east-1");
        assert_eq!(a.region, "eu-west-1");
        assert_eq!(a.resource_type, "AwsEc2Vpc");
        assert_eq!(a.id, "arn:aws:ec2:eu-west-1:444455556666:vpc/vpc-1");
    }
}
