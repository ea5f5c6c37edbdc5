//! What an ENI is, for the `reached` list: the instance, NAT gateway, VPC endpoint or
//! load balancer it belongs to, as its attachment and description tell.

use std::collections::{HashMap, HashSet};

use crate::inventory::{Inventory, NetworkInterface};

use super::super::load_balancer::is_node;

/// ENI id -> the NAT gateway or VPC endpoint that owns it.
pub(crate) struct Kinds<'a> {
    owners: HashMap<&'a str, String>,
    /// ENIs NAT gateways name as their own (some sources report them as plain
    /// interfaces).
    nat_enis: HashSet<&'a str>,
}

impl<'a> Kinds<'a> {
    pub fn build(inv: &'a Inventory) -> Self {
        let mut owners = HashMap::new();
        let mut nat_enis = HashSet::new();
        for (_, ri) in inv.regions() {
            for n in &ri.nat_gateways {
                for a in &n.addresses {
                    if let Some(id) = a.network_interface_id.as_deref() {
                        owners.insert(id, format!("nat_gateway {}", n.id));
                        nat_enis.insert(id);
                    }
                }
            }
            for v in &ri.vpc_endpoints {
                for id in &v.network_interface_ids {
                    owners.insert(id.as_str(), format!("vpc_endpoint {}", v.id));
                }
            }
        }
        Kinds { owners, nat_enis }
    }

    /// A host an attacker who reaches it can take over and move on from: not AWS
    /// plumbing (NAT gateway, endpoint, transit gateway attachment, load balancer
    /// node) and not a managed service's interface (requester-managed). The same
    /// rule as the lateral checks' `is_host`, which reach cannot import.
    pub fn is_host(&self, eni: &NetworkInterface) -> bool {
        !eni.requester_managed
            && !self.nat_enis.contains(eni.id.as_str())
            && !super::super::classes::is_aws_managed(eni)
    }

    /// `instance i-0abc`, `nat_gateway nat-1`, `vpc_endpoint vpce-1`,
    /// `load_balancer app/web/1`, `lambda`, ... else the interface type.
    pub fn of(&self, eni: &NetworkInterface) -> String {
        if let Some(owner) = self.owners.get(eni.id.as_str()) {
            return owner.clone();
        }
        if let Some(i) = &eni.instance_id {
            return format!("instance {i}");
        }
        let description = eni.description.as_deref().unwrap_or_default();
        if is_node(eni) {
            let name = description.strip_prefix("ELB ").unwrap_or(description);
            return format!("load_balancer {name}");
        }
        let ty = eni.interface_type.as_deref().unwrap_or("interface");
        if ty == "lambda" || description.starts_with("AWS Lambda VPC ENI") {
            return "lambda".to_string();
        }
        if description.starts_with("RDSNetworkInterface") {
            return "rds".to_string();
        }
        if let Some(cluster) = description.strip_prefix("ElastiCache ") {
            return format!("elasticache {cluster}");
        }
        if let Some(id) = description
            .strip_prefix("Interface for NAT Gateway ")
            .or_else(|| description.strip_prefix("VPC Endpoint Interface "))
        {
            let what = if description.starts_with("Interface for NAT") {
                "nat_gateway"
            } else {
                "vpc_endpoint"
            };
            return format!("{what} {id}");
        }
        if ty == "interface" {
            "network_interface".to_string()
        } else {
            ty.to_string()
        }
    }
}

/// The ENI's Name tag.
pub(crate) fn name_of(eni: &NetworkInterface) -> Option<String> {
    eni.tags.get("Name").cloned()
}
