//! Security groups of one ENI: the union of every rule of every group, per direction.
//!
//! Stateful: only the direction that initiates a flow is checked here. Replies to an
//! allowed flow pass whatever the other direction's rules say, so callers must not
//! evaluate the reply against the opposite direction.

use std::net::IpAddr;

use crate::inventory::{Direction, RulePeer, SecurityGroup, SecurityGroupRule};

use super::explain::Code;
use super::group_scope::Scope;
use super::model::{Model, RegionModel, SECURITY_GROUP_OPS};
use super::sets::{FlowSet, IpSet, ServicePoint, ServiceSet};
use super::verdict::{describe_point, direction_word, peer_word, Evaluation, Step};

/// Every (peer, service) the groups on `eni_id` allow in `direction`; the peer is the
/// source for ingress and the destination for egress. `Err` gives why it is unknown,
/// including any rule whose peer cannot be resolved (its contribution is unknown).
pub fn allowed_flows(model: &Model, eni_id: &str, direction: Direction) -> Result<FlowSet, String> {
    let (rm, vpc, groups) = groups_of(model, eni_id)?;
    let mut boxes = Vec::new();
    for (_, rule) in rules(&groups, direction) {
        let (peers, _) = resolve_peer(model, rm, vpc, direction, &rule.peer)?;
        boxes.push((peers, ServiceSet::from_rule(rule.protocol, rule.l4)));
    }
    Ok(FlowSet::from_boxes(boxes))
}

/// [`allowed_flows`] in two parts: rules whose peer is an address (CIDR or prefix
/// list), and rules naming a group (resolved to its members' addresses). The union is
/// `allowed_flows`; the first part is constant over any address range no rule CIDR
/// cuts, which lets whole-account analyses evaluate it once per range.
pub fn allowed_flows_split(
    model: &Model,
    eni_id: &str,
    direction: Direction,
) -> Result<(FlowSet, FlowSet), String> {
    let (rm, vpc, groups) = groups_of(model, eni_id)?;
    let (mut by_address, mut by_group) = (Vec::new(), Vec::new());
    for (_, rule) in rules(&groups, direction) {
        let (peers, _) = resolve_peer(model, rm, vpc, direction, &rule.peer)?;
        let services = ServiceSet::from_rule(rule.protocol, rule.l4);
        match rule.peer {
            RulePeer::Group { .. } => by_group.push((peers, services)),
            _ => by_address.push((peers, services)),
        }
    }
    Ok((
        FlowSet::from_boxes(by_address),
        FlowSet::from_boxes(by_group),
    ))
}

/// Every (peer, service) one group's own rules allow in `direction`, judged alone
/// (not with the other groups of the ENIs carrying it). `Err` gives why unknown.
pub fn group_allowed_flows(
    model: &Model,
    account_id: &str,
    region: &str,
    group_id: &str,
    direction: Direction,
) -> Result<FlowSet, String> {
    let rm = model
        .region(account_id, region)
        .ok_or_else(|| format!("{account_id}/{region} was not collected"))?;
    if let Some(reason) = rm.gap(&SECURITY_GROUP_OPS) {
        return Err(reason);
    }
    let group = rm
        .security_group(group_id)
        .ok_or_else(|| format!("group {group_id} is not in the inventory"))?;
    let vpc = group.vpc_id.as_deref().unwrap_or_default();
    let mut boxes = Vec::new();
    for (_, rule) in rules(&[group], direction) {
        let (peers, _) = resolve_peer(model, rm, vpc, direction, &rule.peer)?;
        boxes.push((peers, ServiceSet::from_rule(rule.protocol, rule.l4)));
    }
    Ok(FlowSet::from_boxes(boxes))
}

/// Whether the groups on `eni_id` allow `service` with `peer` in `direction`, naming
/// the group and rule that allow it. A rule whose peer cannot be resolved only makes
/// the answer unknown when no other rule allows and the rule covers the service.
pub fn evaluate(
    model: &Model,
    eni_id: &str,
    direction: Direction,
    peer: IpAddr,
    service: ServicePoint,
) -> Evaluation {
    let (rm, vpc, groups) = match groups_of(model, eni_id) {
        Ok(found) => found,
        // Said by a step of its own: an unknown evaluation must name its code.
        Err(reason) => {
            return Evaluation::unknown(
                reason.clone(),
                vec![Step::coded(Code::DataNotCollected, eni_id, reason)],
            )
        }
    };
    let mut unresolved: Option<String> = None;
    let mut stale: Vec<String> = Vec::new();
    for (group, rule) in rules(&groups, direction) {
        if !ServiceSet::from_rule(rule.protocol, rule.l4).contains(service) {
            continue;
        }
        match resolve_peer(model, rm, vpc, direction, &rule.peer) {
            Ok((peers, _)) if peers.contains(peer) => {
                let decision = format!(
                    "{} allows {} {} {}",
                    rule_label(rule),
                    ServiceSet::from_rule(rule.protocol, rule.l4),
                    peer_word(direction),
                    peer_label(&rule.peer)
                );
                return Evaluation::allowed(vec![Step::new(group_label(group), decision)]);
            }
            Ok((_, Some(why))) => stale.push(format!(
                "{} in {} names {} but matches nothing: {why}",
                rule_label(rule),
                group.id,
                peer_label(&rule.peer)
            )),
            Ok(_) => {}
            Err(reason) => {
                unresolved.get_or_insert(format!("{} in {}: {reason}", rule_label(rule), group.id));
            }
        }
    }
    let names: Vec<String> = groups.iter().map(|g| group_label(g)).collect();
    // Blocked, or unknown for want of a rule that cannot be resolved: either way no
    // rule that can be judged allows it.
    let code = match unresolved {
        Some(_) => Code::DataNotCollected,
        None => Code::EniSgRulesMismatch,
    };
    let mut steps = vec![Step::coded(
        code,
        eni_id,
        format!(
            "no rule in groups [{}] allows {} {} {} ({})",
            names.join(", "),
            describe_point(service),
            peer_word(direction),
            peer,
            direction_word(direction)
        ),
    )];
    steps.extend(stale.into_iter().map(|note| Step::new(eni_id, note)));
    match unresolved {
        Some(reason) => Evaluation::unknown(reason, steps),
        None => Evaluation::blocked(steps),
    }
}

/// The ENI's region, VPC and groups, or why they cannot be trusted.
fn groups_of<'m, 'a>(
    model: &'m Model<'a>,
    eni_id: &str,
) -> Result<(&'m RegionModel<'a>, &'a str, Vec<&'a SecurityGroup>), String> {
    let (rm, eni) = model.locate_eni(eni_id)?;
    if let Some(reason) = rm.gap(&SECURITY_GROUP_OPS) {
        return Err(reason);
    }
    let groups = eni
        .security_group_ids
        .iter()
        .map(|id| {
            rm.security_group(id)
                .ok_or_else(|| format!("group {id} on {eni_id} is not in the inventory"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rm, eni.vpc_id.as_str(), groups))
}

fn rules<'g, 'a>(
    groups: &'g [&'a SecurityGroup],
    direction: Direction,
) -> impl Iterator<Item = (&'a SecurityGroup, &'a SecurityGroupRule)> + 'g {
    groups.iter().flat_map(move |&g| {
        g.rules
            .iter()
            .filter(move |r| r.direction == direction)
            .map(move |r| (g, r))
    })
}

/// The addresses a rule's peer stands for, for a rule of a group in `rule_vpc`, and
/// why a group reference is stale (it then stands for no address).
fn resolve_peer(
    model: &Model,
    rm: &RegionModel,
    rule_vpc: &str,
    direction: Direction,
    peer: &RulePeer,
) -> Result<(IpSet, Option<String>), String> {
    match peer {
        RulePeer::Ipv4 { cidr } => Ok((IpSet::from_net((*cidr).into()), None)),
        RulePeer::Ipv6 { cidr } => Ok((IpSet::from_net((*cidr).into()), None)),
        RulePeer::PrefixList { id } => Ok((rm.prefix_list(id)?.clone(), None)),
        RulePeer::Group {
            group_id,
            account_id,
            vpc_id,
            ..
        } => {
            // Cross-account references (over peering) resolve in the owner's
            // inventory of the same region, when it was collected.
            let owner = account_id.as_deref().unwrap_or(rm.account_id);
            let home = model.region(owner, rm.region).ok_or_else(|| {
                format!(
                    "group {owner}/{group_id} is in {owner}/{}, which was not collected",
                    rm.region
                )
            })?;
            let group_vpc = home
                .security_group(group_id)
                .and_then(|g| g.vpc_id.as_deref())
                .or(vpc_id.as_deref())
                .ok_or_else(|| format!("the VPC of group {owner}/{group_id} is not known"))?;
            match model.group_scope.reaches(rule_vpc, group_vpc, direction) {
                Scope::Reaches => Ok((home.group_members(group_id)?, None)),
                Scope::Stale(why) => Ok((IpSet::empty(), Some(why))),
                Scope::Unknown(reason) => Err(reason),
            }
        }
    }
}

pub(crate) fn group_label(g: &SecurityGroup) -> String {
    format!("{} ({})", g.id, g.name)
}

fn rule_label(r: &SecurityGroupRule) -> String {
    let id = r.id.as_deref().unwrap_or("without id");
    match &r.description {
        Some(d) if !d.is_empty() => format!("rule {id} \"{d}\""),
        _ => format!("rule {id}"),
    }
}

fn peer_label(peer: &RulePeer) -> String {
    match peer {
        RulePeer::Ipv4 { cidr } => cidr.to_string(),
        RulePeer::Ipv6 { cidr } => cidr.to_string(),
        RulePeer::PrefixList { id } => format!("prefix list {id}"),
        RulePeer::Group {
            group_id,
            account_id: Some(a),
            ..
        } => format!("group {a}/{group_id}"),
        RulePeer::Group { group_id, .. } => format!("group {group_id}"),
    }
}

/// `rule sgr-1 "web": tcp/443 to 0.0.0.0/0`, for explanations and evidence.
pub fn describe_rule(rule: &SecurityGroupRule) -> String {
    format!(
        "{}: {} {} {}",
        rule_label(rule),
        ServiceSet::from_rule(rule.protocol, rule.l4),
        peer_word(rule.direction),
        peer_label(&rule.peer)
    )
}
