//! Load balancers collected by the real binary against moto
//! (mocks/scenarios/load-balancers.yaml): ALBs, an NLB and a classic ELB with their
//! listeners, the target groups they forward to and the registered targets; their
//! node ENIs; calls made once each, pages followed; denied calls as coverage gaps.

mod common;

use common::lab::lab;
use common::symbolic::symbolic;
use common::{Emulator, Seeded};
use serde_json::{json, Value};
use vpcaudit::inventory::{
    GapKind, Inventory, LoadBalancer, LoadBalancerScheme, LoadBalancerType, Operation,
    RegionInventory, Service, TargetGroup,
};

const SCENARIO: &str = "load-balancers";

fn region(inv: &Inventory) -> &RegionInventory {
    &inv.accounts[0].regions[0]
}

fn lb<'a>(inv: &'a Inventory, seeded: &Seeded, name: &str) -> &'a LoadBalancer {
    let arn = seeded.id(name);
    region(inv)
        .load_balancers
        .iter()
        .find(|l| l.arn == arn)
        .unwrap_or_else(|| panic!("no load balancer {name}"))
}

fn tg<'a>(inv: &'a Inventory, seeded: &Seeded, name: &str) -> &'a TargetGroup {
    let arn = seeded.id(name);
    region(inv)
        .target_groups
        .iter()
        .find(|g| g.arn == arn)
        .unwrap_or_else(|| panic!("no target group {name}"))
}

#[test]
fn load_balancers_are_collected_with_listeners_target_groups_and_targets() {
    let lab = lab(SCENARIO);
    let s = &lab.seeded;
    let inv = lab.emu.collect(&["--regions", "us-east-1"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let r = region(&inv);
    assert_eq!(r.load_balancers.len(), 4);
    let arns: Vec<&str> = r.load_balancers.iter().map(|l| l.arn.as_str()).collect();
    let mut sorted = arns.clone();
    sorted.sort();
    assert_eq!(arns, sorted, "sorted by ARN");

    let web = lb(&inv, s, "lb-web-alb");
    assert_eq!(web.lb_type, LoadBalancerType::Application);
    assert_eq!(web.scheme, LoadBalancerScheme::InternetFacing);
    assert_eq!(web.security_group_ids, [s.id("lb-alb-sg")]);
    assert_eq!(web.tags.get("env").map(String::as_str), Some("prod"));
    let mut subnets = vec![s.id("lb-pub-a"), s.id("lb-pub-b")];
    subnets.sort();
    assert_eq!(web.subnet_ids, subnets);
    let listeners = web.listeners.as_ref().expect("listeners read");
    let ports: Vec<(u16, &str)> = listeners
        .iter()
        .map(|l| (l.port, l.protocol.as_str()))
        .collect();
    assert_eq!(ports, [(80, "HTTP"), (443, "HTTPS")]);
    // The redirect forwards nowhere; 443 forwards to its default group and, through
    // the weighted /canary rule, to the canary group too.
    assert!(listeners[0].target_group_arns.is_empty());
    let mut forwards = vec![s.id("lb-app-tg"), s.id("lb-canary-tg")];
    forwards.sort();
    assert_eq!(listeners[1].target_group_arns, forwards);

    let nlb = lb(&inv, s, "lb-ssh-nlb");
    assert_eq!(nlb.lb_type, LoadBalancerType::Network);
    assert!(nlb.arn.contains(":loadbalancer/net/lb-ssh-nlb/"));
    assert!(nlb.security_group_ids.is_empty(), "an NLB without groups");
    let nlb_listeners = nlb.listeners.as_ref().expect("listeners read");
    assert_eq!(nlb_listeners.len(), 1);
    assert_eq!(
        (nlb_listeners[0].port, nlb_listeners[0].protocol.as_str()),
        (22, "TCP")
    );
    assert_eq!(nlb_listeners[0].target_group_arns, [s.id("lb-ssh-tg")]);

    let internal = lb(&inv, s, "lb-int-alb");
    assert_eq!(internal.scheme, LoadBalancerScheme::Internal);

    let classic = lb(&inv, s, "lb-legacy-elb");
    assert_eq!(classic.lb_type, LoadBalancerType::Classic);
    // Built as AWS would name it: the classic API has no ARN.
    assert_eq!(
        classic.arn,
        format!(
            "arn:aws:elasticloadbalancing:us-east-1:{}:loadbalancer/lb-legacy-elb",
            s.account
        )
    );
    assert_eq!(classic.instance_ids, [s.id("lb-legacy-1")]);
    assert_eq!(
        classic.tags.get("Name").map(String::as_str),
        Some("lb-legacy-elb")
    );
    assert_eq!(classic.security_group_ids, [s.id("lb-classic-sg")]);
    let classic_listeners = classic.listeners.as_ref().expect("listeners");
    assert_eq!(classic_listeners.len(), 1);
    let l = &classic_listeners[0];
    assert_eq!(
        (
            l.port,
            l.protocol.as_str(),
            l.instance_port,
            l.instance_protocol.as_deref()
        ),
        (80, "HTTP", Some(8080), Some("HTTP"))
    );

    let app = tg(&inv, s, "lb-app-tg");
    assert_eq!(app.load_balancer_arns, [s.id("lb-web-alb")], "once, sorted");
    assert_eq!(app.preserve_client_ip, None, "not asked for an ALB's group");
    let targets = app.targets.as_ref().expect("targets read");
    let mut ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    ids.sort();
    let mut want = vec![s.id("lb-app-1"), s.id("lb-app-2")];
    want.sort();
    assert_eq!(ids, want);
    assert!(targets.iter().all(|t| t.port == Some(8080)));
    assert!(targets
        .iter()
        .all(|t| t.health.as_deref() == Some("healthy")));
    let ssh = tg(&inv, s, "lb-ssh-tg");
    assert_eq!(
        ssh.preserve_client_ip,
        Some(true),
        "AWS's default for instances"
    );
    assert_eq!((ssh.protocol.as_deref(), ssh.port), (Some("TCP"), Some(22)));
    let internal_tg = tg(&inv, s, "lb-int-tg");
    let t = &internal_tg.targets.as_ref().unwrap()[0];
    assert_eq!(
        (t.id.as_str(), t.port),
        (s.id("lb-app-1"), Some(8080)),
        "port override"
    );

    // Each load balancer's nodes: requester-managed ENIs in its subnets, with its groups.
    let node = |name: &str| {
        r.network_interfaces
            .iter()
            .find(|e| e.id == s.id(name))
            .unwrap_or_else(|| panic!("no ENI {name}"))
    };
    let alb_node = node("lb-web-alb:eni:lb-pub-a");
    let suffix = web.arn.split(":loadbalancer/").nth(1).unwrap();
    assert_eq!(
        alb_node.description.as_deref(),
        Some(format!("ELB {suffix}").as_str())
    );
    assert!(alb_node.requester_managed);
    assert_eq!(alb_node.security_group_ids, [s.id("lb-alb-sg")]);
    let nlb_node = node("lb-ssh-nlb:eni:lb-pub-b");
    assert_eq!(
        nlb_node.interface_type.as_deref(),
        Some("network_load_balancer")
    );
    assert!(nlb_node.security_group_ids.is_empty());
    assert_eq!(
        node("lb-legacy-elb:eni:lb-pub-a").description.as_deref(),
        Some("ELB lb-legacy-elb")
    );
    let rds = node("lb-rds-eni");
    assert!(rds.requester_managed);
    assert_eq!(rds.description.as_deref(), Some("RDSNetworkInterface"));

    insta::assert_json_snapshot!("load_balancers", symbolic_lbs(r, s));
}

/// The load balancing part of a region, with ids replaced by scenario names (listener
/// ARNs by `<lb>:<port>`), and lists of ids sorted by those names.
fn symbolic_lbs(r: &RegionInventory, seeded: &Seeded) -> Value {
    let mut pairs: Vec<(String, String)> = seeded
        .ids
        .iter()
        .map(|(name, id)| (id.clone(), format!("<{name}>")))
        .collect();
    for l in &r.load_balancers {
        let name = seeded
            .ids
            .iter()
            .find(|(_, id)| **id == l.arn)
            .map(|(n, _)| n);
        for listener in l.listeners.iter().flatten() {
            if let (Some(arn), Some(name)) = (&listener.arn, name) {
                pairs.push((arn.clone(), format!("<{name}:{}>", listener.port)));
            }
        }
    }
    let part = json!({
        "load_balancers": r.load_balancers,
        "target_groups": r.target_groups,
    });
    let mut doc: Value = serde_json::from_str(&symbolic(&part.to_string(), pairs)).unwrap();
    sort_arrays(&mut doc);
    doc
}

/// Lists of names, and targets, in name order: moto's ids (their order) are random.
fn sort_arrays(v: &mut Value) {
    match v {
        Value::Array(items) => {
            items.iter_mut().for_each(sort_arrays);
            if items.iter().all(Value::is_string) {
                items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            } else if items.iter().all(|i| i.get("health").is_some()) {
                items.sort_by_key(|t| t["id"].to_string());
            }
        }
        Value::Object(map) => map.values_mut().for_each(sort_arrays),
        _ => {}
    }
}

fn count(emu: &Emulator, action: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.service.as_deref() == Some("elasticloadbalancing"))
        .filter(|r| r.action.as_deref() == Some(action))
        .count()
}

#[test]
fn every_call_is_made_once_and_pages_are_followed() {
    // Its own emulator: the request log of the shared lab sees the other tests' calls.
    let emu = Emulator::start();
    // Seven more NLBs and classic ELBs: ten and eight, two pages of five each.
    let seeded = emu.seed_with(SCENARIO, &[("extra", "7")]);
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1", "--page-size", "5"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let r = region(&inv);
    let v2 = r
        .load_balancers
        .iter()
        .filter(|l| l.lb_type != LoadBalancerType::Classic)
        .count();
    let classic = r.load_balancers.len() - v2;
    assert_eq!((v2, classic), (10, 8));
    assert!(r
        .load_balancers
        .iter()
        .any(|l| l.arn == seeded.id("lb-extra-elb-6")));

    // ELBv2 and Classic each: pages of five.
    assert_eq!(
        count(&emu, "DescribeLoadBalancers"),
        v2.div_ceil(5) + classic.div_ceil(5)
    );
    assert_eq!(count(&emu, "DescribeListeners"), v2);
    // Rules only for the ALBs' listeners: the web ALB's two and the internal one.
    assert_eq!(count(&emu, "DescribeRules"), 3);
    assert_eq!(count(&emu, "DescribeTargetGroups"), 1);
    assert_eq!(count(&emu, "DescribeTargetHealth"), r.target_groups.len());
    // preserve_client_ip only for the group behind the NLB.
    assert_eq!(count(&emu, "DescribeTargetGroupAttributes"), 1);
    // Tags twenty at a time: ELBv2 load balancers with the target groups, and the
    // classic ones.
    assert_eq!(
        count(&emu, "DescribeTags"),
        (v2 + r.target_groups.len()).div_ceil(20) + classic.div_ceil(20)
    );
}

#[test]
fn denied_target_health_and_rules_are_gaps_about_the_group_and_the_load_balancer() {
    let emu = Emulator::start();
    let seeded = emu.seed(SCENARIO);
    emu.set_faults(json!({"rules": [
        {"service": "elasticloadbalancing", "action": "DescribeTargetHealth",
         "error": "AccessDenied", "status": 403},
        {"service": "elasticloadbalancing", "action": "DescribeRules",
         "error": "AccessDenied", "status": 403},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    let r = region(&inv);
    assert_eq!(r.target_groups.len(), 4, "the groups are still listed");
    assert!(
        r.target_groups.iter().all(|g| g.targets.is_none()),
        "unknown, not empty"
    );
    // Without their rules the ALBs' forwards are unknown; the NLB has none to read.
    assert_eq!(lb(&inv, &seeded, "lb-web-alb").listeners, None);
    assert_eq!(lb(&inv, &seeded, "lb-int-alb").listeners, None);
    assert!(lb(&inv, &seeded, "lb-ssh-nlb").listeners.is_some());
    assert!(lb(&inv, &seeded, "lb-legacy-elb").listeners.is_some());

    let mut gaps: Vec<_> = inv
        .coverage
        .iter()
        .map(|g| {
            assert_eq!(
                (g.service, g.kind),
                (Service::ElasticLoadBalancing, GapKind::AccessDenied)
            );
            assert_eq!(g.error_code.as_deref(), Some("AccessDenied"));
            (g.operation.as_str(), g.resource.clone().unwrap_or_default())
        })
        .collect();
    gaps.sort();
    let mut want: Vec<_> = ["lb-app-tg", "lb-canary-tg", "lb-int-tg", "lb-ssh-tg"]
        .iter()
        .map(|n| ("DescribeTargetHealth", seeded.id(n).to_string()))
        .chain(
            ["lb-web-alb", "lb-int-alb"]
                .iter()
                .map(|n| ("DescribeRules", seeded.id(n).to_string())),
        )
        .collect();
    want.sort();
    assert_eq!(gaps, want);

    // The scan still completes, and reports the gaps.
    let doc = common::scan_json(emu.vpcaudit().args([
        "scan",
        "--regions",
        "us-east-1",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]));
    let coverage = doc["coverage"].as_array().expect("coverage");
    assert_eq!(coverage.len(), want.len(), "{coverage:#?}");
}

#[test]
fn a_denied_classic_api_is_a_gap_about_classic_and_the_rest_is_read() {
    let emu = Emulator::start();
    let seeded = emu.seed(SCENARIO);
    // Classic ELB's API version: its DescribeLoadBalancers, not ELBv2's.
    emu.set_faults(json!({"rules": [
        {"service": "elasticloadbalancing", "action": "DescribeLoadBalancers",
         "params": {"Version": "2012-06-01"}, "error": "AccessDenied", "status": 403},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    let r = region(&inv);
    assert_eq!(r.load_balancers.len(), 3);
    assert!(r
        .load_balancers
        .iter()
        .all(|l| l.lb_type != LoadBalancerType::Classic));
    assert!(tg(&inv, &seeded, "lb-app-tg").targets.is_some());
    assert_eq!(inv.coverage.len(), 1, "{:?}", inv.coverage);
    let gap = &inv.coverage[0];
    assert_eq!(
        (gap.operation, gap.kind, gap.resource.as_deref()),
        (
            Operation::DescribeLoadBalancers,
            GapKind::AccessDenied,
            Some("classic")
        )
    );
}

#[test]
fn denied_listeners_and_attributes_are_unknown_not_empty() {
    let emu = Emulator::start();
    let seeded = emu.seed(SCENARIO);
    emu.set_faults(json!({"rules": [
        {"service": "elasticloadbalancing", "action": "DescribeListeners",
         "error": "AccessDenied", "status": 403},
        {"service": "elasticloadbalancing", "action": "DescribeTargetGroupAttributes",
         "error": "AccessDenied", "status": 403},
    ]}));
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1"]);
    for name in ["lb-web-alb", "lb-ssh-nlb", "lb-int-alb"] {
        assert_eq!(lb(&inv, &seeded, name).listeners, None, "{name}");
    }
    // The classic API lists its listeners with the load balancers.
    assert!(lb(&inv, &seeded, "lb-legacy-elb").listeners.is_some());
    assert_eq!(tg(&inv, &seeded, "lb-ssh-tg").preserve_client_ip, None);
    assert_eq!(count(&emu, "DescribeRules"), 0, "no listener, no rules");

    let mut gaps: Vec<(&str, &str)> = inv
        .coverage
        .iter()
        .map(|g| {
            (
                g.operation.as_str(),
                g.resource.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    gaps.sort();
    let mut want = vec![
        ("DescribeListeners", seeded.id("lb-int-alb")),
        ("DescribeListeners", seeded.id("lb-ssh-nlb")),
        ("DescribeListeners", seeded.id("lb-web-alb")),
        ("DescribeTargetGroupAttributes", seeded.id("lb-ssh-tg")),
    ];
    want.sort();
    assert_eq!(gaps, want);
}
