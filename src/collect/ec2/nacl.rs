use aws_sdk_ec2::types::RuleAction;
use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, opt, string, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    Direction, L4Match, NaclAction, NaclAssociation, NaclEntry, NetworkAcl, Operation, PortRange,
    Protocol,
};

pub async fn network_acls(ec2: &Client, pg: Paging) -> Outcome<NetworkAcl> {
    const OP: Operation = Operation::DescribeNetworkAcls;
    let raw = match fetch_all!(
        Operation::DescribeNetworkAcls,
        ec2.describe_network_acls().max_results(pg.size(100))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    for n in raw {
        let id = string(n.network_acl_id());
        let mut entries = Vec::with_capacity(n.entries().len());
        for e in n.entries() {
            let number = e.rule_number().unwrap_or(32767);
            let Some(protocol) = e.protocol().and_then(Protocol::parse) else {
                p.invalid(
                    OP,
                    format!("{id} rule {number}: unreadable protocol {:?}", e.protocol()),
                );
                continue;
            };
            let cidr = match (e.cidr_block(), e.ipv6_cidr_block()) {
                (Some(c), _) | (None, Some(c)) => p.parse(OP, "CIDR", &id, c),
                (None, None) => {
                    p.invalid(OP, format!("{id} rule {number}: no CIDR"));
                    None
                }
            };
            let Some(cidr) = cidr else { continue };
            let l4 = if protocol.has_ports() {
                match e.port_range() {
                    Some(r) => L4Match::from_aws(protocol, r.from(), r.to()),
                    None => L4Match::Ports(PortRange::ALL),
                }
            } else if protocol.is_icmp() {
                let tc = e.icmp_type_code();
                L4Match::from_aws(
                    protocol,
                    tc.and_then(|t| t.r#type()),
                    tc.and_then(|t| t.code()),
                )
            } else {
                L4Match::Any
            };
            let action = match e.rule_action() {
                Some(RuleAction::Allow) => NaclAction::Allow,
                Some(RuleAction::Deny) => NaclAction::Deny,
                other => {
                    // Guessing allow or deny would change every verdict downstream.
                    p.invalid(OP, format!("{id} rule {number}: unknown action {other:?}"));
                    continue;
                }
            };
            entries.push(NaclEntry {
                rule_number: number,
                direction: if e.egress().unwrap_or(false) {
                    Direction::Egress
                } else {
                    Direction::Ingress
                },
                action,
                protocol,
                l4,
                cidr,
            });
        }
        entries.sort_by_key(|e| {
            (
                e.direction,
                e.rule_number,
                matches!(e.cidr, ipnet::IpNet::V6(_)),
            )
        });
        out.push(NetworkAcl {
            vpc_id: string(n.vpc_id()),
            owner_id: opt(n.owner_id()),
            is_default: n.is_default().unwrap_or(false),
            entries,
            associations: n
                .associations()
                .iter()
                .filter_map(|a| {
                    Some(NaclAssociation {
                        id: opt(a.network_acl_association_id()),
                        subnet_id: a.subnet_id()?.to_string(),
                    })
                })
                .collect(),
            tags: ec2_tags(n.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}
