//! `nat-without-filtering`: a NAT gateway that carries workloads to the internet
//! with no Network Firewall on the way (before or after the NAT), or only through a
//! firewall whose policy does not drop unmatched traffic. Judged per client subnet,
//! so a firewall endpoint in one AZ does not excuse another AZ's direct NAT route.
//!
//! Clients are found in every scanned account: a spoke VPC reaches a central egress
//! NAT through a transit gateway, and is judged by its whole path (a spoke whose TGW
//! route table skips the inspection VPC is unfiltered; one that passes its firewall
//! is not). A Gateway Load Balancer appliance on the path makes the verdict unknown
//! (its rules are not visible). A spoke whose egress VPC is in an account the scan
//! does not hold is unknown on the TGW attachment into that VPC.

use std::collections::BTreeMap;

use crate::inventory::NatConnectivity;
use crate::reach::firewall::filters_egress;
use crate::reach::path::EgressPath;
use crate::reach::Verdict;

use super::context::{Context, Draft, Scoped};
use super::shared::internet_route::{
    appliances, describe, firewall_endpoints, firewall_of, leaves, nats, trace, transit_hops,
};
use super::{resources, Check};

pub struct NatWithoutFiltering;

/// How a client subnet's traffic through a NAT gateway is filtered.
enum Filtering {
    /// By the firewall named, whose policy drops unmatched traffic.
    Filtered(String),
    Unfiltered(String),
    Unknown(String),
}

/// A client subnet: (account, region, subnet).
type Client<'a> = (&'a str, &'a str, &'a str);

/// Every client subnet's NAT gateways and how each path is filtered, and the TGW
/// attachments into egress VPCs the scan could not follow.
struct Clients<'a> {
    by_nat: BTreeMap<String, Vec<(Client<'a>, Filtering)>>,
    /// Attachment -> (the clients behind it, why), reported where the first is.
    unfollowed: BTreeMap<String, Vec<(Client<'a>, String)>>,
}

fn clients<'a>(ctx: &Context<'_, 'a>) -> Clients<'a> {
    let mut by_nat: BTreeMap<String, Vec<(Client, Filtering)>> = BTreeMap::new();
    // TGW attachment into an egress VPC that could not be followed -> (the
    // attachment's account and region as the client saw them, clients, why).
    let mut unfollowed: BTreeMap<String, Vec<(Client, String)>> = BTreeMap::new();
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
        for (subnet, eni) in &reps {
            let client = (account, ri.region.as_str(), *subnet);
            let (path, unknown) = trace(ctx, eni);
            if !leaves(&path) {
                if let (Some(why), Some(last)) = (unknown, transit_hops(&path).last()) {
                    unfollowed
                        .entry(last.next_attachment.to_string())
                        .or_default()
                        .push((client, format!("{}: {why}", describe(&path))));
                }
                continue;
            }
            for nat in nats(&path) {
                by_nat
                    .entry(nat.to_string())
                    .or_default()
                    .push((client, filtering(ctx, &path)));
            }
        }
    }
    Clients { by_nat, unfollowed }
}

/// The message of the unknown finding on an attachment that could not be followed.
fn unfollowed_message(attachment: &str, clients: &[(Client, String)]) -> String {
    let names: Vec<&str> = clients.iter().map(|((_, _, s), _)| *s).collect();
    format!(
        "whether the egress behind {attachment} is filtered could not be decided for {}",
        names.join(", ")
    )
}

impl Check for NatWithoutFiltering {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let Clients { by_nat, unfollowed } = clients(ctx);
        let related = |clients: &[Client]| {
            let mut r = Vec::new();
            for (account, region, s) in clients {
                if let Some(rt) = ctx
                    .model
                    .region(account, region)
                    .and_then(|m| m.subnet(s))
                    .and_then(|i| i.route_table_id)
                {
                    r.push(resources::route_table(account, region, rt, None));
                }
                r.push(resources::subnet(account, region, s, None));
            }
            r
        };
        for (account, ri) in ctx.regions() {
            for nat in &ri.nat_gateways {
                if nat.connectivity == NatConnectivity::Private {
                    continue;
                }
                let Some(clients) = by_nat.get(&nat.id) else {
                    continue;
                };
                let resource =
                    resources::nat_gateway(account, &ri.region, &nat.id, Some(&nat.tags));
                let pick = |unknown: bool| -> Vec<(Client, &String)> {
                    clients
                        .iter()
                        .filter_map(|(c, f)| match f {
                            Filtering::Unfiltered(why) if !unknown => Some((*c, why)),
                            Filtering::Unknown(why) if unknown => Some((*c, why)),
                            _ => None,
                        })
                        .collect()
                };
                let (unfiltered, unknown) = (pick(false), pick(true));
                if !unfiltered.is_empty() {
                    let subnets: Vec<Client> = unfiltered.iter().map(|(c, _)| *c).collect();
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
                    for ((_, _, s), why) in &unfiltered {
                        d = d.evidence(*s, why.as_str());
                    }
                    out.push(d);
                } else if !unknown.is_empty() {
                    let subnets: Vec<Client> = unknown.iter().map(|(c, _)| *c).collect();
                    let names: Vec<&str> = subnets.iter().map(|(_, _, s)| *s).collect();
                    let mut d = Draft::unknown(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "whether {} is filtered could not be decided for {}",
                            nat.id,
                            names.join(", ")
                        ),
                    )
                    .related(related(&subnets));
                    for ((_, _, s), why) in &unknown {
                        d = d.evidence(*s, why.as_str());
                    }
                    out.push(d);
                }
            }
        }
        for (attachment, clients) in &unfollowed {
            // Reported where the first client is: the attachment may belong to an
            // account the scan does not hold.
            let (account, region, _) = clients[0].0;
            let subnets: Vec<Client> = clients.iter().map(|(c, _)| *c).collect();
            let mut d = Draft::unknown(
                account,
                region,
                resources::transit_gateway_attachment(attachment),
                unfollowed_message(attachment, clients),
            )
            .related(related(&subnets));
            for ((_, _, s), why) in clients {
                d = d.evidence(*s, why.as_str());
            }
            out.push(d);
        }
        out
    }

    /// Public NAT gateways that carry workloads (pass when every path through them
    /// is filtered), those that carry none or are private (not applicable), and the
    /// attachments the run reports as unknown.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let Clients { by_nat, unfollowed } = clients(ctx);
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for nat in &ri.nat_gateways {
                let resource =
                    resources::nat_gateway(account, &ri.region, &nat.id, Some(&nat.tags));
                if nat.connectivity == NatConnectivity::Private {
                    out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} is a private NAT gateway: it does not reach the internet",
                            nat.id
                        ),
                    ));
                    continue;
                }
                let Some(clients) = by_nat.get(&nat.id) else {
                    out.push(Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        format!("no workload subnet reaches the internet through {}", nat.id),
                    ));
                    continue;
                };
                // Only read when every client is filtered: otherwise a finding names
                // the NAT gateway and its message replaces this.
                let mut firewalls: Vec<&str> = Vec::new();
                for (_, f) in clients {
                    if let Filtering::Filtered(name) = f {
                        if !firewalls.contains(&name.as_str()) {
                            firewalls.push(name);
                        }
                    }
                }
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resource,
                    format!(
                        "every route through {} ({} subnet(s)) passes firewall {}, whose policy drops unmatched traffic",
                        nat.id,
                        clients.len(),
                        firewalls.join(", ")
                    ),
                ));
            }
        }
        for (attachment, clients) in &unfollowed {
            // Always reported unknown (where the first client is): its finding's
            // message is the reason.
            let (account, region, _) = clients[0].0;
            out.push(Scoped::pass(
                account,
                region,
                resources::transit_gateway_attachment(attachment),
                unfollowed_message(attachment, clients),
            ));
        }
        Some(out)
    }
}

fn filtering(ctx: &Context, path: &EgressPath) -> Filtering {
    let route = describe(path);
    let endpoints = firewall_endpoints(path);
    let appliance = appliances(path);
    if endpoints.is_empty() {
        if let Some(a) = appliance.first() {
            return Filtering::Unknown(format!(
                "{route}: {a} hands the flow to a third-party appliance; third-party appliance rules are not visible"
            ));
        }
        return Filtering::Unfiltered(format!("{route}: no firewall on the path"));
    }
    let mut unknown = None;
    for endpoint in endpoints {
        let Some((ri, fw)) = firewall_of(ctx, endpoint) else {
            continue;
        };
        let name = &fw.name;
        let lookup = |arn: &str| ri.firewall_rule_groups.iter().find(|g| g.arn == arn);
        let Some(policy) = ri.firewall_policies.iter().find(|p| p.arn == fw.policy_arn) else {
            unknown = Some(format!(
                "{route}: policy of firewall {name} was not collected"
            ));
            continue;
        };
        let e = filters_egress(policy, &lookup);
        // Blocked: unmatched outbound traffic is dropped, i.e. the policy filters.
        match &e.verdict {
            Verdict::Blocked => return Filtering::Filtered(name.clone()),
            Verdict::Unknown { reason } => unknown = Some(format!("{route}: {reason}")),
            Verdict::Allowed => {}
        }
    }
    if let (None, Some(a)) = (&unknown, appliance.first()) {
        unknown = Some(format!(
            "{route}: {a} hands the flow to a third-party appliance; third-party appliance rules are not visible"
        ));
    }
    match unknown {
        Some(why) => Filtering::Unknown(why),
        None => Filtering::Unfiltered(format!(
            "{route}: the firewall's policy passes unmatched traffic"
        )),
    }
}
