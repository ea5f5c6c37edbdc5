//! Every list call follows NextToken to the end: 600 ENIs and 1,200 security-group
//! rules over many pages, with exactly the number of requests the pages need.

mod common;

use std::collections::BTreeMap;

use common::Emulator;
use vpcaudit::inventory::Direction;

fn requests_by_action(emu: &Emulator) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in emu.requests() {
        *counts.entry(r.action.unwrap_or_default()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn collection_follows_every_page() {
    let emu = Emulator::start();
    emu.seed("pagination");

    // Small pages: many requests per API, nothing lost or duplicated.
    emu.clear_requests();
    let inv = emu.collect(&["--regions", "us-east-1", "--page-size", "50"]);
    assert!(inv.coverage.is_empty(), "{:?}", inv.coverage);
    let r = &inv.accounts[0].regions[0];

    let enis: Vec<&str> = r
        .network_interfaces
        .iter()
        .filter_map(|e| e.tags.get("Name").map(String::as_str))
        .filter(|n| n.starts_with("pg-eni-"))
        .collect();
    assert_eq!(enis.len(), 600);
    let unique: std::collections::BTreeSet<_> =
        r.network_interfaces.iter().map(|e| &e.id).collect();
    assert_eq!(unique.len(), r.network_interfaces.len(), "duplicated ENIs");

    let groups: Vec<_> = r
        .security_groups
        .iter()
        .filter(|g| g.tags.get("Name").is_some_and(|n| n.starts_with("pg-sg-")))
        .collect();
    assert_eq!(groups.len(), 20);
    for g in &groups {
        let ingress = g
            .rules
            .iter()
            .filter(|x| x.direction == Direction::Ingress)
            .count();
        assert_eq!(ingress, 60, "{}", g.name);
    }
    let rules: usize = r.security_groups.iter().map(|g| g.rules.len()).sum();
    assert!(rules >= 1200);

    let nacl = r
        .network_acls
        .iter()
        .find(|n| n.tags.get("Name").map(String::as_str) == Some("pg-nacl"))
        .unwrap();
    // 40 rules each way plus the implicit deny each way.
    assert_eq!(nacl.entries.len(), 82);

    let counts = requests_by_action(&emu);
    let pages = |n: usize| n.div_ceil(50).max(1);
    assert_eq!(
        counts["DescribeNetworkInterfaces"],
        pages(r.network_interfaces.len())
    );
    assert_eq!(counts["DescribeSecurityGroupRules"], pages(rules));
    assert_eq!(
        counts["DescribeSecurityGroups"],
        pages(r.security_groups.len())
    );
    assert_eq!(counts["DescribeSubnets"], pages(r.subnets.len()));

    // AWS's maximum page sizes: 1,200+ rules still need two pages, ENIs one.
    emu.clear_requests();
    let again = emu.collect(&["--regions", "us-east-1"]);
    let mut expected = inv.clone();
    expected.collected_at = again.collected_at;
    assert_eq!(again, expected);
    let counts = requests_by_action(&emu);
    assert_eq!(counts["DescribeNetworkInterfaces"], 1);
    assert_eq!(counts["DescribeSecurityGroupRules"], rules.div_ceil(1000));
}
