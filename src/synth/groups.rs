//! Security groups and managed prefix lists.
//!
//! Rules mix what real accounts hold: 0.0.0.0/0 on 443 (and, by mistake, on 22 and
//! 3389), 10.0.0.0/8, narrow /32s, references to groups of the same VPC and of
//! peered VPCs, the corporate prefix list, and AWS's default allow-all egress.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::inventory::{
    Direction, L4Match, ManagedPrefixList, PortRange, PrefixListEntry, Protocol, RulePeer,
    SecurityGroup, SecurityGroupRule,
};

use super::apps::{App, Apps, Kind};
use super::nacl::CORP_CIDR;
use super::plan::{REGION, S3_PREFIX_LIST};
use super::state::{tags, Builder};

/// Rules of one group under construction.
struct Rules<'b> {
    b: &'b mut Builder,
    rules: Vec<SecurityGroupRule>,
}

impl Rules<'_> {
    fn add(
        &mut self,
        direction: Direction,
        protocol: Protocol,
        l4: L4Match,
        peer: RulePeer,
        description: Option<&str>,
    ) {
        self.rules.push(SecurityGroupRule {
            id: Some(self.b.ids.next("sgr")),
            direction,
            protocol,
            l4,
            peer,
            description: description.map(str::to_string),
        });
    }

    fn tcp_in(&mut self, from: u16, to: u16, peer: RulePeer, description: &str) {
        let l4 = L4Match::Ports(PortRange { from, to });
        self.add(
            Direction::Ingress,
            Protocol::Tcp,
            l4,
            peer,
            Some(description),
        );
    }

    /// AWS's default egress rule (both families in an IPv6 VPC).
    fn default_egress(&mut self, v6: bool) {
        self.add(
            Direction::Egress,
            Protocol::All,
            L4Match::Any,
            v4("0.0.0.0/0"),
            None,
        );
        if v6 {
            self.add(
                Direction::Egress,
                Protocol::All,
                L4Match::Any,
                v6_peer("::/0"),
                None,
            );
        }
    }
}

fn v4(cidr: &str) -> RulePeer {
    RulePeer::Ipv4 {
        cidr: cidr.parse::<Ipv4Net>().expect("valid CIDR"),
    }
}

fn v6_peer(cidr: &str) -> RulePeer {
    RulePeer::Ipv6 {
        cidr: cidr.parse::<Ipv6Net>().expect("valid CIDR"),
    }
}

/// A reference to group `id` of `account`.
fn group(account: &str, id: &str) -> RulePeer {
    RulePeer::Group {
        group_id: id.into(),
        account_id: Some(account.into()),
        vpc_id: None,
        vpc_peering_connection_id: None,
    }
}

fn prefix_list(id: &str) -> RulePeer {
    RulePeer::PrefixList { id: id.into() }
}

pub(super) fn build(b: &mut Builder, apps: &Apps) {
    let corp = prefix_lists(b);
    for v in 0..b.layout.vpcs.len() {
        shared_groups(b, apps, v, &corp);
    }
    for app in apps.apps.iter().filter(|a| a.kind != Kind::Bastion) {
        app_group(b, apps, app, &corp);
    }
}

/// The corporate networks (customer-managed) and AWS's S3 list; returns the
/// corporate list's id.
fn prefix_lists(b: &mut Builder) -> String {
    let corp = b.ids.next("pl");
    let entry = |cidr: &str, description: &str| PrefixListEntry {
        cidr: cidr.parse::<IpNet>().expect("valid CIDR"),
        description: Some(description.into()),
    };
    b.ri.managed_prefix_lists.push(ManagedPrefixList {
        id: corp.clone(),
        name: Some("corp-networks".into()),
        arn: Some(b.arn("ec2", &format!("prefix-list/{corp}"))),
        address_family: Some("IPv4".into()),
        owner_id: Some(b.account.clone()),
        max_entries: Some(10),
        state: Some("create-complete".into()),
        entries: vec![
            entry(CORP_CIDR, "HQ"),
            entry("94.142.240.0/24", "VPN concentrators"),
            entry("147.75.80.0/24", "DR site"),
        ],
        tags: tags(&[("Name", "corp-networks")]),
    });
    let s3 = [
        "3.5.0.0/19",
        "16.182.0.0/16",
        "18.34.0.0/19",
        "18.34.232.0/21",
        "52.216.0.0/15",
        "54.231.0.0/16",
    ];
    b.ri.managed_prefix_lists.push(ManagedPrefixList {
        id: S3_PREFIX_LIST.into(),
        name: Some(format!("com.amazonaws.{REGION}.s3")),
        arn: Some(format!(
            "arn:aws:ec2:{REGION}:aws:prefix-list/{S3_PREFIX_LIST}"
        )),
        address_family: Some("IPv4".into()),
        owner_id: Some("AWS".into()),
        max_entries: None,
        state: Some("create-complete".into()),
        entries: s3.iter().map(|c| entry(c, "default")).collect(),
        tags: Default::default(),
    });
    corp
}

fn push(
    b: &mut Builder,
    v: usize,
    id: &str,
    name: &str,
    description: &str,
    rules: Vec<SecurityGroupRule>,
) {
    let vpc = &b.layout.vpcs[v];
    let tag_name = if name == "default" {
        format!("{}-default", vpc.name)
    } else {
        name.to_string()
    };
    b.ri.security_groups.push(SecurityGroup {
        id: id.into(),
        name: name.into(),
        description: Some(description.into()),
        vpc_id: Some(vpc.id.clone()),
        owner_id: Some(b.account.clone()),
        rules,
        tags: tags(&[("Name", &tag_name), ("env", vpc.env)]),
    });
}

fn shared_groups(b: &mut Builder, apps: &Apps, v: usize, corp: &str) {
    let s = &apps.shared[v];
    let account = b.account.clone();
    let name = b.layout.vpcs[v].name.clone();
    let has_v6 = b.layout.vpcs[v].ipv6.is_some();
    // The monitoring VPC: the first one after the inspection VPC.
    let monitoring_cidr = b.layout.vpcs[1 % b.layout.vpcs.len()].cidr.to_string();

    let mut r = Rules { b, rules: vec![] };
    r.add(
        Direction::Ingress,
        Protocol::All,
        L4Match::Any,
        group(&account, &s.default),
        None,
    );
    r.default_egress(has_v6);
    let rules = r.rules;
    push(
        b,
        v,
        &s.default,
        "default",
        "default VPC security group",
        rules,
    );

    let mut r = Rules { b, rules: vec![] };
    r.tcp_in(22, 22, prefix_list(corp), "SSH from the office");
    if v % 4 == 3 {
        r.tcp_in(22, 22, v4("0.0.0.0/0"), "temporary: vendor access");
    }
    r.default_egress(has_v6);
    let rules = r.rules;
    push(
        b,
        v,
        &s.bastion,
        &format!("{name}-bastion"),
        "bastion host",
        rules,
    );

    let mut r = Rules { b, rules: vec![] };
    r.tcp_in(22, 22, group(&account, &s.bastion), "SSH from the bastion");
    r.default_egress(has_v6);
    let rules = r.rules;
    push(
        b,
        v,
        &s.ssh,
        &format!("{name}-ssh-from-bastion"),
        "SSH from the bastion",
        rules,
    );

    let mut r = Rules { b, rules: vec![] };
    r.tcp_in(9100, 9100, v4(&monitoring_cidr), "node exporter");
    let echo = L4Match::Icmp {
        icmp_type: Some(8),
        icmp_code: None,
    };
    r.add(
        Direction::Ingress,
        Protocol::Icmp,
        echo,
        v4("10.0.0.0/8"),
        Some("ping"),
    );
    r.default_egress(has_v6);
    let rules = r.rules;
    push(
        b,
        v,
        &s.monitoring,
        &format!("{name}-monitoring"),
        "monitoring agents",
        rules,
    );

    let mut r = Rules { b, rules: vec![] };
    r.tcp_in(443, 443, v4("10.0.0.0/8"), "internal HTTPS");
    r.tcp_in(443, 443, prefix_list(corp), "HTTPS from the office");
    r.default_egress(has_v6);
    let rules = r.rules;
    push(
        b,
        v,
        &s.https,
        &format!("{name}-internal-https"),
        "internal HTTPS",
        rules,
    );

    let mut r = Rules { b, rules: vec![] };
    if v % 5 == 2 {
        r.tcp_in(3389, 3389, v4("0.0.0.0/0"), "RDP");
    } else {
        r.tcp_in(3389, 3389, prefix_list(corp), "RDP from the office");
    }
    r.tcp_in(3389, 3389, v4("86.12.34.56/32"), "admin home");
    r.default_egress(has_v6);
    let rules = r.rules;
    push(
        b,
        v,
        &s.windows,
        &format!("{name}-windows-admin"),
        "Windows administration",
        rules,
    );
}

fn app_group(b: &mut Builder, apps: &Apps, app: &App, corp: &str) {
    let v = app.vpc;
    let account = b.account.clone();
    let has_v6 = b.layout.vpcs[v].ipv6.is_some();
    // The groups this one may reference: same VPC, and over each peering.
    let pick = |b: &mut Builder, vpc: usize, kind: Kind| -> Option<String> {
        let found: Vec<&App> = apps.of(vpc, kind).collect();
        (!found.is_empty()).then(|| b.rng.pick(&found).group.clone())
    };
    let peers: Vec<(String, usize, String)> = b
        .layout
        .peers_of(v)
        .map(|(p, other)| (p.id.clone(), other, b.layout.vpcs[other].id.clone()))
        .collect();
    let mut rules = Vec::new();
    let mut r = Rules { b, rules: vec![] };
    match app.kind {
        Kind::Bastion => {}
        Kind::Web => {
            r.tcp_in(443, 443, v4("0.0.0.0/0"), "HTTPS");
            if has_v6 {
                r.tcp_in(443, 443, v6_peer("::/0"), "HTTPS");
            }
            if r.b.rng.percent(50) {
                r.tcp_in(80, 80, v4("0.0.0.0/0"), "HTTP redirect");
            }
            if r.b.rng.percent(10) {
                r.tcp_in(22, 22, v4("0.0.0.0/0"), "debug, remove me");
            }
        }
        Kind::Api => {
            if let Some(web) = pick(r.b, v, Kind::Web) {
                r.tcp_in(
                    app.port,
                    app.port,
                    group(&account, &web),
                    "from the web tier",
                );
            }
            if r.b.rng.percent(50) {
                r.tcp_in(8443, 8443, v4("10.0.0.0/8"), "internal clients");
            }
            if r.b.rng.percent(20) {
                r.tcp_in(app.port, app.port, prefix_list(corp), "office");
            }
        }
        Kind::Worker => {
            let l4 = L4Match::Ports(PortRange {
                from: 8000,
                to: 8999,
            });
            let me = group(&account, &app.group);
            r.add(
                Direction::Ingress,
                Protocol::Tcp,
                l4,
                me,
                Some("cluster traffic"),
            );
        }
        Kind::Db | Kind::Cache => {
            if let Some(api) = pick(r.b, v, Kind::Api) {
                r.tcp_in(app.port, app.port, group(&account, &api), "from the app");
            }
            if app.kind == Kind::Db {
                for (pcx, other, other_vpc) in &peers {
                    if let Some(api) = pick(r.b, *other, Kind::Api) {
                        let peer = RulePeer::Group {
                            group_id: api,
                            account_id: Some(account.clone()),
                            vpc_id: Some(other_vpc.clone()),
                            vpc_peering_connection_id: Some(pcx.clone()),
                        };
                        r.tcp_in(app.port, app.port, peer, "from the peered app");
                    }
                }
                if r.b.rng.percent(50) {
                    let host = format!(
                        "10.{}.{}.{}/32",
                        r.b.rng.below(256),
                        r.b.rng.below(256),
                        4 + r.b.rng.below(250)
                    );
                    r.tcp_in(app.port, app.port, v4(&host), "DBA workstation");
                }
            }
            let open = if app.kind == Kind::Db { 10 } else { 30 };
            if r.b.rng.percent(open) {
                r.tcp_in(app.port, app.port, v4("10.0.0.0/8"), "anyone internal");
            }
        }
    }
    r.default_egress(has_v6);
    rules.append(&mut r.rules);
    let description = format!("{} ({})", app.name, app.kind.name());
    push(b, v, &app.group, &app.name, &description, rules);
}
