//! An indexed view of an [`Inventory`], built once, that the evaluators query.
//!
//! Everything is keyed per (account, region) because ids are only meaningful there
//! (a group reference resolves among the ENIs of one region). Missing data is kept
//! next to the data: lookups that depend on an API which failed return `Err(reason)`
//! so that evaluations answer "unknown", never "blocked" for want of rules.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::inventory::{
    AssociationTarget, CoverageGap, Inventory, NetworkAcl, NetworkInterface, Operation,
    RegionInventory, RouteTable, SecurityGroup, TransitGatewayAttachment, TransitGatewayRouteTable,
};

use super::group_scope::GroupScope;
use super::sets::IpSet;

/// APIs whose failure leaves security-group evaluation without rules.
pub const SECURITY_GROUP_OPS: [Operation; 2] = [
    Operation::DescribeSecurityGroups,
    Operation::DescribeSecurityGroupRules,
];

/// A map keyed by ids, hashed with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The Fx hash (rustc's): a rotate, xor and multiply per word. Keys here are ids
/// AWS assigned, not chosen to collide, and SipHash was most of the cost of every
/// lookup by id at 100,000 ENIs. Only lookups change: nothing iterates these maps in
/// an order that reaches the output.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

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
    subnets: FastMap<&'a str, SubnetInfo<'a>>,
    enis: FastMap<&'a str, &'a NetworkInterface>,
    groups: FastMap<&'a str, &'a SecurityGroup>,
    nacls: FastMap<&'a str, &'a NetworkAcl>,
    route_tables: FastMap<&'a str, &'a RouteTable>,
    /// (transit gateway, VPC) -> the VPC's attachment (the first, as collected).
    tgw_vpc_attachments: FastMap<(&'a str, &'a str), &'a TransitGatewayAttachment>,
    prefix_lists: FastMap<&'a str, Result<IpSet, String>>,
    /// Private addresses of the ENIs carrying each group.
    group_members: FastMap<&'a str, IpSet>,
    gaps: Vec<&'a CoverageGap>,
}

/// The whole inventory, indexed.
#[derive(Debug)]
pub struct Model<'a> {
    regions: Vec<RegionModel<'a>>,
    by_key: FastMap<(&'a str, &'a str), usize>,
    /// ENI id → index in `regions`. ENI ids are unique across accounts, so callers can
    /// name an ENI alone; should two collections hold the same id, the first wins.
    /// The ENI itself (as its region's model holds it) rides along, so locating one
    /// takes one lookup.
    eni_region: FastMap<&'a str, (usize, &'a NetworkInterface)>,
    /// Which VPC pairs group references may cross.
    pub group_scope: GroupScope,
    /// Transit gateway attachments and route tables of every account, by region: a
    /// gateway shared through RAM has its route tables (and the associations) only
    /// in its owner's account.
    transit: TransitIndex<'a>,
}

#[derive(Debug, Default)]
struct TransitIndex<'a> {
    /// (region, gateway, VPC) -> the VPC's attachment, a copy that names its
    /// associated route table first.
    attachments: FastMap<(&'a str, &'a str, &'a str), &'a TransitGatewayAttachment>,
    /// (region, route table id).
    route_tables: FastMap<(&'a str, &'a str), &'a TransitGatewayRouteTable>,
}

impl<'a> Model<'a> {
    pub fn build(inventory: &'a Inventory) -> Model<'a> {
        let mut model = Model {
            regions: Vec::new(),
            by_key: FastMap::default(),
            eni_region: FastMap::default(),
            group_scope: GroupScope::build(inventory),
            transit: TransitIndex::default(),
        };
        for (account_id, region) in inventory.regions() {
            let gaps = inventory.gaps_for(account_id, &region.region).collect();
            let index = model.regions.len();
            let rm = RegionModel::build(account_id, region, gaps);
            for (id, eni) in &rm.enis {
                model.eni_region.entry(id).or_insert((index, *eni));
            }
            model.by_key.insert((account_id, &region.region), index);
            model.regions.push(rm);
            let r = region.region.as_str();
            for a in &region.transit_gateway_attachments {
                if let (true, Some(vpc)) = (a.resource_type == "vpc", a.resource_id.as_deref()) {
                    let slot = model
                        .transit
                        .attachments
                        .entry((r, a.transit_gateway_id.as_str(), vpc))
                        .or_insert(a);
                    if slot.association_route_table_id.is_none()
                        && a.association_route_table_id.is_some()
                    {
                        *slot = a;
                    }
                }
            }
            for t in &region.transit_gateway_route_tables {
                model
                    .transit
                    .route_tables
                    .entry((r, t.id.as_str()))
                    .or_insert(t);
            }
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

    /// The attachment of `vpc` to `tgw` in `region`, from any account's view,
    /// preferring one that names its associated route table (the owner's).
    pub fn tgw_vpc_attachment(
        &self,
        region: &str,
        tgw: &str,
        vpc: &str,
    ) -> Option<&'a TransitGatewayAttachment> {
        self.transit.attachments.get(&(region, tgw, vpc)).copied()
    }

    /// A transit gateway route table of `region`, whichever account collected it.
    pub fn tgw_route_table(&self, region: &str, id: &str) -> Option<&'a TransitGatewayRouteTable> {
        self.transit.route_tables.get(&(region, id)).copied()
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
        let found = self
            .eni_region
            .get(eni_id)
            .and_then(|&(i, eni)| Some((self.regions.get(i)?, eni)));
        if let Some(found) = found {
            return Ok(found);
        }
        // It may live in a region whose ENIs could not be listed.
        let gaps: Vec<String> = self
            .regions
            .iter()
            .filter_map(|r| r.gap(&[Operation::DescribeNetworkInterfaces]))
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
            subnets: FastMap::default(),
            enis: FastMap::default(),
            groups: FastMap::default(),
            nacls: FastMap::default(),
            route_tables: FastMap::default(),
            tgw_vpc_attachments: FastMap::default(),
            prefix_lists: FastMap::default(),
            group_members: FastMap::default(),
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
        // Every member address of each group first, then one set per group: a union
        // per ENI would copy the growing set each time (quadratic in a group's size).
        // Sets are canonical, so the result is the same.
        let mut members: FastMap<&'a str, Vec<IpNet>> = FastMap::default();
        for eni in &ri.network_interfaces {
            // Only private addresses: a group reference never matches public or
            // Elastic IPs (traffic hairpinning through an IGW/NAT loses the match).
            let private = eni
                .private_ipv4s
                .iter()
                .map(|&a| IpNet::from(IpAddr::from(a)))
                .chain(eni.ipv6s.iter().map(|&a| IpNet::from(IpAddr::from(a))));
            for g in &eni.security_group_ids {
                members
                    .entry(g.as_str())
                    .or_default()
                    .extend(private.clone());
            }
        }
        rm.group_members = members
            .into_iter()
            .map(|(g, nets)| (g, IpSet::from_nets(nets)))
            .collect();
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
        if let Some(reason) = self.gap(&[Operation::DescribeNetworkAcls]) {
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
            None => Err(match self.gap(&[Operation::DescribeManagedPrefixLists]) {
                Some(reason) => format!("prefix list {id} was not collected: {reason}"),
                None => format!("prefix list {id} was not collected"),
            }),
        }
    }

    /// The private addresses of every ENI carrying `group_id` here, or why they are not
    /// known. A group neither collected nor carried by any ENI is not ours to resolve
    /// (it lives in another account or region), so it is unknown, not empty.
    pub fn group_members(&self, group_id: &str) -> Result<IpSet, String> {
        if let Some(reason) = self.gap(&[Operation::DescribeNetworkInterfaces]) {
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
    pub fn gap(&self, operations: &[Operation]) -> Option<String> {
        self.gaps
            .iter()
            .find(|g| operations.contains(&g.operation))
            .map(|g| describe_gap(g))
    }

    /// A GetManagedPrefixListEntries failure about list `id`, or one naming no list
    /// (which may hide any of them).
    fn prefix_list_entries_gap(&self, id: &str) -> Option<String> {
        self.gaps
            .iter()
            .find(|g| {
                g.operation == Operation::GetManagedPrefixListEntries
                    && g.resource.as_deref().is_none_or(|r| r == id)
            })
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
fn index_subnets(ri: &RegionInventory) -> FastMap<&str, SubnetInfo<'_>> {
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
