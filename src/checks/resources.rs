//! Resource references for findings, with ARNs as AWS writes them.

use crate::finding::Resource;
use crate::inventory::Tags;

fn ec2_arn(region: &str, account: &str, kind: &str, id: &str) -> Option<String> {
    Some(format!("arn:aws:ec2:{region}:{account}:{kind}/{id}"))
}

fn name(tags: &Tags) -> Option<String> {
    tags.get("Name").cloned()
}

macro_rules! ec2_resource {
    ($fn:ident, $aws_type:literal, $arn_kind:literal) => {
        pub fn $fn(account: &str, region: &str, id: &str, tags: Option<&Tags>) -> Resource {
            Resource {
                resource_type: $aws_type.to_string(),
                id: id.to_string(),
                arn: ec2_arn(region, account, $arn_kind, id),
                name: tags.and_then(name),
            }
        }
    };
}

ec2_resource!(security_group, "AWS::EC2::SecurityGroup", "security-group");
ec2_resource!(
    network_interface,
    "AWS::EC2::NetworkInterface",
    "network-interface"
);
ec2_resource!(subnet, "AWS::EC2::Subnet", "subnet");
ec2_resource!(vpc, "AWS::EC2::VPC", "vpc");
ec2_resource!(route_table, "AWS::EC2::RouteTable", "route-table");
ec2_resource!(network_acl, "AWS::EC2::NetworkAcl", "network-acl");
ec2_resource!(nat_gateway, "AWS::EC2::NatGateway", "natgateway");
ec2_resource!(
    internet_gateway,
    "AWS::EC2::InternetGateway",
    "internet-gateway"
);
ec2_resource!(vpc_endpoint, "AWS::EC2::VPCEndpoint", "vpc-endpoint");
ec2_resource!(
    peering,
    "AWS::EC2::VPCPeeringConnection",
    "vpc-peering-connection"
);

/// A transit gateway attachment. No ARN: it is written with the account of the
/// attachment's owner, which a path through another account may not know.
pub fn transit_gateway_attachment(id: &str) -> Resource {
    Resource {
        resource_type: "AWS::EC2::TransitGatewayAttachment".to_string(),
        id: id.to_string(),
        arn: None,
        name: None,
    }
}

/// A Network Firewall resource, which AWS names by ARN.
pub fn network_firewall(kind: &str, name: &str, arn: &str) -> Resource {
    Resource {
        resource_type: format!("AWS::NetworkFirewall::{kind}"),
        id: name.to_string(),
        arn: Some(arn.to_string()),
        name: Some(name.to_string()),
    }
}

/// The short name of an endpoint service (`com.amazonaws.us-east-1.ecr.api` and
/// `com.amazonaws.s3` -> `ecr.api`, `s3`); other names as they are.
pub(super) fn short_service<'n>(region: &str, name: &'n str) -> &'n str {
    name.strip_prefix(&format!("com.amazonaws.{region}."))
        .or_else(|| name.strip_prefix("com.amazonaws."))
        .unwrap_or(name)
}
