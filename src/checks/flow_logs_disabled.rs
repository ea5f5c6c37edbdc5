//! `flow-logs-disabled`: a VPC without an active flow log covering it (on the VPC
//! itself; subnet- or ENI-level logs cover only part of it).

use crate::inventory::{FlowLog, Operation};

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::Check;

pub struct FlowLogsDisabled;

impl Check for FlowLogsDisabled {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            let gap = ctx
                .model
                .region(account, &ri.region)
                .and_then(|rm| rm.gap(&[Operation::DescribeFlowLogs]));
            for vpc in &ri.vpcs {
                let resource = resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags));
                if let Some(reason) = &gap {
                    out.push(Draft::unknown(
                        account,
                        &ri.region,
                        resource,
                        format!("flow logs of {} could not be listed: {reason}", vpc.id),
                    ));
                    continue;
                }
                if !ri.flow_logs.iter().any(|f| covers(f, &vpc.id)) {
                    out.push(Draft::fail(
                        account,
                        &ri.region,
                        resource,
                        format!("{} has no active flow log", vpc.id),
                    ));
                }
            }
        }
        out
    }

    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for vpc in &ri.vpcs {
                let resource = resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags));
                let logs: Vec<&str> = ri
                    .flow_logs
                    .iter()
                    .filter(|f| covers(f, &vpc.id))
                    .map(|f| f.id.as_str())
                    .collect();
                out.push(Scoped::pass(
                    account,
                    &ri.region,
                    resource,
                    format!("flow log {} is active and delivering", logs.join(", ")),
                ));
            }
        }
        Some(out)
    }
}

/// Whether `f` is an active flow log of the whole VPC `vpc` that can deliver.
fn covers(f: &FlowLog, vpc: &str) -> bool {
    f.resource_id.as_deref() == Some(vpc)
        && f.log_status
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("active"))
        // A log that cannot deliver records nothing.
        && !f
            .deliver_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("failed"))
}
