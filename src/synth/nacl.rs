//! Network ACLs: the VPC's default allow-all ACL, a custom ACL on the data subnets of
//! every other VPC and on the public subnets of every third, with numbered allow and
//! deny entries, ephemeral-port reply rules and AWS's `*` deny entries. One public
//! ACL lets replies out only to 49152-65535 (the Windows range), which cuts off
//! Linux clients: the classic NACL mistake.

use ipnet::IpNet;

use crate::inventory::{
    Direction, L4Match, NaclAction, NaclAssociation, NaclEntry, NetworkAcl, PortRange, Protocol,
};

use super::plan::Tier;
use super::state::{named, Builder};

use Direction::{Egress, Ingress};
use NaclAction::{Allow, Deny};

/// Where the corporate network connects from (also in the corp prefix list).
pub(super) const CORP_CIDR: &str = "81.2.69.128/26";

pub(super) fn build(b: &mut Builder) {
    for v in 0..b.layout.vpcs.len() {
        let plan = &b.layout.vpcs[v];
        let v6 = plan.ipv6.is_some();
        let mut custom: Vec<(String, Vec<NaclEntry>, Tier)> = Vec::new();
        if !plan.inspection && v % 2 == 0 {
            custom.push((
                format!("{}-data-nacl", plan.name),
                data_entries(v6),
                Tier::Data,
            ));
        }
        if !plan.inspection && v % 3 == 0 {
            let narrow = v % 9 == 3;
            let entries = public_entries(v6, narrow);
            custom.push((format!("{}-public-nacl", plan.name), entries, Tier::Public));
        }
        let mut taken = Vec::new();
        for (name, entries, tier) in custom {
            let subnets: Vec<usize> = b.layout.vpcs[v].subnets_in(tier).collect();
            taken.extend(subnets.iter().copied());
            push(b, v, &name, false, entries, &subnets);
        }
        let rest: Vec<usize> = (0..b.layout.vpcs[v].subnets.len())
            .filter(|s| !taken.contains(s))
            .collect();
        let name = format!("{}-default-nacl", b.layout.vpcs[v].name);
        push(b, v, &name, true, default_entries(v6), &rest);
    }
}

fn push(
    b: &mut Builder,
    v: usize,
    name: &str,
    is_default: bool,
    entries: Vec<NaclEntry>,
    subnets: &[usize],
) {
    let id = b.ids.next("acl");
    let mut associations = Vec::new();
    for &s in subnets {
        associations.push(NaclAssociation {
            id: Some(b.ids.next("aclassoc")),
            subnet_id: b.layout.vpcs[v].subnets[s].id.clone(),
        });
    }
    let mut entries = entries;
    entries.sort_by_key(|e| (e.direction, e.rule_number));
    b.ri.network_acls.push(NetworkAcl {
        id,
        vpc_id: b.layout.vpcs[v].id.clone(),
        owner_id: Some(b.account.clone()),
        is_default,
        entries,
        associations,
        tags: named(name),
    });
}

fn entry(
    n: i32,
    direction: Direction,
    action: NaclAction,
    protocol: Protocol,
    l4: L4Match,
    cidr: &str,
) -> NaclEntry {
    NaclEntry {
        rule_number: n,
        direction,
        action,
        protocol,
        l4,
        cidr: cidr.parse::<IpNet>().expect("valid CIDR"),
    }
}

fn tcp(
    n: i32,
    direction: Direction,
    action: NaclAction,
    from: u16,
    to: u16,
    cidr: &str,
) -> NaclEntry {
    entry(
        n,
        direction,
        action,
        Protocol::Tcp,
        L4Match::Ports(PortRange { from, to }),
        cidr,
    )
}

fn all(n: i32, direction: Direction, action: NaclAction, cidr: &str) -> NaclEntry {
    entry(n, direction, action, Protocol::All, L4Match::Any, cidr)
}

/// AWS's `*` entries: 32767 for IPv4, 32768 for IPv6 in a VPC with an IPv6 block.
fn implicit_denies(v6: bool) -> Vec<NaclEntry> {
    let mut out = Vec::new();
    for d in [Ingress, Egress] {
        out.push(all(32767, d, Deny, "0.0.0.0/0"));
        if v6 {
            out.push(all(32768, d, Deny, "::/0"));
        }
    }
    out
}

fn default_entries(v6: bool) -> Vec<NaclEntry> {
    let mut out = Vec::new();
    for d in [Ingress, Egress] {
        out.push(all(100, d, Allow, "0.0.0.0/0"));
        if v6 {
            out.push(all(101, d, Allow, "::/0"));
        }
    }
    out.extend(implicit_denies(v6));
    out
}

fn data_entries(v6: bool) -> Vec<NaclEntry> {
    let ten = "10.0.0.0/8";
    let mut out = vec![
        tcp(100, Ingress, Allow, 5432, 5432, ten),
        tcp(110, Ingress, Allow, 3306, 3306, ten),
        tcp(120, Ingress, Allow, 6379, 6379, ten),
        tcp(130, Ingress, Allow, 9100, 9100, ten),
        // Replies to connections the data tier opens (S3, replication).
        tcp(140, Ingress, Allow, 1024, 65535, "0.0.0.0/0"),
        entry(
            150,
            Ingress,
            Allow,
            Protocol::Icmp,
            L4Match::Icmp {
                icmp_type: None,
                icmp_code: None,
            },
            ten,
        ),
        // Replies to clients in the VPCs.
        tcp(100, Egress, Allow, 1024, 65535, ten),
        tcp(110, Egress, Allow, 443, 443, "0.0.0.0/0"),
        tcp(120, Egress, Allow, 5432, 5432, ten),
    ];
    out.extend(implicit_denies(v6));
    out
}

/// `narrow`: replies out only to 49152-65535.
fn public_entries(v6: bool, narrow: bool) -> Vec<NaclEntry> {
    let any = "0.0.0.0/0";
    let reply_from = if narrow { 49152 } else { 1024 };
    let mut out = vec![
        tcp(90, Ingress, Deny, 3389, 3389, any),
        tcp(100, Ingress, Allow, 443, 443, any),
        tcp(110, Ingress, Allow, 80, 80, any),
        tcp(120, Ingress, Allow, 22, 22, CORP_CIDR),
        tcp(130, Ingress, Allow, 1024, 65535, any),
        all(140, Ingress, Allow, "10.0.0.0/8"),
        tcp(100, Egress, Allow, reply_from, 65535, any),
        tcp(110, Egress, Allow, 443, 443, any),
        tcp(120, Egress, Allow, 80, 80, any),
        all(130, Egress, Allow, "10.0.0.0/8"),
    ];
    if v6 {
        out.extend([
            tcp(101, Ingress, Allow, 443, 443, "::/0"),
            tcp(111, Ingress, Allow, 80, 80, "::/0"),
            tcp(131, Ingress, Allow, 1024, 65535, "::/0"),
            tcp(101, Egress, Allow, reply_from, 65535, "::/0"),
            tcp(111, Egress, Allow, 443, 443, "::/0"),
        ]);
    }
    out.extend(implicit_denies(v6));
    out
}
