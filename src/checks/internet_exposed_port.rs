//! `internet-exposed-port`: what the public internet can open to an ENI, after public
//! address, reply route, NACL and security groups (the engine's exposure, exact and
//! per class). Severity by what is exposed: remote administration and data stores
//! critical, web info, anything else high.
//!
//! Load balancer nodes are not reported as hosts (they answer only on their
//! listeners); targets an internet-facing load balancer forwards to are, on the
//! target, with the load balancer related and the listener and target group in the
//! evidence; their severity follows what reaches them (see
//! [`shared::load_balancer::severity`](super::shared::load_balancer::severity)).
//!
//! Sources in `[network] trusted_cidrs` are not the internet: a port open only to
//! them is not reported, and they are left out of what a finding lists. Whether a
//! port is open to the whole internet is judged before they are taken out, so a
//! rule for `0.0.0.0/0` keeps its severity.

use crate::finding::{Resource, Severity};
use crate::reach::exposure::Uncertainty;
use crate::reach::load_balancer;
use crate::reach::sets::{FlowSet, InternetCoverage, ServiceSet};

use std::collections::BTreeMap;

use crate::inventory::NetworkInterface;

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::load_balancer::{
    self as lbs, load_balancer_resource, path_evidence, target_group_resource,
};
use super::shared::ports::{tcp_ports, ADMIN_PORTS, DATA_PORTS};
use super::Check;

pub struct InternetExposedPort;

const WEB_PORTS: &[(u16, u16)] = &[(80, 80), (443, 443)];

impl Check for InternetExposedPort {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for eni in &ri.network_interfaces {
                // A load balancer node answers only on its listeners: what gets
                // through it is reported on the targets below.
                if load_balancer::is_node(eni) {
                    continue;
                }
                // Built only for an ENI with something to report.
                let resource =
                    || resources::network_interface(account, &ri.region, &eni.id, Some(&eni.tags));
                let related = || {
                    let mut related: Vec<_> = eni
                        .security_group_ids
                        .iter()
                        .map(|g| resources::security_group(account, &ri.region, g, None))
                        .collect();
                    related.push(resources::subnet(account, &ri.region, &eni.subnet_id, None));
                    related
                };
                let exposure = ctx.exposure(&eni.id);
                let exposure = match exposure.as_ref() {
                    Ok(e) => e,
                    Err(reason) => {
                        if !eni.public_ipv4s.is_empty() || !eni.ipv6s.is_empty() {
                            out.push(
                                Draft::unknown(
                                    account,
                                    &ri.region,
                                    resource(),
                                    format!(
                                        "exposure of {} could not be evaluated: {reason}",
                                        eni.id
                                    ),
                                )
                                .related(related()),
                            );
                        }
                        continue;
                    }
                };
                if exposure.flows.is_empty() && exposure.unknown.is_empty() {
                    continue;
                }
                let resource = resource();
                let mut related = related();
                if let Some(igw) = &exposure.gateway {
                    related.push(resources::internet_gateway(account, &ri.region, igw, None));
                }
                if !exposure.flows.is_empty() {
                    let services = services_of(&exposure.flows);
                    // With the trusted sources, which are open too: the engine's
                    // answer (the same exposure when nothing is trusted).
                    let engine = ctx.engine_exposure(&eni.id);
                    let all_sources = match engine.as_ref() {
                        Ok(e) => e.flows.addresses(),
                        Err(_) => exposure.flows.addresses(),
                    };
                    let sources = InternetCoverage::of(&all_sources);
                    let everyone = sources.covers_all_ipv4() || sources.covers_all_ipv6();
                    // A port open to some sources only is one step less severe than
                    // the same port open to everyone.
                    let severity = if everyone {
                        severity_of(&services)
                    } else {
                        severity_of(&services).lower()
                    };
                    let whole = if everyone {
                        " from the whole internet"
                    } else {
                        " from part of the internet"
                    };
                    let mut d = Draft::fail(
                        account,
                        &ri.region,
                        resource.clone(),
                        format!("{} accepts {services}{whole}", eni.id),
                    )
                    .severity(severity)
                    .related(related.clone())
                    .identity(services.to_string());
                    for s in &exposure.steps {
                        d = d.evidence(&s.component, &s.decision);
                    }
                    out.push(d);
                }
                if !exposure.unknown.is_empty() {
                    // Only ICMP replies unmodelled: little is at stake.
                    let icmp_only = exposure
                        .unknown
                        .iter()
                        .all(|u| matches!(u, Uncertainty::IcmpReplies(_)));
                    let mut d = Draft::unknown(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} may accept more from the internet: {}",
                            eni.id,
                            exposure
                                .unknown
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    )
                    .related(related)
                    .identity("unknown");
                    if icmp_only {
                        d = d.severity(Severity::Info);
                    }
                    for s in &exposure.steps {
                        d = d.evidence(&s.component, &s.decision);
                    }
                    out.push(d);
                }
            }
        }
        out.extend(through_load_balancers(ctx));
        out
    }

    /// Every ENI but load balancer nodes (which do not apply), and the target groups
    /// and load balancers of paths that reach no target ENI (`through_load_balancers`
    /// reports those there).
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let lbs = ctx.load_balancers();
        // Target ENI -> whether some path from the internet through a load balancer
        // gets to it; the paths that name no target ENI, by what they are about.
        let mut targeted: BTreeMap<&str, bool> = BTreeMap::new();
        let mut untargeted: BTreeMap<(&str, &str, String), (Resource, Vec<&str>)> = BTreeMap::new();
        for p in &lbs.paths {
            if let Some(eni) = p.target_eni {
                *targeted.entry(eni.id.as_str()).or_default() |= p.evaluation.is_allowed();
                continue;
            }
            let resource = p
                .target_group
                .map(target_group_resource)
                .unwrap_or_else(|| load_balancer_resource(p.load_balancer));
            let (_, names) = untargeted
                .entry((p.account, p.region, resource.id.clone()))
                .or_insert_with(|| (resource, Vec::new()));
            if !names.contains(&p.load_balancer.name.as_str()) {
                names.push(p.load_balancer.name.as_str());
            }
        }
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for eni in &ri.network_interfaces {
                let resource =
                    resources::network_interface(account, &ri.region, &eni.id, Some(&eni.tags));
                if load_balancer::is_node(eni) {
                    out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "load balancer node: it answers only on its listeners, and what gets through is judged on its targets",
                    ));
                    continue;
                }
                let mut reason = direct_reason(ctx, eni);
                match targeted.get(eni.id.as_str()) {
                    Some(true) => reason.push_str(
                        "; load balancers forward to it from [network] trusted_cidrs only",
                    ),
                    Some(false) => {
                        reason.push_str("; no load balancer lets the internet through to it")
                    }
                    None => {}
                }
                out.push(Scoped::pass(account, &ri.region, resource, reason));
            }
        }
        for ((account, region, _), (resource, names)) in untargeted {
            let reason = match resource.resource_type.as_str() {
                "AWS::ElasticLoadBalancingV2::TargetGroup" => format!(
                    "no node of load balancer {} lets the internet in on the listeners forwarding to it",
                    names.join(", ")
                ),
                _ => "no node lets the internet in on its listeners".to_string(),
            };
            out.push(Scoped::pass(account, region, resource, reason));
        }
        Some(out)
    }
}

/// Why the internet opens nothing on `eni` directly, when no finding names it: as
/// `run` decides it, from the same cached exposure.
fn direct_reason(ctx: &Context, eni: &NetworkInterface) -> String {
    if eni.public_ipv4s.is_empty() && eni.ipv6s.is_empty() {
        return "no public IPv4 or IPv6 address".to_string();
    }
    let exposure = ctx.exposure(&eni.id);
    let Ok(e) = exposure.as_ref() else {
        // `run` reports it unknown.
        return "its exposure could not be evaluated".to_string();
    };
    let engine = ctx.engine_exposure(&eni.id);
    if engine.as_ref().as_ref().is_ok_and(|e| !e.flows.is_empty()) {
        "open only to [network] trusted_cidrs".to_string()
    } else if e.gateway.is_none() {
        "public address, but no reply route to an internet gateway".to_string()
    } else {
        format!(
            "public address, but its security groups ({}) and its subnet's network ACL let no connection in from the internet",
            eni.security_group_ids.join(", ")
        )
    }
}

/// Targets reached from the internet through a load balancer (fail), and paths
/// through one that cannot be judged (unknown, on the target, else its target group,
/// else the load balancer).
fn through_load_balancers(ctx: &Context) -> Vec<Draft> {
    let mut out = Vec::new();
    for p in &ctx.load_balancers().paths {
        if p.evaluation.is_blocked() {
            continue;
        }
        let (account, region) = (p.account, p.region);
        let lb = p.load_balancer;
        let mut related = vec![load_balancer_resource(lb)];
        related.extend(p.target_group.map(target_group_resource));
        let identity = format!(
            "via {} {} {}",
            lb.arn,
            lbs::listener_words(p),
            lbs::target_words(p)
        );
        let via = format!(
            "through load balancer {} ({}, {})",
            lb.name,
            lbs::listener_words(p),
            lbs::target_words(p)
        );
        let mut evidence = path_evidence(p);
        evidence.extend(
            p.evaluation
                .steps
                .iter()
                .map(|s| (s.component.clone(), s.decision.clone())),
        );
        let with_evidence = |mut d: Draft| {
            for (c, detail) in &evidence {
                d = d.evidence(c, detail);
            }
            d
        };
        let target_resource = p
            .target_eni
            .map(|eni| resources::network_interface(account, region, &eni.id, Some(&eni.tags)));
        if let crate::reach::Verdict::Unknown { reason } = &p.evaluation.verdict {
            let resource = target_resource
                .or_else(|| p.target_group.map(target_group_resource))
                .unwrap_or_else(|| load_balancer_resource(lb));
            let what = p
                .target_eni
                .map(|e| e.id.clone())
                .or(p.target_id.map(str::to_string))
                .unwrap_or_else(|| "its targets".into());
            out.push(with_evidence(
                Draft::unknown(
                    account,
                    region,
                    resource,
                    format!("whether the internet reaches {what} {via} is unknown: {reason}"),
                )
                .related(related)
                .identity(identity),
            ));
            continue;
        }
        let (Some(resource), Some(eni), Some(point)) =
            (target_resource, p.target_eni, p.target_point)
        else {
            continue;
        };
        let sources = lbs::untrusted_sources(p, ctx.trusted());
        if sources.is_empty() {
            continue;
        }
        // Judged with the trusted sources, as direct exposure is.
        let coverage = InternetCoverage::of(&p.sources);
        let everyone = coverage.covers_all_ipv4() || coverage.covers_all_ipv6();
        let severity = if everyone {
            lbs::severity(p)
        } else {
            lbs::severity(p).lower()
        };
        let whole = if everyone {
            "the whole internet"
        } else {
            "part of the internet"
        };
        related.extend(
            eni.security_group_ids
                .iter()
                .map(|g| resources::security_group(account, region, g, None)),
        );
        out.push(with_evidence(
            Draft::fail(
                account,
                region,
                resource,
                format!(
                    "{} accepts {} from {whole} {via}",
                    eni.id,
                    crate::reach::verdict::describe_point(point)
                ),
            )
            .severity(severity)
            .related(related)
            .identity(identity),
        ));
    }
    out
}

fn services_of(flows: &FlowSet) -> ServiceSet {
    flows
        .boxes()
        .iter()
        .fold(ServiceSet::empty(), |s, b| s.union(&b.services))
}

fn severity_of(services: &ServiceSet) -> Severity {
    let sensitive = tcp_ports(ADMIN_PORTS).union(&tcp_ports(DATA_PORTS));
    if !services.intersection(&sensitive).is_empty() {
        Severity::Critical
    } else if services.difference(&tcp_ports(WEB_PORTS)).is_empty() {
        Severity::Info
    } else {
        Severity::High
    }
}
