//! Targets the internet reaches through load balancers, computed once per scan and
//! shared by `internet-exposed-port` (exposure) and the `lateral-*` checks
//! (footholds).

use std::collections::HashMap;

use crate::finding::{Resource, Severity};
use crate::inventory::{LoadBalancer, LoadBalancerType, TargetGroup};
use crate::reach::path::{internet_paths, LbPath};
use crate::reach::sets::{IpSet, ServiceSet};
use crate::reach::verdict::describe_point;
use crate::reach::Model;

use super::ports::{tcp_ports, ADMIN_PORTS, DATA_PORTS};

/// Every path from the internet through a load balancer, and the allowed ones by
/// target ENI.
#[derive(Debug, Default)]
pub struct LbExposures<'a> {
    pub paths: Vec<LbPath<'a>>,
    /// Target ENI id -> indexes of the allowed paths reaching it.
    by_target: HashMap<&'a str, Vec<usize>>,
}

impl<'a> LbExposures<'a> {
    pub fn build(
        model: &Model<'a>,
        inv: &'a crate::inventory::Inventory,
        ephemeral: crate::inventory::PortRange,
    ) -> LbExposures<'a> {
        let paths = internet_paths(model, inv, ephemeral);
        let mut by_target: HashMap<&'a str, Vec<usize>> = HashMap::new();
        for (i, p) in paths.iter().enumerate() {
            if let (true, Some(eni)) = (p.evaluation.is_allowed(), p.target_eni) {
                by_target.entry(eni.id.as_str()).or_default().push(i);
            }
        }
        LbExposures { paths, by_target }
    }

    /// The allowed paths reaching `eni`, in inventory order.
    pub fn reaching(&self, eni: &str) -> impl Iterator<Item = &LbPath<'a>> {
        self.by_target
            .get(eni)
            .into_iter()
            .flatten()
            .map(|&i| &self.paths[i])
    }
}

/// The internet sources of an allowed path once `trusted` addresses are taken out.
pub fn untrusted_sources(path: &LbPath, trusted: &IpSet) -> IpSet {
    path.sources.difference(trusted)
}

/// The load balancer as a finding names it: ELBv2 by ARN, classic by name.
pub fn load_balancer_resource(lb: &LoadBalancer) -> Resource {
    match lb.lb_type {
        LoadBalancerType::Classic => Resource {
            resource_type: "AWS::ElasticLoadBalancing::LoadBalancer".into(),
            id: lb.name.clone(),
            arn: Some(lb.arn.clone()),
            name: Some(lb.name.clone()),
        },
        _ => Resource {
            resource_type: "AWS::ElasticLoadBalancingV2::LoadBalancer".into(),
            id: lb.arn.clone(),
            arn: Some(lb.arn.clone()),
            name: Some(lb.name.clone()),
        },
    }
}

pub fn target_group_resource(tg: &TargetGroup) -> Resource {
    Resource {
        resource_type: "AWS::ElasticLoadBalancingV2::TargetGroup".into(),
        id: tg.arn.clone(),
        arn: Some(tg.arn.clone()),
        name: Some(tg.name.clone()),
    }
}

/// `listener HTTPS 443`.
pub fn listener_words(path: &LbPath) -> String {
    match path.listener {
        Some(l) => format!("listener {} {}", l.protocol, l.port),
        None => "listeners".into(),
    }
}

/// `target group app (tcp 8080)`, or the instance port of a classic load balancer.
pub fn target_words(path: &LbPath) -> String {
    let point = path.target_point.map(describe_point);
    match (path.target_group, path.target_group_arn, point) {
        (Some(tg), _, Some(p)) => format!("target group {} ({p})", tg.name),
        (Some(tg), _, None) => format!("target group {}", tg.name),
        (None, Some(arn), _) => format!("target group {arn}"),
        (None, None, Some(p)) => format!("instance port ({p})"),
        (None, None, None) => "targets".into(),
    }
}

/// The evidence naming the load balancer, listener and target group of a path.
pub fn path_evidence(path: &LbPath) -> Vec<(String, String)> {
    let lb = path.load_balancer;
    let mut out = vec![
        (
            "load balancer".to_string(),
            format!(
                "{} ({}, {}) {}",
                lb.name,
                lb.lb_type.as_str(),
                "internet-facing",
                lb.arn
            ),
        ),
        ("listener".to_string(), listener_words(path)),
        ("target".to_string(), target_words(path)),
    ];
    if path.client_ip_preserved {
        out.push((
            "client IP preservation".to_string(),
            "on: the target sees the client's address".to_string(),
        ));
    }
    out
}

/// Whether only HTTP reaches the target: an Application Load Balancer, or a classic
/// one's HTTP/HTTPS listener (it proxies requests, not connections).
pub fn web_proxied(path: &LbPath) -> bool {
    let protocol = path
        .listener
        .map(|l| l.protocol.to_ascii_uppercase())
        .unwrap_or_default();
    match path.load_balancer.lb_type {
        LoadBalancerType::Application => true,
        LoadBalancerType::Classic => protocol == "HTTP" || protocol == "HTTPS",
        _ => false,
    }
}

/// The severity of a target reached through a load balancer from the whole
/// internet: web proxied by an ALB (or a classic HTTP listener) is info; behind a
/// Network Load Balancer (or a classic TCP listener) by the target port's class:
/// remote administration and data stores critical, web info, anything else high.
pub fn severity(path: &LbPath) -> Severity {
    if web_proxied(path) {
        return Severity::Info;
    }
    let Some(point) = path.target_point else {
        return Severity::High;
    };
    let service = ServiceSet::from_point(point);
    let sensitive = tcp_ports(ADMIN_PORTS).union(&tcp_ports(DATA_PORTS));
    if !service.intersection(&sensitive).is_empty() {
        Severity::Critical
    } else if service.is_subset(&tcp_ports(&[(80, 80), (443, 443)])) {
        Severity::Info
    } else {
        Severity::High
    }
}
