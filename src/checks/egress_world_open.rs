//! `egress-world-open`: in-use security groups whose own egress rules reach the whole
//! internet (IPv4 or IPv6, judged by set coverage), for every port or for web ports.
//! Severity follows where the ENIs carrying the group can actually go; load balancer
//! nodes, which open no connection of their own choosing, do not count.

use crate::finding::Severity;
use crate::inventory::{Direction, NetworkInterface, Operation, RulePeer, SecurityGroup};
use crate::reach::load_balancer;
use crate::reach::model::FastMap;
use crate::reach::security_group::{describe_rule, group_allowed_flows};
use crate::reach::sets::{world_open_services, FlowSet, ServicePoint, ServiceSet};

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::internet_route::{appliances, firewalls, leaves, trace};
use super::shared::scope;
use super::Check;

pub struct EgressWorldOpen;

/// What the check reads; without any of it, it judges nothing in the region.
const OPERATIONS: [Operation; 3] = [
    Operation::DescribeSecurityGroups,
    Operation::DescribeSecurityGroupRules,
    Operation::DescribeNetworkInterfaces,
];
const WHAT: &str = "security-group egress";

impl Check for EgressWorldOpen {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let mut exits = FastMap::default();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(account, ri, &OPERATIONS, WHAT) {
                out.extend(unknown);
                continue;
            }
            // Groups in use, with the ENIs carrying them, each located in the model
            // once (where the engine finds it, as a trace of it would).
            let mut users: FastMap<&str, Vec<Carrier>> = FastMap::default();
            for eni in &ri.network_interfaces {
                // A load balancer node opens no connection of its own choosing: its
                // group's egress matters only toward the targets.
                if eni.security_group_ids.is_empty() || load_balancer::is_node(eni) {
                    continue;
                }
                let found = ctx.model.locate_eni(&eni.id).ok().map(|(_, found)| found);
                for g in &eni.security_group_ids {
                    users
                        .entry(g.as_str())
                        .or_default()
                        .push((eni.id.as_str(), found));
                }
            }
            for g in &ri.security_groups {
                let Some(enis) = users.get(g.id.as_str()) else {
                    continue;
                };
                let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
                let related = enis
                    .iter()
                    .map(|(e, _)| resources::network_interface(account, &ri.region, e, None));
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

    /// Groups an ENI other than a load balancer node carries, with their egress
    /// destinations as the reason; the others do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = scope::unknown_if_missing(ctx, account, ri, &OPERATIONS, WHAT) {
                out.extend(unknown);
                continue;
            }
            // Group -> whether an ENI that opens connections of its own carries it
            // (`false`: only load balancer nodes do), as `run` counts users.
            let mut carried: FastMap<&str, bool> = FastMap::default();
            for eni in &ri.network_interfaces {
                let own = !load_balancer::is_node(eni);
                for g in &eni.security_group_ids {
                    *carried.entry(g.as_str()).or_default() |= own;
                }
            }
            for g in &ri.security_groups {
                let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
                out.push(match carried.get(g.id.as_str()) {
                    Some(true) => Scoped::pass(account, &ri.region, resource, egress_reason(g)),
                    Some(false) => Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "carried only by load balancer nodes, which open no connection of their own choosing",
                    ),
                    None => Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "no ENI carries it: its egress rules let nothing out today",
                    ),
                });
            }
        }
        Some(out)
    }
}

/// Why an in-use group no finding names passes: where its egress rules go, which
/// `run` found to cover the whole internet neither for all traffic nor for web ports.
fn egress_reason(g: &SecurityGroup) -> String {
    const SHOWN: usize = 4;
    let mut destinations: Vec<String> = Vec::new();
    for r in g.rules.iter().filter(|r| r.direction == Direction::Egress) {
        let d = match &r.peer {
            RulePeer::Ipv4 { cidr } => cidr.to_string(),
            RulePeer::Ipv6 { cidr } => cidr.to_string(),
            RulePeer::PrefixList { id } => id.clone(),
            RulePeer::Group { group_id, .. } => group_id.clone(),
        };
        if !destinations.contains(&d) {
            destinations.push(d);
        }
    }
    if destinations.is_empty() {
        return "no egress rule: it lets nothing out".to_string();
    }
    let more = destinations.len().saturating_sub(SHOWN);
    destinations.truncate(SHOWN);
    if more > 0 {
        destinations.push(format!("{more} more"));
    }
    format!(
        "egress to {}; none lets all traffic, tcp 80 or tcp 443 out to the whole internet",
        destinations.join(", ")
    )
}

struct Scope {
    family: &'static str,
    services: &'static str,
}

/// Whether the flows cover the whole IPv4 or IPv6 internet for every service, or for
/// TCP 443 or 80.
fn world_open(flows: &FlowSet) -> Option<Scope> {
    let (v4, v6) = world_open_services(flows);
    let families = [(v4, "IPv4 internet"), (v6, "IPv6 internet")];
    let all = ServiceSet::all();
    for (services, family) in &families {
        if all.is_subset(services) {
            return Some(Scope {
                family,
                services: "all traffic",
            });
        }
    }
    for (port, services) in [(443, "HTTPS (tcp/443)"), (80, "HTTP (tcp/80)")] {
        if let Some((_, family)) = families
            .iter()
            .find(|(s, _)| s.contains(ServicePoint::Tcp(port)))
        {
            return Some(Scope { family, services });
        }
    }
    None
}

/// An ENI carrying a group: its id, and the ENI the model finds by that id (`None`:
/// not found).
type Carrier<'e, 'a> = (&'e str, Option<&'a NetworkInterface>);

/// Where an ENI's traffic to the internet goes, as far as this check cares.
#[derive(Clone)]
enum Exit {
    Unfiltered,
    Filtered,
    Stays,
    Undecided(String),
}

/// High when some ENI carrying the group has an unfiltered way to the internet (or
/// one the engine could not decide), medium when they go out only through a Network
/// Firewall, low when none leaves the VPC. The way out depends on the subnet and on
/// whether the ENI has an address of its own to leave an internet gateway with, so
/// it is traced once per (subnet, public).
fn reach_of<'a>(
    ctx: &Context<'_, 'a>,
    enis: &[Carrier<'_, 'a>],
    exits: &mut FastMap<(&'a str, bool), Exit>,
) -> (Severity, String) {
    let (mut unfiltered, mut filtered, mut undecided) = (0, 0, None);
    for &(eni, found) in enis {
        let Some(found) = found else {
            undecided.get_or_insert_with(|| format!("{eni} is not in the inventory"));
            continue;
        };
        let public = !found.public_ipv4s.is_empty() || !found.ipv6s.is_empty();
        let exit = exits
            .entry((found.subnet_id.as_str(), public))
            .or_insert_with(|| {
                let (path, unknown) = trace(ctx, eni);
                if let Some(reason) = unknown {
                    Exit::Undecided(reason)
                } else if !leaves(&path) && !firewalls(&path).is_empty() {
                    // It passed a firewall and stopped beyond (e.g. in an account not
                    // scanned): it has a way out of the VPC, and whatever of it leaves
                    // is filtered.
                    Exit::Filtered
                } else if !leaves(&path) || (!public && path.untranslated_gateway().is_some()) {
                    Exit::Stays
                } else if firewalls(&path).is_empty() {
                    match appliances(&path).first() {
                        // Never a pass or a fail: the appliance's rules are not visible.
                        Some(a) => Exit::Undecided(format!(
                            "{a} hands it to a third-party appliance, whose rules are not visible"
                        )),
                        None => Exit::Unfiltered,
                    }
                } else {
                    Exit::Filtered
                }
            });
        match exit {
            Exit::Unfiltered => unfiltered += 1,
            Exit::Filtered => filtered += 1,
            Exit::Stays => {}
            Exit::Undecided(reason) => {
                undecided.get_or_insert_with(|| reason.clone());
            }
        }
    }
    let total = enis.len();
    if unfiltered > 0 {
        (
            Severity::High,
            format!("{unfiltered} of the {total} ENI(s) carrying it have an unfiltered route to the internet"),
        )
    } else if let Some(reason) = undecided {
        // Not knowing the way out is not knowing it is closed.
        (
            Severity::High,
            format!("the way out of some ENI carrying it could not be decided: {reason}"),
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
