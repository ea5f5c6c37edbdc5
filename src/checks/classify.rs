//! What an ENI is: AWS plumbing (NAT gateways, endpoints, attachments) or a data
//! store, recognised from interface type, requester, description, tags and groups.

use crate::inventory::{Direction, NetworkInterface, RegionInventory};
use crate::reach::sets::ServiceSet;

use super::internet_exposed_port::{tcp_ports, DATA_PORTS};

/// Tag that marks an ENI as holding data that matters, whatever it runs.
pub const CROWN_JEWEL_TAG: &str = "vpcaudit:crown-jewel";

/// ENIs that belong to AWS's own plumbing, not to a workload. NAT gateways name
/// their own ENIs, which some sources report as plain interfaces; load balancer
/// nodes only answer.
pub fn is_infrastructure(ri: &RegionInventory, eni: &NetworkInterface) -> bool {
    let nat = ri.nat_gateways.iter().any(|n| {
        n.addresses
            .iter()
            .any(|a| a.network_interface_id.as_deref() == Some(eni.id.as_str()))
    });
    let lb = eni.requester_managed
        && eni
            .description
            .as_deref()
            .is_some_and(|d| d.starts_with("ELB "));
    nat || lb || is_aws_managed(eni)
}

/// What the ENI says of itself: an interface type or description of AWS plumbing.
fn is_aws_managed(eni: &NetworkInterface) -> bool {
    let kind = eni.interface_type.as_deref().unwrap_or("interface");
    if matches!(
        kind,
        "nat_gateway"
            | "gateway_load_balancer_endpoint"
            | "vpc_endpoint"
            | "transit_gateway"
            | "network_load_balancer"
            | "gateway_load_balancer"
    ) {
        return true;
    }
    let d = eni.description.as_deref().unwrap_or_default();
    [
        "Interface for NAT Gateway",
        "VPC Endpoint Interface",
        "Network Interface for Transit Gateway Attachment",
    ]
    .iter()
    .any(|p| d.starts_with(p))
}

/// Why an ENI counts as a data store, if it does.
pub fn data_store(ri: &RegionInventory, eni: &NetworkInterface) -> Option<String> {
    if eni.tags.contains_key(CROWN_JEWEL_TAG) {
        return Some(format!("tagged {CROWN_JEWEL_TAG}"));
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
    ];
    if let Some((_, _, kind)) = managed
        .iter()
        .find(|(desc, req, _)| d.starts_with(desc) || requester == *req)
    {
        return Some(format!("{kind} network interface"));
    }
    let data = tcp_ports(DATA_PORTS);
    for g in &eni.security_group_ids {
        let Some(group) = ri.security_groups.iter().find(|x| &x.id == g) else {
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
            if !services.is_empty() && services.is_subset(&data) {
                return Some(format!("group {} opens {services}", group.id));
            }
        }
    }
    None
}
