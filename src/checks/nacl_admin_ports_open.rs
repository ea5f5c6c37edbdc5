//! `nacl-admin-ports-open` (CIS 5.1, FSBP EC2.21): a NACL in use that lets SSH (22)
//! or RDP (3389), TCP or UDP, in from the whole IPv4 or IPv6 internet. Judged on what
//! the entries allow in rule order (a deny before the allow blocks it), by set
//! coverage (two /1 halves are the internet; TCP 0-65535 and protocol -1 count).
//! High when a subnet behind it routes that family to an internet gateway, low when
//! none does (nothing arrives today). Low too when only an ephemeral reply rule
//! (1024-65535 and the like) admits the port: stateless NACLs need that rule, and
//! the fix is a deny in front of it, not an alarm.

use std::net::IpAddr;

use crate::finding::Severity;
use crate::inventory::{
    Direction, NaclAction, NetworkAcl, Operation, PortRange, RegionInventory, RouteState,
    RouteTarget,
};
use crate::reach::nacl::{allowed_flows, decided_by, evaluate};
use crate::reach::route::{self, describe_route, RouteDecision};
use crate::reach::sets::{FlowSet, InternetCoverage, ServicePoint};
use crate::reach::verdict::describe_point;
use crate::reach::RegionModel;

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::internet_route::{PROBE as PROBE_V4, PROBE_V6};
use super::shared::nacl::{governed_subnets, is_reply_rule};
use super::shared::scope;
use super::Check;

pub struct NaclAdminPortsOpen;

/// SSH and RDP; AWS Config's rule behind EC2.21 counts TCP and UDP alike.
const ADMIN: [ServicePoint; 4] = [
    ServicePoint::Tcp(22),
    ServicePoint::Udp(22),
    ServicePoint::Tcp(3389),
    ServicePoint::Udp(3389),
];

impl Check for NaclAdminPortsOpen {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            if let Some(unknown) = unlisted(rm, ri, account) {
                out.extend(unknown);
                continue;
            }
            for acl in &ri.network_acls {
                if let Some(d) = judge(rm, ri, account, acl, ctx.ephemeral()) {
                    out.push(d);
                }
            }
        }
        out
    }

    /// Every NACL a subnet uses; the others filter nothing, so do not apply.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            if let Some(unknown) = unlisted(rm, ri, account) {
                out.extend(scope::unknowns(unknown));
                continue;
            }
            for acl in &ri.network_acls {
                let resource =
                    resources::network_acl(account, &ri.region, &acl.id, Some(&acl.tags));
                let subnets = governed_subnets(rm, &ri.subnets, acl);
                out.push(if subnets.is_empty() {
                    Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "associated with no subnet: it filters nothing",
                    )
                } else {
                    Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "no inbound rule lets tcp or udp 22 or 3389 in from the whole IPv4 or IPv6 internet before a deny (it governs {})",
                            subnets_text(&subnets)
                        ),
                    )
                });
            }
        }
        Some(out)
    }
}

/// When the region's NACLs could not be listed: an unknown per VPC (no NACL to
/// judge is not a pass).
fn unlisted(rm: &RegionModel, ri: &RegionInventory, account: &str) -> Option<Vec<Draft>> {
    let reason = rm.gap(&[Operation::DescribeNetworkAcls])?;
    Some(
        ri.vpcs
            .iter()
            .map(|vpc| {
                Draft::unknown(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                    format!("network ACLs of {} could not be listed: {reason}", vpc.id),
                )
            })
            .collect(),
    )
}

/// `subnet-1, subnet-2 and 3 more`.
fn subnets_text(subnets: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut text = subnets[..subnets.len().min(SHOWN)].join(", ");
    if subnets.len() > SHOWN {
        text.push_str(&format!(" and {} more", subnets.len() - SHOWN));
    }
    text
}

/// One admin service open to a whole internet family.
struct Open {
    service: ServicePoint,
    /// The probe address standing for the family.
    probe: IpAddr,
    /// Admitted by a rule other than an ephemeral reply rule.
    by_service_rule: bool,
}

fn judge(
    rm: &RegionModel,
    ri: &RegionInventory,
    account: &str,
    acl: &NetworkAcl,
    ephemeral: PortRange,
) -> Option<Draft> {
    // A NACL no subnet uses filters nothing.
    let subnets = governed_subnets(rm, &ri.subnets, acl);
    if subnets.is_empty() {
        return None;
    }
    let open = open_admin_services(acl, ephemeral);
    if open.is_empty() {
        return None;
    }
    let (severity, note, routed) = severity_of(rm, ri, &subnets, &open);
    let mut d = Draft::fail(
        account,
        &ri.region,
        resources::network_acl(account, &ri.region, &acl.id, Some(&acl.tags)),
        format!("{} lets in {}; {note}", acl.id, describe_open(&open)),
    )
    .severity(severity)
    .related(
        subnets
            .iter()
            .map(|s| resources::subnet(account, &ri.region, s, None)),
    );
    for o in &open {
        for step in evaluate(acl, Direction::Ingress, o.probe, o.service).steps {
            d = d.evidence(step.component, step.decision);
        }
    }
    for (component, how) in routed {
        d = d.evidence(component, how);
    }
    Some(d)
}

/// The admin services the NACL lets in from a whole internet family, in rule order.
fn open_admin_services(acl: &NetworkAcl, ephemeral: PortRange) -> Vec<Open> {
    let allowed = allowed_flows(acl, Direction::Ingress);
    let by_services = allowed_by_service_rules(acl, ephemeral);
    let mut open = Vec::new();
    for service in ADMIN {
        let all = InternetCoverage::of(&allowed.addresses_for(service));
        let by_rule = InternetCoverage::of(&by_services.addresses_for(service));
        for (covered, by_service_rule, probe) in [
            (all.covers_all_ipv4(), by_rule.covers_all_ipv4(), PROBE_V4),
            (all.covers_all_ipv6(), by_rule.covers_all_ipv6(), PROBE_V6),
        ] {
            if covered {
                open.push(Open {
                    service,
                    probe,
                    by_service_rule,
                });
            }
        }
    }
    open
}

/// `tcp 22, tcp 3389 from the whole IPv4 internet and tcp 22 from the whole IPv6 internet`.
fn describe_open(open: &[Open]) -> String {
    let mut families: Vec<IpAddr> = open.iter().map(|o| o.probe).collect();
    families.sort();
    families.dedup();
    families
        .iter()
        .map(|f| {
            let services: Vec<String> = open
                .iter()
                .filter(|o| o.probe == *f)
                .map(|o| describe_point(o.service))
                .collect();
            format!(
                "{} from the whole {} internet",
                services.join(", "),
                family(*f)
            )
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Severity, the reason for it, and the internet routes that make it high. Only the
/// families a service-style rule opens are looked up.
fn severity_of(
    rm: &RegionModel,
    ri: &RegionInventory,
    subnets: &[&str],
    open: &[Open],
) -> (Severity, String, Vec<(String, String)>) {
    let mut served: Vec<IpAddr> = open
        .iter()
        .filter(|o| o.by_service_rule)
        .map(|o| o.probe)
        .collect();
    served.sort();
    served.dedup();
    if served.is_empty() {
        // A stateless NACL cannot tell replies from new connections: the ephemeral
        // rule every internet-facing subnet needs admits 3389 too. Worth knowing, not
        // an alarm: a deny in front of it also drops the replies a NAT gateway gets
        // on that port.
        let note = "only through an ephemeral-port reply rule; a deny numbered before it \
                    closes them (except where a NAT gateway needs its replies on them)";
        return (Severity::Info, note.to_string(), Vec::new());
    }
    let mut routed: Vec<(String, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for subnet in subnets {
        for probe in &served {
            match internet_route(rm, ri, subnet, *probe) {
                Ok(Some(step)) => routed.push(step),
                Ok(None) => {}
                Err(reason) => unknown.push(format!("{subnet}: {reason}")),
            }
        }
    }
    if let Some((_, how)) = routed.first() {
        let note = format!("its subnets route to the internet ({how})");
        (Severity::High, note, routed)
    } else if let Some(reason) = unknown.first() {
        // Routing unknown: neither the high of a public subnet nor a clean low.
        let note = format!("whether its subnets route to the internet is unknown ({reason})");
        (Severity::Medium, note, routed)
    } else {
        let note = "none of its subnets routes that traffic to an internet gateway";
        (Severity::Low, note.to_string(), routed)
    }
}

/// What the inbound entries other than ephemeral reply rules allow, in rule order
/// (a reply rule still takes its packets from the entries after it).
fn allowed_by_service_rules(acl: &NetworkAcl, ephemeral: PortRange) -> FlowSet {
    decided_by(acl, Direction::Ingress)
        .into_iter()
        .filter(|(e, _)| e.action == NaclAction::Allow && !is_reply_rule(e, ephemeral))
        .fold(FlowSet::empty(), |allowed, (_, hit)| allowed.union(&hit))
}

fn family(probe: IpAddr) -> &'static str {
    if probe.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

/// `Some((component, route))` when `subnet` sends `probe` to an internet gateway on an
/// active route, `None` when it does not, `Err` when that is not known.
fn internet_route(
    rm: &RegionModel,
    ri: &RegionInventory,
    subnet: &str,
    probe: IpAddr,
) -> Result<Option<(String, String)>, String> {
    let table = route::table_for_subnet(rm, subnet)?;
    match route::lookup(rm, ri, table, probe) {
        RouteDecision::Route { table, route }
            if route.state == RouteState::Active
                && matches!(route.target, RouteTarget::InternetGateway(_)) =>
        {
            Ok(Some((
                format!("{subnet} (route table {})", table.id),
                describe_route(route),
            )))
        }
        RouteDecision::Route { .. } | RouteDecision::NoRoute { .. } => Ok(None),
        RouteDecision::Unknown { reason } => Err(reason),
    }
}
