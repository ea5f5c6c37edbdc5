//! "What would have to change": a sentence naming the component, the direction, the
//! service and the peer, built from the blocking step and its code.

use super::super::explain::Code;
use super::super::verdict::Step;

/// What the blocked connection was.
#[derive(Debug, Clone)]
pub struct Context {
    /// The client's address (or `internet`).
    pub src: String,
    /// The server's address (or `internet`).
    pub dst: String,
    /// The service, as `describe_point` writes it (`tcp 5432`).
    pub service: String,
}

/// The first word of a component (`rtb-1 (route table)` -> `rtb-1`).
fn id_of(component: &str) -> &str {
    component.split_whitespace().next().unwrap_or(component)
}

/// The packet a NACL decision is about (`tcp 22 to 10.0.0.5`).
fn nacl_packet(decision: &str) -> Option<&str> {
    let from = ["denies ", "matches ", "allows "]
        .iter()
        .find_map(|w| decision.find(w).map(|i| i + w.len()))?;
    let rest = &decision[from..];
    Some(rest.split(" (implicit").next().unwrap_or(rest))
}

/// The sentence for `code` at `step`; `groups` are the security groups of the ENI
/// the step names (labelled from the inventory), for a missing group rule.
pub fn sentence(code: Code, step: &Step, ctx: &Context, groups: &[String]) -> String {
    let d = step.decision.as_str();
    let id = id_of(&step.component);
    let Context { src, dst, service } = ctx;
    match code {
        Code::EniSgRulesMismatch => {
            let groups = match groups {
                [] => format!("the groups of {id}"),
                [one] => one.clone(),
                many => format!("one of {}", many.join(", ")),
            };
            // The engine ends the decision with the direction; names come earlier.
            if d.ends_with("(outbound)") {
                format!("{groups} would need an outbound rule allowing {service} to {dst}")
            } else {
                format!("{groups} would need an inbound rule allowing {service} from {src}")
            }
        }
        Code::SubnetAclRestriction => {
            let direction = if step.component.ends_with("outbound") {
                "outbound"
            } else {
                "inbound"
            };
            let packet = if d.starts_with("replies ") {
                d.split(':').next().unwrap_or(d).to_string()
            } else {
                nacl_packet(d).unwrap_or(service).to_string()
            };
            match super::hops::rule_of(crate::answer::reach::Layer::NetworkAcl, d) {
                Some(rule) => format!(
                    "{id} would need an {direction} entry allowing {packet}, numbered before {rule}"
                ),
                None => format!("{id} would need an {direction} entry allowing {packet}"),
            }
        }
        Code::NoRouteToDestination => {
            format!("{id} would need a route to {dst} (toward the destination's VPC)")
        }
        Code::RouteBlackhole => {
            format!("the route in {id} toward {dst} is a blackhole and would need a live target")
        }
        Code::PcxRequiresReturnRoute => format!(
            "{id} would need a route back to {src} over the peering connection the request takes"
        ),
        Code::TgwRtbCannotRoute => format!(
            "the route table of {id} would need a route to {dst} through the destination's attachment"
        ),
        Code::FirewallRulesRestriction => {
            format!("{} would need to pass {service} from {src} to {dst}", step.component)
        }
        Code::GwlbApplianceNotVisible => format!(
            "the appliance behind {id} would have to pass {service} (its rules are not visible)"
        ),
        Code::NetworkPolicyRestriction => network_policy(step, ctx),
        other => generic(other),
    }
}

/// A NetworkPolicy step names its side: `NetworkPolicy (egress)` at the source pod,
/// `NetworkPolicy (ingress)` at the destination pod. An Admin-tier deny wins over
/// any NetworkPolicy, so it is that policy that would have to change.
fn network_policy(step: &Step, ctx: &Context) -> String {
    let Context { src, dst, service } = ctx;
    let d = step.decision.as_str();
    if let Some(at) = d.find("ClusterNetworkPolicy ") {
        // The one reason naming it (reasons are joined by `; `).
        let rest = d[at + "ClusterNetworkPolicy ".len()..]
            .split("; ")
            .next()
            .unwrap_or_default();
        let name = rest.split_whitespace().next().unwrap_or(rest);
        if rest.contains("(Admin tier") && rest.contains(" denies ") {
            return format!(
                "ClusterNetworkPolicy {name} (Admin tier) would have to stop denying {service} \
                 from {src} to {dst}: no NetworkPolicy can override it"
            );
        }
    }
    if step.component.contains("(ingress)") {
        format!("a NetworkPolicy selecting {dst} would need an ingress rule allowing {service} from {src}")
    } else if step.component.contains("(egress)") {
        format!(
            "a NetworkPolicy selecting {src} would need an egress rule allowing {service} to {dst}"
        )
    } else {
        generic(Code::NetworkPolicyRestriction)
    }
}

/// The sentence when nothing specific can be said.
pub fn generic(code: Code) -> String {
    code.change().to_string()
}
