//! `data-subnet-internet-route`: a subnet holding data stores with a route to the
//! internet. High when the route goes straight to an internet gateway, medium through
//! NAT or a firewall.

use std::collections::BTreeMap;

use crate::finding::Severity;

use super::context::{Context, Draft};
use super::shared::internet_route::{describe, leaves, trace};
use super::{resources, Check};

pub struct DataSubnetInternetRoute;

impl Check for DataSubnetInternetRoute {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            // Subnet -> its data-store ENIs and why each counts.
            let mut stores: BTreeMap<&str, Vec<(&str, String)>> = BTreeMap::new();
            for eni in &ri.network_interfaces {
                if let Some(why) = ctx.data_store(account, &ri.region, eni).map(|(_, why)| why) {
                    stores
                        .entry(eni.subnet_id.as_str())
                        .or_default()
                        .push((eni.id.as_str(), why));
                }
            }
            for (subnet, enis) in stores {
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
}
