//! `firewall-bypassed`: in a VPC that has a Network Firewall, a subnet holding
//! workloads whose route to the internet (IPv4, or IPv6 when its ENIs have IPv6)
//! passes no firewall endpoint. The firewall's own subnets, and ENIs that are AWS
//! plumbing (NAT gateways, endpoints, load balancer nodes), are not workloads.
//! Unknown when the first hop goes somewhere the engine does not follow, or when
//! the way out passes a Gateway Load Balancer appliance instead (its rules are not
//! visible: never a pass or a fail).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::finding::{Resource, Severity};
use crate::inventory::{Firewall, RegionInventory, RouteTarget};
use crate::reach::path::EgressPath;
use crate::reach::route::{self, describe_route, RouteDecision};

use super::context::{Context, Draft, Scoped};
use super::shared::firewall::{firewall_resource, workload_subnets};
use super::shared::internet_route::{
    appliances, describe, firewalls, leaves, nats, trace_to, transit_hops, PROBE, PROBE_V6,
};
use super::{resources, Check};

pub struct FirewallBypassed;

/// Why the engine cannot follow the subnet's first hop toward `dst`, if it cannot.
fn unfollowed(
    ctx: &Context,
    account: &str,
    ri: &RegionInventory,
    subnet: &str,
    dst: IpAddr,
) -> Option<String> {
    let rm = ctx.model.region(account, &ri.region)?;
    let table = match route::table_for_subnet(rm, subnet) {
        Ok(t) => t,
        Err(reason) => return Some(reason),
    };
    match route::lookup(rm, ri, table, dst) {
        RouteDecision::Unknown { reason } => Some(reason),
        RouteDecision::Route { route, .. } => match &route.target {
            // Hops that may lead to the internet beyond what the engine follows.
            RouteTarget::NetworkInterface(_)
            | RouteTarget::Instance(_)
            | RouteTarget::CoreNetwork(_)
            | RouteTarget::CarrierGateway(_)
            | RouteTarget::Unknown(_) => Some(format!(
                "{}: {} is not followed",
                table.id,
                describe_route(route)
            )),
            _ => None,
        },
        RouteDecision::NoRoute { .. } => None,
    }
}

/// Gateways on a path, as related resources.
fn gateways(account: &str, region: &str, path: &EgressPath) -> Vec<Resource> {
    let mut out: Vec<Resource> = nats(path)
        .into_iter()
        .map(|n| resources::nat_gateway(account, region, n, None))
        .collect();
    let mut p = path;
    loop {
        match p {
            EgressPath::Direct(igw) => {
                out.push(resources::internet_gateway(account, region, igw, None));
                break;
            }
            EgressPath::EgressOnly(eigw) => {
                out.push(Resource {
                    resource_type: "AWS::EC2::EgressOnlyInternetGateway".into(),
                    id: eigw.clone(),
                    arn: None,
                    name: None,
                });
                break;
            }
            other => match other.next() {
                Some(then) => p = then,
                None => break,
            },
        }
    }
    out
}

impl Check for FirewallBypassed {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let mut by_vpc: BTreeMap<&str, Vec<&Firewall>> = BTreeMap::new();
            for fw in &ri.firewalls {
                by_vpc.entry(fw.vpc_id.as_str()).or_default().push(fw);
            }
            if by_vpc.is_empty() {
                continue;
            }
            let rm = ctx.model.region(account, &ri.region);
            for (subnet, eni) in workload_subnets(ctx, ri) {
                let Some(fws) = by_vpc.get(eni.vpc_id.as_str()) else {
                    continue;
                };
                let resource = resources::subnet(account, &ri.region, subnet, None);
                let mut related: Vec<Resource> = fws.iter().map(|f| firewall_resource(f)).collect();
                if let Some(rt) = rm
                    .and_then(|m| m.subnet(subnet))
                    .and_then(|i| i.route_table_id)
                {
                    related.push(resources::route_table(account, &ri.region, rt, None));
                }
                let names: Vec<&str> = fws.iter().map(|f| f.name.as_str()).collect();
                let mut families = vec![("IPv4", PROBE)];
                if !eni.ipv6s.is_empty() {
                    families.push(("IPv6", PROBE_V6));
                }
                for (family, dst) in families {
                    let (path, undecided) = trace_to(ctx, &eni.id, dst);
                    let appliance = appliance_reason(&path);
                    let undecidable = |reason: &str| {
                        Draft::unknown(
                            account,
                            &ri.region,
                            resource.clone(),
                            format!(
                                "whether {subnet}'s {family} internet traffic passes firewall {} could not be decided: {reason}",
                                names.join(", ")
                            ),
                        )
                        .related(related.clone())
                        .identity(family)
                    };
                    if let (Some(reason), true) = (&appliance, leaves(&path)) {
                        // Never a pass or a fail: the appliance may be a firewall.
                        out.push(undecidable(reason));
                    } else if leaves(&path) && firewalls(&path).is_empty() {
                        out.push(
                            Draft::fail(
                                account,
                                &ri.region,
                                resource.clone(),
                                format!(
                                    "{subnet} reaches the {family} internet without passing firewall {} of {}: {subnet} -> {}",
                                    names.join(", "),
                                    eni.vpc_id,
                                    describe(&path)
                                ),
                            )
                            .related(related.clone())
                            .related(gateways(account, &ri.region, &path))
                            .identity(family)
                            .evidence(&eni.id, format!("tcp/443 to {dst} routes {}", describe(&path))),
                        );
                    } else if let (Some(reason), false) =
                        (&undecided, transit_hops(&path).is_empty())
                    {
                        out.push(undecidable(reason));
                    } else if matches!(path, EgressPath::None) {
                        if let Some(reason) =
                            unfollowed(ctx, account, ri, subnet, dst).or(undecided)
                        {
                            out.push(
                                Draft::unknown(
                                    account,
                                    &ri.region,
                                    resource.clone(),
                                    format!(
                                        "whether {subnet}'s {family} internet traffic passes firewall {} could not be decided: {reason}",
                                        names.join(", ")
                                    ),
                                )
                                .related(related.clone())
                                .identity(family),
                            );
                        }
                    }
                }
            }
        }
        out.extend(centralised(ctx));
        out
    }

    /// Every workload subnet: in a VPC with a Network Firewall, or sending its
    /// traffic through an inspection transit gateway, it passes when each of its
    /// ways to the internet passes a firewall or none leads there; elsewhere it is
    /// not applicable. Inspection VPC attachments pass with appliance mode on.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let spokes = spokes(ctx);
        let inspection = inspection(&spokes);
        let mut inspected: BTreeMap<(&str, &str, &str), String> = BTreeMap::new();
        for s in spokes.iter().filter(|s| !s.own_firewall) {
            let hops = transit_hops(&s.path);
            if let Some(tgw) = hops.iter().find(|h| inspection.contains_key(h.tgw)) {
                inspected.insert(
                    (s.account, s.region, s.subnet),
                    format!("through {}, {}", tgw.tgw, family_reason("IPv4", &s.path)),
                );
            }
        }
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let own: Vec<&str> = ri.firewalls.iter().map(|f| f.vpc_id.as_str()).collect();
            for (subnet, eni) in workload_subnets(ctx, ri) {
                let resource = resources::subnet(account, &ri.region, subnet, None);
                if own.contains(&eni.vpc_id.as_str()) {
                    let mut families = vec![("IPv4", PROBE)];
                    if !eni.ipv6s.is_empty() {
                        families.push(("IPv6", PROBE_V6));
                    }
                    let reasons: Vec<String> = families
                        .into_iter()
                        .map(|(family, dst)| family_reason(family, &trace_to(ctx, &eni.id, dst).0))
                        .collect();
                    out.push(Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        reasons.join("; "),
                    ));
                } else if let Some(reason) =
                    inspected.remove(&(account, ri.region.as_str(), subnet))
                {
                    out.push(Scoped::pass(account, &ri.region, resource, reason));
                } else {
                    out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} has no Network Firewall, and no inspection transit gateway carries {subnet}'s internet traffic",
                            eni.vpc_id
                        ),
                    ));
                }
            }
        }
        // Inspection VPC attachments, where the run reports them (the first spoke
        // inspected through each).
        let mut attachments: BTreeSet<&str> = BTreeSet::new();
        for s in &spokes {
            for hop in transit_hops(&s.path).iter().filter(|h| h.inspected_there) {
                if !attachments.insert(hop.next_attachment) {
                    continue;
                }
                // Off: always a finding, whose message replaces this.
                out.push(Scoped::pass(
                    s.account,
                    s.region,
                    resources::transit_gateway_attachment(hop.next_attachment),
                    format!(
                        "{} into inspection VPC {} has appliance mode {}",
                        hop.next_attachment,
                        hop.vpc,
                        if hop.appliance_mode { "on" } else { "off" }
                    ),
                ));
            }
        }
        Some(out)
    }
}

/// Why one way out of a workload subnet passes, when no finding names it: its
/// route reaches the internet through a firewall, or does not reach it.
fn family_reason(family: &str, path: &EgressPath) -> String {
    if leaves(path) {
        format!(
            "{family} internet traffic passes firewall {}: {}",
            firewalls(path).join(", "),
            describe(path)
        )
    } else if matches!(path, EgressPath::None) {
        format!("no {family} route to the internet")
    } else {
        format!(
            "the {family} route stops short of the internet: {}",
            describe(path)
        )
    }
}

/// Why a path that passes no Network Firewall but a Gateway Load Balancer appliance
/// cannot be judged: the appliance may filter, and its rules are not visible.
fn appliance_reason(path: &EgressPath) -> Option<String> {
    if !firewalls(path).is_empty() {
        return None;
    }
    appliances(path).first().map(|a| {
        format!(
            "{a} hands it to a third-party appliance; third-party appliance rules are not visible: {}",
            describe(path)
        )
    })
}

/// A workload subnet that sends its IPv4 internet traffic to a transit gateway.
struct Spoke<'a> {
    account: &'a str,
    region: &'a str,
    subnet: &'a str,
    eni: &'a str,
    path: EgressPath,
    undecided: Option<String>,
    /// Its VPC has a Network Firewall of its own (judged above).
    own_firewall: bool,
}

/// Centralised inspection: a transit gateway that carries some spoke's internet
/// traffic through a Network Firewall in an inspection VPC is an inspection
/// gateway. A spoke whose path through it reaches the internet passing no firewall
/// (its TGW route table skips the inspection VPC) bypasses that firewall; one whose
/// path stops where the engine cannot follow is unknown. An inspection VPC attachment
/// without appliance mode is reported on the attachment: replies may return through
/// another AZ, where the stateful firewall drops them or sees half the flow.
fn centralised(ctx: &Context) -> Vec<Draft> {
    let spokes = spokes(ctx);
    let inspection = inspection(&spokes);
    centralised_findings(ctx, &spokes, &inspection)
}

/// Inspection gateway -> the firewalls spokes pass through it.
fn inspection<'s>(spokes: &'s [Spoke]) -> BTreeMap<&'s str, Vec<&'s str>> {
    let mut inspection: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in spokes {
        let fws = firewalls(&s.path);
        if fws.is_empty() {
            continue;
        }
        for hop in transit_hops(&s.path) {
            let names = inspection.entry(hop.tgw).or_default();
            for f in &fws {
                if !names.contains(f) {
                    names.push(f);
                }
            }
        }
    }
    inspection
}

/// Every workload subnet that sends its IPv4 internet traffic to a transit gateway.
fn spokes<'a>(ctx: &Context<'_, 'a>) -> Vec<Spoke<'a>> {
    let mut spokes = Vec::new();
    for (account, ri) in ctx.regions() {
        let own: Vec<&str> = ri.firewalls.iter().map(|f| f.vpc_id.as_str()).collect();
        for (subnet, eni) in workload_subnets(ctx, ri) {
            let (path, undecided) = trace_to(ctx, &eni.id, PROBE);
            if transit_hops(&path).is_empty() {
                continue;
            }
            spokes.push(Spoke {
                account,
                region: &ri.region,
                subnet,
                eni: &eni.id,
                path,
                undecided,
                own_firewall: own.contains(&eni.vpc_id.as_str()),
            });
        }
    }
    spokes
}

fn centralised_findings(
    ctx: &Context,
    spokes: &[Spoke],
    inspection: &BTreeMap<&str, Vec<&str>>,
) -> Vec<Draft> {
    let mut out = Vec::new();
    let subnet_resources = |s: &Spoke| {
        let mut r = vec![resources::subnet(s.account, s.region, s.subnet, None)];
        if let Some(rt) = ctx
            .model
            .region(s.account, s.region)
            .and_then(|m| m.subnet(s.subnet))
            .and_then(|i| i.route_table_id)
        {
            r.push(resources::route_table(s.account, s.region, rt, None));
        }
        r
    };
    for s in spokes.iter().filter(|s| !s.own_firewall) {
        let hops = transit_hops(&s.path);
        let Some((tgw, fws)) = hops.iter().find_map(|h| inspection.get_key_value(h.tgw)) else {
            continue;
        };
        let resource = resources::subnet(s.account, s.region, s.subnet, None);
        let names = fws.join(", ");
        if leaves(&s.path) && firewalls(&s.path).is_empty() && appliances(&s.path).is_empty() {
            let route = describe(&s.path);
            out.push(
                Draft::fail(
                    s.account,
                    s.region,
                    resource,
                    format!(
                        "{} reaches the IPv4 internet through {tgw} without passing its inspection firewall {names}: {} -> {route}",
                        s.subnet, s.subnet
                    ),
                )
                .related(subnet_resources(s).into_iter().skip(1))
                .related(hops.iter().map(|h| resources::transit_gateway_attachment(h.next_attachment)))
                .related(gateways(s.account, s.region, &s.path))
                .identity("IPv4")
                .evidence(s.eni, format!("tcp/443 to {PROBE} routes {route}")),
            );
        } else if let Some(reason) = appliance_reason(&s.path)
            .filter(|_| leaves(&s.path))
            .or_else(|| s.undecided.clone().filter(|_| !leaves(&s.path)))
        {
            out.push(
                Draft::unknown(
                    s.account,
                    s.region,
                    resource,
                    format!(
                        "whether {}'s IPv4 internet traffic through {tgw} passes its inspection firewall {names} could not be decided: {reason}",
                        s.subnet
                    ),
                )
                .related(subnet_resources(s).into_iter().skip(1))
                .identity("IPv4"),
            );
        }
    }
    // Inspection attachments without appliance mode -> the spokes inspected there.
    let mut no_appliance_mode: BTreeMap<&str, (&str, Vec<&Spoke>)> = BTreeMap::new();
    for s in spokes {
        for hop in transit_hops(&s.path) {
            if hop.inspected_there && !hop.appliance_mode {
                no_appliance_mode
                    .entry(hop.next_attachment)
                    .or_insert((hop.vpc, Vec::new()))
                    .1
                    .push(s);
            }
        }
    }
    for (attachment, (vpc, users)) in no_appliance_mode {
        let first = users[0];
        let names: Vec<&str> = users.iter().map(|s| s.subnet).collect();
        let mut d = Draft::fail(
            first.account,
            first.region,
            resources::transit_gateway_attachment(attachment),
            format!(
                "{attachment} into inspection VPC {vpc} has appliance mode off: replies to {} may come back through another AZ and bypass or be dropped by the stateful firewall",
                names.join(", ")
            ),
        )
        .severity(Severity::Medium)
        .identity("appliance-mode")
        .related(users.iter().flat_map(|s| subnet_resources(s)));
        for s in &users {
            d = d.evidence(s.subnet, format!("inspected on {}", describe(&s.path)));
        }
        out.push(d);
    }
    out
}
