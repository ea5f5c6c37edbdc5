//! `data-subnet-internet-route`: a subnet holding data stores with a route to the
//! internet. High when the route goes straight to an internet gateway, medium through
//! NAT or a firewall.

use std::collections::BTreeMap;

use crate::finding::Severity;
use crate::inventory::RegionInventory;
use crate::reach::path::EgressPath;

use super::context::{Context, Draft, Scoped};
use super::shared::internet_route::{describe, leaves, trace};
use super::{resources, Check};

pub struct DataSubnetInternetRoute;

/// Subnet -> its data-store ENIs and why each counts.
fn stores<'a>(
    ctx: &Context,
    account: &str,
    ri: &'a RegionInventory,
) -> BTreeMap<&'a str, Vec<(&'a str, String)>> {
    let mut stores: BTreeMap<&str, Vec<(&str, String)>> = BTreeMap::new();
    for eni in &ri.network_interfaces {
        if let Some(why) = ctx.data_store(account, &ri.region, eni).map(|(_, why)| why) {
            stores
                .entry(eni.subnet_id.as_str())
                .or_default()
                .push((eni.id.as_str(), why));
        }
    }
    stores
}

impl Check for DataSubnetInternetRoute {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for (subnet, enis) in stores(ctx, account, ri) {
                let (path, unknown) = trace(ctx, enis[0].0);
                if let Some(reason) = unknown {
                    let tags = ri.subnets.iter().find(|s| s.id == subnet).map(|s| &s.tags);
                    out.push(Draft::unknown(
                        account,
                        &ri.region,
                        resources::subnet(account, &ri.region, subnet, tags),
                        format!("{subnet} holds data stores; whether it routes to the internet is unknown: {reason}"),
                    ));
                    continue;
                }
                if !leaves(&path) {
                    continue;
                }
                let severity = if path.untranslated_gateway().is_some() {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let tags = ri.subnets.iter().find(|s| s.id == subnet).map(|s| &s.tags);
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::subnet(account, &ri.region, subnet, tags),
                    format!(
                        "{subnet} holds {} data store ENI(s) and routes to the internet: {}",
                        enis.len(),
                        describe(&path)
                    ),
                )
                .severity(severity)
                .related(
                    enis.iter()
                        .map(|(e, _)| resources::network_interface(account, &ri.region, e, None))
                        .collect::<Vec<_>>(),
                );
                for (e, why) in &enis {
                    d = d.evidence(*e, why.as_str());
                }
                d = d.evidence(subnet, format!("internet route: {}", describe(&path)));
                out.push(d);
            }
        }
        out
    }

    /// Every subnet: one holding data stores passes when its route does not reach
    /// the internet; one holding none is not applicable.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let mut stores = stores(ctx, account, ri);
            for s in &ri.subnets {
                let resource = resources::subnet(account, &ri.region, &s.id, Some(&s.tags));
                match stores.remove(s.id.as_str()) {
                    Some(enis) => out.push(Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        no_route(ctx, &s.id, &enis),
                    )),
                    None => out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        format!("{} holds no data store", s.id),
                    )),
                }
            }
            // Data stores in subnets the inventory does not list.
            for (subnet, enis) in stores {
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resources::subnet(account, &ri.region, subnet, None),
                    no_route(ctx, subnet, &enis),
                ));
            }
        }
        Some(out)
    }
}

/// Why a subnet holding the data stores `enis` passes, when no finding names it:
/// its route, as the run traces it, stops short of the internet.
fn no_route(ctx: &Context, subnet: &str, enis: &[(&str, String)]) -> String {
    let (path, _) = trace(ctx, enis[0].0);
    let held = format!("{subnet} holds {} data store ENI(s)", enis.len());
    match path {
        EgressPath::None => format!("{held} and has no route to the internet"),
        p => format!(
            "{held} and its route stops short of the internet: {}",
            describe(&p)
        ),
    }
}
