//! Load balancers in front of the applications: internet-facing ALBs on 443 to
//! instance targets on 8080, internet-facing NLBs on 443 (and, every eighth, on 22) to
//! IP targets, and internal ALBs. Each has a node ENI per subnet of its tier, described
//! as AWS describes them, so the engine finds its nodes the way it does in real accounts.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::inventory::{
    Direction, L4Match, Listener, LoadBalancer, LoadBalancerScheme, LoadBalancerType, PortRange,
    Protocol, RulePeer, SecurityGroup, SecurityGroupRule, Target, TargetGroup,
};

use super::enis::infra_eni;
use super::plan::Tier;
use super::state::{named, Builder};

/// What one load balancer of the plan is.
#[derive(Clone, Copy)]
struct Shape {
    lb_type: LoadBalancerType,
    scheme: LoadBalancerScheme,
    listener_port: u16,
    target_port: u16,
    target_type: &'static str,
}

fn shape(i: usize) -> Shape {
    let public = LoadBalancerScheme::InternetFacing;
    match i % 4 {
        0 | 1 => Shape {
            lb_type: LoadBalancerType::Application,
            scheme: public,
            listener_port: 443,
            target_port: 8080,
            target_type: "instance",
        },
        2 => Shape {
            lb_type: LoadBalancerType::Network,
            scheme: public,
            listener_port: if i % 8 == 2 { 22 } else { 443 },
            target_port: if i % 8 == 2 { 22 } else { 443 },
            target_type: "ip",
        },
        _ => Shape {
            lb_type: LoadBalancerType::Application,
            scheme: LoadBalancerScheme::Internal,
            listener_port: 443,
            target_port: 8080,
            target_type: "instance",
        },
    }
}

/// Adds `count` load balancers with `targets` registered targets each (fewer where a
/// VPC has fewer instances). VPC 0, the inspection VPC, gets none.
pub(super) fn build(b: &mut Builder, count: usize, targets: usize) {
    if count == 0 || b.layout.vpcs.len() < 2 {
        return;
    }
    // Instances per VPC, with their primary private address, for the targets.
    let mut by_vpc: BTreeMap<String, Vec<(String, Ipv4Addr)>> = BTreeMap::new();
    let primary: BTreeMap<&str, Ipv4Addr> =
        b.ri.network_interfaces
            .iter()
            .filter_map(|e| Some((e.id.as_str(), *e.private_ipv4s.first()?)))
            .collect();
    for instance in &b.ri.instances {
        let (Some(vpc), Some(eni)) = (&instance.vpc_id, instance.network_interface_ids.first())
        else {
            continue;
        };
        if let Some(ip) = primary.get(eni.as_str()) {
            by_vpc
                .entry(vpc.clone())
                .or_default()
                .push((instance.id.clone(), *ip));
        }
    }
    for i in 0..count {
        let v = 1 + i % (b.layout.vpcs.len() - 1);
        let s = shape(i);
        let candidates = by_vpc
            .get(&b.layout.vpcs[v].id)
            .cloned()
            .unwrap_or_default();
        load_balancer(b, i, v, s, &candidates, targets);
    }
}

fn load_balancer(
    b: &mut Builder,
    i: usize,
    v: usize,
    s: Shape,
    candidates: &[(String, Ipv4Addr)],
    targets: usize,
) {
    let (kind, interface_type) = match s.lb_type {
        LoadBalancerType::Network => ("net", "network_load_balancer"),
        _ => ("app", "interface"),
    };
    let name = format!("{}-lb-{i:05}", b.layout.vpcs[v].name);
    let suffix = format!("{:016x}", b.ids.raw());
    let arn = b.arn(
        "elasticloadbalancing",
        &format!("loadbalancer/{kind}/{name}/{suffix}"),
    );
    let internet = s.scheme == LoadBalancerScheme::InternetFacing;
    let tier = if internet {
        Tier::Public
    } else {
        Tier::Private
    };
    let vpc_id = b.layout.vpcs[v].id.clone();

    // ALBs filter with their own group; these NLBs have none, as NLBs created
    // before 2023 do.
    let mut groups = Vec::new();
    if s.lb_type == LoadBalancerType::Application {
        let id = b.ids.next("sg");
        let source = if internet { "0.0.0.0/0" } else { "10.0.0.0/8" };
        let rules = vec![
            rule(b, Direction::Ingress, s.listener_port, source),
            rule(b, Direction::Egress, s.target_port, "10.0.0.0/8"),
        ];
        b.ri.security_groups.push(SecurityGroup {
            id: id.clone(),
            name: format!("{name}-sg"),
            description: Some("load balancer".into()),
            vpc_id: Some(vpc_id.clone()),
            owner_id: Some(b.account.clone()),
            rules,
            tags: named(&format!("{name}-sg")),
        });
        groups.push(id);
    }

    let subnets: Vec<usize> = (0..b.layout.vpcs[v].subnets.len())
        .filter(|&k| b.layout.vpcs[v].subnets[k].tier == tier)
        .collect();
    let mut subnet_ids = Vec::new();
    for &k in &subnets {
        let description = format!("ELB {kind}/{name}/{suffix}");
        infra_eni(b, v, k, interface_type, description, internet);
        if let Some(eni) = b.ri.network_interfaces.last_mut() {
            eni.security_group_ids = groups.clone();
        }
        subnet_ids.push(b.layout.vpcs[v].subnets[k].id.clone());
    }

    let tg_suffix = format!("{:016x}", b.ids.raw());
    let tg_arn = b.arn(
        "elasticloadbalancing",
        &format!("targetgroup/{name}-tg/{tg_suffix}"),
    );
    let registered = (0..targets.min(candidates.len()))
        .map(|t| {
            let (instance, ip) = &candidates[(i * 7 + t) % candidates.len()];
            Target {
                id: if s.target_type == "ip" {
                    ip.to_string()
                } else {
                    instance.clone()
                },
                port: Some(s.target_port),
                availability_zone: None,
                health: Some("healthy".into()),
            }
        })
        .collect();
    let protocol = match s.lb_type {
        LoadBalancerType::Network => "TCP",
        _ => "HTTPS",
    };
    b.ri.target_groups.push(TargetGroup {
        arn: tg_arn.clone(),
        name: format!("{name}-tg"),
        target_type: s.target_type.into(),
        protocol: Some(if protocol == "TCP" { "TCP" } else { "HTTP" }.into()),
        port: Some(s.target_port),
        vpc_id: Some(vpc_id.clone()),
        load_balancer_arns: vec![arn.clone()],
        preserve_client_ip: None,
        targets: Some(registered),
        tags: Default::default(),
    });
    b.ri.load_balancers.push(LoadBalancer {
        arn: arn.clone(),
        name: name.clone(),
        lb_type: s.lb_type,
        scheme: s.scheme,
        vpc_id: Some(vpc_id),
        subnet_ids,
        security_group_ids: groups,
        ip_address_type: Some("ipv4".into()),
        dns_name: Some(format!("{name}-{suffix}.elb.amazonaws.com")),
        state: Some("active".into()),
        listeners: Some(vec![Listener {
            arn: Some(arn.replace(":loadbalancer/", ":listener/") + "/" + &suffix),
            port: s.listener_port,
            protocol: protocol.into(),
            target_group_arns: vec![tg_arn],
            instance_port: None,
            instance_protocol: None,
        }]),
        instance_ids: vec![],
        tags: named(&name),
    });
}

fn rule(b: &mut Builder, direction: Direction, port: u16, cidr: &str) -> SecurityGroupRule {
    SecurityGroupRule {
        id: Some(b.ids.next("sgr")),
        direction,
        protocol: Protocol::Tcp,
        l4: L4Match::Ports(PortRange {
            from: port,
            to: port,
        }),
        peer: RulePeer::Ipv4 {
            cidr: cidr.parse().expect("valid CIDR"),
        },
        description: None,
    }
}
