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

use serde_json::{Map, Value};

use crate::finding::Severity;
use crate::inventory::{decode_policy_document, Operation, VpcEndpoint};

use super::context::{Context, Draft};
use super::{resources, Check};

pub struct VpcEndpointPolicyOpen;

/// Services whose endpoints let data out to any account's stores.
const DATA_SERVICES: &[&str] = &["s3", "s3express", "dynamodb"];

/// States of an endpoint that carries no traffic.
const GONE: &[&str] = &["deleting", "deleted", "rejected", "failed", "expired"];

type Statement = Map<String, Value>;

/// What an endpoint policy lets through.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// No unconditional full-access Allow, or every one is cancelled by a Deny.
    Restricted,
    /// Full access: the open Allow statements, and Deny statements that narrow them
    /// without cancelling them (each as `label: JSON`).
    Open {
        allows: Vec<String>,
        denies: Vec<String>,
    },
    /// An open Allow that a Deny with a condition or a `Not*` element may limit.
    Guarded {
        allows: Vec<String>,
        guards: Vec<String>,
    },
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `"*"`, `{"AWS": "*"}` or a list holding `"*"`.
fn any_principal(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Object(m)) => strings(m.get("AWS")).contains(&"*"),
        other => strings(other).contains(&"*"),
    }
}

/// Whether `action` is `*` or a whole service (`s3:*`, `*:*`).
fn wildcard_action(action: &str) -> bool {
    match action.split_once(':') {
        None => action == "*",
        Some(("*", "*")) => true,
        Some((svc, rest)) => rest == "*" && !svc.is_empty() && !svc.contains('*'),
    }
}

/// The whole-service actions of a statement, lower-cased.
fn wildcard_actions(s: &Statement) -> Vec<String> {
    strings(s.get("Action"))
        .into_iter()
        .filter(|a| wildcard_action(a))
        .map(|a| {
            if a == "*:*" {
                "*".into()
            } else {
                a.to_ascii_lowercase()
            }
        })
        .collect()
}

fn any_resource(s: &Statement) -> bool {
    strings(s.get("Resource")).contains(&"*")
}

fn conditional(s: &Statement) -> bool {
    match s.get("Condition") {
        None | Some(Value::Null) => false,
        Some(Value::Object(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

fn negated(s: &Statement) -> bool {
    ["NotPrincipal", "NotAction", "NotResource"]
        .iter()
        .any(|k| s.contains_key(*k))
}

fn effect(s: &Statement) -> Option<&str> {
    s.get("Effect").and_then(Value::as_str)
}

/// An Allow of everything to everyone, with no condition.
fn open_allow(s: &Statement) -> bool {
    effect(s).is_some_and(|e| e.eq_ignore_ascii_case("allow"))
        && !negated(s)
        && !conditional(s)
        && any_principal(s.get("Principal"))
        && !wildcard_actions(s).is_empty()
        && any_resource(s)
}

/// Whether Deny `deny`, conditions aside, applies to every principal, action and
/// resource that `allow_actions` (an open Allow's whole-service actions) grant,
/// through an endpoint of the service whose actions start with `prefix:` (so that
/// `"*"` there means `prefix:*`). A `Not*` element may exclude some of them: it
/// counts as covering, and makes the Deny one vpcaudit does not evaluate.
fn covers(deny: &Statement, allow_actions: &[String], prefix: &str) -> bool {
    let principals = deny.contains_key("NotPrincipal") || any_principal(deny.get("Principal"));
    let resources = deny.contains_key("NotResource") || any_resource(deny);
    let denied = wildcard_actions(deny);
    let whole_service = format!("{}:*", prefix.to_ascii_lowercase());
    let actions = deny.contains_key("NotAction")
        || denied.iter().any(|a| a == "*")
        || allow_actions
            .iter()
            .all(|a| denied.contains(a) || (a == "*" && denied.contains(&whole_service)));
    principals && resources && actions
}

fn label(i: usize, s: &Statement) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    match s.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => format!("statement {} ({sid}): {json}", i + 1),
        _ => format!("statement {}: {json}", i + 1),
    }
}

/// Judges a policy document (JSON, or URL-encoded JSON) of an endpoint of the
/// service whose IAM actions start with `prefix:` (`s3`, `ecr`, ...).
pub(crate) fn judge(document: &str, prefix: &str) -> Result<Verdict, String> {
    let text = decode_policy_document(document);
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(doc) = doc else {
        return Err("not a JSON object".into());
    };
    let statements: Vec<&Statement> = match doc.get("Statement") {
        Some(Value::Object(s)) => vec![s],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_object().ok_or("a statement is not a JSON object"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("Statement is neither an object nor a list".into()),
        None => return Err("no Statement".into()),
    };
    for (i, s) in statements.iter().enumerate() {
        match effect(s) {
            Some(e) if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") => {}
            _ => return Err(format!("statement {} has no Effect Allow or Deny", i + 1)),
        }
    }
    let denies: Vec<(usize, &Statement)> = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| effect(s).is_some_and(|e| e.eq_ignore_ascii_case("deny")))
        .map(|(i, s)| (i, *s))
        .collect();
    let (mut allows, mut guards, mut cancelling) = (Vec::new(), Vec::new(), Vec::new());
    for (i, s) in statements.iter().enumerate().filter(|(_, s)| open_allow(s)) {
        let actions = wildcard_actions(s);
        let covering: Vec<&(usize, &Statement)> = denies
            .iter()
            .filter(|(_, d)| covers(d, &actions, prefix))
            .collect();
        if let Some((j, _)) = covering
            .iter()
            .find(|(_, d)| !conditional(d) && !negated(d))
        {
            cancelling.push(*j);
            continue;
        }
        allows.push(label(i, s));
        for (j, d) in &covering {
            let l = label(*j, d);
            if !guards.contains(&l) {
                guards.push(l);
            }
        }
    }
    if allows.is_empty() {
        return Ok(Verdict::Restricted);
    }
    if !guards.is_empty() {
        return Ok(Verdict::Guarded { allows, guards });
    }
    // Deny statements that cancelled another open Allow say nothing about these.
    let narrowing = denies
        .iter()
        .filter(|(j, _)| !cancelling.contains(j))
        .map(|(j, d)| label(*j, d))
        .collect();
    Ok(Verdict::Open {
        allows,
        denies: narrowing,
    })
}

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
            let region = ri.region.as_str();
            for e in ri.vpc_endpoints.iter().filter(|e| takes_policy(e)) {
                if e.state
                    .as_deref()
                    .is_some_and(|s| GONE.iter().any(|g| s.eq_ignore_ascii_case(g)))
                {
                    continue;
                }
                let service = resources::short_service(region, &e.service_name);
                let resource = resources::vpc_endpoint(account, region, &e.id, Some(&e.tags));
                let vpc_tags = ri.vpcs.iter().find(|v| v.id == e.vpc_id).map(|v| &v.tags);
                let related = resources::vpc(account, region, &e.vpc_id, vpc_tags);
                let what = format!("{} endpoint {} ({service})", e.endpoint_type, e.id);
                let Some(document) = e.policy_document.as_deref() else {
                    // Only an endpoint that always has a policy says the inventory
                    // missed it; other services may simply take none.
                    if always_has_policy(e, service) {
                        out.push(
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
                        );
                    }
                    continue;
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
                    Ok(Verdict::Restricted) => continue,
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
                out.push(d.related([related]));
            }
        }
        out
    }
}
