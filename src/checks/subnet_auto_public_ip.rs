//! `subnet-auto-public-ip`: subnets that give every new ENI a public IPv4 address
//! (FSBP EC2.15), so anything launched there is addressable from the internet.

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::Check;

pub struct SubnetAutoPublicIp;

impl Check for SubnetAutoPublicIp {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for s in ri.subnets.iter().filter(|s| s.map_public_ip_on_launch) {
                out.push(
                    Draft::fail(
                        account,
                        &ri.region,
                        resources::subnet(account, &ri.region, &s.id, Some(&s.tags)),
                        format!("{} assigns a public IPv4 address to every new ENI", s.id),
                    )
                    .related([resources::vpc(account, &ri.region, &s.vpc_id, None)]),
                );
            }
        }
        out
    }

    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for s in &ri.subnets {
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resources::subnet(account, &ri.region, &s.id, Some(&s.tags)),
                    "MapPublicIpOnLaunch is off: a new ENI gets a public IPv4 address only when asked for one",
                ));
            }
        }
        Some(out)
    }
}
