//! An evaluation's steps as the answer's hops: the layer each step belongs to, the
//! deciding rule, and the explanation code of a step that blocks or is undecided.

use crate::answer::reach::{Blocked, Hop, Layer, Undecided, Verdict};

use super::super::explain::Code;
use super::super::verdict::{self, Evaluation, Step};

/// The layer a step's component belongs to, from how the engine names components.
pub fn layer_of(step: &Step) -> Layer {
    let c = step.component.as_str();
    let lower = c.to_ascii_lowercase();
    if c == "connection" {
        Layer::Connection
    } else if c.starts_with("sg-")
        || lower.starts_with("security group")
        || (c.starts_with("eni-") && step.decision.starts_with("no rule in groups"))
        || step.decision.contains("in groups [")
    {
        Layer::SecurityGroup
    } else if c.starts_with("acl-") || lower.contains("network acl") {
        Layer::NetworkAcl
    } else if c.starts_with("rtb-") || lower.contains("route table") {
        Layer::RouteTable
    } else if c.starts_with("eigw-") {
        Layer::EgressOnlyInternetGateway
    } else if c.starts_with("igw-") {
        Layer::InternetGateway
    } else if c.starts_with("nat-") {
        Layer::NatGateway
    } else if c.starts_with("pcx-") {
        Layer::VpcPeeringConnection
    } else if c.starts_with("tgw-") {
        Layer::TransitGateway
    } else if lower.contains("firewall") {
        Layer::NetworkFirewall
    } else if c.starts_with("vpce-") && lower.contains("appliance") {
        Layer::GatewayLoadBalancer
    } else if c.starts_with("vpce-") {
        Layer::VpcEndpoint
    } else if lower.contains("load balancer") || c.starts_with("arn:aws:elasticloadbalancing") {
        Layer::LoadBalancer
    } else if c.starts_with("eni-") {
        Layer::Connection
    } else {
        Layer::Other
    }
}

/// The deciding rule, entry or route named in a decision: `sgr-…`, `rule 100`, or a
/// route `10.0.0.0/16 -> pcx-1`.
pub fn rule_of(layer: Layer, decision: &str) -> Option<String> {
    if let Some(at) = decision.find("sgr-") {
        let id: String = decision[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        return Some(id);
    }
    if layer == Layer::NetworkAcl {
        if let Some(at) = decision.find("rule ") {
            let n: String = decision[at + 5..]
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

/// Words the engine uses in a step that blocks or cannot decide.
const BLOCKING_WORDS: [&str; 14] = [
    "no rule",
    "denies",
    "not allowed",
    "no route",
    "blackhole",
    "not attached",
    "not active",
    "drop",
    "reject",
    "no private address",
    "no public address",
    "is not transitive",
    "without the return route",
    "no active route back",
];

/// The code a step carries, else one derived from its component and decision (until
/// every step is coded at the source); `None` for a step that passes.
pub fn code_of(step: &Step, undecided: bool) -> Option<Code> {
    if step.code.is_some() {
        return step.code;
    }
    let blocks = BLOCKING_WORDS.iter().any(|w| step.decision.contains(w));
    if !blocks && !undecided {
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
        .or_else(|| e.steps.iter().position(|s| code_of(s, false).is_some()))
        .and_then(|i| Some((i, code_of(&e.steps[i], true)?)))
}

/// Where a blocked evaluation blocks, with what would have to change.
pub fn blocked_at(e: &Evaluation, ctx: &super::change::Context) -> Option<Blocked> {
    let (i, code) = first_blocking(e)?;
    let step = &e.steps[i];
    let layer = code.layer();
    let layer = if layer == Layer::Other {
        layer_of(step)
    } else {
        layer
    };
    Some(Blocked {
        code: code.as_str().to_string(),
        layer,
        resource: step.component.clone(),
        rule: rule_of(layer_of(step), &step.decision),
        detail: step.decision.clone(),
        change: super::change::sentence(code, step, ctx),
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
