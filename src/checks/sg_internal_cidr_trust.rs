//! `sg-internal-cidr-trust`: a security group opening an administration or data-store
//! port to a broad internal range (an RFC 1918 block of /16 or wider, or the whole
//! VPC CIDR or wider) that covers VPCs whose ENIs a group reference could name
//! instead. Every host there, compromised or not, gets the port. Medium for a group
//! in use, low for one no ENI carries. World-open rules are the exposure checks' job.
//!
//! Addresses in `[network] trusted_cidrs` (a VPN client pool, say) are meant to be
//! trusted: they are taken out of a rule's sources before it is judged, so a rule
//! opening only to them is not flagged and a wider one is flagged for the rest.

use std::collections::HashMap;

use ipnet::{IpNet, Ipv4Net};

use crate::finding::Severity;
use crate::inventory::{
    Direction, L4Match, PortRange, Protocol, RegionInventory, RulePeer, SecurityGroup,
    SecurityGroupRule, Vpc,
};
use crate::reach::group_scope::Scope;
use crate::reach::security_group::describe_rule;
use crate::reach::sets::{world_open_services, FlowSet, IpSet, ServiceSet};
use crate::reach::RegionModel;

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::ports::{tcp_ports, ADMIN_PORTS, DATA_PORTS};
use super::shared::scope;
use super::Check;

pub struct SgInternalCidrTrust;

const WHAT: &str = "security-group rules";

const RFC1918: [Ipv4Net; 3] = [
    Ipv4Net::new_assert(std::net::Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(std::net::Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(std::net::Ipv4Addr::new(192, 168, 0, 0), 16),
];

/// Administration and data-store ports over TCP, plus RDP's and memcached's UDP.
fn sensitive() -> ServiceSet {
    let udp = [3389, 11211].iter().fold(ServiceSet::empty(), |s, &p| {
        s.union(&ServiceSet::from_rule(
            Protocol::Udp,
            L4Match::Ports(PortRange { from: p, to: p }),
        ))
    });
    tcp_ports(ADMIN_PORTS)
        .union(&tcp_ports(DATA_PORTS))
        .union(&udp)
}

impl Check for SgInternalCidrTrust {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let used = ctx.groups_in_use();
        let sensitive = sensitive();
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) =
                ctx.unknown_if_missing(account, ri, &crate::reach::model::SECURITY_GROUP_OPS, WHAT)
            {
                out.extend(unknown);
                continue;
            }
            let Some(rm) = ctx.model.region(account, &ri.region) else {
                continue;
            };
            // Per VPC, computed on first use: its own CIDRs (the first VPC listed
            // with the id) and what a group reference from it could name.
            let mut own_cidrs: HashMap<&str, Option<IpSet>> = HashMap::new();
            let mut scopes: HashMap<&str, IpSet> = HashMap::new();
            for g in &ri.security_groups {
                let Some(vpc_id) = g.vpc_id.as_deref() else {
                    continue;
                };
                let own = own_cidrs
                    .entry(vpc_id)
                    .or_insert_with(|| ri.vpcs.iter().find(|v| v.id == vpc_id).map(vpc_cidrs));
                let scope = scopes
                    .entry(vpc_id)
                    .or_insert_with(|| referenceable(ctx, &ri.region, vpc_id));
                let (rules, unknown) = address_rules(rm, g, &sensitive);
                let hits = hits(&rules, &sensitive, own.as_ref(), scope, ctx.trusted());
                if let Some(d) = draft(account, ri, g, used.contains(g.id.as_str()), hits, unknown)
                {
                    out.push(d);
                }
            }
        }
        out
    }

    /// Every group of a VPC, with what its ingress names as the reason; a group in
    /// no VPC is not its question.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = scope::unknown_if_missing(
                ctx,
                account,
                ri,
                &crate::reach::model::SECURITY_GROUP_OPS,
                WHAT,
            ) {
                out.extend(unknown);
                continue;
            }
            if ctx.model.region(account, &ri.region).is_none() {
                continue;
            }
            for g in &ri.security_groups {
                let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
                out.push(match g.vpc_id {
                    Some(_) => Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        pass_reason(g, !ctx.trusted().is_empty()),
                    ),
                    None => Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        "in no VPC: no group reference could name its sources",
                    ),
                });
            }
        }
        Some(out)
    }
}

/// Why a group no finding names passes, from its ingress rules as written (`run`
/// found no sensitive port among them open to a broad internal range; what is open
/// to a whole internet is the exposure checks' to judge).
fn pass_reason(g: &SecurityGroup, trusted: bool) -> String {
    let ingress = g.rules.iter().filter(|r| r.direction == Direction::Ingress);
    let (mut all, mut addressed) = (0, 0);
    for r in ingress {
        all += 1;
        if !matches!(r.peer, RulePeer::Group { .. }) {
            addressed += 1;
        }
    }
    if all == 0 {
        return "no ingress rule".to_string();
    }
    if addressed == 0 {
        return "ingress only from group references".to_string();
    }
    let aside = if trusted {
        " ([network] trusted_cidrs aside)"
    } else {
        ""
    };
    format!(
        "its {addressed} ingress rule(s) naming addresses open no administration or data-store port to a broad internal range a group reference could name, except as part of the whole internet{aside}"
    )
}

type AddressRule<'a> = (&'a SecurityGroupRule, IpSet, ServiceSet);

/// The group's ingress rules naming addresses (CIDRs, prefix lists), with those
/// addresses and services, ordered by what they say (rule ids are random); and why a
/// sensitive rule's prefix list could not be read.
fn address_rules<'a>(
    rm: &RegionModel,
    g: &'a SecurityGroup,
    sensitive: &ServiceSet,
) -> (Vec<AddressRule<'a>>, Vec<String>) {
    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for r in g.rules.iter().filter(|r| r.direction == Direction::Ingress) {
        let services = ServiceSet::from_rule(r.protocol, r.l4);
        let peers = match &r.peer {
            RulePeer::Ipv4 { cidr } => IpSet::from_net((*cidr).into()),
            RulePeer::Ipv6 { cidr } => IpSet::from_net((*cidr).into()),
            RulePeer::PrefixList { id } => match rm.prefix_list(id) {
                Ok(set) => set.clone(),
                Err(reason) => {
                    if services.intersects(sensitive) {
                        unknown.push(format!("{}: {reason}", describe_rule(r)));
                    }
                    continue;
                }
            },
            RulePeer::Group { .. } => continue,
        };
        rules.push((r, peers, services));
    }
    // Stable, as `sort_by_key`, with each key built once.
    rules.sort_by_cached_key(|(r, p, s)| (s.to_string(), p.to_string(), describe_rule(r)));
    (rules, unknown)
}

/// Per rule opening a sensitive service to a broad internal block outside `trusted`:
/// the evidence line and what it opens (`tcp 22 from 10.0.0.0/8`).
fn hits(
    rules: &[AddressRule],
    sensitive: &ServiceSet,
    own: Option<&IpSet>,
    scope: &IpSet,
    trusted: &IpSet,
) -> Vec<(String, Vec<String>)> {
    // Services the group opens to a whole internet, whichever rules add up to it
    // (two /1 halves): an exposure, not internal trust.
    let (world_v4, world_v6) = world_open_services(&FlowSet::from_boxes(
        rules.iter().map(|(_, p, s)| (p.clone(), s.clone())),
    ));
    let mut out = Vec::new();
    for (r, peers, services) in rules {
        let services = services.intersection(sensitive);
        let untrusted = peers.difference(trusted);
        let pieces: Vec<String> = broad_internal(&untrusted, peers, trusted, own, scope)
            .into_iter()
            .filter_map(|n| {
                let world = if n.addr().is_ipv4() {
                    &world_v4
                } else {
                    &world_v6
                };
                let s = services.difference(world);
                (!s.is_empty()).then(|| format!("{s} from {n}"))
            })
            .collect();
        if !pieces.is_empty() {
            let mut line = format!(
                "{} ({}, where a group reference could name the sources",
                describe_rule(r),
                pieces.join(", ")
            );
            let spared = peers.intersection(trusted);
            if !spared.is_empty() {
                line.push_str(&format!("; {spared} trusted"));
            }
            line.push(')');
            out.push((line, pieces));
        }
    }
    out
}

fn draft(
    account: &str,
    ri: &RegionInventory,
    g: &SecurityGroup,
    in_use: bool,
    hits: Vec<(String, Vec<String>)>,
    unknown: Vec<String>,
) -> Option<Draft> {
    let resource = resources::security_group(account, &ri.region, &g.id, Some(&g.tags));
    let component = format!("{} ingress", g.id);
    if hits.is_empty() {
        let reason = unknown.first()?;
        return Some(Draft::unknown(
            account,
            &ri.region,
            resource,
            format!(
                "{} ({}) may trust a broad internal range: {reason}",
                g.id, g.name
            ),
        ));
    }
    let (severity, use_note) = if in_use {
        (Severity::Medium, "")
    } else {
        (Severity::Low, " (no ENI carries it yet)")
    };
    let mut opened: Vec<String> = hits.iter().flat_map(|(_, p)| p.clone()).collect();
    opened.sort();
    opened.dedup();
    let mut d = Draft::fail(
        account,
        &ri.region,
        resource,
        format!(
            "{} ({}) trusts broad internal ranges a group reference could narrow: {}{use_note}",
            g.id,
            g.name,
            opened.join(", ")
        ),
    )
    .severity(severity);
    for (line, _) in hits {
        d = d.evidence(&component, line);
    }
    Some(d)
}

/// The blocks of `peers` (a rule's untrusted sources) that are broad internal ranges
/// and cover addresses a group reference could name: RFC 1918 pieces of /16 or wider,
/// and the group's own VPC CIDRs when the rule as `written` includes them wholly and
/// they are not wholly `trusted` (trusting a /24 of a VPC-wide rule leaves the rest of
/// the VPC open).
fn broad_internal(
    peers: &IpSet,
    written: &IpSet,
    trusted: &IpSet,
    own: Option<&IpSet>,
    scope: &IpSet,
) -> Vec<IpNet> {
    let private = IpSet::from_nets(RFC1918.iter().map(|&n| IpNet::V4(n)));
    let mut out: Vec<IpNet> = peers
        .intersection(&private)
        .to_cidrs()
        .into_iter()
        .filter(|n| n.prefix_len() <= 16)
        .collect();
    for vpc_net in own.map(IpSet::to_cidrs).unwrap_or_default() {
        let whole = IpSet::from_net(vpc_net);
        let listed = out.iter().any(|n| n.contains(&vpc_net));
        if !listed && whole.is_subset(written) && !whole.is_subset(trusted) {
            out.push(vpc_net);
        }
    }
    out.retain(|n| IpSet::from_net(*n).intersects(scope));
    out
}

fn vpc_cidrs(v: &Vpc) -> IpSet {
    let v4 = v.ipv4_cidrs.iter().map(|&n| IpNet::V4(n));
    let v6 = v.ipv6_cidrs.iter().map(|&n| IpNet::V6(n));
    IpSet::from_nets(v4.chain(v6))
}

/// Addresses of the VPCs whose ENIs a rule of a group in `vpc_id` could name by group
/// reference: its own, actively peered ones in the same region, and those joined by a
/// transit gateway with referencing (as the engine's group scope decides).
fn referenceable(ctx: &Context, region: &str, vpc_id: &str) -> IpSet {
    // The blocks are gathered, then made one set: a union per VPC would cost the
    // square of an organisation's VPCs.
    let mut nets: Vec<IpNet> = Vec::new();
    for (_, ri) in ctx.regions().filter(|(_, r)| r.region == region) {
        for v in &ri.vpcs {
            if ctx
                .model
                .group_scope
                .reaches(vpc_id, &v.id, Direction::Ingress)
                == Scope::Reaches
            {
                nets.extend(v.ipv4_cidrs.iter().map(|&n| IpNet::V4(n)));
                nets.extend(v.ipv6_cidrs.iter().map(|&n| IpNet::V6(n)));
            }
        }
        // A peer VPC in an account that was not collected: the peering knows its CIDRs.
        for p in &ri.vpc_peering_connections {
            let same_region = p.requester.region == p.accepter.region;
            if p.status.as_deref() != Some("active") || !same_region {
                continue;
            }
            for (this, other) in [(&p.requester, &p.accepter), (&p.accepter, &p.requester)] {
                if this.vpc_id.as_deref() == Some(vpc_id) {
                    nets.extend(other.ipv4_cidrs.iter().map(|&n| IpNet::V4(n)));
                    nets.extend(other.ipv6_cidrs.iter().map(|&n| IpNet::V6(n)));
                }
            }
        }
    }
    IpSet::from_nets(nets)
}
