//! The AWS services and API operations the collectors call: what a coverage gap is
//! about. Both are written as AWS spells them (`ec2`, `DescribeNetworkAcls`) in
//! inventories and reports, and a name vpcaudit does not call is refused on load, so
//! a misspelt operation is a compile error here and a load error in a file, never a
//! gap that silently matches nothing.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A name that is not one of the services or operations vpcaudit calls.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown AWS {what} {name:?}")]
pub struct UnknownName {
    /// `service` or `operation`.
    pub what: &'static str,
    pub name: String,
}

/// An AWS service, named as in its endpoint and IAM actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Ec2,
    NetworkFirewall,
    Organizations,
    Sts,
    Eks,
    /// Both load balancer APIs (ELBv2 and Classic) share this IAM prefix and its
    /// action names.
    ElasticLoadBalancing,
    Route53Resolver,
}

impl Service {
    pub const ALL: [Service; 7] = [
        Service::Ec2,
        Service::NetworkFirewall,
        Service::Organizations,
        Service::Sts,
        Service::Eks,
        Service::ElasticLoadBalancing,
        Service::Route53Resolver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::NetworkFirewall => "network-firewall",
            Service::Organizations => "organizations",
            Service::Sts => "sts",
            Service::Eks => "eks",
            Service::ElasticLoadBalancing => "elasticloadbalancing",
            Service::Route53Resolver => "route53resolver",
        }
    }
}

/// Each variant is named exactly as the AWS operation (its name is the variant's
/// own, by `stringify!`), under the service that serves it.
macro_rules! operations {
    ($($service:ident: [$($op:ident),+ $(,)?]),+ $(,)?) => {
        /// An AWS API operation the collectors call.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($($op,)+)+
        }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$($(Operation::$op,)+)+];

            /// AWS's name of the operation, e.g. `DescribeNetworkAcls`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($(Operation::$op => stringify!($op),)+)+
                }
            }

            pub fn service(self) -> Service {
                match self {
                    $($(Operation::$op => Service::$service,)+)+
                }
            }

            /// The IAM action that allows the call, e.g. `ec2:DescribeNetworkAcls`.
            pub fn iam_action(self) -> String {
                format!("{}:{}", self.service(), self)
            }
        }
    };
}

operations! {
    Ec2: [
        DescribeRegions,
        DescribeVpcs,
        DescribeSubnets,
        DescribeRouteTables,
        DescribeInternetGateways,
        DescribeEgressOnlyInternetGateways,
        DescribeNatGateways,
        DescribeNetworkInterfaces,
        DescribeInstances,
        DescribeSecurityGroups,
        DescribeSecurityGroupRules,
        DescribeManagedPrefixLists,
        GetManagedPrefixListEntries,
        DescribeNetworkAcls,
        DescribeVpcEndpoints,
        DescribeVpcPeeringConnections,
        DescribeTransitGateways,
        DescribeTransitGatewayAttachments,
        DescribeTransitGatewayVpcAttachments,
        DescribeTransitGatewayRouteTables,
        GetTransitGatewayRouteTableAssociations,
        GetTransitGatewayRouteTablePropagations,
        SearchTransitGatewayRoutes,
        DescribeFlowLogs,
        DescribeVpcAttribute,
    ],
    NetworkFirewall: [
        ListFirewalls,
        DescribeFirewall,
        DescribeLoggingConfiguration,
        ListFirewallPolicies,
        DescribeFirewallPolicy,
        ListRuleGroups,
        DescribeRuleGroup,
    ],
    Organizations: [ListAccounts],
    Sts: [AssumeRole, GetCallerIdentity],
    Eks: [
        ListClusters,
        DescribeCluster,
        ListAddons,
        DescribeAddon,
        ListNodegroups,
        DescribeNodegroup,
    ],
    // `DescribeLoadBalancers` is called on both APIs (ELBv2, then Classic): a gap
    // about the Classic call names the resource `classic`.
    ElasticLoadBalancing: [
        DescribeLoadBalancers,
        DescribeListeners,
        DescribeRules,
        DescribeTargetGroups,
        DescribeTargetGroupAttributes,
        DescribeTargetHealth,
        DescribeTags,
    ],
    Route53Resolver: [
        ListFirewallRuleGroups,
        ListFirewallRules,
        ListFirewallRuleGroupAssociations,
        ListFirewallDomainLists,
        ListFirewallDomains,
        ListFirewallConfigs,
        ListResolverQueryLogConfigs,
        ListResolverQueryLogConfigAssociations,
        ListResolverEndpoints,
        ListResolverEndpointIpAddresses,
        ListResolverRules,
        ListResolverRuleAssociations,
    ],
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Service {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Service::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "service",
                name: s.to_string(),
            })
    }
}

impl FromStr for Operation {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operation::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "operation",
                name: s.to_string(),
            })
    }
}

impl Serialize for Service {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for Operation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

// By hand rather than derived: serde's message for an unknown variant lists all of
// them, which buries the name that was wrong.
impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(D::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_round_trips_as_its_aws_name() {
        for &op in Operation::ALL {
            let json = serde_json::to_string(&op).expect("serialises");
            assert_eq!(json, format!("\"{}\"", op.as_str()));
            assert_eq!(op.to_string(), op.as_str());
            let back: Operation = serde_json::from_str(&json).expect("loads");
            assert_eq!(back, op);
        }
    }

    #[test]
    fn every_service_round_trips_as_its_aws_name() {
        for s in Service::ALL {
            let json = serde_json::to_string(&s).expect("serialises");
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            let back: Service = serde_json::from_str(&json).expect("loads");
            assert_eq!(back, s);
        }
        let names: Vec<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "ec2",
                "network-firewall",
                "organizations",
                "sts",
                "eks",
                "elasticloadbalancing",
                "route53resolver"
            ]
        );
    }

    #[test]
    fn names_are_aws_names() {
        // A few spelt out, so that the macro's naming is held to AWS's.
        let cases = [
            (Operation::DescribeNetworkAcls, "DescribeNetworkAcls", "ec2"),
            (
                Operation::GetManagedPrefixListEntries,
                "GetManagedPrefixListEntries",
                "ec2",
            ),
            (
                Operation::DescribeLoggingConfiguration,
                "DescribeLoggingConfiguration",
                "network-firewall",
            ),
            (Operation::ListAccounts, "ListAccounts", "organizations"),
            (Operation::AssumeRole, "AssumeRole", "sts"),
        ];
        for (op, name, service) in cases {
            assert_eq!((op.as_str(), op.service().as_str()), (name, service));
            assert_eq!(op.iam_action(), format!("{service}:{name}"));
        }
        let mut all: Vec<&str> = Operation::ALL.iter().map(|o| o.as_str()).collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn unknown_names_are_refused_naming_them() {
        let e =
            serde_json::from_str::<Operation>("\"DescribeVpc\"").expect_err("a misspelt operation");
        assert!(
            e.to_string()
                .starts_with("unknown AWS operation \"DescribeVpc\""),
            "{e}"
        );
        let e = serde_json::from_str::<Service>("\"EC2\"").expect_err("a service by another case");
        assert!(
            e.to_string().starts_with("unknown AWS service \"EC2\""),
            "{e}"
        );
        assert!(serde_json::from_str::<Operation>("3").is_err());
    }
}
