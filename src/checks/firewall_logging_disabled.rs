//! `firewall-logging-disabled`: a firewall that sends neither ALERT nor FLOW logs
//! anywhere (medium), or only FLOW logs, so drops and rule matches leave no record
//! (low). Unknown when its logging configuration, or the list of firewalls, could not
//! be read.

use crate::finding::Severity;
use crate::inventory::{Firewall, Operation};

use super::context::{Context, Draft};
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
}
