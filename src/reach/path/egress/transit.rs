//! The egress walk through a transit gateway: the source VPC's attachment, the TGW
//! route table associated with it (longest prefix, static over propagated,
//! blackhole), the attachment that route names, and on in that VPC by the route
//! table of the attachment's subnet in the flow's AZ. The VPC behind may belong to
//! another account: it is judged when that account is in the inventory, and unknown
//! otherwise.

use crate::inventory::{
    RegionInventory, Subnet, TransitGatewayAttachment, TransitGatewayRouteTable,
};

use super::super::super::explain::Code;
use super::super::super::model::RegionModel;
use super::super::super::route;
use super::super::super::verdict::Evaluation;
use super::super::transit::{attachment_state_and_az, tgw_lookup, TgwLookup};
use super::super::{allowed_at, blocked_at, region_inventory, unknown_at};
use super::{EgressPath, Hop, Walk};

impl<'m, 'a> Walk<'m, 'a> {
    /// Every collected (account, region inventory) of the flow's region.
    fn same_region(
        &self,
        region: &str,
    ) -> impl Iterator<Item = (&'a str, &'a RegionInventory)> + '_ {
        let region = region.to_string();
        self.inv.regions().filter(move |(_, r)| r.region == region)
    }

    /// An attachment by id, preferring a copy that names its associated route table
    /// (the transit gateway owner's view: another account sees less of it).
    fn attachment(&self, region: &str, id: &str) -> Option<&'a TransitGatewayAttachment> {
        let copies: Vec<&TransitGatewayAttachment> = self
            .same_region(region)
            .flat_map(|(_, r)| r.transit_gateway_attachments.iter().filter(|a| a.id == id))
            .collect();
        copies
            .iter()
            .find(|a| a.association_route_table_id.is_some())
            .or(copies.first())
            .copied()
    }

    /// The VPC attachment of `vpc` to `tgw`, from any account's view.
    fn vpc_attachment(&self, hop: &Hop, tgw: &str) -> Option<&'a TransitGatewayAttachment> {
        let id = self
            .same_region(hop.rm.region)
            .flat_map(|(_, r)| r.transit_gateway_attachments.iter())
            .find(|a| {
                a.transit_gateway_id == tgw
                    && a.resource_type == "vpc"
                    && a.resource_id.as_deref() == Some(hop.vpc)
            })?
            .id
            .as_str();
        self.attachment(hop.rm.region, id)
    }

    /// The TGW route table associated with `att`: its own record, else a table
    /// listing it among its associations.
    fn associated_table(
        &self,
        region: &str,
        att: &TransitGatewayAttachment,
    ) -> Result<Option<&'a TransitGatewayRouteTable>, String> {
        let tables = || {
            self.same_region(region)
                .flat_map(|(_, r)| r.transit_gateway_route_tables.iter())
        };
        if let Some(id) = att.association_route_table_id.as_deref() {
            return match tables().find(|t| t.id == id) {
                Some(t) => Ok(Some(t)),
                None => Err(format!(
                    "TGW route table {id} was not collected{}",
                    self.owner_note(att.transit_gateway_owner_id.as_deref(), region)
                )),
            };
        }
        let listed = tables().find(|t| {
            t.transit_gateway_id == att.transit_gateway_id
                && t.associations.iter().any(|l| {
                    l.attachment_id.as_deref() == Some(att.id.as_str())
                        && matches!(l.state.as_deref(), None | Some("associated"))
                })
        });
        match listed {
            Some(t) => Ok(Some(t)),
            // The tables were seen (the owner is scanned): truly none.
            None if tables().any(|t| t.transit_gateway_id == att.transit_gateway_id) => Ok(None),
            None => Err(format!(
                "the route tables of {} were not collected{}",
                att.transit_gateway_id,
                self.owner_note(att.transit_gateway_owner_id.as_deref(), region)
            )),
        }
    }

    /// ": its owner account X is not in the scan" when that is why.
    fn owner_note(&self, owner: Option<&str>, region: &str) -> String {
        match owner {
            Some(o) if self.model.region(o, region).is_none() => {
                format!(" (transit gateway owner account {o} is not in the scan)")
            }
            _ => String::new(),
        }
    }

    /// Follows `tgw` from the VPC the flow is in (at `hop`).
    pub(super) fn transit(&self, tgw: &str, hop: Hop, hops: usize) -> (EgressPath, Evaluation) {
        let component = format!("{tgw} (transit gateway)");
        let region = hop.rm.region;
        let none = EgressPath::None;
        let Some(att) = self.vpc_attachment(&hop, tgw) else {
            return (
                none,
                unknown_at(
                    Code::DataNotCollected,
                    component,
                    format!("no attachment of {} to {tgw} was collected", hop.vpc),
                ),
            );
        };
        if let Some(e) = attachment_state_and_az(hop.rm, hop.from_subnet, att, &component) {
            return (none, e);
        }
        let rt = match self.associated_table(region, att) {
            Ok(Some(rt)) => rt,
            Ok(None) => {
                return (
                    none,
                    blocked_at(
                        Code::TgwAttachMissingTgwRtbAssociation,
                        component,
                        format!(
                            "no route: attachment {} has no associated route table",
                            att.id
                        ),
                    ),
                )
            }
            Err(reason) => {
                return (
                    none,
                    unknown_at(Code::TgwRtbRoutesAreUnknown, component, reason),
                )
            }
        };
        if let Some(e) = self.revisit(&rt.id) {
            return (none, e);
        }
        let prefix_list = |id: &str| {
            self.same_region(region)
                .find_map(|(_, r)| r.prefix_list(id))
        };
        let dst = self.dst;
        let r = match tgw_lookup(rt, dst, prefix_list) {
            TgwLookup::Route(r) => r,
            TgwLookup::NoRoute => {
                return (
                    none,
                    blocked_at(
                        Code::TgwRtbCannotRoute,
                        component,
                        format!("no route: {} has no route to {dst}", rt.id),
                    ),
                )
            }
            TgwLookup::Unknown(reason) => {
                return (
                    none,
                    unknown_at(Code::TgwRtbRoutesAreUnknown, component, reason),
                )
            }
        };
        let dest = route::describe_destination(&r.destination);
        let kind = r.route_type.as_deref().unwrap_or("unknown type");
        match r.state.as_deref() {
            Some("blackhole") => {
                return (
                    none,
                    blocked_at(
                        Code::TgwRtbBadStateRoute,
                        component,
                        format!("{}: {dest} is a blackhole", rt.id),
                    ),
                )
            }
            Some("active") => {}
            other => {
                return (
                    none,
                    unknown_at(
                        Code::TgwRtbRoutesAreUnknown,
                        component,
                        format!(
                            "{}: {dest} is in state {}",
                            rt.id,
                            other.unwrap_or("unknown")
                        ),
                    ),
                )
            }
        }
        let mut targets: Vec<&str> = r
            .attachments
            .iter()
            .filter_map(|a| a.attachment_id.as_deref())
            .collect();
        targets.dedup();
        let [next_id] = targets[..] else {
            return (
                none,
                unknown_at(
                    Code::NotModelled,
                    component,
                    format!(
                        "{}: {dest} goes to [{}]; which one carries the flow is not modelled",
                        rt.id,
                        targets.join(", ")
                    ),
                ),
            );
        };
        let routed = allowed_at(
            component.clone(),
            format!(
                "{} (associated with {}): {dest} -> {next_id} ({kind})",
                rt.id, att.id
            ),
        );
        let path = |then: EgressPath, next: Option<&TransitGatewayAttachment>| {
            EgressPath::TransitGateway {
                tgw: tgw.to_string(),
                attachment: att.id.clone(),
                route_table: rt.id.clone(),
                next_attachment: next_id.to_string(),
                vpc: next.and_then(|n| n.resource_id.clone()).unwrap_or_default(),
                account: next.and_then(|n| n.resource_owner_id.clone()),
                appliance_mode: next.is_some_and(|n| n.appliance_mode_support),
                then: Box::new(then),
            }
        };
        let stop = |e: Evaluation, next: Option<&TransitGatewayAttachment>| {
            (
                path(EgressPath::None, next),
                Evaluation::all_of(vec![routed.clone(), e]),
            )
        };
        let Some(next) = self.attachment(region, next_id) else {
            return stop(
                unknown_at(
                    Code::DataNotCollected,
                    component.clone(),
                    format!("attachment {next_id} was not collected"),
                ),
                None,
            );
        };
        let next_component = format!("{next_id} (transit gateway attachment)");
        if next.resource_type != "vpc" {
            return stop(
                unknown_at(
                    Code::NotModelled,
                    next_component,
                    format!(
                        "a {} attachment: where it leads is not followed",
                        next.resource_type
                    ),
                ),
                Some(next),
            );
        }
        match next.state.as_deref() {
            Some("available") | Some("modifying") => {}
            Some(state) => {
                return stop(
                    blocked_at(
                        Code::BadStateAttachment,
                        next_component,
                        format!("{state}, not available"),
                    ),
                    Some(next),
                )
            }
            None => {
                return stop(
                    unknown_at(
                        Code::DataNotCollected,
                        next_component,
                        "its state was not collected",
                    ),
                    Some(next),
                )
            }
        }
        let Some(vpc) = next.resource_id.as_deref() else {
            return stop(
                unknown_at(
                    Code::DataNotCollected,
                    next_component,
                    "its VPC was not collected",
                ),
                Some(next),
            );
        };
        let (rm, ri) = match self.vpc_region(region, vpc, next.resource_owner_id.as_deref()) {
            Ok(found) => found,
            Err(reason) => {
                return stop(
                    unknown_at(Code::DataNotCollected, next_component, reason),
                    Some(next),
                )
            }
        };
        let Some(subnet) = entry_subnet(&hop, next, rm, ri) else {
            return stop(
                unknown_at(
                    Code::DataNotCollected,
                    next_component,
                    format!(
                        "which of the subnets of {next_id} the transit gateway delivers to is not known"
                    ),
                ),
                Some(next),
            );
        };
        let mut legs = vec![routed.clone()];
        let then = match route::table_for_subnet(rm, subnet) {
            Ok(table) => {
                let next_hop = Hop {
                    rm,
                    ri,
                    vpc,
                    from_subnet: subnet,
                    came_through: None,
                    ..hop
                };
                legs.push(allowed_at(
                    next_component.clone(),
                    format!("delivers into {vpc} through {subnet} ({})", table.id),
                ));
                let (then, e) = self.follow(table, next_hop, hops + 1);
                legs.push(e);
                then
            }
            Err(reason) => {
                legs.push(unknown_at(
                    Code::DataNotCollected,
                    format!("route table of {subnet}"),
                    reason,
                ));
                EgressPath::None
            }
        };
        if inspects_first(&then) && !next.appliance_mode_support {
            // Evidence, not a verdict: whether replies come back through the same AZ
            // depends on where they re-enter the transit gateway.
            legs.push(allowed_at(
                next_component,
                format!(
                    "appliance mode is off: the flow is inspected in {vpc}, but the transit gateway may return replies through another AZ's endpoint, where a stateful firewall drops them or sees half the flow"
                ),
            ));
        }
        (path(then, Some(next)), Evaluation::all_of(legs))
    }

    /// The account and region holding `vpc`: its owner's when named (unknown when
    /// that account was not scanned), else whichever collected it.
    fn vpc_region(
        &self,
        region: &str,
        vpc: &str,
        owner: Option<&str>,
    ) -> Result<(&'m RegionModel<'a>, &'a RegionInventory), String> {
        let holds = |ri: &RegionInventory| ri.vpcs.iter().any(|v| v.id == vpc);
        let account = match owner {
            Some(o) => {
                let Some(rm) = self.model.region(o, region) else {
                    return Err(format!(
                        "egress VPC {vpc} is in account {o}, which is not in the scan"
                    ));
                };
                rm.account_id
            }
            None => match self.same_region(region).find(|(_, r)| holds(r)) {
                Some((a, _)) => a,
                None => return Err(format!("{vpc} is not in the inventory")),
            },
        };
        let rm = self
            .model
            .region(account, region)
            .ok_or_else(|| format!("{account}/{region} was not collected"))?;
        let ri = region_inventory(self.inv, rm)?;
        if !holds(ri) {
            return Err(format!(
                "{vpc} is not in the inventory of account {account}"
            ));
        }
        Ok((rm, ri))
    }
}

/// The attachment subnet the transit gateway hands the flow to: the one in the
/// flow's AZ (AZ affinity; matched by AZ id across accounts, whose AZ names differ),
/// else, when the attachment has none there, any of its subnets if they all share one
/// route table.
fn entry_subnet<'a>(
    hop: &Hop,
    next: &'a TransitGatewayAttachment,
    rm: &RegionModel<'_>,
    ri: &'a RegionInventory,
) -> Option<&'a str> {
    let here = hop.ri.subnets.iter().find(|s| s.id == hop.from_subnet)?;
    let same_az = |s: &Subnet| match (&s.availability_zone_id, &here.availability_zone_id) {
        (Some(a), Some(b)) => a == b,
        _ => s.availability_zone == here.availability_zone,
    };
    let subnets: Vec<&'a Subnet> = next
        .subnet_ids
        .iter()
        .filter_map(|id| ri.subnets.iter().find(|s| &s.id == id))
        .collect();
    if let Some(s) = subnets.iter().find(|s| same_az(s)) {
        return Some(s.id.as_str());
    }
    let first = subnets.first()?;
    let table = rm.subnet(&first.id)?.route_table_id?;
    subnets
        .iter()
        .all(|s| rm.subnet(&s.id).and_then(|i| i.route_table_id) == Some(table))
        .then_some(first.id.as_str())
}

/// Whether the path inspects the flow (Network Firewall or appliance) before it
/// leaves the VPC it has just entered.
fn inspects_first(path: &EgressPath) -> bool {
    match path {
        EgressPath::Firewall { .. } | EgressPath::Appliance { .. } => true,
        EgressPath::Nat { then, .. } => inspects_first(then),
        _ => false,
    }
}
