//! Group references across VPCs: active same-region peering, transit gateways with
//! referencing (inbound rules only), stale references.

use crate::inventory::{Direction, Operation, Protocol, SecurityGroupRule};
use crate::reach::security_group::evaluate;
use crate::reach::sets::ServicePoint;
use crate::reach::testkit::*;
use crate::reach::{Evaluation, Model};

/// `eni-db` (10.0.0.5, vpc-1) lets in TCP 5432 from group `sg-app`; `eni-app`
/// (10.1.0.7) carries `sg-app` in vpc-2.
fn across(rule: SecurityGroupRule) -> Kit {
    Kit::new()
        .eni("eni-db", &["10.0.0.5"], &["sg-db"])
        .group("sg-db", "db", vec![rule])
        .eni("eni-app", &["10.1.0.7"], &["sg-app"])
        .placed("vpc-2", "subnet-2")
        .group("sg-app", "app", vec![])
        .group_in("vpc-2")
}

fn db_rule() -> SecurityGroupRule {
    ingress(
        "sgr-1",
        Protocol::Tcp,
        ports(5432, 5432),
        group_peer("sg-app"),
    )
}

fn ask(kit: &Kit, eni: &str, direction: Direction, peer: &str) -> Evaluation {
    evaluate(
        &Model::build(&kit.inv),
        eni,
        direction,
        ip(peer),
        ServicePoint::Tcp(5432),
    )
}

fn tgw(kit: Kit, tgw_referencing: bool, second_attachment_referencing: bool) -> Kit {
    let kit = kit
        .transit_gateway("tgw-1", tgw_referencing)
        .tgw_attachment("tgw-attach-1", "tgw-1", "vpc-1", "tgw-rtb-1")
        .attachment_referencing()
        .tgw_attachment("tgw-attach-2", "tgw-1", "vpc-2", "tgw-rtb-1");
    if second_attachment_referencing {
        kit.attachment_referencing()
    } else {
        kit
    }
}

#[test]
fn reference_across_active_peering_matches() {
    let kit = across(db_rule()).peering("pcx-1", "active", "vpc-1", "vpc-2");
    let e = ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7");
    assert!(e.is_allowed(), "{e:?}");
}

#[test]
fn reference_across_deleted_peering_is_stale() {
    let kit = across(db_rule()).peering("pcx-1", "deleted", "vpc-1", "vpc-2");
    let e = ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7");
    assert!(e.is_blocked(), "{e:?}");
    assert!(
        e.steps
            .iter()
            .any(|s| s.decision.contains("matches nothing")),
        "{e:?}"
    );
}

#[test]
fn reference_without_any_link_is_stale() {
    let e = ask(&across(db_rule()), "eni-db", Direction::Ingress, "10.1.0.7");
    assert!(e.is_blocked(), "{e:?}");
}

#[test]
fn reference_across_cross_region_peering_is_stale() {
    let mut kit = across(db_rule()).peering("pcx-1", "active", "vpc-1", "vpc-2");
    kit.region().vpc_peering_connections[0].accepter.region = Some("us-east-1".into());
    assert!(ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7").is_blocked());
}

#[test]
fn uncollected_peerings_make_a_cross_vpc_reference_unknown() {
    let kit = across(db_rule()).gap(Operation::DescribeVpcPeeringConnections, "throttled");
    assert!(ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7").is_unknown());
}

#[test]
fn same_vpc_reference_needs_no_link() {
    let kit = Kit::new()
        .eni("eni-db", &["10.0.0.5"], &["sg-db"])
        .group("sg-db", "db", vec![db_rule()])
        .eni("eni-app", &["10.0.1.7"], &["sg-app"])
        .group("sg-app", "app", vec![])
        .gap(Operation::DescribeVpcPeeringConnections, "throttled");
    assert!(ask(&kit, "eni-db", Direction::Ingress, "10.0.1.7").is_allowed());
}

#[test]
fn inbound_reference_across_tgw_with_referencing_matches() {
    let kit = tgw(across(db_rule()), true, true);
    assert!(ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7").is_allowed());
}

#[test]
fn tgw_reference_needs_referencing_on_the_gateway() {
    let kit = tgw(across(db_rule()), false, true);
    assert!(ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7").is_blocked());
}

#[test]
fn tgw_reference_needs_referencing_on_both_attachments() {
    let kit = tgw(across(db_rule()), true, false);
    assert!(ask(&kit, "eni-db", Direction::Ingress, "10.1.0.7").is_blocked());
}

#[test]
fn outbound_reference_across_tgw_never_matches() {
    let rule = egress(
        "sgr-2",
        Protocol::Tcp,
        ports(5432, 5432),
        group_peer("sg-app"),
    );
    let kit = tgw(across(db_rule()), true, true);
    let mut kit = kit;
    kit.region().security_groups[0].rules.push(rule);
    let e = ask(&kit, "eni-db", Direction::Egress, "10.1.0.7");
    assert!(e.is_blocked(), "{e:?}");
    assert!(
        e.steps
            .iter()
            .any(|s| s.decision.contains("outbound rules")),
        "{e:?}"
    );
}

#[test]
fn outbound_reference_across_peering_matches() {
    let rule = egress(
        "sgr-2",
        Protocol::Tcp,
        ports(5432, 5432),
        group_peer("sg-app"),
    );
    let mut kit = across(db_rule()).peering("pcx-1", "active", "vpc-2", "vpc-1");
    kit.region().security_groups[0].rules.push(rule);
    assert!(ask(&kit, "eni-db", Direction::Egress, "10.1.0.7").is_allowed());
}
