use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, opt, string, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{Instance, NetworkInterface, Operation, PublicIpv4};

pub async fn network_interfaces(ec2: &Client, pg: Paging) -> Outcome<NetworkInterface> {
    const OP: Operation = Operation::DescribeNetworkInterfaces;
    let raw = match fetch_all!(
        Operation::DescribeNetworkInterfaces,
        ec2.describe_network_interfaces().max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    for e in raw {
        let id = string(e.network_interface_id());
        let mut private_ipv4s: Vec<std::net::Ipv4Addr> = Vec::new();
        let mut public_ipv4s = Vec::new();
        // The primary address first, as the engine treats it as the ENI's identity.
        let mut privates: Vec<_> = e.private_ip_addresses().iter().collect();
        privates.sort_by_key(|a| !a.primary().unwrap_or(false));
        for a in privates {
            let private = a
                .private_ip_address()
                .and_then(|ip| p.parse(OP, "private IP", &id, ip));
            private_ipv4s.extend(private);
            if let Some(assoc) = a.association() {
                if let Some(public) = assoc
                    .public_ip()
                    .and_then(|ip| p.parse(OP, "public IP", &id, ip))
                {
                    public_ipv4s.push(PublicIpv4 {
                        public_ip: public,
                        private_ip: private,
                        allocation_id: opt(assoc.allocation_id()),
                        ip_owner_id: opt(assoc.ip_owner_id()),
                    });
                }
            }
        }
        if private_ipv4s.is_empty() {
            private_ipv4s.extend(
                e.private_ip_address()
                    .and_then(|ip| p.parse::<std::net::Ipv4Addr>(OP, "private IP", &id, ip)),
            );
        }
        // Some answers carry the association only at the top level.
        if public_ipv4s.is_empty() {
            if let Some(assoc) = e.association() {
                if let Some(public) = assoc
                    .public_ip()
                    .and_then(|ip| p.parse(OP, "public IP", &id, ip))
                {
                    public_ipv4s.push(PublicIpv4 {
                        public_ip: public,
                        private_ip: private_ipv4s.first().copied(),
                        allocation_id: opt(assoc.allocation_id()),
                        ip_owner_id: opt(assoc.ip_owner_id()),
                    });
                }
            }
        }
        let ipv6s = e
            .ipv6_addresses()
            .iter()
            .filter_map(|a| a.ipv6_address())
            .filter_map(|ip| p.parse(OP, "IPv6 address", &id, ip))
            .collect();
        let attachment = e.attachment();
        out.push(NetworkInterface {
            vpc_id: string(e.vpc_id()),
            subnet_id: string(e.subnet_id()),
            availability_zone: opt(e.availability_zone()),
            owner_id: opt(e.owner_id()),
            interface_type: e.interface_type().map(|t| t.as_str().to_string()),
            requester_managed: e.requester_managed().unwrap_or(false),
            requester_id: opt(e.requester_id()),
            description: opt(e.description()).filter(|d| !d.is_empty()),
            private_ipv4s,
            ipv6s,
            public_ipv4s,
            security_group_ids: e
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
            instance_id: attachment.and_then(|a| opt(a.instance_id())),
            attachment_status: attachment.and_then(|a| a.status().map(|s| s.as_str().to_string())),
            // AWS enables the check unless someone turned it off (NAT instances, appliances).
            source_dest_check: e.source_dest_check().unwrap_or(true),
            status: e.status().map(|s| s.as_str().to_string()),
            tags: ec2_tags(e.tag_set()),
            id,
        });
    }
    Outcome::new(out, p)
}

pub async fn instances(ec2: &Client, pg: Paging) -> Outcome<Instance> {
    let reservations = match fetch_all!(
        Operation::DescribeInstances,
        ec2.describe_instances().max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let out = reservations
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| Instance {
            id: string(i.instance_id()),
            vpc_id: opt(i.vpc_id()),
            subnet_id: opt(i.subnet_id()),
            state: i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string()),
            network_interface_ids: i
                .network_interfaces()
                .iter()
                .filter_map(|n| n.network_interface_id().map(str::to_string))
                .collect(),
            tags: ec2_tags(i.tags()),
        })
        .collect();
    Outcome::new(out, Problems::default())
}
