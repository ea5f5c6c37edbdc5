//! What the DNS checks share: the region's Route 53 Resolver data (or the unknowns
//! that stand for it), the VPCs that run workloads, and whether a VPC has a way to
//! the internet other than DNS.

use std::collections::{HashMap, HashSet};

use crate::finding::{Resource, Severity};
use crate::inventory::{
    DnsFirewallRuleGroup, NetworkInterface, Operation, RegionInventory, ResolverRule,
    Route53Resolver, RouteState, RouteTarget, Vpc,
};
use crate::reach::path::EgressPath;
use crate::reach::route::{self, RouteDecision};

use super::internet_route::{describe, leaves, Paths, PROBE, PROBE_V6};
use crate::checks::context::{Context, Draft, Scoped};
use crate::checks::resources;

/// Why a region's Route 53 Resolver data is absent from an older inventory.
pub const NOT_COLLECTED: &str = "Route 53 Resolver was not collected";

/// The region's Route 53 Resolver data, or the unknowns standing for the `vpcs` the
/// check would judge:
/// - not collected at all (an inventory from before vpcaudit read it): ONE unknown for
///   the region, of severity info, naming the VPCs. It says the inventory is too old
///   to judge DNS, not that a risk was seen or a permission denied; one per VPC would
///   bury every older inventory's report under copies of the same sentence.
/// - one of `operations` failed in the region: an unknown per VPC naming the failure,
///   of the check's default severity, as every check reports a coverage gap.
///
/// No VPC to judge: nothing to say either way (`Err` with no draft).
pub fn resolver_or_unknown<'a>(
    ctx: &Context,
    account: &str,
    ri: &'a RegionInventory,
    vpcs: &[&Vpc],
    operations: &[Operation],
    what: &str,
) -> Result<&'a Route53Resolver, Vec<Draft>> {
    if vpcs.is_empty() {
        return Err(Vec::new());
    }
    let Some(resolver) = &ri.route53_resolver else {
        let region = &ri.region;
        let ids: Vec<&str> = vpcs.iter().map(|v| v.id.as_str()).collect();
        let draft = Draft::unknown(
            account,
            region,
            region_resource(account, region),
            format!(
                "{NOT_COLLECTED} in {account}/{region} (an inventory from before vpcaudit \
                 read it): {what} of {} could not be judged",
                list_text(&ids)
            ),
        )
        .severity(Severity::Info)
        .evidence(
            format!("{account}/{region}"),
            "collect again with this version of vpcaudit to judge DNS",
        );
        return Err(vec![draft]);
    };
    if let Some(reason) = ctx
        .model
        .region(account, &ri.region)
        .and_then(|rm| rm.gap(operations))
    {
        return Err(vpcs
            .iter()
            .map(|v| {
                Draft::unknown(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &v.id, Some(&v.tags)),
                    format!("{what} of {} could not be judged: {reason}", v.id),
                )
            })
            .collect());
    }
    Ok(resolver)
}

/// [`resolver_or_unknown`] for a check's scope: the resolver data, or the resources
/// its unknowns name (the region, or each of `vpcs`), whose reason is never shown.
pub fn resolver_or_scope<'a>(
    ctx: &Context,
    account: &str,
    ri: &'a RegionInventory,
    vpcs: &[&Vpc],
    operations: &[Operation],
) -> Result<&'a Route53Resolver, Vec<Scoped>> {
    if vpcs.is_empty() {
        return Err(Vec::new());
    }
    let region = &ri.region;
    let Some(resolver) = &ri.route53_resolver else {
        return Err(vec![Scoped::pass(
            account,
            region,
            region_resource(account, region),
            "Route 53 Resolver was read",
        )]);
    };
    if gap(ctx, account, ri, operations).is_some() {
        return Err(vpcs
            .iter()
            .map(|v| {
                Scoped::pass(
                    account,
                    region,
                    resources::vpc(account, region, &v.id, Some(&v.tags)),
                    "Route 53 Resolver was read",
                )
            })
            .collect());
    }
    Ok(resolver)
}

/// A VPC a DNS check does not judge because it turned the VPC resolver off
/// (`enableDnsSupport` false), or runs no workload to send queries.
pub fn vpc_not_judged(account: &str, ri: &RegionInventory, vpc: &Vpc, reason: &str) -> Scoped {
    Scoped::not_applicable(
        account,
        &ri.region,
        resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
        reason,
    )
}

/// The region's VPCs a DNS check does not judge ([`judged_vpcs`] leaves them out):
/// resolver off, or no workload (`workloads` as `judged_vpcs` returns them).
pub fn vpcs_not_judged<'a>(
    account: &'a str,
    ri: &'a RegionInventory,
    workloads: &'a HashMap<&'a str, Vec<&'a NetworkInterface>>,
) -> impl Iterator<Item = Scoped> + 'a {
    ri.vpcs.iter().filter_map(move |vpc| {
        if !crate::reach::dns::uses_vpc_resolver(vpc) {
            Some(vpc_not_judged(account, ri, vpc, NO_DNS_SUPPORT))
        } else if !workloads.contains_key(vpc.id.as_str()) {
            Some(vpc_not_judged(account, ri, vpc, NO_WORKLOAD))
        } else {
            None
        }
    })
}

/// Why a VPC is not judged for using the VPC resolver: its DNS support is off.
pub const NO_DNS_SUPPORT: &str =
    "its DNS support is off (enableDnsSupport=false): it does not use the VPC resolver";

/// Why a VPC is not judged for running nothing.
pub const NO_WORKLOAD: &str = "it runs no workload (only AWS-managed interfaces or none)";

/// The coverage gap of one of `operations` in the region, if any.
pub fn gap(
    ctx: &Context,
    account: &str,
    ri: &RegionInventory,
    operations: &[Operation],
) -> Option<String> {
    ctx.model.region(account, &ri.region)?.gap(operations)
}

/// The whole region, for a finding about it rather than one VPC.
pub fn region_resource(account: &str, region: &str) -> Resource {
    Resource {
        resource_type: "AWS::EC2::VPC".into(),
        id: format!("{account}/{region}"),
        arn: None,
        name: None,
    }
}

/// At most five ids, then how many more.
pub fn list_text(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut text = ids
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    text
}

/// The VPCs a DNS check judges: those that run workloads and use the VPC resolver,
/// with the workload ENIs of every VPC of the region.
pub fn judged_vpcs<'a>(
    ctx: &Context,
    ri: &'a RegionInventory,
) -> (HashMap<&'a str, Vec<&'a NetworkInterface>>, Vec<&'a Vpc>) {
    let workloads = workloads(ctx, ri);
    let judged = ri
        .vpcs
        .iter()
        .filter(|v| {
            crate::reach::dns::uses_vpc_resolver(v) && workloads.contains_key(v.id.as_str())
        })
        .collect();
    (workloads, judged)
}

/// The workload ENIs of each VPC of the region: not AWS plumbing, and not a Route 53
/// Resolver endpoint's own interfaces.
pub fn workloads<'a>(
    ctx: &Context,
    ri: &'a RegionInventory,
) -> HashMap<&'a str, Vec<&'a NetworkInterface>> {
    let endpoint_enis: HashSet<&str> = ri
        .route53_resolver
        .iter()
        .flat_map(|r| &r.resolver_endpoints)
        .flat_map(|ep| ep.ip_addresses.iter().flatten())
        .filter_map(|ip| ip.network_interface_id.as_deref())
        .collect();
    let mut out: HashMap<&str, Vec<&NetworkInterface>> = HashMap::new();
    for e in &ri.network_interfaces {
        if !ctx.is_infrastructure(e)
            && !endpoint_enis.contains(e.id.as_str())
            && !describes_resolver_endpoint(e)
        {
            out.entry(e.vpc_id.as_str()).or_default().push(e);
        }
    }
    out
}

/// Resolver endpoint interfaces are requester-managed and describe themselves.
fn describes_resolver_endpoint(eni: &NetworkInterface) -> bool {
    eni.requester_managed
        && eni
            .description
            .as_deref()
            .is_some_and(|d| d.starts_with("Route 53 Resolver"))
}

/// Why whether `vpc` uses the VPC resolver is not known: its `enableDnsSupport` was
/// not read because DescribeVpcAttribute failed (an inventory that never read it
/// counts as the default, on).
pub fn dns_support_unknown(
    ctx: &Context,
    account: &str,
    ri: &RegionInventory,
    vpc: &Vpc,
) -> Option<String> {
    if vpc.enable_dns_support.is_some() {
        return None;
    }
    gap(ctx, account, ri, &[Operation::DescribeVpcAttribute])
        .map(|g| format!("whether {} has DNS support on is not known: {g}", vpc.id))
}

/// Whether a VPC's workloads have a way to the internet besides DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Egress {
    /// Yes: how (`subnet-1 -> nat-1 -> igw-1`).
    Out(String),
    /// Perhaps: a route goes somewhere vpcaudit does not follow, or could not be read.
    Maybe(String),
    /// No workload has a route out.
    None,
}

/// [`Egress`] of VPCs, with the route walks shared between them.
pub struct EgressOf<'c, 'm, 'a> {
    ctx: &'c Context<'m, 'a>,
    v4: Paths<'c, 'm, 'a>,
    v6: Paths<'c, 'm, 'a>,
}

impl<'c, 'm, 'a> EgressOf<'c, 'm, 'a> {
    pub fn new(ctx: &'c Context<'m, 'a>) -> Self {
        EgressOf {
            ctx,
            v4: Paths::new(ctx),
            v6: Paths::toward(ctx, PROBE_V6),
        }
    }

    /// Whether any of `enis` (the VPC's workloads) has a way out, over IPv4 or IPv6.
    pub fn of(
        &mut self,
        account: &str,
        ri: &RegionInventory,
        enis: &[&NetworkInterface],
    ) -> Egress {
        let mut maybe = None;
        let mut seen: HashSet<(&str, bool)> = HashSet::new();
        // The first way out found is the one named: by address, so that it is the
        // same whatever ids the ENIs were given.
        let mut enis = enis.to_vec();
        enis.sort_by(|a, b| {
            (a.private_ipv4s.first(), &a.id).cmp(&(b.private_ipv4s.first(), &b.id))
        });
        for e in enis {
            for v6 in [false, true] {
                let paths = if v6 { &mut self.v6 } else { &mut self.v4 };
                let (out, none) = {
                    let path = paths.from(&e.id);
                    (
                        leaves(path).then(|| describe(path)),
                        *path == EgressPath::None,
                    )
                };
                if let Some(how) = out {
                    return Egress::Out(format!("{} -> {how}", e.subnet_id));
                }
                if maybe.is_none() && none && seen.insert((e.subnet_id.as_str(), v6)) {
                    maybe = self.unfollowed(account, ri, &e.subnet_id, v6);
                }
            }
        }
        maybe.map_or(Egress::None, Egress::Maybe)
    }

    /// Why the route walk from `subnet` may have missed a way out: its table's
    /// internet route goes to a target the walk does not follow (a transit gateway,
    /// a virtual private gateway, an appliance), or the table could not be read.
    fn unfollowed(
        &self,
        account: &str,
        ri: &RegionInventory,
        subnet: &str,
        v6: bool,
    ) -> Option<String> {
        let rm = self.ctx.model.region(account, &ri.region)?;
        let table = match route::table_for_subnet(rm, subnet) {
            Ok(t) => t,
            Err(reason) => return Some(format!("the route table of {subnet}: {reason}")),
        };
        let probe = if v6 { PROBE_V6 } else { PROBE };
        match route::lookup(rm, ri, table, probe) {
            RouteDecision::Route { route, .. } if route.state == RouteState::Active => {
                match &route.target {
                    RouteTarget::Local
                    | RouteTarget::InternetGateway(_)
                    | RouteTarget::EgressOnlyInternetGateway(_)
                    | RouteTarget::NatGateway(_)
                    | RouteTarget::VpcPeeringConnection(_) => None,
                    other => Some(format!(
                        "{subnet} sends {} to {}, which may lead to the internet",
                        route::describe_destination(&route.destination),
                        route::describe_target(other)
                    )),
                }
            }
            RouteDecision::Route { .. } | RouteDecision::NoRoute { .. } => None,
            RouteDecision::Unknown { reason } => Some(format!(
                "the internet route of {subnet} is unknown: {reason}"
            )),
        }
    }
}

/// A DNS Firewall rule group, which AWS names by id and ARN.
pub fn rule_group(g: &DnsFirewallRuleGroup) -> Resource {
    Resource {
        resource_type: "AWS::Route53Resolver::FirewallRuleGroup".into(),
        id: g.id.clone(),
        arn: g.arn.clone(),
        name: g.name.clone(),
    }
}

/// A resolver rule.
pub fn resolver_rule(r: &ResolverRule) -> Resource {
    Resource {
        resource_type: "AWS::Route53Resolver::ResolverRule".into(),
        id: r.id.clone(),
        arn: r.arn.clone(),
        name: r.name.clone(),
    }
}

/// When `vpc`'s DNS Firewall allowlists then blocks every other name (the
/// zero-egress reference design), the rule group that does it, as finding text.
pub fn allowlisting(ri: &RegionInventory, vpc: &str) -> Option<String> {
    let resolver = ri.route53_resolver.as_ref()?;
    let fw = crate::reach::dns::VpcFirewall::of(resolver, vpc);
    if !fw.allowlists() {
        return None;
    }
    let groups: Vec<String> = fw
        .applied
        .iter()
        .filter_map(|a| a.group)
        .map(crate::reach::dns::group_name)
        .collect();
    Some(groups.join(", "))
}
