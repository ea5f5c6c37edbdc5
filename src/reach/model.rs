//! An indexed view of an [`Inventory`], built once, that the evaluators query.
//!
//! Everything is keyed per (account, region) because ids are only meaningful there
//! (a group reference resolves among the ENIs of one region). Missing data is kept
//! next to the data: lookups that depend on an API which failed return `Err(reason)`
//! so that evaluations answer "unknown", never "blocked" for want of rules.

use std::collections::HashMap;

use crate::inventory::{
    AssociationTarget, CoverageGap, Inventory, NetworkAcl, NetworkInterface, RegionInventory,
    RouteTable, SecurityGroup, TransitGatewayAttachment,
};

use super::group_scope::GroupScope;
use super::sets::IpSet;

/// APIs whose failure leaves security-group evaluation without rules.
pub const SECURITY_GROUP_OPS: [&str; 2] = ["DescribeSecurityGroups", "DescribeSecurityGroupRules"];
pub const NACL_OP: &str = "DescribeNetworkAcls";
pub const ENI_OP: &str = "DescribeNetworkInterfaces";
pub const PREFIX_LISTS_OP: &str = "DescribeManagedPrefixLists";
pub const PREFIX_LIST_ENTRIES_OP: &str = "GetManagedPrefixListEntries";

/// Where a subnet sits and which route table and NACL govern it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetInfo<'a> {
    pub vpc_id: &'a str,
    pub availability_zone: &'a str,
    /// Explicit association, else the VPC's main table; `None` if neither was collected.
    pub route_table_id: Option<&'a str>,
    /// Explicit association, else the VPC's default NACL; `None` if neither was collected.
    pub network_acl_id: Option<&'a str>,
}

/// One account's region, indexed.
#[derive(Debug)]
pub struct RegionModel<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    subnets: HashMap<&'a str, SubnetInfo<'a>>,
    enis: HashMap<&'a str, &'a NetworkInterface>,
    groups: HashMap<&'a str, &'a SecurityGroup>,
    nacls: HashMap<&'a str, &'a NetworkAcl>,
    route_tables: HashMap<&'a str, &'a RouteTable>,
    /// (transit gateway, VPC) -> the VPC's attachment (the first, as collected).
    tgw_vpc_attachments: HashMap<(&'a str, &'a str), &'a TransitGatewayAttachment>,
    prefix_lists: HashMap<&'a str, Result<IpSet, String>>,
    /// Private addresses of the ENIs carrying each group.
    group_members: HashMap<&'a str, IpSet>,
    gaps: Vec<&'a CoverageGap>,
}

/// The whole inventory, indexed.
#[derive(Debug)]
pub struct Model<'a> {
    regions: Vec<RegionModel<'a>>,
    by_key: HashMap<(&'a str, &'a str), usize>,
    /// ENI id → index in `regions`. ENI ids are unique across accounts, so callers can
    /// name an ENI alone; should two collections hold the same id, the first wins.
    eni_region: HashMap<&'a str, usize>,
    /// Which VPC pairs group references may cross.
    pub group_scope: GroupScope,
}

impl<'a> Model<'a> {
    pub fn build(inventory: &'a Inventory) -> Model<'a> {
        let mut model = Model {
            regions: Vec::new(),
            by_key: HashMap::new(),
            eni_region: HashMap::new(),
            group_scope: GroupScope::build(inventory),
        };
        for (account_id, region) in inventory.regions() {
            let gaps = inventory.gaps_for(account_id, &region.region).collect();
            let index = model.regions.len();
            let rm = RegionModel::build(account_id, region, gaps);
            for id in rm.enis.keys() {
                model.eni_region.entry(id).or_insert(index);
            }
            model.by_key.insert((account_id, &region.region), index);
            model.regions.push(rm);
        }
        // A region that failed entirely has gaps but no RegionInventory; give it an
        // empty model so its lookups report the gap rather than "not collected".
        for gap in &inventory.coverage {
            let key = (gap.account_id.as_str(), gap.region.as_str());
            if !model.by_key.contains_key(&key) {
                let gaps = inventory.gaps_for(key.0, key.1).collect();
                model.by_key.insert(key, model.regions.len());
                model.regions.push(RegionModel::empty(key.0, key.1, gaps));
            }
        }
        model
    }

    pub fn region(&self, account_id: &str, region: &str) -> Option<&RegionModel<'a>> {
        self.by_key
            .get(&(account_id, region))
            .and_then(|&i| self.regions.get(i))
    }

    pub fn regions(&self) -> impl Iterator<Item = &RegionModel<'a>> {
        self.regions.iter()
    }

    /// The ENI and its region, or why it cannot be found.
    pub fn locate_eni(
        &self,
        eni_id: &str,
    ) -> Result<(&RegionModel<'a>, &'a NetworkInterface), String> {
        let found = self.eni_region.get(eni_id).and_then(|&i| {
            let rm = self.regions.get(i)?;
            Some((rm, *rm.enis.get(eni_id)?))
        });
        if let Some(found) = found {
            return Ok(found);
        }
        // It may live in a region whose ENIs could not be listed.
        let gaps: Vec<String> = self
            .regions
            .iter()
            .filter_map(|r| r.gap(&[ENI_OP]))
            .collect();
        if gaps.is_empty() {
            Err(format!("{eni_id} is not in the inventory"))
        } else {
            Err(format!(
                "{eni_id} is not in the inventory, which is incomplete: {}",
                gaps.join("; ")
            ))
        }
    }
}

impl<'a> RegionModel<'a> {
    fn empty(account_id: &'a str, region: &'a str, gaps: Vec<&'a CoverageGap>) -> Self {
        RegionModel {
            account_id,
            region,
            subnets: HashMap::new(),
            enis: HashMap::new(),
            groups: HashMap::new(),
            nacls: HashMap::new(),
            route_tables: HashMap::new(),
            tgw_vpc_attachments: HashMap::new(),
            prefix_lists: HashMap::new(),
            group_members: HashMap::new(),
            gaps,
        }
    }

    fn build(account_id: &'a str, ri: &'a RegionInventory, gaps: Vec<&'a CoverageGap>) -> Self {
        let mut rm = RegionModel::empty(account_id, &ri.region, gaps);
        rm.subnets = index_subnets(ri);
        rm.enis = ri
            .network_interfaces
            .iter()
            .map(|e| (e.id.as_str(), e))
            .collect();
        rm.route_tables = ri.route_tables.iter().map(|t| (t.id.as_str(), t)).collect();
        for a in ri.transit_gateway_attachments.iter().rev() {
            if let (true, Some(vpc)) = (a.resource_type == "vpc", a.resource_id.as_deref()) {
                rm.tgw_vpc_attachments
                    .insert((a.transit_gateway_id.as_str(), vpc), a);
            }
        }
        rm.groups = ri
            .security_groups
            .iter()
            .map(|g| (g.id.as_str(), g))
            .collect();
        rm.nacls = ri.network_acls.iter().map(|n| (n.id.as_str(), n)).collect();
        for pl in &ri.managed_prefix_lists {
            let entries = match rm.prefix_list_entries_gap(&pl.id) {
                Some(reason) => Err(reason),
                None => Ok(IpSet::from_nets(pl.entries.iter().map(|e| e.cidr))),
            };
            rm.prefix_lists.insert(&pl.id, entries);
        }
        for eni in &ri.network_interfaces {
            // Only private addresses: a group reference never matches public or
            // Elastic IPs (traffic hairpinning through an IGW/NAT loses the match).
            let private = eni
                .private_ipv4s
                .iter()
                .map(|&a| IpSet::from_addr(a.into()))
                .chain(eni.ipv6s.iter().map(|&a| IpSet::from_addr(a.into())))
                .fold(IpSet::empty(), |s, a| s.union(&a));
            for g in &eni.security_group_ids {
                let members = rm.group_members.entry(g.as_str()).or_default();
                *members = members.union(&private);
            }
        }
        rm
    }

    pub fn subnet(&self, id: &str) -> Option<&SubnetInfo<'a>> {
        self.subnets.get(id)
    }

    pub fn eni(&self, id: &str) -> Option<&'a NetworkInterface> {
        self.enis.get(id).copied()
    }

    pub fn security_group(&self, id: &str) -> Option<&'a SecurityGroup> {
        self.groups.get(id).copied()
    }

    pub fn route_table(&self, id: &str) -> Option<&'a RouteTable> {
        self.route_tables.get(id).copied()
    }

    /// The attachment of VPC `vpc` to transit gateway `tgw`, if collected here.
    pub fn tgw_vpc_attachment(&self, tgw: &str, vpc: &str) -> Option<&'a TransitGatewayAttachment> {
        self.tgw_vpc_attachments.get(&(tgw, vpc)).copied()
    }

    pub fn network_acl(&self, id: &str) -> Option<&'a NetworkAcl> {
        self.nacls.get(id).copied()
    }

    /// The NACL governing a subnet, or why it is not known.
    pub fn network_acl_for_subnet(&self, subnet_id: &str) -> Result<&'a NetworkAcl, String> {
        if let Some(reason) = self.gap(&[NACL_OP]) {
            return Err(reason);
        }
        let subnet = self
            .subnet(subnet_id)
            .ok_or_else(|| format!("{subnet_id} is not in the inventory"))?;
        subnet
            .network_acl_id
            .and_then(|id| self.network_acl(id))
            .ok_or_else(|| format!("no network ACL was collected for {subnet_id}"))
    }

    /// The addresses of a prefix list's entries, or why they are not known.
    pub fn prefix_list(&self, id: &str) -> Result<&IpSet, String> {
        match self.prefix_lists.get(id) {
            Some(Ok(set)) => Ok(set),
            Some(Err(reason)) => Err(reason.clone()),
            None => Err(match self.gap(&[PREFIX_LISTS_OP]) {
                Some(reason) => format!("prefix list {id} was not collected: {reason}"),
                None => format!("prefix list {id} was not collected"),
            }),
        }
    }

    /// The private addresses of every ENI carrying `group_id` here, or why they are not
    /// known. A group neither collected nor carried by any ENI is not ours to resolve
    /// (it lives in another account or region), so it is unknown, not empty.
    pub fn group_members(&self, group_id: &str) -> Result<IpSet, String> {
        if let Some(reason) = self.gap(&[ENI_OP]) {
            return Err(reason);
        }
        match self.group_members.get(group_id) {
            Some(set) => Ok(set.clone()),
            None if self.groups.contains_key(group_id) => Ok(IpSet::empty()),
            None => Err(format!(
                "group {group_id} is not in the inventory of {}/{}",
                self.account_id, self.region
            )),
        }
    }

    /// The first recorded failure of one of `operations` here, as a reason.
    pub fn gap(&self, operations: &[&str]) -> Option<String> {
        self.gaps
            .iter()
            .find(|g| operations.contains(&g.operation.as_str()))
            .map(|g| describe_gap(g))
    }

    /// A GetManagedPrefixListEntries failure about list `id`. The collector starts
    /// the message with `"{id}: "`; matching the whole prefix keeps a failure of
    /// `pl-12` from tainting `pl-1`.
    fn prefix_list_entries_gap(&self, id: &str) -> Option<String> {
        let prefix = format!("{id}:");
        self.gaps
            .iter()
            .find(|g| g.operation == PREFIX_LIST_ENTRIES_OP && g.message.starts_with(&prefix))
            .map(|g| describe_gap(g))
    }
}

pub fn describe_gap(g: &CoverageGap) -> String {
    format!(
        "{} failed in {}/{} ({}): {}",
        g.operation, g.account_id, g.region, g.kind, g.message
    )
}

/// Subnet → VPC, AZ, route table and NACL, in one pass over each list instead of a
/// scan per subnet.
fn index_subnets(ri: &RegionInventory) -> HashMap<&str, SubnetInfo<'_>> {
    let mut explicit_rt: HashMap<&str, &str> = HashMap::new();
    let mut main_rt: HashMap<&str, &str> = HashMap::new();
    for rt in &ri.route_tables {
        for a in &rt.associations {
            match &a.target {
                AssociationTarget::Subnet(s) => {
                    explicit_rt.entry(s.as_str()).or_insert(&rt.id);
                }
                AssociationTarget::Main => {
                    main_rt.entry(rt.vpc_id.as_str()).or_insert(&rt.id);
                }
                AssociationTarget::Gateway(_) => {}
            }
        }
    }
    let mut explicit_acl: HashMap<&str, &str> = HashMap::new();
    let mut default_acl: HashMap<&str, &str> = HashMap::new();
    for acl in &ri.network_acls {
        for a in &acl.associations {
            explicit_acl.entry(a.subnet_id.as_str()).or_insert(&acl.id);
        }
        if acl.is_default {
            default_acl.entry(acl.vpc_id.as_str()).or_insert(&acl.id);
        }
    }
    ri.subnets
        .iter()
        .map(|s| {
            let id = s.id.as_str();
            let vpc = s.vpc_id.as_str();
            let info = SubnetInfo {
                vpc_id: vpc,
                availability_zone: &s.availability_zone,
                route_table_id: explicit_rt.get(id).or(main_rt.get(vpc)).copied(),
                network_acl_id: explicit_acl.get(id).or(default_acl.get(vpc)).copied(),
            };
            (id, info)
        })
        .collect()
}
