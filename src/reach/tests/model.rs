use crate::inventory::Operation;
use crate::reach::testkit::*;
use crate::reach::Model;

/// Two VPCs in one region, each with a default NACL and a main route table, plus a
/// custom NACL and table associated with `subnet-2`.
fn two_vpcs() -> Kit {
    Kit::new()
        .vpc("vpc-1")
        .vpc("vpc-2")
        .subnet("subnet-1", "vpc-2")
        .subnet("subnet-2", "vpc-2")
        .subnet("subnet-3", "vpc-1")
        // vpc-1's default is listed first so a "first default" lookup would be wrong.
        .nacl(acl("acl-default-1", vec![]), "vpc-1", true, &[])
        .nacl(acl("acl-default-2", vec![]), "vpc-2", true, &[])
        .nacl(acl("acl-custom", vec![]), "vpc-2", false, &["subnet-2"])
        .route_table("rtb-main-1", "vpc-1", true, &[])
        .route_table("rtb-main-2", "vpc-2", true, &[])
        .route_table("rtb-custom", "vpc-2", false, &["subnet-2"])
}

#[test]
fn subnet_without_association_uses_its_own_vpcs_default_nacl() {
    let kit = two_vpcs();
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    assert_eq!(
        r.subnet("subnet-1").unwrap().network_acl_id,
        Some("acl-default-2")
    );
    assert_eq!(
        r.subnet("subnet-3").unwrap().network_acl_id,
        Some("acl-default-1")
    );
    assert_eq!(
        r.network_acl_for_subnet("subnet-1").unwrap().id,
        "acl-default-2"
    );
}

#[test]
fn subnet_without_association_uses_its_own_vpcs_main_table() {
    let kit = two_vpcs();
    let m = Model::build(&kit.inv);
    let r = m.region(ACCOUNT, REGION).unwrap();
    assert_eq!(
        r.subnet("subnet-1").unwrap().route_table_id,
        Some("rtb-main-2")
    );
    assert_eq!(
        r.subnet("subnet-3").unwrap().route_table_id,
        Some("rtb-main-1")
    );
}

#[test]
fn explicit_associations_win() {
    let kit = two_vpcs();
    let m = Model::build(&kit.inv);
    let s = m
        .region(ACCOUNT, REGION)
        .unwrap()
        .subnet("subnet-2")
        .unwrap();
    assert_eq!(s.network_acl_id, Some("acl-custom"));
    assert_eq!(s.route_table_id, Some("rtb-custom"));
    assert_eq!(s.vpc_id, "vpc-2");
}

#[test]
fn missing_nacl_api_is_unknown() {
    let kit = two_vpcs().gap(Operation::DescribeNetworkAcls, "denied");
    let m = Model::build(&kit.inv);
    let err = m
        .region(ACCOUNT, REGION)
        .unwrap()
        .network_acl_for_subnet("subnet-1")
        .unwrap_err();
    assert!(err.contains("DescribeNetworkAcls"), "{err}");
}

#[test]
fn group_members_are_private_addresses_only() {
    let kit = Kit::new()
        .eni("eni-1", &["10.0.0.5", "10.0.0.6", "2001:db8::5"], &["sg-a"])
        .public_ip("203.0.113.5")
        .eni("eni-2", &["10.0.0.7"], &["sg-b"]);
    let m = Model::build(&kit.inv);
    let members = m
        .region(ACCOUNT, REGION)
        .unwrap()
        .group_members("sg-a")
        .unwrap();
    for a in ["10.0.0.5", "10.0.0.6", "2001:db8::5"] {
        assert!(members.contains(ip(a)), "{a}");
    }
    assert!(!members.contains(ip("203.0.113.5")));
    assert!(!members.contains(ip("10.0.0.7")));
}

#[test]
fn a_region_that_failed_entirely_reports_its_gap() {
    let mut kit = Kit::new();
    kit.inv.coverage.push(crate::inventory::CoverageGap {
        account_id: ACCOUNT.into(),
        region: "ap-south-1".into(),
        service: crate::inventory::Service::Ec2,
        operation: Operation::DescribeNetworkInterfaces,
        kind: crate::inventory::GapKind::Timeout,
        error_code: None,
        message: "timed out".into(),
        resource: None,
    });
    let m = Model::build(&kit.inv);
    let err = m.locate_eni("eni-lost").unwrap_err();
    assert!(err.contains("DescribeNetworkInterfaces"), "{err}");
}
