//! Explanation codes: why a connection is blocked or could not be decided, as a
//! stable token a script can match on. Modelled on Reachability Analyzer's
//! explanation codes where one fits; vpcaudit's own where none does.

use crate::answer::reach::Layer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A security group of the source (egress) or the destination (ingress) has no
    /// rule allowing the traffic.
    EniSgRulesMismatch,
    /// A network ACL denies the request or its replies.
    SubnetAclRestriction,
    /// The route table has no route to the destination.
    NoRouteToDestination,
    /// The route to the destination is a blackhole.
    RouteBlackhole,
    /// The peer's route table has no route back over the peering connection.
    PcxRequiresReturnRoute,
    /// The transit gateway route table has no route (or a blackhole) to the
    /// destination.
    TgwRtbCannotRoute,
    /// A Network Firewall's rules drop the traffic.
    FirewallRulesRestriction,
    /// A Gateway Load Balancer endpoint sends the traffic to an appliance whose rules
    /// are not visible.
    GwlbApplianceNotVisible,
    /// Something the answer depends on was not collected.
    DataNotCollected,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: &'static [Code] = &[
        Code::EniSgRulesMismatch,
        Code::SubnetAclRestriction,
        Code::NoRouteToDestination,
        Code::RouteBlackhole,
        Code::PcxRequiresReturnRoute,
        Code::TgwRtbCannotRoute,
        Code::FirewallRulesRestriction,
        Code::GwlbApplianceNotVisible,
        Code::DataNotCollected,
    ];

    /// The stable token, e.g. `ENI_SG_RULES_MISMATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            Code::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            Code::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            Code::RouteBlackhole => "ROUTE_BLACKHOLE",
            Code::PcxRequiresReturnRoute => "PCX_REQUIRES_RETURN_ROUTE",
            Code::TgwRtbCannotRoute => "TGW_RTB_CANNOT_ROUTE",
            Code::FirewallRulesRestriction => "FIREWALL_RULES_RESTRICTION",
            Code::GwlbApplianceNotVisible => "GWLB_APPLIANCE_NOT_VISIBLE",
            Code::DataNotCollected => "DATA_NOT_COLLECTED",
        }
    }

    /// The layer the code is about.
    pub fn layer(self) -> Layer {
        match self {
            Code::EniSgRulesMismatch => Layer::SecurityGroup,
            Code::SubnetAclRestriction => Layer::NetworkAcl,
            Code::NoRouteToDestination | Code::RouteBlackhole => Layer::RouteTable,
            Code::PcxRequiresReturnRoute => Layer::VpcPeeringConnection,
            Code::TgwRtbCannotRoute => Layer::TransitGateway,
            Code::FirewallRulesRestriction => Layer::NetworkFirewall,
            Code::GwlbApplianceNotVisible => Layer::GatewayLoadBalancer,
            Code::DataNotCollected => Layer::Other,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
