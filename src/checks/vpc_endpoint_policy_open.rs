//! `vpc-endpoint-policy-open`: an interface or gateway endpoint of an AWS service
//! whose policy is the default full-access one: an Allow statement for every
//! principal, every action (`*` or `service:*`) and every resource, with no
//! condition. Anyone's credentials, another account's included, then reach anyone's
//! resources through it; for S3 and DynamoDB that is a way to copy data out of a VPC
//! that has no other way out (medium), for other services low.
//!
//! Deny statements are weighed only as far as they are certain: one that covers
//! every principal, action and resource of the open Allow without a condition
//! cancels it (no finding); one that would cover it but has a condition or a
//! `NotPrincipal` / `NotAction` / `NotResource` element (a data perimeter) is not
//! evaluated, so the finding is `unknown`; narrower ones leave the rest open (fail,
//! listed as evidence). A policy that cannot be read is `unknown`, and so is a
//! missing one where AWS always reports one (gateway endpoints, S3 and DynamoDB
//! interface endpoints): the inventory did not collect it. Other interface
//! endpoints with no policy document, endpoints of other types (Gateway Load
//! Balancer, resource, service network) and those of endpoint services other than
//! AWS's (`com.amazonaws.vpce.*`) take no endpoint policy and are skipped.

use crate::finding::Severity;
use crate::inventory::{Operation, RegionInventory, VpcEndpoint};

use super::context::{Context, Draft, Scoped};
use super::shared::endpoints::{judge, Verdict};
use super::{resources, Check};

pub struct VpcEndpointPolicyOpen;

/// Services whose endpoints let data out to any account's stores.
const DATA_SERVICES: &[&str] = &["s3", "s3express", "dynamodb"];

/// States of an endpoint that carries no traffic.
const GONE: &[&str] = &["deleting", "deleted", "rejected", "failed", "expired"];

/// Whether the endpoint takes an endpoint policy at all: interface and gateway
/// endpoints of AWS services.
fn takes_policy(e: &VpcEndpoint) -> bool {
    let kind = e.endpoint_type.as_str();
    (kind.eq_ignore_ascii_case("interface") || kind.eq_ignore_ascii_case("gateway"))
        && !e.service_name.starts_with("com.amazonaws.vpce.")
}

/// Whether AWS always reports a policy for the endpoint, so that none means the
/// inventory did not collect it: gateway endpoints, and interface endpoints of S3
/// and DynamoDB. Other interface endpoints have none where their service takes none.
fn always_has_policy(e: &VpcEndpoint, service: &str) -> bool {
    e.endpoint_type.eq_ignore_ascii_case("gateway")
        || matches!(action_prefix(service), "s3" | "dynamodb")
}

/// The IAM action prefix of a service, as far as its endpoint name tells
/// (`ecr.api` -> `ecr`, `dynamodb-fips` -> `dynamodb`); a few differ
/// (`monitoring` is `cloudwatch`), which only makes a Deny of the whole service go
/// unrecognised.
fn action_prefix(service: &str) -> &str {
    let first = service.split('.').next().unwrap_or_default();
    first.strip_suffix("-fips").unwrap_or(first)
}

fn data_service(service: &str) -> bool {
    DATA_SERVICES.contains(&action_prefix(service))
}

/// What the check makes of one endpoint.
enum Judged {
    /// Not judged: it takes no policy, or carries no traffic (why).
    Skipped(String),
    /// Its policy grants no unconditional full access.
    Restricted,
    Finding(Box<Draft>),
}

fn judge_endpoint(account: &str, ri: &RegionInventory, e: &VpcEndpoint) -> Judged {
    let region = ri.region.as_str();
    let service = resources::short_service(region, &e.service_name);
    if !takes_policy(e) {
        return Judged::Skipped(format!(
            "{} endpoint {} ({service}) takes no endpoint policy",
            e.endpoint_type, e.id
        ));
    }
    if let Some(s) = e
        .state
        .as_deref()
        .filter(|s| GONE.iter().any(|g| s.eq_ignore_ascii_case(g)))
    {
        return Judged::Skipped(format!("{} is {s}: it carries no traffic", e.id));
    }
    let resource = resources::vpc_endpoint(account, region, &e.id, Some(&e.tags));
    let vpc_tags = ri.vpcs.iter().find(|v| v.id == e.vpc_id).map(|v| &v.tags);
    let related = resources::vpc(account, region, &e.vpc_id, vpc_tags);
    let what = format!("{} endpoint {} ({service})", e.endpoint_type, e.id);
    let Some(document) = e.policy_document.as_deref() else {
        // Only an endpoint that always has a policy says the inventory
        // missed it; other services may simply take none.
        if always_has_policy(e, service) {
            return Judged::Finding(Box::new(
                Draft::unknown(
                    account,
                    region,
                    resource,
                    format!(
                        "the policy of {what} could not be judged: policy document \
                         not collected"
                    ),
                )
                .related([related]),
            ));
        }
        return Judged::Skipped(format!(
            "{what} has no endpoint policy: its service takes none"
        ));
    };
    let component = format!("{} policy", e.id);
    let d = match judge(document, action_prefix(service)) {
        Err(why) => {
            let shown: String = document.chars().take(300).collect();
            Draft::unknown(
                account,
                region,
                resource,
                format!("the policy of {what} could not be read: {why}"),
            )
            .evidence(&component, shown)
        }
        Ok(Verdict::Restricted) => return Judged::Restricted,
        Ok(Verdict::Guarded { allows, guards }) => {
            let mut d = Draft::unknown(
                account,
                region,
                resource,
                format!(
                    "the policy of {what} allows every principal every action on \
                         every resource, limited by a Deny with a condition or a Not* \
                         element that vpcaudit does not evaluate"
                ),
            );
            for a in allows {
                d = d.evidence(&component, a);
            }
            for g in guards {
                d = d.evidence(&component, format!("{g} (not evaluated)"));
            }
            d
        }
        Ok(Verdict::Open { allows, denies }) => {
            let data = data_service(service);
            let reach = if data {
                format!(
                    "credentials from any account can move data to and from any \
                         account's {service} resources through it, past NAT gateways \
                         and firewalls"
                )
            } else {
                format!(
                    "credentials from any account can call {service} on any \
                         account's resources through it"
                )
            };
            let mut d = Draft::fail(
                account,
                region,
                resource,
                format!(
                    "{what} has the full-access policy (any principal, any action, \
                         any resource, no condition): {reach}"
                ),
            );
            if !data {
                d = d.severity(Severity::Low);
            }
            for a in allows {
                d = d.evidence(&component, a);
            }
            for n in denies {
                d = d.evidence(&component, format!("{n} (does not cancel it)"));
            }
            d
        }
    };
    Judged::Finding(Box::new(d.related([related])))
}

impl Check for VpcEndpointPolicyOpen {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(
                account,
                ri,
                &[Operation::DescribeVpcEndpoints],
                "VPC endpoint policies",
            ) {
                out.extend(unknown);
                continue;
            }
            for e in &ri.vpc_endpoints {
                if let Judged::Finding(d) = judge_endpoint(account, ri, e) {
                    out.push(*d);
                }
            }
        }
        out
    }

    /// Every VPC endpoint: those that take a policy pass when it grants no
    /// unconditional full access; the others are not applicable. A region whose
    /// endpoints could not be read is in the scope as the run reports it unknown.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            if let Some(unknown) = ctx.unknown_if_missing(
                account,
                ri,
                &[Operation::DescribeVpcEndpoints],
                "VPC endpoint policies",
            ) {
                // Each is a finding, whose message is its reason.
                out.extend(
                    unknown
                        .into_iter()
                        .map(|d| Scoped::pass(&d.account, &d.region, d.resource, d.message)),
                );
                continue;
            }
            let region = ri.region.as_str();
            for e in &ri.vpc_endpoints {
                let resource = resources::vpc_endpoint(account, region, &e.id, Some(&e.tags));
                out.push(match judge_endpoint(account, ri, e) {
                    Judged::Skipped(why) => Scoped::not_applicable(account, region, resource, why),
                    Judged::Restricted => Scoped::pass(
                        account,
                        region,
                        resource,
                        format!(
                            "the policy of {} grants no unconditional full access (any principal, any action, any resource)",
                            e.id
                        ),
                    ),
                    Judged::Finding(d) => Scoped::pass(account, region, resource, d.message),
                });
            }
        }
        Some(out)
    }
}
