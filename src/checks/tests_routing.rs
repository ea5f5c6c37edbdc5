//! Routing and endpoint checks, each with a case that fires and one that does not.

use crate::checks::registry::{run_one, run_one_with, run_with};
use crate::finding::Judgement;
use crate::finding::{Finding, Severity, Status};
use crate::inventory::{
    Instance, L4Match, NatConnectivity, Operation, Protocol, RouteTarget, VpcEndpoint,
};
use crate::reach::testkit::*;

use super::shared::endpoints::{judge, Verdict};

/// vpc-1: eni-a (10.0.1.10) in subnet-1 (AZ a) routed by rtb-1 to `default`; nat-1
/// in subnet-2 (AZ b) routed by rtb-2 to igw-1.
pub(super) fn account(default: Option<RouteTarget>) -> Kit {
    let mut routes = vec![route("10.0.0.0/16", RouteTarget::Local)];
    routes.extend(default.map(|t| route("0.0.0.0/0", t)));
    let mut kit = Kit::new()
        .vpc("vpc-1")
        .subnet("subnet-1", "vpc-1")
        .subnet("subnet-2", "vpc-1")
        .route_table("rtb-1", "vpc-1", false, &["subnet-1"])
        .routes("rtb-1", routes)
        .route_table("rtb-2", "vpc-1", false, &["subnet-2"])
        .routes(
            "rtb-2",
            vec![
                route("10.0.0.0/16", RouteTarget::Local),
                route("0.0.0.0/0", RouteTarget::InternetGateway("igw-1".into())),
            ],
        )
        .igw("igw-1", "vpc-1")
        .nat_gateway("nat-1", "subnet-2", NatConnectivity::Public, "10.0.2.5")
        .nacl(open_acl("acl-1"), "vpc-1", true, &[])
        .group(
            "sg-a",
            "app",
            vec![egress(
                "sgr-1",
                Protocol::All,
                L4Match::Any,
                cidr("0.0.0.0/0"),
            )],
        )
        .eni("eni-a", &["10.0.1.10"], &["sg-a"]);
    kit.region().subnets[1].availability_zone = "eu-west-1b".into();
    kit
}

pub(super) fn nat() -> Option<RouteTarget> {
    Some(RouteTarget::NatGateway("nat-1".into()))
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.resource.id.as_str()).collect()
}

pub(super) fn interface_endpoint(subnets: &[&str]) -> VpcEndpoint {
    VpcEndpoint {
        id: "vpce-sts".into(),
        vpc_id: "vpc-1".into(),
        owner_id: None,
        endpoint_type: "Interface".into(),
        service_name: "com.amazonaws.eu-west-1.sts".into(),
        state: Some("available".into()),
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        route_table_ids: vec![],
        network_interface_ids: vec![],
        security_group_ids: vec![],
        policy_document: None,
        private_dns_enabled: true,
        tags: Default::default(),
    }
}

#[test]
fn nat_without_firewall_is_unfiltered() {
    let f = run_one("nat-without-filtering", &account(nat()).inv);
    assert_eq!(ids(&f), ["nat-1"]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].related.iter().any(|r| r.id == "subnet-1"));
    assert!(
        f[0].evidence[0].detail.contains("nat-1 -> igw-1"),
        "{:?}",
        f[0].evidence
    );
    assert!(f[0].related.iter().any(|r| r.id == "rtb-1"));
}

#[test]
fn nat_nobody_routes_to_is_not_reported() {
    assert!(run_one("nat-without-filtering", &account(None).inv).is_empty());
    // A private NAT gateway never reaches the internet.
    let mut kit = account(nat());
    kit.region().nat_gateways[0].connectivity = NatConnectivity::Private;
    assert!(run_one("nat-without-filtering", &kit.inv).is_empty());
}

#[test]
fn endpoint_missing_in_a_workload_az() {
    let mut kit = account(None);
    kit.region()
        .vpc_endpoints
        .push(interface_endpoint(&["subnet-2"]));
    let f = run_one("vpc-endpoint-missing-az", &kit.inv);
    assert_eq!(ids(&f), ["vpce-sts"]);
    assert!(f[0].message.contains("eu-west-1a"), "{}", f[0].message);
    assert_eq!(f[0].related[0].id, "subnet-1");

    kit.region().vpc_endpoints[0]
        .subnet_ids
        .push("subnet-1".into());
    assert!(run_one("vpc-endpoint-missing-az", &kit.inv).is_empty());
}

pub(super) fn eks_node(kit: &mut Kit) {
    let mut tags = std::collections::BTreeMap::new();
    tags.insert(
        "kubernetes.io/cluster/prod".to_string(),
        "owned".to_string(),
    );
    kit.region().instances.push(Instance {
        id: "i-1".into(),
        vpc_id: Some("vpc-1".into()),
        subnet_id: Some("subnet-1".into()),
        state: Some("running".into()),
        network_interface_ids: vec!["eni-a".into()],
        tags,
    });
}

#[test]
fn isolated_eks_vpc_needs_the_private_cluster_endpoints() {
    let mut kit = account(None);
    eks_node(&mut kit);
    kit.region()
        .vpc_endpoints
        .push(interface_endpoint(&["subnet-1"]));
    let f = run_one("vpc-endpoint-required-missing", &kit.inv);
    assert_eq!(ids(&f), ["vpc-1"]);
    assert!(
        f[0].message.contains("ecr.dkr") && !f[0].message.contains("sts"),
        "{}",
        f[0].message
    );
}

#[test]
fn required_endpoints_unknown_when_endpoints_could_not_be_read() {
    let mut kit = account(None);
    eks_node(&mut kit);
    let kit = kit.gap(Operation::DescribeVpcEndpoints, "denied");
    let f = run_one("vpc-endpoint-required-missing", &kit.inv);
    assert_eq!(ids(&f), ["vpc-1"]);
    assert_eq!(f[0].status, Status::Unknown);
    assert!(
        !f[0].message.contains("no endpoint for"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("denied"), "{}", f[0].message);
}

#[test]
fn endpoints_are_not_required_without_eks_or_with_an_internet_path() {
    assert!(run_one("vpc-endpoint-required-missing", &account(None).inv).is_empty());
    let mut kit = account(nat());
    eks_node(&mut kit);
    assert!(run_one("vpc-endpoint-required-missing", &kit.inv).is_empty());
}

// -- vpcaudit.toml: [endpoints] and [severity] --

const REQUIRED: &str = "vpc-endpoint-required-missing";

#[test]
fn configured_endpoints_are_required_of_private_workloads() {
    // eni-a has no way out and no EKS tags; vpc-1 has an STS endpoint.
    let mut kit = account(None);
    kit.region()
        .vpc_endpoints
        .push(interface_endpoint(&["subnet-1"]));
    assert!(run_one(REQUIRED, &kit.inv).is_empty());
    let config = "[endpoints]\nrequired = [\"s3\", \"sts\", \"ecr.api\"]\n";
    let f = run_one_with(REQUIRED, &kit.inv, config);
    assert_eq!(ids(&f), ["vpc-1"]);
    assert_eq!(
        f[0].message,
        "vpc-1 runs workloads in subnets with no internet path but has no endpoint for s3, ecr.api"
    );
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(
        f[0].evidence
            .iter()
            .any(|e| e.detail == "s3: required of every VPC with private workloads"),
        "{:?}",
        f[0].evidence
    );
    // Present endpoints clear it; a full name counts as its short one.
    let config = "[endpoints]\nrequired = [\"com.amazonaws.eu-west-1.sts\"]\n";
    assert!(run_one_with(REQUIRED, &kit.inv, config).is_empty());
    // Workloads with a way out need nothing.
    let mut out = account(nat());
    out.region()
        .vpc_endpoints
        .push(interface_endpoint(&["subnet-1"]));
    let config = "[endpoints]\nrequired = [\"s3\"]\n";
    assert!(run_one_with(REQUIRED, &out.inv, config).is_empty());
}

#[test]
fn scoped_endpoints_apply_where_a_private_workload_matches() {
    let kit = account(None);
    let scoped = |selector: &str| {
        format!("[[endpoints.scoped]]\nservices = [\"kms\"]\nworkloads = [{selector}]\n")
    };
    let f = run_one_with(REQUIRED, &kit.inv, &scoped("{ vpc = \"vpc-1\" }"));
    assert_eq!(ids(&f), ["vpc-1"]);
    assert!(
        f[0].message.ends_with("no endpoint for kms"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].evidence
            .iter()
            .any(|e| e.detail.contains("scoped[0]") && e.detail.contains("eni-a")),
        "{:?}",
        f[0].evidence
    );
    assert!(run_one_with(REQUIRED, &kit.inv, &scoped("{ vpc = \"vpc-2\" }")).is_empty());
    assert!(run_one_with(REQUIRED, &kit.inv, &scoped("{ tag = \"team=data\" }")).is_empty());
}

#[test]
fn the_eks_requirement_can_be_turned_off_or_extended() {
    let mut kit = account(None);
    eks_node(&mut kit);
    assert_eq!(ids(&run_one(REQUIRED, &kit.inv)), ["vpc-1"]);
    assert!(run_one_with(REQUIRED, &kit.inv, "[endpoints]\neks = false\n").is_empty());
    // Extended: the EKS set, then the configured service, each once.
    let config = "[endpoints]\nrequired = [\"kms\", \"s3\"]\n";
    let f = run_one_with(REQUIRED, &kit.inv, config);
    assert!(
        f[0].message.starts_with("vpc-1 runs EKS nodes")
            && f[0].message.ends_with("ssm, ssmmessages, kms"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].message.matches("s3").count(), 1, "{}", f[0].message);
    // The default finding is unchanged by an empty section.
    let plain = run_one(REQUIRED, &kit.inv);
    let empty = run_one_with(REQUIRED, &kit.inv, "[endpoints]\n");
    assert_eq!(format!("{plain:?}"), format!("{empty:?}"));
}

#[test]
fn severity_overrides_change_severity_and_order() {
    let kit = account(nat());
    let checks = ["nat-without-filtering", "flow-logs-disabled"];
    let plain = run_with(&checks, &kit.inv, Default::default());
    let order = |f: &[Finding]| -> Vec<(String, Severity)> {
        f.iter().map(|f| (f.check.clone(), f.severity)).collect()
    };
    assert_eq!(
        order(&plain),
        [
            ("nat-without-filtering".to_string(), Severity::High),
            ("flow-logs-disabled".to_string(), Severity::Medium)
        ]
    );
    let config = crate::config::Config::parse(
        "[severity]\nflow-logs-disabled = \"critical\"\nnat-without-filtering = \"info\"\n",
    )
    .unwrap();
    let forced = run_with(&checks, &kit.inv, config);
    assert_eq!(
        order(&forced),
        [
            ("flow-logs-disabled".to_string(), Severity::Critical),
            ("nat-without-filtering".to_string(), Severity::Info)
        ]
    );
    // Only the severity changes: same findings, same fingerprints.
    let prints = |f: &[Finding]| -> std::collections::BTreeSet<String> {
        f.iter().map(|f| f.fingerprint.clone()).collect()
    };
    assert_eq!(prints(&plain), prints(&forced));
}

pub(super) fn with_rds(mut kit: Kit) -> Kit {
    kit = kit.eni("eni-db", &["10.0.1.20"], &[]);
    let eni = kit.region().network_interfaces.last_mut().unwrap();
    eni.description = Some("RDSNetworkInterface".into());
    eni.requester_managed = true;
    kit
}

#[test]
fn data_store_subnet_with_a_route_out() {
    let f = run_one("data-subnet-internet-route", &with_rds(account(nat())).inv);
    assert_eq!(ids(&f), ["subnet-1"]);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].evidence.iter().any(|e| e.detail.contains("RDS")));
    let direct = Some(RouteTarget::InternetGateway("igw-1".into()));
    let f = run_one("data-subnet-internet-route", &with_rds(account(direct)).inv);
    assert_eq!(f[0].severity, Severity::High);
}

#[test]
fn data_store_subnet_without_a_route_out_is_fine() {
    assert!(run_one("data-subnet-internet-route", &with_rds(account(None)).inv).is_empty());
    // No data store: nothing to say about the route.
    assert!(run_one("data-subnet-internet-route", &account(nat()).inv).is_empty());
}

#[test]
fn group_checks_say_unknown_when_groups_were_not_read() {
    let kit = account(nat()).gap(Operation::DescribeSecurityGroupRules, "denied");
    for id in [
        "egress-world-open",
        "sg-default-allows-traffic",
        "sg-internal-cidr-trust",
        "sg-unused-open",
    ] {
        let f = run_one(id, &kit.inv);
        assert_eq!(ids(&f), ["vpc-1"], "{id}");
        assert_eq!(f[0].status, crate::finding::Status::Unknown, "{id}");
        assert!(f[0].message.contains("denied"), "{id}: {}", f[0].message);
    }
}

#[test]
fn nacl_checks_say_unknown_when_nacls_were_not_read() {
    let kit = account(nat()).gap(Operation::DescribeNetworkAcls, "denied");
    for id in [
        "nacl-shadowed-rule",
        "nacl-return-traffic-blocked",
        "nacl-admin-ports-open",
    ] {
        let f = run_one(id, &kit.inv);
        assert!(
            !f.is_empty()
                && f.iter()
                    .all(|x| x.status == crate::finding::Status::Unknown),
            "{id}: {f:#?}"
        );
    }
}

#[test]
fn flow_log_that_cannot_deliver_counts_as_none() {
    let mut kit = account(None);
    kit.region().flow_logs.push(crate::inventory::FlowLog {
        id: "fl-1".into(),
        resource_id: Some("vpc-1".into()),
        traffic_type: Some("ALL".into()),
        deliver_status: Some("SUCCESS".into()),
        log_status: Some("ACTIVE".into()),
        log_destination_type: Some("s3".into()),
        log_destination: None,
        log_group_name: None,
        tags: Default::default(),
    });
    assert!(run_one("flow-logs-disabled", &kit.inv).is_empty());
    // A second log that cannot deliver is not named as evidence.
    let mut failed = kit.region().flow_logs[0].clone();
    failed.id = "fl-2".into();
    failed.deliver_status = Some("FAILED".into());
    kit.region().flow_logs.push(failed);
    let judged = super::registry::judge_one("flow-logs-disabled", &kit.inv);
    assert_eq!(judged.evaluated.len(), 1);
    assert_eq!(judged.evaluated[0].judgement, Judgement::Pass);
    assert_eq!(
        judged.evaluated[0].reason,
        "flow log fl-1 is active and delivering"
    );
    kit.region().flow_logs[0].deliver_status = Some("FAILED".into());
    assert_eq!(ids(&run_one("flow-logs-disabled", &kit.inv)), ["vpc-1"]);
    let judged = super::registry::judge_one("flow-logs-disabled", &kit.inv);
    assert_eq!(judged.evaluated[0].judgement, Judgement::Fail);
}

#[test]
fn an_all_traffic_rule_does_not_make_a_data_store() {
    // A default-group style self reference for all traffic, and a wide range.
    let mut kit = account(nat()).group(
        "sg-default",
        "default",
        vec![
            ingress(
                "sgr-self",
                Protocol::All,
                L4Match::Any,
                group_peer("sg-default"),
            ),
            ingress(
                "sgr-wide",
                Protocol::Tcp,
                ports(1024, 65535),
                cidr("10.0.0.0/8"),
            ),
        ],
    );
    kit.region().network_interfaces[0].security_group_ids = vec!["sg-default".into()];
    assert!(run_one("data-subnet-internet-route", &kit.inv).is_empty());
    // A rule aimed at 5432 does.
    kit.region()
        .security_groups
        .last_mut()
        .unwrap()
        .rules
        .push(ingress(
            "sgr-pg",
            Protocol::Tcp,
            ports(5432, 5432),
            group_peer("sg-a"),
        ));
    assert_eq!(
        ids(&run_one("data-subnet-internet-route", &kit.inv)),
        ["subnet-1"]
    );
}

// -- vpc-endpoint-policy-open

/// AWS's default endpoint policy.
pub(super) const FULL_ACCESS: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// An S3 gateway endpoint on rtb-1 with `policy`.
pub(super) fn s3_gateway(policy: Option<&str>) -> VpcEndpoint {
    VpcEndpoint {
        id: "vpce-s3".into(),
        endpoint_type: "Gateway".into(),
        service_name: "com.amazonaws.eu-west-1.s3".into(),
        subnet_ids: vec![],
        route_table_ids: vec!["rtb-1".into()],
        policy_document: policy.map(str::to_string),
        private_dns_enabled: false,
        ..interface_endpoint(&[])
    }
}

pub(super) fn with_endpoints(endpoints: Vec<VpcEndpoint>) -> Kit {
    let mut kit = account(None);
    kit.region().vpc_endpoints = endpoints;
    kit
}

fn policy_findings(endpoints: Vec<VpcEndpoint>) -> Vec<Finding> {
    run_one("vpc-endpoint-policy-open", &with_endpoints(endpoints).inv)
}

fn open(verdict: Result<Verdict, String>) -> bool {
    matches!(verdict, Ok(Verdict::Open { .. }))
}

#[test]
fn endpoint_policy_open_flags_default_policy_on_s3_gateway_as_medium() {
    let f = policy_findings(vec![s3_gateway(Some(FULL_ACCESS))]);
    assert_eq!(ids(&f), ["vpce-s3"]);
    assert_eq!(
        (f[0].status, f[0].severity),
        (Status::Fail, Severity::Medium)
    );
    assert_eq!(f[0].resource.resource_type, "AWS::EC2::VPCEndpoint");
    assert!(f[0].message.contains("(s3)"), "{}", f[0].message);
    assert_eq!(f[0].related[0].id, "vpc-1");
    assert_eq!(f[0].evidence.len(), 1, "{:?}", f[0].evidence);
    assert_eq!(
        f[0].evidence[0].detail,
        r#"statement 1: {"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}"#
    );
}

#[test]
fn endpoint_policy_open_is_low_for_other_services() {
    let mut sts = interface_endpoint(&["subnet-1"]);
    sts.policy_document = Some(FULL_ACCESS.into());
    let f = policy_findings(vec![sts]);
    assert_eq!(ids(&f), ["vpce-sts"]);
    assert_eq!((f[0].status, f[0].severity), (Status::Fail, Severity::Low));
    // An interface endpoint of DynamoDB is a data service again.
    let mut ddb = interface_endpoint(&["subnet-1"]);
    ddb.service_name = "com.amazonaws.eu-west-1.dynamodb".into();
    ddb.policy_document = Some(FULL_ACCESS.into());
    assert_eq!(policy_findings(vec![ddb])[0].severity, Severity::Medium);
}

#[test]
fn endpoint_policy_open_accepts_scoped_policies() {
    let scoped = [
        // The same statement, with a condition.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#,
        // Named buckets only.
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*",
            "Resource":["arn:aws:s3:::mine","arn:aws:s3:::mine/*"]}}"#,
        // Named principals only.
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},
            "Action":"*","Resource":"*"}]}"#,
        // Some actions only.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"*"}]}"#,
        // Everything allowed, then everything denied.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Effect":"Deny","Principal":{"AWS":["*"]},"Action":"*","Resource":"*"}]}"#,
        // A Deny of the endpoint's whole service: all that "*" allows through it.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
        // A whole-service Deny of the same service.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"S3:*","Resource":"*"}]}"#,
        // Nothing at all.
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    ];
    for p in scoped {
        assert_eq!(judge(p, "s3"), Ok(Verdict::Restricted), "{p}");
        assert!(policy_findings(vec![s3_gateway(Some(p))]).is_empty(), "{p}");
    }
    // Through an STS endpoint, denying s3:* leaves "*" open.
    assert!(open(judge(scoped[5], "sts")));
    // A Deny that cancels one open Allow is not evidence against another.
    let two = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
        {"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"},
        {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    assert_eq!(
        judge(two, "s3"),
        Ok(Verdict::Open {
            allows: vec![
                r#"statement 2: {"Action":"sqs:*","Effect":"Allow","Principal":"*","Resource":"*"}"#
                    .to_string()
            ],
            denies: vec![],
        })
    );
}

#[test]
fn endpoint_policy_open_reads_every_spelling_of_full_access() {
    let full = [
        FULL_ACCESS,
        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}}"#,
        r#"{"Statement":[{"Sid":"All","Effect":"Allow","Principal":{"AWS":["*"]},
            "Action":["s3:GetObject","s3:*"],"Resource":["*"],"Condition":{}}]}"#,
        // A Deny of some actions leaves the rest open.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
        // A Deny of another service's actions cancels nothing.
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"dynamodb:*","Resource":"*"}]}"#,
        // URL-encoded, as IAM writes policies.
        "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%22%2A%22%2C\
         %22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D",
        "%7B%22Statement%22%3A+%5B%7B%22Effect%22%3A+%22Allow%22%2C+%22Principal%22%3A+%22*%22%2C+\
         %22Action%22%3A+%22*%22%2C+%22Resource%22%3A+%22*%22%7D%5D%7D",
    ];
    for p in full {
        assert!(open(judge(p, "s3")), "{p}: {:?}", judge(p, "s3"));
        let f = policy_findings(vec![s3_gateway(Some(p))]);
        assert_eq!(f.len(), 1, "{p}");
        assert_eq!(f[0].status, Status::Fail, "{p}");
    }
    // The narrowing Deny is evidence, marked as not cancelling the Allow.
    let f = policy_findings(vec![s3_gateway(Some(full[3]))]);
    assert_eq!(f[0].evidence.len(), 2, "{:?}", f[0].evidence);
    assert!(f[0].evidence[1].detail.starts_with("statement 2: "));
    assert!(f[0].evidence[1].detail.ends_with("(does not cancel it)"));
    assert!(f[0].evidence[0].detail.starts_with("statement 1: "));
    let f = policy_findings(vec![s3_gateway(Some(full[2]))]);
    assert!(f[0].evidence[0].detail.starts_with("statement 1 (All): "));
}

#[test]
fn endpoint_policy_open_unknown_when_a_deny_may_limit_it_or_the_policy_is_unreadable() {
    let guarded = [
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"*","Resource":"*",
             "Condition":{"StringNotEquals":{"aws:ResourceOrgID":"o-abc"}}}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":["arn:aws:s3:::mine/*"]}]}"#,
    ];
    for p in guarded {
        assert!(matches!(judge(p, "s3"), Ok(Verdict::Guarded { .. })), "{p}");
        let f = policy_findings(vec![s3_gateway(Some(p))]);
        assert_eq!(f.len(), 1, "{p}");
        assert_eq!(f[0].status, Status::Unknown, "{p}");
        assert!(f[0]
            .evidence
            .iter()
            .any(|e| e.detail.ends_with("(not evaluated)")));
    }
    let unreadable = [
        "not json",
        r#"["Statement"]"#,
        r#"{"Version":"2012-10-17"}"#,
        r#"{"Statement":["Allow"]}"#,
        r#"{"Statement":[{"Principal":"*","Action":"*","Resource":"*"}]}"#,
    ];
    for p in unreadable {
        assert!(judge(p, "s3").is_err(), "{p}");
        let f = policy_findings(vec![s3_gateway(Some(p))]);
        assert_eq!(f.len(), 1, "{p}");
        assert_eq!(f[0].status, Status::Unknown, "{p}");
        assert!(
            f[0].message.contains("could not be read"),
            "{}",
            f[0].message
        );
    }
}

#[test]
fn endpoint_policy_open_skips_endpoints_that_take_no_policy() {
    let mut gwlb = s3_gateway(Some(FULL_ACCESS));
    gwlb.endpoint_type = "GatewayLoadBalancer".into();
    gwlb.service_name = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0".into();
    let mut partner = interface_endpoint(&["subnet-1"]);
    partner.service_name = "com.amazonaws.vpce.eu-west-1.vpce-svc-0fedcba9876543210".into();
    partner.policy_document = Some(FULL_ACCESS.into());
    let mut deleted = s3_gateway(Some(FULL_ACCESS));
    deleted.state = Some("deleted".into());
    // An interface endpoint of a service that takes no policy has none.
    let plain = interface_endpoint(&["subnet-1"]);
    assert!(policy_findings(vec![gwlb, partner, deleted, plain]).is_empty());
}

#[test]
fn endpoint_policy_open_unknown_when_a_policy_was_not_collected() {
    let unread = s3_gateway(None);
    let mut ddb = interface_endpoint(&["subnet-1"]);
    ddb.id = "vpce-ddb".into();
    ddb.service_name = "com.amazonaws.eu-west-1.dynamodb".into();
    ddb.policy_document = None;
    let f = policy_findings(vec![unread, ddb]);
    let mut found = ids(&f);
    found.sort_unstable();
    assert_eq!(found, ["vpce-ddb", "vpce-s3"]);
    for f in &f {
        assert_eq!(f.status, Status::Unknown);
        assert!(
            f.message.contains("policy document not collected"),
            "{}",
            f.message
        );
        assert_eq!(f.related[0].id, "vpc-1");
    }
}

#[test]
fn endpoint_policy_open_unknown_per_vpc_when_endpoints_could_not_be_read() {
    let kit = with_endpoints(vec![]).gap(Operation::DescribeVpcEndpoints, "denied");
    let f = run_one("vpc-endpoint-policy-open", &kit.inv);
    assert_eq!(ids(&f), ["vpc-1"]);
    assert_eq!(f[0].status, Status::Unknown);
}

#[test]
fn endpoint_policy_documents_load_from_old_inventories_and_are_left_out_when_absent() {
    let e = s3_gateway(None);
    let json = serde_json::to_value(&e).unwrap();
    assert!(json.get("policy_document").is_none(), "{json}");
    let back: VpcEndpoint = serde_json::from_value(json).unwrap();
    assert_eq!(back, e);
    assert_eq!(
        crate::inventory::decode_policy_document("%7B%22a%22%3A%201%7D"),
        r#"{"a": 1}"#
    );
    // Plain JSON, and text that is not an encoded object, are kept as they are.
    assert_eq!(
        crate::inventory::decode_policy_document("{\"a\":\"%41\"}"),
        "{\"a\":\"%41\"}"
    );
    assert_eq!(crate::inventory::decode_policy_document("100%"), "100%");
}

/// The demo (leaky-three-tier): both S3 gateways carry the full-access policy (one
/// given explicitly, one AWS's default), and so does the ecr.api interface endpoint;
/// the firewalls' Gateway Load Balancer endpoints take no policy.
#[test]
fn endpoint_policy_open_on_the_demo() {
    let inv = crate::demo::inventory().expect("the demo loads");
    let name = |f: &Finding| f.resource.name.clone().unwrap_or_default();
    let mut found: Vec<(String, Severity, Status)> = run_one("vpc-endpoint-policy-open", &inv)
        .iter()
        .map(|f| (name(f), f.severity, f.status))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("lk-eks-ecr-api".to_string(), Severity::Low, Status::Fail),
            ("lk-eks-s3".to_string(), Severity::Medium, Status::Fail),
            ("lk-prod-s3".to_string(), Severity::Medium, Status::Fail),
        ]
    );
}
