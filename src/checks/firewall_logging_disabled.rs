//! `firewall-logging-disabled`: a firewall that sends neither ALERT nor FLOW logs
//! anywhere (medium), or only FLOW logs, so drops and rule matches leave no record
//! (low). Unknown when its logging configuration, or the list of firewalls, could not
//! be read.

use crate::finding::Severity;
use crate::inventory::{Firewall, FirewallLogDestination, Operation};

use super::context::{Context, Draft, Scoped};
use super::shared::firewall::{firewall_gap, firewall_resource};
use super::Check;

pub struct FirewallLoggingDisabled;

fn has(fw: &Firewall, log_type: &str) -> bool {
    fw.logging
        .iter()
        .any(|l| l.log_type.eq_ignore_ascii_case(log_type))
}

impl Check for FirewallLoggingDisabled {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            // Firewalls that could not be listed cannot be judged either.
            if let Some(u) =
                ctx.unknown_if_missing(account, ri, &[Operation::ListFirewalls], "firewall logging")
            {
                out.extend(u);
                continue;
            }
            for fw in &ri.firewalls {
                let resource = firewall_resource(fw);
                if let Some(reason) = firewall_gap(
                    ctx.inventory,
                    account,
                    &ri.region,
                    Operation::DescribeLoggingConfiguration,
                    &fw.arn,
                ) {
                    out.push(Draft::unknown(
                        account,
                        &ri.region,
                        resource,
                        format!("logging of {} could not be read: {reason}", fw.name),
                    ));
                    continue;
                }
                let (alert, flow) = (has(fw, "ALERT"), has(fw, "FLOW"));
                if alert {
                    continue;
                }
                let mut d = if flow {
                    Draft::fail(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "{} logs flows but not alerts: drops and rule matches leave no record",
                            fw.name
                        ),
                    )
                    .severity(Severity::Low)
                } else {
                    Draft::fail(
                        account,
                        &ri.region,
                        resource,
                        format!("{} has no ALERT or FLOW log destination", fw.name),
                    )
                };
                if fw.logging.is_empty() {
                    d = d.evidence(format!("firewall {}", fw.name), "no logging configuration");
                }
                for l in &fw.logging {
                    d = d.evidence(
                        format!("firewall {}", fw.name),
                        format!("{} logs to {}", l.log_type, l.destination_type),
                    );
                }
                out.push(d);
            }
        }
        out
    }

    /// Every firewall: it passes when it sends ALERT logs somewhere (the
    /// destinations are the reason). A region whose firewalls could not be listed
    /// is in the scope as the run reports it unknown.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(u) =
                ctx.unknown_if_missing(account, ri, &[Operation::ListFirewalls], "firewall logging")
            {
                // Each is a finding, whose message is its reason.
                out.extend(
                    u.into_iter()
                        .map(|d| Scoped::pass(&d.account, &d.region, d.resource, d.message)),
                );
                continue;
            }
            for fw in &ri.firewalls {
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    firewall_resource(fw),
                    destinations(fw),
                ));
            }
        }
        Some(out)
    }
}

/// Where a firewall's logs go, by destination: "alert and flow logs sent to S3
/// bucket fw-logs".
fn destinations(fw: &Firewall) -> String {
    let mut by_destination: Vec<(String, Vec<String>)> = Vec::new();
    for l in &fw.logging {
        let to = destination(l);
        let kind = l.log_type.to_ascii_lowercase();
        match by_destination.iter_mut().find(|(d, _)| *d == to) {
            Some((_, kinds)) => kinds.push(kind),
            None => by_destination.push((to, vec![kind])),
        }
    }
    let parts: Vec<String> = by_destination
        .into_iter()
        .map(|(to, kinds)| format!("{} logs sent to {to}", kinds.join(" and ")))
        .collect();
    if parts.is_empty() {
        return format!("{} has no logging configuration", fw.name);
    }
    parts.join("; ")
}

/// A log destination as the console names it.
fn destination(l: &FirewallLogDestination) -> String {
    let (what, key) = match l.destination_type.to_ascii_lowercase().as_str() {
        "s3" => ("S3 bucket", "bucketName"),
        "cloudwatchlogs" => ("CloudWatch Logs group", "logGroup"),
        "kinesisdatafirehose" => ("Firehose stream", "deliveryStream"),
        _ => ("", ""),
    };
    match l.destination.get(key) {
        Some(name) => format!("{what} {name}"),
        None => {
            let config: Vec<String> = l
                .destination
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{} ({})", l.destination_type, config.join(", "))
        }
    }
}
