//! `egress-world-open`: in-use security groups whose own egress rules reach the whole
//! internet (IPv4 or IPv6, judged by set coverage), for every port or for web ports.
//! Severity follows where the ENIs carrying the group can actually go.

use std::collections::{BTreeMap, HashMap};

use crate::inventory::Direction;
use crate::reach::path::EgressPath;
use crate::reach::security_group::{describe_rule, group_allowed_flows};
use crate::reach::sets::{public_internet, FlowSet, InternetCoverage, ServicePoint, ServiceSet};
use crate::report::finding::Severity;

use super::context::{Context, Draft};
use super::internet_route::path_from;
use super::resources;
use super::Check;

pub struct EgressWorldOpen;

impl Check for EgressWorldOpen {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let mut exits = HashMap::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(
                account,
                ri,
                &[
                    "DescribeSecurityGroups",
                    "DescribeSecurityGroupRules",
                    "DescribeNetworkInterfaces",
                ],
                "security-group egress",
            ) {
                out.extend(unknown);
                continue;
            }
            // Groups in use, with the ENIs carrying them.
            let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for eni in &ri.network_interfaces {
                for g in &eni.security_group_ids {
                    users.entry(g.as_str()).or_default().push(eni.id.as_str());
                }
            }
            for g in &ri.security_groups {
                let Some(enis) = users.get(g.id.as_str()) else {
                    continue;
                };
                let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
                let related = enis
                    .iter()
                    .map(|e| resources::network_interface(account, &ri.region, e, None));
                let flows = match group_allowed_flows(
                    ctx.model,
                    account,
                    &ri.region,
                    &g.id,
                    Direction::Egress,
                ) {
                    Ok(f) => f,
                    Err(reason) => {
                        out.push(
                            Draft::unknown(
                                account,
                                &ri.region,
                                resource,
                                format!("egress of {} could not be evaluated: {reason}", g.id),
                            )
                            .related(related),
                        );
                        continue;
                    }
                };
                let Some(scope) = world_open(&flows) else {
                    continue;
                };
                let (severity, route_note) = reach_of(ctx, enis, &mut exits);
                let mut draft = Draft::fail(
                    account,
                    &ri.region,
                    resource,
                    format!(
                        "{} ({}) lets {} out to the whole {}; {}",
                        g.id, g.name, scope.services, scope.family, route_note
                    ),
                )
                .severity(severity)
                .related(related)
                .identity(scope.family)
                .identity(scope.services);
                for r in g.rules.iter().filter(|r| r.direction == Direction::Egress) {
                    draft = draft.evidence(format!("{} egress", g.id), describe_rule(r));
                }
                out.push(draft);
            }
        }
        out
    }
}

struct Scope {
    family: &'static str,
    services: &'static str,
}

/// Whether the flows cover the whole IPv4 or IPv6 internet for every service, or for
/// TCP 443 or 80.
fn world_open(flows: &FlowSet) -> Option<Scope> {
    let internet = public_internet();
    let everything = FlowSet::from_box(internet.clone(), ServiceSet::all());
    let missing = everything.difference(flows);
    let missing_addrs = InternetCoverage::of(&internet.difference(&missing.addresses()));
    for (covers, family) in [
        (missing_addrs.covers_all_ipv4(), "IPv4 internet"),
        (missing_addrs.covers_all_ipv6(), "IPv6 internet"),
    ] {
        if covers {
            return Some(Scope {
                family,
                services: "all traffic",
            });
        }
    }
    for (port, services) in [(443, "HTTPS (tcp/443)"), (80, "HTTP (tcp/80)")] {
        let cov = InternetCoverage::of(&flows.addresses_for(ServicePoint::Tcp(port)));
        if cov.covers_all_ipv4() {
            return Some(Scope {
                family: "IPv4 internet",
                services,
            });
        }
        if cov.covers_all_ipv6() {
            return Some(Scope {
                family: "IPv6 internet",
                services,
            });
        }
    }
    None
}

/// High when some ENI carrying the group has an unfiltered way to the internet,
/// medium when they go out only through a Network Firewall, low when none leaves the
/// VPC. The way out depends on the subnet only, so it is traced once per subnet.
fn reach_of(
    ctx: &Context,
    enis: &[&str],
    exits: &mut HashMap<(String, bool), Option<bool>>,
) -> (Severity, String) {
    let (mut unfiltered, mut filtered) = (0, 0);
    for eni in enis {
        let Ok((_, found)) = ctx.model.locate_eni(eni) else {
            continue;
        };
        // Straight out through an internet gateway needs a public address of the
        // ENI's own, so the answer is per subnet and public-or-not.
        let public = !found.public_ipv4s.is_empty() || !found.ipv6s.is_empty();
        let exit = *exits
            .entry((found.subnet_id.clone(), public))
            .or_insert_with(|| {
                let path = path_from(ctx, eni);
                match unfiltered_exit(&path) {
                    Some(true) if !public && path_is_direct(&path) => None,
                    other => other,
                }
            });
        match exit {
            Some(true) => unfiltered += 1,
            Some(false) => filtered += 1,
            None => {}
        }
    }
    let total = enis.len();
    if unfiltered > 0 {
        (
            Severity::High,
            format!("{unfiltered} of the {total} ENI(s) carrying it have an unfiltered route to the internet"),
        )
    } else if filtered > 0 {
        (
            Severity::Medium,
            format!("{filtered} of the {total} ENI(s) carrying it reach the internet only through a Network Firewall"),
        )
    } else {
        (
            Severity::Low,
            "no ENI carrying it has a route out of the VPC".to_string(),
        )
    }
}

/// Out through an internet gateway with no NAT on the way (the source address must
/// be public).
fn path_is_direct(path: &EgressPath) -> bool {
    match path {
        EgressPath::Direct(_) | EgressPath::EgressOnly(_) => true,
        EgressPath::Firewall { then, .. } => path_is_direct(then),
        _ => false,
    }
}

/// `Some(true)`: out without a firewall; `Some(false)`: out through one; `None`: not out.
fn unfiltered_exit(path: &EgressPath) -> Option<bool> {
    match path {
        EgressPath::Direct(_) | EgressPath::EgressOnly(_) => Some(true),
        EgressPath::Nat { then, .. } => unfiltered_exit(then),
        EgressPath::Firewall { then, .. } => unfiltered_exit(then).map(|_| false),
        EgressPath::GatewayEndpoint { .. } | EgressPath::None => None,
    }
}
