//! `nat-without-filtering`: a NAT gateway that carries workloads to the internet
//! with no Network Firewall on the way (before or after the NAT), or only through a
//! firewall whose policy does not drop unmatched traffic. Judged per client subnet,
//! so a firewall endpoint in one AZ does not excuse another AZ's direct NAT route.

use std::collections::BTreeMap;

use crate::inventory::{NatConnectivity, RegionInventory};
use crate::reach::firewall::filters_egress;
use crate::reach::Verdict;

use super::context::{Context, Draft};
use super::shared::internet_route::{describe, firewalls, leaves, nats, path_from};
use super::{resources, Check};

pub struct NatWithoutFiltering;

/// How a client subnet's traffic through a NAT gateway is filtered.
enum Filtering {
    Filtered,
    Unfiltered(String),
    Unknown(String),
}

impl Check for NatWithoutFiltering {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            // One representative workload ENI per subnet.
            let mut reps: BTreeMap<&str, &str> = BTreeMap::new();
            for eni in ri
                .network_interfaces
                .iter()
                .filter(|e| !ctx.is_infrastructure(e))
            {
                reps.entry(eni.subnet_id.as_str())
                    .or_insert(eni.id.as_str());
            }
            let mut by_nat: BTreeMap<String, Vec<(&str, Filtering)>> = BTreeMap::new();
            for (subnet, eni) in &reps {
                let path = path_from(ctx, eni);
                if !leaves(&path) {
                    continue;
                }
                for nat in nats(&path) {
                    by_nat
                        .entry(nat.to_string())
                        .or_default()
                        .push((subnet, filtering(ri, &path)));
                }
            }
            for nat in &ri.nat_gateways {
                if nat.connectivity == NatConnectivity::Private {
                    continue;
                }
                let Some(clients) = by_nat.get(&nat.id) else {
                    continue;
                };
                let resource =
                    resources::nat_gateway(account, &ri.region, &nat.id, Some(&nat.tags));
                let unfiltered: Vec<_> = clients
                    .iter()
                    .filter_map(|(s, f)| match f {
                        Filtering::Unfiltered(why) => Some((*s, why)),
                        _ => None,
                    })
                    .collect();
                let unknown: Vec<_> = clients
                    .iter()
                    .filter_map(|(s, f)| match f {
                        Filtering::Unknown(why) => Some((*s, why)),
                        _ => None,
                    })
                    .collect();
                let related = |subnets: &[&str]| {
                    let mut r = Vec::new();
                    for s in subnets {
                        if let Some(rt) = ctx
                            .model
                            .region(account, &ri.region)
                            .and_then(|m| m.subnet(s))
                            .and_then(|i| i.route_table_id)
                        {
                            r.push(resources::route_table(account, &ri.region, rt, None));
                        }
                        r.push(resources::subnet(account, &ri.region, s, None));
                    }
                    r
                };
                if !unfiltered.is_empty() {
                    let subnets: Vec<&str> = unfiltered.iter().map(|(s, _)| *s).collect();
                    let mut d = Draft::fail(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            // The subnets are in `related` and `evidence`.
                            "{} carries {} subnet(s) to the internet unfiltered",
                            nat.id,
                            subnets.len(),
                        ),
                    )
                    .related(related(&subnets));
                    for (s, why) in &unfiltered {
                        d = d.evidence(*s, why.as_str());
                    }
                    out.push(d);
                } else if !unknown.is_empty() {
                    let subnets: Vec<&str> = unknown.iter().map(|(s, _)| *s).collect();
                    let mut d = Draft::unknown(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "whether {} is filtered could not be decided for {}",
                            nat.id,
                            subnets.join(", ")
                        ),
                    )
                    .related(related(&subnets));
                    for (s, why) in &unknown {
                        d = d.evidence(*s, why.as_str());
                    }
                    out.push(d);
                }
            }
        }
        out
    }
}

fn filtering(ri: &RegionInventory, path: &crate::reach::path::EgressPath) -> Filtering {
    let route = describe(path);
    let names = firewalls(path);
    if names.is_empty() {
        return Filtering::Unfiltered(format!("{route}: no firewall on the path"));
    }
    let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
    let mut unknown = None;
    for name in names {
        let Some(fw) = ri.firewalls.iter().find(|f| f.name == name) else {
            continue;
        };
        let Some(policy) = ri.firewall_policies.iter().find(|p| p.arn == fw.policy_arn) else {
            unknown = Some(format!(
                "{route}: policy of firewall {name} was not collected"
            ));
            continue;
        };
        let e = filters_egress(policy, &lookup);
        // Blocked: unmatched outbound traffic is dropped, i.e. the policy filters.
        match &e.verdict {
            Verdict::Blocked => return Filtering::Filtered,
            Verdict::Unknown { reason } => unknown = Some(format!("{route}: {reason}")),
            Verdict::Allowed => {}
        }
    }
    match unknown {
        Some(why) => Filtering::Unknown(why),
        None => Filtering::Unfiltered(format!(
            "{route}: the firewall's policy passes unmatched traffic"
        )),
    }
}
