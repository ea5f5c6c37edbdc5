//! An evaluation's steps as the answer's hops: the layer each step belongs to, the
//! deciding rule, and the explanation code of a step that blocks or is undecided.

use crate::answer::reach::{Blocked, Hop, Layer, Undecided, Verdict};

use super::super::explain::Code;
use super::super::verdict::{self, Evaluation, Step};

/// The layer a step's component belongs to, from how the engine names components.
pub fn layer_of(step: &Step) -> Layer {
    let c = step.component.as_str();
    // Components start with an AWS id or a fixed word the engine writes; names (the
    // account's own text) come after it and are never read for the layer.
    let first = c.split_whitespace().next().unwrap_or(c);
    let by_id = [
        ("sg-", Layer::SecurityGroup),
        ("acl-", Layer::NetworkAcl),
        ("rtb-", Layer::RouteTable),
        ("eigw-", Layer::EgressOnlyInternetGateway),
        ("igw-", Layer::InternetGateway),
        ("nat-", Layer::NatGateway),
        ("pcx-", Layer::VpcPeeringConnection),
        ("tgw-", Layer::TransitGateway),
        ("arn:aws:elasticloadbalancing", Layer::LoadBalancer),
    ];
    if c == "connection" {
        Layer::Connection
    } else if c.starts_with("NetworkPolicy") {
        Layer::NetworkPolicy
    } else if let Some((_, layer)) = by_id.iter().find(|(p, _)| first.starts_with(p)) {
        *layer
    } else if first.starts_with("eni-") && step.decision.starts_with("no rule in groups [") {
        Layer::SecurityGroup
    } else if first.starts_with("vpce-") && c.ends_with("(appliance)") {
        Layer::GatewayLoadBalancer
    } else if first.starts_with("vpce-") {
        Layer::VpcEndpoint
    } else if first.starts_with("eni-") {
        Layer::Connection
    } else if c.starts_with("firewall ") {
        Layer::NetworkFirewall
    } else if c.starts_with("load balancer") {
        Layer::LoadBalancer
    } else if c.starts_with("security group") {
        Layer::SecurityGroup
    } else if c.starts_with("network ACL") {
        Layer::NetworkAcl
    } else if c.starts_with("route table") {
        Layer::RouteTable
    } else {
        Layer::Other
    }
}

/// The deciding rule, entry or route named in a decision: `sgr-…`, `rule 100`, or a
/// route `10.0.0.0/16 -> pcx-1`.
pub fn rule_of(layer: Layer, decision: &str) -> Option<String> {
    // Only where the engine writes the rule (the start of the decision): a group's
    // description or name later in the text may say anything.
    if let Some(rest) = decision.strip_prefix("rule sgr-") {
        let id: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        return Some(format!("sgr-{id}"));
    }
    if layer == Layer::NetworkAcl {
        if let Some(rest) = decision.strip_prefix("rule ") {
            let n: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '*')
                .collect();
            if !n.is_empty() {
                return Some(format!("rule {n}"));
            }
        }
    }
    if layer == Layer::RouteTable {
        if let Some(at) = decision.find(" -> ") {
            let before = decision[..at].rsplit(' ').next().unwrap_or_default();
            let after = decision[at + 4..]
                .split([' ', ',', ';'])
                .next()
                .unwrap_or_default();
            if !before.is_empty() && !after.is_empty() {
                return Some(format!("{before} -> {after}"));
            }
        }
    }
    None
}

/// The code a step carries; for the step an unknown answer gives as its reason, when
/// it carries none, the code of its layer; `None` for every other step.
pub fn code_of(step: &Step, undecided: bool) -> Option<Code> {
    if step.code.is_some() || layer_of(step) == Layer::NetworkPolicy {
        return step.code;
    }
    // The engine codes every step that blocks; an uncoded step is evidence (which
    // may well say "drops" about what could happen), never read as a block. Only the
    // step an unknown answer names as its reason gets a code from its layer.
    if !undecided {
        return None;
    }
    Some(fallback_code(step))
}

/// The fallback: the code of the component's layer (and, for routes, what the
/// decision says went wrong).
pub fn fallback_code(step: &Step) -> Code {
    let d = step.decision.as_str();
    if d.contains("not collected") || d.contains("not in the inventory") || d.contains("failed in")
    {
        return Code::DataNotCollected;
    }
    match layer_of(step) {
        Layer::SecurityGroup => Code::EniSgRulesMismatch,
        Layer::NetworkAcl => Code::SubnetAclRestriction,
        Layer::RouteTable if d.contains("blackhole") => Code::RouteBlackhole,
        Layer::RouteTable if d.contains("peering without the return route") => {
            Code::PcxRequiresReturnRoute
        }
        Layer::RouteTable => Code::NoRouteToDestination,
        Layer::VpcPeeringConnection if d.contains("return") => Code::PcxRequiresReturnRoute,
        Layer::VpcPeeringConnection => Code::NoRouteToDestination,
        Layer::TransitGateway => Code::TgwRtbCannotRoute,
        Layer::NetworkFirewall => Code::FirewallRulesRestriction,
        Layer::GatewayLoadBalancer => Code::GwlbApplianceNotVisible,
        _ if d.contains("appliance") => Code::GwlbApplianceNotVisible,
        _ => Code::DataNotCollected,
    }
}

/// The reason of an unknown evaluation.
fn unknown_reason(e: &Evaluation) -> Option<&str> {
    match &e.verdict {
        verdict::Verdict::Unknown { reason } => Some(reason),
        _ => None,
    }
}

/// Whether `step` is the one an unknown evaluation is undecided at.
fn is_undecided(e: &Evaluation, step: &Step) -> bool {
    unknown_reason(e).is_some_and(|r| step.decision == r || step.decision.contains(r))
}

/// The evaluation's steps as numbered hops; a step with a code is blocked (or
/// unknown when the evaluation is), the others passed.
pub fn hops(e: &Evaluation) -> Vec<Hop> {
    e.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let layer = layer_of(step);
            let undecided = is_undecided(e, step);
            let code = if e.is_allowed() {
                None
            } else {
                code_of(step, undecided)
            };
            let verdict = match (code, undecided || (e.is_unknown() && step.code.is_some())) {
                (None, _) => Verdict::Allowed,
                (Some(_), true) => Verdict::Unknown,
                (Some(_), false) if e.is_unknown() => Verdict::Unknown,
                (Some(_), false) => Verdict::Blocked,
            };
            Hop {
                number: i + 1,
                layer,
                resource: step.component.clone(),
                decision: step.decision.clone(),
                rule: rule_of(layer, &step.decision),
                verdict,
                code: code.map(|c| c.as_str().to_string()),
            }
        })
        .collect()
}

/// The first blocking hop of a blocked evaluation (the first coded one).
pub fn first_blocking(e: &Evaluation) -> Option<(usize, Code)> {
    if !e.is_blocked() {
        return None;
    }
    e.steps
        .iter()
        .position(|s| s.code.is_some())
        .or_else(|| e.steps.len().checked_sub(1))
        .and_then(|i| Some((i, code_of(&e.steps[i], true)?)))
}

/// Where a blocked evaluation blocks, with what would have to change. `groups_of`
/// labels an ENI's security groups from the inventory: they are never read back out
/// of the engine's prose, whose group names are the account's and may say anything.
pub fn blocked_at(
    e: &Evaluation,
    ctx: &super::change::Context,
    groups_of: &dyn Fn(&str) -> Vec<String>,
) -> Option<Blocked> {
    let (i, code) = first_blocking(e)?;
    let step = &e.steps[i];
    let layer = code.layer();
    let layer = if layer == Layer::Other {
        layer_of(step)
    } else {
        layer
    };
    // A missing group rule is fixed in a group, not on the ENI the step names.
    let groups = if code == Code::EniSgRulesMismatch {
        groups_of(&step.component)
    } else {
        Vec::new()
    };
    let (resource, rule) = if groups.is_empty() {
        (
            step.component.clone(),
            rule_of(layer_of(step), &step.decision),
        )
    } else {
        (groups.join(", "), None)
    };
    Some(Blocked {
        code: code.as_str().to_string(),
        layer,
        resource,
        rule,
        detail: step.decision.clone(),
        change: super::change::sentence(code, step, ctx, &groups),
    })
}

/// Each undecided step of an unknown evaluation (at least one: the reason).
pub fn undecided(e: &Evaluation) -> Vec<Undecided> {
    let Some(reason) = unknown_reason(e) else {
        return Vec::new();
    };
    let mut out: Vec<Undecided> = e
        .steps
        .iter()
        .filter(|s| s.code.is_some() || is_undecided(e, s))
        .map(|s| {
            let code = code_of(s, true).unwrap_or(Code::DataNotCollected);
            Undecided {
                code: code.as_str().to_string(),
                layer: layer_of(s),
                resource: s.component.clone(),
                reason: s.decision.clone(),
            }
        })
        .collect();
    if out.is_empty() {
        out.push(Undecided {
            code: Code::DataNotCollected.as_str().to_string(),
            layer: Layer::Other,
            resource: e
                .steps
                .last()
                .map(|s| s.component.clone())
                .unwrap_or_default(),
            reason: reason.to_string(),
        });
    }
    out
}

/// An undecided layer known only by its reason.
pub fn from_reason(reason: Option<&str>) -> Undecided {
    let reason = reason.unwrap_or("the engine could not decide").to_string();
    let step = Step::new("", reason.clone());
    let code = fallback_code(&step);
    Undecided {
        code: code.as_str().to_string(),
        layer: code.layer(),
        resource: String::new(),
        reason,
    }
}

/// Which connection an evaluation is about, to list its hops in the order a packet
/// meets them (the engine lists them layer by layer).
#[derive(Debug, Clone, Copy)]
pub enum Shape<'s> {
    /// ENI `src` to ENI `dst` over private addresses.
    Private { src: &'s str, dst: &'s str },
    /// The internet to an ENI.
    FromInternet,
    /// An ENI to the internet.
    ToInternet,
}

/// [`hops`] in the order a packet meets them, numbered 1..n again.
pub fn ordered_hops(e: &Evaluation, shape: Shape) -> Vec<Hop> {
    let hops = hops(e);
    let Some(keys) = order_keys(&e.steps, shape) else {
        return hops;
    };
    let mut keyed: Vec<(usize, Hop)> = keys.into_iter().zip(hops).collect();
    // Stable: steps of one place keep the engine's order.
    keyed.sort_by_key(|(k, _)| *k);
    keyed
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut h))| {
            h.number = i + 1;
            h
        })
        .collect()
}

/// A NACL step saying what replies it checks.
fn is_reply(step: &Step) -> bool {
    step.decision.starts_with("replies ")
}

/// The deciding entry a blocked replies step adds after itself (same component).
fn follows_blocked_replies(prev: &Step, step: &Step) -> bool {
    is_reply(prev)
        && prev.decision.contains("not allowed")
        && prev.component == step.component
        && !is_reply(step)
}

/// Whether a NACL component is its outbound side (`acl-1 outbound`).
fn outbound(step: &Step) -> bool {
    step.component.ends_with("outbound")
}

/// Sort keys per step, or `None` to keep the engine's order.
fn order_keys(steps: &[Step], shape: Shape) -> Option<Vec<usize>> {
    match shape {
        Shape::Private { src, dst } => Some(private_keys(steps, src, dst)),
        Shape::FromInternet => inbound_keys(steps),
        Shape::ToInternet => Some(outbound_keys(steps)),
    }
}

/// ENI to ENI: the request from the source out to the destination, then the replies
/// back (a step of no known place stays with the one before it).
fn private_keys(steps: &[Step], src: &str, dst: &str) -> Vec<usize> {
    const CONNECTION: usize = 0;
    const SRC_SG: usize = 1;
    const SRC_ACL_REQUEST: usize = 2;
    const SRC_ROUTES: usize = 3;
    const BETWEEN_VPCS: usize = 4;
    const DST_ACL_REQUEST: usize = 5;
    const DST_SG: usize = 6;
    // A destination pod's policies, once the packet is on its node.
    const DST_POLICY: usize = 7;
    const DST_ACL_REPLIES: usize = 8;
    const DST_ROUTES: usize = 9;
    const BETWEEN_VPCS_BACK: usize = 10;
    const SRC_ACL_REPLIES: usize = 11;
    let mut keys: Vec<usize> = Vec::with_capacity(steps.len());
    let (mut tables, mut gateways) = (0, 0);
    for (i, step) in steps.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| (&steps[j], keys[j]));
        let inherit = prev.map_or(CONNECTION, |(_, k)| k);
        let c = step.component.as_str();
        let key = match layer_of(step) {
            _ if prev.is_some_and(|(p, _)| follows_blocked_replies(p, step)) => inherit,
            _ if c == "connection" => CONNECTION,
            // A source pod's policies apply before the packet leaves its node.
            Layer::NetworkPolicy if c.contains("(ingress)") => DST_POLICY,
            Layer::NetworkPolicy => CONNECTION,
            _ if c == src => SRC_SG,
            _ if c == dst => DST_SG,
            Layer::SecurityGroup => {
                let tail = step
                    .decision
                    .rfind(" allows ")
                    .map_or("", |at| &step.decision[at..]);
                if tail.contains(" to ") {
                    SRC_SG
                } else if tail.contains(" from ") {
                    DST_SG
                } else {
                    inherit
                }
            }
            Layer::NetworkAcl if !c.starts_with("acl-") => SRC_ACL_REQUEST,
            Layer::NetworkAcl => match (outbound(step), is_reply(step)) {
                _ if step.decision.starts_with("not crossed") => SRC_ACL_REQUEST,
                (true, false) => SRC_ACL_REQUEST,
                (false, false) => DST_ACL_REQUEST,
                (true, true) => DST_ACL_REPLIES,
                (false, true) => SRC_ACL_REPLIES,
            },
            // The source's table carries the request; the next the reply.
            Layer::RouteTable => {
                tables += 1;
                if tables == 1 {
                    SRC_ROUTES
                } else {
                    DST_ROUTES
                }
            }
            Layer::VpcPeeringConnection => BETWEEN_VPCS,
            Layer::TransitGateway => {
                gateways += 1;
                if gateways == 1 {
                    BETWEEN_VPCS
                } else {
                    BETWEEN_VPCS_BACK
                }
            }
            _ => inherit,
        };
        keys.push(key);
    }
    keys
}

/// The internet to an ENI: gateway, NACL in, groups, then the replies (NACL out,
/// the route back). Only for the plain shape; anything else keeps the engine's order.
fn inbound_keys(steps: &[Step]) -> Option<Vec<usize>> {
    let mut keys: Vec<usize> = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| (&steps[j], keys[j]));
        let key = match layer_of(step) {
            _ if prev.is_some_and(|(p, _)| follows_blocked_replies(p, step)) => {
                prev.map_or(0, |(_, k)| k)
            }
            _ if i == 0 => 0,
            Layer::InternetGateway | Layer::EgressOnlyInternetGateway => 1,
            Layer::NetworkAcl if !is_reply(step) && !outbound(step) => 2,
            Layer::SecurityGroup => 3,
            Layer::NetworkAcl if is_reply(step) => 4,
            Layer::RouteTable => 5,
            _ => return None,
        };
        keys.push(key);
    }
    Some(keys)
}

/// An ENI to the internet: the request in the engine's order (it follows the
/// packet: groups, NACL, routes, NAT, gateway), then the replies, last checked first.
fn outbound_keys(steps: &[Step]) -> Vec<usize> {
    let n = steps.len();
    let mut keys: Vec<usize> = Vec::with_capacity(n);
    for (i, step) in steps.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| (&steps[j], keys[j]));
        let key = match prev {
            Some((p, k)) if follows_blocked_replies(p, step) => k,
            _ if layer_of(step) == Layer::NetworkAcl && is_reply(step) => 2 * n - i,
            _ => i,
        };
        keys.push(key);
    }
    keys
}
