//! EKS collected by the real binary against moto (mocks/scenarios/eks.yaml): the
//! clusters' network configuration, add-ons and node groups, and denied calls as
//! coverage gaps.

mod common;

use common::lab::lab;
use common::Emulator;
use serde_json::json;
use vpcaudit::inventory::{EksCluster, GapKind, Inventory, Operation, Service};

fn clusters(inv: &Inventory) -> &[EksCluster] {
    &inv.accounts[0].regions[0].eks_clusters
}

fn cluster<'a>(inv: &'a Inventory, name: &str) -> &'a EksCluster {
    clusters(inv)
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no cluster {name}"))
}

#[test]
fn clusters_are_collected_with_their_network_addons_and_nodegroups() {
    let lab = lab("eks");
    let inv = lab.emu.collect(&["--regions", "us-east-1"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let names: Vec<_> = clusters(&inv).iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["dev", "prod"], "sorted by name");

    let prod = cluster(&inv, "prod");
    assert_eq!(prod.arn, lab.id("prod"));
    assert_eq!(prod.version.as_deref(), Some("1.31"));
    assert_eq!(prod.status.as_deref(), Some("ACTIVE"));
    assert_eq!(prod.vpc_id.as_deref(), Some(lab.id("eks-vpc")));
    assert_eq!(prod.subnet_ids, [lab.id("eks-a"), lab.id("eks-b")]);
    assert_eq!(prod.security_group_ids, [lab.id("eks-extra-sg")]);
    let cluster_sg = prod
        .cluster_security_group_id
        .as_deref()
        .expect("EKS's cluster security group");
    assert!(cluster_sg.starts_with("sg-"));
    assert!(prod.endpoint_public_access && prod.endpoint_private_access);
    assert_eq!(prod.public_access_cidrs, ["203.0.113.0/24"]);
    assert_eq!(prod.tags.get("env").map(String::as_str), Some("prod"));
    assert!(prod
        .endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("https://")));
    assert!(prod.certificate_authority.is_some());

    let addons = prod.addons.as_ref().expect("add-ons listed");
    let addon_names: Vec<_> = addons.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(addon_names, ["coredns", "vpc-cni"]);
    let cni = prod.addon("vpc-cni").expect("vpc-cni");
    assert_eq!(cni.version.as_deref(), Some("v1.19.2-eksbuild.1"));
    assert_eq!(cni.status.as_deref(), Some("ACTIVE"));
    let values: serde_json::Value =
        serde_json::from_str(cni.configuration_values.as_deref().expect("values")).unwrap();
    assert_eq!(values, json!({"enableNetworkPolicy": "true"}));
    assert_eq!(prod.addon("coredns").unwrap().configuration_values, None);

    let nodegroups = prod.nodegroups.as_ref().expect("node groups listed");
    let ops = &nodegroups[0];
    assert_eq!(ops.name, "ops");
    assert_eq!(ops.subnet_ids, [lab.id("eks-a")]);
    let ssh = ops.remote_access.as_ref().expect("SSH configured");
    assert_eq!(ssh.ec2_ssh_key.as_deref(), Some("ops-key"));
    assert_eq!(ssh.source_security_group_ids, [lab.id("bastion-sg")]);
    let workers = &nodegroups[1];
    assert_eq!(workers.name, "workers");
    assert_eq!(workers.subnet_ids, prod.subnet_ids, "the cluster's subnets");
    assert_eq!(workers.remote_access, None);
    assert_eq!(workers.status.as_deref(), Some("ACTIVE"));

    // EKS's defaults: a public endpoint open to the internet, nothing installed.
    let dev = cluster(&inv, "dev");
    assert!(dev.endpoint_public_access && !dev.endpoint_private_access);
    assert_eq!(dev.public_access_cidrs, ["0.0.0.0/0"]);
    assert_eq!(dev.addons.as_deref(), Some(&[][..]));
    assert_eq!(dev.nodegroups.as_deref(), Some(&[][..]));
}

#[test]
fn every_cluster_addon_and_nodegroup_is_described_once() {
    // Its own emulator: the request log of the shared lab sees the other tests' calls.
    let emu = Emulator::start();
    emu.seed("eks");
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1", "--page-size", "5"]);
    assert_eq!(clusters(&inv).len(), 2);
    let eks_calls: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.service.as_deref() == Some("eks"))
        .collect();
    let count = |action: &str| {
        eks_calls
            .iter()
            .filter(|r| r.action.as_deref() == Some(action))
            .count()
    };
    assert_eq!(count("ListClusters"), 1);
    assert_eq!(count("DescribeCluster"), 2);
    assert_eq!(count("ListAddons"), 2);
    assert_eq!(count("DescribeAddon"), 2);
    assert_eq!(count("ListNodegroups"), 2);
    assert_eq!(count("DescribeNodegroup"), 2);
}

#[test]
fn a_denied_eks_call_is_a_coverage_gap_about_the_cluster() {
    let emu = Emulator::start();
    let seeded = emu.seed("eks");
    emu.set_faults(json!({"rules": [
        {"service": "eks", "action": "ListAddons", "error": "AccessDeniedException"},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    let prod = cluster(&inv, "prod");
    assert_eq!(prod.addons, None, "not listed: unknown, not empty");
    assert!(prod.nodegroups.as_ref().is_some_and(|n| n.len() == 2));
    let mut gaps: Vec<_> = inv
        .coverage
        .iter()
        .map(|g| {
            (
                g.service,
                g.operation,
                g.kind,
                g.error_code.as_deref(),
                g.resource.as_deref(),
            )
        })
        .collect();
    gaps.sort_by_key(|g| g.4.map(str::to_string));
    assert_eq!(
        gaps,
        [
            (
                Service::Eks,
                Operation::ListAddons,
                GapKind::AccessDenied,
                Some("AccessDeniedException"),
                Some(seeded.id("dev"))
            ),
            (
                Service::Eks,
                Operation::ListAddons,
                GapKind::AccessDenied,
                Some("AccessDeniedException"),
                Some(seeded.id("prod"))
            ),
        ]
    );
}

#[test]
fn a_denied_list_clusters_is_a_gap_and_the_region_is_still_read() {
    let emu = Emulator::start();
    emu.seed("eks");
    emu.set_faults(json!({"rules": [
        {"service": "eks", "action": "ListClusters", "error": "AccessDeniedException"},
    ]}));
    let inv = emu.collect(&["--regions", "us-east-1"]);
    assert!(clusters(&inv).is_empty());
    assert!(!inv.accounts[0].regions[0].vpcs.is_empty());
    assert_eq!(inv.coverage.len(), 1, "{:?}", inv.coverage);
    let gap = &inv.coverage[0];
    assert_eq!(
        (gap.operation, gap.kind, gap.resource.as_deref()),
        (Operation::ListClusters, GapKind::AccessDenied, None)
    );
}
