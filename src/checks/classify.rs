//! What an ENI is: AWS plumbing (NAT gateways, endpoints, attachments), a data store,
//! a host an attacker can take over, recognised from interface type, requester,
//! description, tags, groups and the configuration's selectors.

use std::collections::{HashMap, HashSet};

use crate::inventory::{Direction, Inventory, NetworkInterface, Tags};
use crate::reach::model::RegionModel;
use crate::reach::sets::ServiceSet;

/// Tag that marks an ENI as holding data that matters, whatever it runs.
pub const CROWN_JEWEL_TAG: &str = "vpcaudit:crown-jewel";

/// Facts about ENIs that need the whole inventory, indexed once.
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// ENIs that NAT gateways name as their own.
    nat_enis: HashSet<&'a str>,
    /// Instance id -> its tags.
    instance_tags: HashMap<&'a str, &'a Tags>,
}

impl<'a> Index<'a> {
    pub fn build(inv: &'a Inventory) -> Index<'a> {
        let nat_enis = inv
            .regions()
            .flat_map(|(_, ri)| &ri.nat_gateways)
            .flat_map(|n| &n.addresses)
            .filter_map(|a| a.network_interface_id.as_deref())
            .collect();
        let instance_tags = inv
            .regions()
            .flat_map(|(_, ri)| &ri.instances)
            .map(|i| (i.id.as_str(), &i.tags))
            .collect();
        Index {
            nat_enis,
            instance_tags,
        }
    }

    /// The tags of the instance `eni` is attached to.
    pub fn instance_tags(&self, eni: &NetworkInterface) -> Option<&'a Tags> {
        self.instance_tags.get(eni.instance_id.as_deref()?).copied()
    }

    /// ENIs that belong to AWS's own plumbing, not to a workload. NAT gateways name
    /// their own ENIs, which some sources report as plain interfaces; load balancer
    /// nodes only answer.
    pub fn is_infrastructure(&self, eni: &NetworkInterface) -> bool {
        let lb = eni.requester_managed
            && eni
                .description
                .as_deref()
                .is_some_and(|d| d.starts_with("ELB "));
        self.nat_enis.contains(eni.id.as_str()) || lb || crate::reach::classes::is_aws_managed(eni)
    }

    /// A host an attacker who reaches it can take over and move on from: not AWS
    /// plumbing and not a managed service's interface.
    pub fn is_host(&self, eni: &NetworkInterface) -> bool {
        !eni.requester_managed && !self.is_infrastructure(eni)
    }
}

/// How strongly an ENI counts as a data store, most certain first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StoreKind {
    /// Tagged or selected as a crown jewel.
    Marked,
    /// A managed data service's interface (RDS, ElastiCache, ...).
    Managed,
    /// A host whose groups open data-store ports.
    DataPorts,
}

/// Why an ENI counts as a data store, if it does. `data_ports` are the TCP ports that
/// make one (see [`super::shared::ports::DATA_PORTS`]); `marked` says whether a
/// configured crown-jewel selector matched.
pub fn data_store(
    rm: Option<&RegionModel>,
    eni: &NetworkInterface,
    data_ports: &ServiceSet,
    marked: bool,
) -> Option<(StoreKind, String)> {
    if eni.tags.contains_key(CROWN_JEWEL_TAG) {
        return Some((StoreKind::Marked, format!("tagged {CROWN_JEWEL_TAG}")));
    }
    if marked {
        return Some((StoreKind::Marked, "a configured crown jewel".to_string()));
    }
    let d = eni.description.as_deref().unwrap_or_default();
    let requester = eni.requester_id.as_deref().unwrap_or_default();
    let managed = [
        ("RDSNetworkInterface", "amazon-rds", "RDS/Aurora"),
        ("ElastiCache", "amazon-elasticache", "ElastiCache"),
        ("RedshiftNetworkInterface", "amazon-redshift", "Redshift"),
        ("ES ", "amazon-elasticsearch", "OpenSearch"),
        ("EFS mount target", "amazon-efs", "EFS"),
        ("Amazon MSK", "amazon-msk", "MSK"),
        ("MemoryDB", "amazon-memorydb", "MemoryDB"),
        ("DocumentDB", "amazon-docdb", "DocumentDB"),
        ("Neptune", "amazon-neptune", "Neptune"),
    ];
    if let Some((_, _, kind)) = managed
        .iter()
        .find(|(desc, req, _)| d.starts_with(desc) || requester == *req)
    {
        return Some((StoreKind::Managed, format!("{kind} network interface")));
    }
    let rm = rm?;
    for g in &eni.security_group_ids {
        let Some(group) = rm.security_group(g) else {
            continue;
        };
        for r in group
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
        {
            // Only a rule aimed at data ports says "data store": all traffic, or a
            // wide range (a default group's self reference, 1024-65535), does not.
            let services = ServiceSet::from_rule(r.protocol, r.l4);
            if !services.is_empty() && services.is_subset(data_ports) {
                return Some((
                    StoreKind::DataPorts,
                    format!("group {} opens {services}", group.id),
                ));
            }
        }
    }
    None
}
