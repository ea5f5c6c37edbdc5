//! Explanation codes: why a connection is blocked or could not be decided, as a
//! stable token a script can match on. Modelled on Reachability Analyzer's
//! explanation codes where one fits (same spelling); vpcaudit's own where none does.
//! `docs-explanation-codes.md` lists them all.

use crate::answer::reach::Layer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// No rule of the ENI's security groups allows the traffic: egress at the source,
    /// ingress at the destination.
    EniSgRulesMismatch,
    /// A subnet's network ACL denies the request or its replies (NACLs are stateless:
    /// the replies to the client's ephemeral ports need a rule of their own).
    SubnetAclRestriction,
    /// The route table has no route that carries the traffic to the destination (none
    /// matches, or the one that matches leads elsewhere).
    NoRouteToDestination,
    /// The route that matches the destination is a blackhole (its target was deleted or
    /// detached).
    RouteBlackhole,
    /// The route that matches the destination is in a state the inventory does not
    /// give.
    RouteStateUnknown,
    /// Which route the table uses cannot be decided: a prefix list it names was not
    /// collected, or two equal routes go different ways (AWS picks one).
    RouteUndecided,
    /// The route goes through a target the engine does not follow (an appliance ENI or
    /// instance, a virtual private gateway, a local or carrier gateway, a core
    /// network).
    RouteTargetNotModelled,
    /// Following the routes comes back to a route table already consulted (or takes too
    /// many hops).
    RoutingLoop,
    /// The request crosses a peering connection, but the peer's route table has no
    /// route back over the same peering.
    PcxRequiresReturnRoute,
    /// The peering connection is not active (pending acceptance, rejected, deleted,
    /// ...).
    PcxNotActive,
    /// The peering connection does not join the two VPCs, or the traffic would use the
    /// peer's gateway (no transitive or edge-to-edge routing over peering).
    PcxNotTransitive,
    /// The transit gateway route table associated with the attachment has no route
    /// matching the destination.
    TgwRtbCannotRoute,
    /// The transit gateway route table sends the destination to another attachment, or
    /// the destination VPC is not attached at all.
    TgwRtbNoRouteToTgwAttachment,
    /// The transit gateway route that matches the destination is a blackhole.
    TgwRtbBadStateRoute,
    /// The routes of the transit gateway route table are not known (not collected, a
    /// prefix list missing, or a route in an unknown state).
    TgwRtbRoutesAreUnknown,
    /// The transit gateway attachment is associated with no route table.
    TgwAttachMissingTgwRtbAssociation,
    /// The VPC attachment has no subnet in the source's Availability Zone, so traffic
    /// from there cannot reach the transit gateway.
    TgwRouteAzRestriction,
    /// A transit gateway attachment on the way is not available (pending, deleting,
    /// rejected, ...).
    BadStateAttachment,
    /// The request crosses a transit gateway, but the destination's route table does
    /// not send the reply back through it.
    TgwRequiresReturnRoute,
    /// The internet gateway the route names is not attached to the VPC.
    IgwNotAttached,
    /// The traffic reaches the internet gateway from an address with no public IPv4
    /// address mapped to it in the gateway's VPC.
    IgwPublicIpAssociationForEgress,
    /// The destination has no public address the internet could reach it by (no public
    /// IPv4 for an IPv4 client, no IPv6 for an IPv6 client).
    IgwPrivateIpAssociationForIngress,
    /// The egress-only internet gateway the route names is not attached to the VPC.
    EigwNotAttached,
    /// The replies to an inbound connection route to an egress-only internet gateway,
    /// which carries connections opened from inside only.
    EigwNoInbound,
    /// The NAT gateway is not available (pending, failed, deleted).
    NgwNotAvailable,
    /// The NAT gateway has private connectivity: it never reaches the internet.
    NgwPrivateConnectivity,
    /// The replies to an inbound connection route to a NAT gateway, which translates
    /// them and carries connections opened from inside only.
    NgwNoInbound,
    /// The gateway endpoint the route names is not available, or belongs to another
    /// VPC.
    VpceNotAvailable,
    /// A Gateway Load Balancer endpoint sends the traffic to a third-party appliance
    /// whose rules are not visible.
    GwlbApplianceNotVisible,
    /// A Network Firewall rule or default action drops or rejects the traffic.
    FirewallRulesRestriction,
    /// Whether a Network Firewall rule matches the flow cannot be decided (an option or
    /// a group that cannot be read or is not modelled).
    FirewallRulesUndecided,
    /// One direction of the flow passes a firewall endpoint and the other does not (or
    /// cannot be shown to), so a stateful firewall may drop it or miss it.
    FirewallAsymmetricRouting,
    /// The load balancer's targets are of a type the engine does not follow (Lambda,
    /// ALB).
    LbTargetNotSupported,
    /// A Route 53 Resolver DNS Firewall rule blocks the query.
    DnsFirewallRulesRestriction,
    /// Whether a DNS Firewall rule matches the query cannot be decided (a domain list
    /// not collected, an AWS managed list whose domains cannot be listed).
    DnsFirewallRulesUndecided,
    /// A Kubernetes NetworkPolicy (or cluster policy tier) selecting the pod does not
    /// allow the traffic.
    NetworkPolicyRestriction,
    /// The two ends have no address of a common family (IPv4 on one side only, IPv6 on
    /// the other).
    NoCommonAddressFamily,
    /// The answer depends on behaviour the engine does not model (replies to ICMP
    /// messages other than echo, NAT64, equal-cost transit gateway routes, non-VPC
    /// attachments, an unrecognised action).
    NotModelled,
    /// Something the answer depends on was not collected: a coverage gap, a resource
    /// missing from the inventory, an account or region that was not scanned.
    DataNotCollected,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: &'static [Code] = &[
        Code::EniSgRulesMismatch,
        Code::SubnetAclRestriction,
        Code::NoRouteToDestination,
        Code::RouteBlackhole,
        Code::RouteStateUnknown,
        Code::RouteUndecided,
        Code::RouteTargetNotModelled,
        Code::RoutingLoop,
        Code::PcxRequiresReturnRoute,
        Code::PcxNotActive,
        Code::PcxNotTransitive,
        Code::TgwRtbCannotRoute,
        Code::TgwRtbNoRouteToTgwAttachment,
        Code::TgwRtbBadStateRoute,
        Code::TgwRtbRoutesAreUnknown,
        Code::TgwAttachMissingTgwRtbAssociation,
        Code::TgwRouteAzRestriction,
        Code::BadStateAttachment,
        Code::TgwRequiresReturnRoute,
        Code::IgwNotAttached,
        Code::IgwPublicIpAssociationForEgress,
        Code::IgwPrivateIpAssociationForIngress,
        Code::EigwNotAttached,
        Code::EigwNoInbound,
        Code::NgwNotAvailable,
        Code::NgwPrivateConnectivity,
        Code::NgwNoInbound,
        Code::VpceNotAvailable,
        Code::GwlbApplianceNotVisible,
        Code::FirewallRulesRestriction,
        Code::FirewallRulesUndecided,
        Code::FirewallAsymmetricRouting,
        Code::LbTargetNotSupported,
        Code::DnsFirewallRulesRestriction,
        Code::DnsFirewallRulesUndecided,
        Code::NetworkPolicyRestriction,
        Code::NoCommonAddressFamily,
        Code::NotModelled,
        Code::DataNotCollected,
    ];

    /// The stable token, e.g. `ENI_SG_RULES_MISMATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            Code::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            Code::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            Code::RouteBlackhole => "ROUTE_BLACKHOLE",
            Code::RouteStateUnknown => "ROUTE_STATE_UNKNOWN",
            Code::RouteUndecided => "ROUTE_UNDECIDED",
            Code::RouteTargetNotModelled => "ROUTE_TARGET_NOT_MODELLED",
            Code::RoutingLoop => "ROUTING_LOOP",
            Code::PcxRequiresReturnRoute => "PCX_REQUIRES_RETURN_ROUTE",
            Code::PcxNotActive => "PCX_NOT_ACTIVE",
            Code::PcxNotTransitive => "PCX_NOT_TRANSITIVE",
            Code::TgwRtbCannotRoute => "TGW_RTB_CANNOT_ROUTE",
            Code::TgwRtbNoRouteToTgwAttachment => "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT",
            Code::TgwRtbBadStateRoute => "TGW_RTB_BAD_STATE_ROUTE",
            Code::TgwRtbRoutesAreUnknown => "TGW_RTB_ROUTES_ARE_UNKNOWN",
            Code::TgwAttachMissingTgwRtbAssociation => "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION",
            Code::TgwRouteAzRestriction => "TGW_ROUTE_AZ_RESTRICTION",
            Code::BadStateAttachment => "BAD_STATE_ATTACHMENT",
            Code::TgwRequiresReturnRoute => "TGW_REQUIRES_RETURN_ROUTE",
            Code::IgwNotAttached => "IGW_NOT_ATTACHED",
            Code::IgwPublicIpAssociationForEgress => "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
            Code::IgwPrivateIpAssociationForIngress => "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            Code::EigwNotAttached => "EIGW_NOT_ATTACHED",
            Code::EigwNoInbound => "EIGW_NO_INBOUND",
            Code::NgwNotAvailable => "NGW_NOT_AVAILABLE",
            Code::NgwPrivateConnectivity => "NGW_PRIVATE_CONNECTIVITY",
            Code::NgwNoInbound => "NGW_NO_INBOUND",
            Code::VpceNotAvailable => "VPCE_NOT_AVAILABLE",
            Code::GwlbApplianceNotVisible => "GWLB_APPLIANCE_NOT_VISIBLE",
            Code::FirewallRulesRestriction => "FIREWALL_RULES_RESTRICTION",
            Code::FirewallRulesUndecided => "FIREWALL_RULES_UNDECIDED",
            Code::FirewallAsymmetricRouting => "FIREWALL_ASYMMETRIC_ROUTING",
            Code::LbTargetNotSupported => "LB_TARGET_NOT_SUPPORTED",
            Code::DnsFirewallRulesRestriction => "DNS_FIREWALL_RULES_RESTRICTION",
            Code::DnsFirewallRulesUndecided => "DNS_FIREWALL_RULES_UNDECIDED",
            Code::NetworkPolicyRestriction => "NETWORK_POLICY_RESTRICTION",
            Code::NoCommonAddressFamily => "NO_COMMON_ADDRESS_FAMILY",
            Code::NotModelled => "NOT_MODELLED",
            Code::DataNotCollected => "DATA_NOT_COLLECTED",
        }
    }

    /// The layer the code is about.
    pub fn layer(self) -> Layer {
        match self {
            Code::EniSgRulesMismatch => Layer::SecurityGroup,
            Code::SubnetAclRestriction => Layer::NetworkAcl,
            Code::NoRouteToDestination => Layer::RouteTable,
            Code::RouteBlackhole => Layer::RouteTable,
            Code::RouteStateUnknown => Layer::RouteTable,
            Code::RouteUndecided => Layer::RouteTable,
            Code::RouteTargetNotModelled => Layer::RouteTable,
            Code::RoutingLoop => Layer::RouteTable,
            Code::PcxRequiresReturnRoute => Layer::VpcPeeringConnection,
            Code::PcxNotActive => Layer::VpcPeeringConnection,
            Code::PcxNotTransitive => Layer::VpcPeeringConnection,
            Code::TgwRtbCannotRoute => Layer::TransitGateway,
            Code::TgwRtbNoRouteToTgwAttachment => Layer::TransitGateway,
            Code::TgwRtbBadStateRoute => Layer::TransitGateway,
            Code::TgwRtbRoutesAreUnknown => Layer::TransitGateway,
            Code::TgwAttachMissingTgwRtbAssociation => Layer::TransitGateway,
            Code::TgwRouteAzRestriction => Layer::TransitGateway,
            Code::BadStateAttachment => Layer::TransitGateway,
            Code::TgwRequiresReturnRoute => Layer::TransitGateway,
            Code::IgwNotAttached => Layer::InternetGateway,
            Code::IgwPublicIpAssociationForEgress => Layer::InternetGateway,
            Code::IgwPrivateIpAssociationForIngress => Layer::InternetGateway,
            Code::EigwNotAttached => Layer::EgressOnlyInternetGateway,
            Code::EigwNoInbound => Layer::EgressOnlyInternetGateway,
            Code::NgwNotAvailable => Layer::NatGateway,
            Code::NgwPrivateConnectivity => Layer::NatGateway,
            Code::NgwNoInbound => Layer::NatGateway,
            Code::VpceNotAvailable => Layer::VpcEndpoint,
            Code::GwlbApplianceNotVisible => Layer::GatewayLoadBalancer,
            Code::FirewallRulesRestriction => Layer::NetworkFirewall,
            Code::FirewallRulesUndecided => Layer::NetworkFirewall,
            Code::FirewallAsymmetricRouting => Layer::NetworkFirewall,
            Code::LbTargetNotSupported => Layer::LoadBalancer,
            Code::DnsFirewallRulesRestriction => Layer::Other,
            Code::DnsFirewallRulesUndecided => Layer::Other,
            Code::NetworkPolicyRestriction => Layer::Other,
            Code::NoCommonAddressFamily => Layer::Connection,
            Code::NotModelled => Layer::Other,
            Code::DataNotCollected => Layer::Other,
        }
    }

    /// Whether Reachability Analyzer has a code of the same name (else it is
    /// vpcaudit's own).
    pub fn from_reachability_analyzer(self) -> bool {
        matches!(
            self,
            Code::EniSgRulesMismatch
                | Code::SubnetAclRestriction
                | Code::NoRouteToDestination
                | Code::TgwRtbCannotRoute
                | Code::TgwRtbNoRouteToTgwAttachment
                | Code::TgwRtbBadStateRoute
                | Code::TgwRtbRoutesAreUnknown
                | Code::TgwAttachMissingTgwRtbAssociation
                | Code::TgwRouteAzRestriction
                | Code::BadStateAttachment
                | Code::IgwPublicIpAssociationForEgress
                | Code::IgwPrivateIpAssociationForIngress
                | Code::FirewallRulesRestriction
        )
    }

    /// What would have to change for the traffic to pass, in general terms.
    pub fn change(self) -> &'static str {
        match self {
            Code::EniSgRulesMismatch => {
                "Add a rule to a security group of the ENI allowing the service to (egress) or from (ingress) the peer."
            }
            Code::SubnetAclRestriction => {
                "Add or reorder network ACL entries so that the request and its replies (ephemeral ports) are allowed both ways."
            }
            Code::NoRouteToDestination => {
                "Add a route for the destination to the right target (local, peering, transit gateway, internet gateway, NAT gateway) in the subnet's route table."
            }
            Code::RouteBlackhole => {
                "Replace the blackhole route with one to a target that exists, or delete it."
            }
            Code::RouteStateUnknown => {
                "Re-collect the route tables, or check the route's state in the console."
            }
            Code::RouteUndecided => {
                "Collect the prefix lists, or remove the ambiguity between the equal routes."
            }
            Code::RouteTargetNotModelled => {
                "Check the appliance or gateway by hand, or route the traffic without it."
            }
            Code::RoutingLoop => {
                "Break the loop: make one of the tables route the destination onwards."
            }
            Code::PcxRequiresReturnRoute => {
                "Add a route to the source's CIDR over the peering connection in the destination subnet's route table."
            }
            Code::PcxNotActive => {
                "Accept (or re-create) the peering connection."
            }
            Code::PcxNotTransitive => {
                "Peer the two VPCs directly, or route through a transit gateway or the VPC's own gateway."
            }
            Code::TgwRtbCannotRoute => {
                "Add a static route or a propagation for the destination's CIDR to the transit gateway route table."
            }
            Code::TgwRtbNoRouteToTgwAttachment => {
                "Attach the destination VPC and route its CIDR to its attachment."
            }
            Code::TgwRtbBadStateRoute => {
                "Replace the blackhole route with one to an available attachment."
            }
            Code::TgwRtbRoutesAreUnknown => {
                "Collect the transit gateway route tables (scan the transit gateway owner's account too)."
            }
            Code::TgwAttachMissingTgwRtbAssociation => {
                "Associate the attachment with a transit gateway route table."
            }
            Code::TgwRouteAzRestriction => {
                "Add a subnet in that Availability Zone to the VPC attachment."
            }
            Code::BadStateAttachment => {
                "Wait for the attachment to become available, or accept or re-create it."
            }
            Code::TgwRequiresReturnRoute => {
                "Add a route to the source's CIDR through the transit gateway in the destination subnet's route table."
            }
            Code::IgwNotAttached => {
                "Attach the internet gateway to the VPC (or route to the one that is)."
            }
            Code::IgwPublicIpAssociationForEgress => {
                "Give the ENI a public or Elastic IP address, or send its traffic through a NAT gateway."
            }
            Code::IgwPrivateIpAssociationForIngress => {
                "Give the ENI a public or Elastic IP address (or an IPv6 address), or put it behind a load balancer."
            }
            Code::EigwNotAttached => {
                "Attach the egress-only internet gateway to the VPC (or route to the one that is)."
            }
            Code::EigwNoInbound => {
                "Route the replies to an internet gateway if the ENI must take inbound connections."
            }
            Code::NgwNotAvailable => {
                "Re-create the NAT gateway or route to one that is available."
            }
            Code::NgwPrivateConnectivity => {
                "Route internet traffic to a public NAT gateway."
            }
            Code::NgwNoInbound => {
                "Route the replies to an internet gateway if the ENI must take inbound connections."
            }
            Code::VpceNotAvailable => {
                "Re-create the endpoint in the VPC, or wait for it to become available."
            }
            Code::GwlbApplianceNotVisible => {
                "Check the appliance's own rules for this traffic."
            }
            Code::FirewallRulesRestriction => {
                "Add a pass rule for the flow to the firewall policy, or change the rule or default action that drops it."
            }
            Code::FirewallRulesUndecided => {
                "Check the rule named in the explanation by hand."
            }
            Code::FirewallAsymmetricRouting => {
                "Route both directions of the flow through the same firewall endpoint."
            }
            Code::LbTargetNotSupported => {
                "Check what those targets reach by hand."
            }
            Code::DnsFirewallRulesRestriction => {
                "Add an ALLOW rule for the name ahead of the blocking rule, or remove the name from the blocking domain list."
            }
            Code::DnsFirewallRulesUndecided => {
                "Collect the domain lists, or check the rule by hand."
            }
            Code::NetworkPolicyRestriction => {
                "Add a NetworkPolicy rule allowing the peer and port for the selected pods."
            }
            Code::NoCommonAddressFamily => {
                "Give both ends an address of the same family."
            }
            Code::NotModelled => {
                "Check that part of the path by hand."
            }
            Code::DataNotCollected => {
                "Grant the missing permissions or scan the missing account or region, then run again."
            }
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Fails to compile when a variant is added without a place here, and the test
    /// fails when `ALL` leaves it out.
    fn listed(code: Code) -> bool {
        match code {
            Code::EniSgRulesMismatch => Code::ALL.contains(&Code::EniSgRulesMismatch),
            Code::SubnetAclRestriction => Code::ALL.contains(&Code::SubnetAclRestriction),
            Code::NoRouteToDestination => Code::ALL.contains(&Code::NoRouteToDestination),
            Code::RouteBlackhole => Code::ALL.contains(&Code::RouteBlackhole),
            Code::RouteStateUnknown => Code::ALL.contains(&Code::RouteStateUnknown),
            Code::RouteUndecided => Code::ALL.contains(&Code::RouteUndecided),
            Code::RouteTargetNotModelled => Code::ALL.contains(&Code::RouteTargetNotModelled),
            Code::RoutingLoop => Code::ALL.contains(&Code::RoutingLoop),
            Code::PcxRequiresReturnRoute => Code::ALL.contains(&Code::PcxRequiresReturnRoute),
            Code::PcxNotActive => Code::ALL.contains(&Code::PcxNotActive),
            Code::PcxNotTransitive => Code::ALL.contains(&Code::PcxNotTransitive),
            Code::TgwRtbCannotRoute => Code::ALL.contains(&Code::TgwRtbCannotRoute),
            Code::TgwRtbNoRouteToTgwAttachment => {
                Code::ALL.contains(&Code::TgwRtbNoRouteToTgwAttachment)
            }
            Code::TgwRtbBadStateRoute => Code::ALL.contains(&Code::TgwRtbBadStateRoute),
            Code::TgwRtbRoutesAreUnknown => Code::ALL.contains(&Code::TgwRtbRoutesAreUnknown),
            Code::TgwAttachMissingTgwRtbAssociation => {
                Code::ALL.contains(&Code::TgwAttachMissingTgwRtbAssociation)
            }
            Code::TgwRouteAzRestriction => Code::ALL.contains(&Code::TgwRouteAzRestriction),
            Code::BadStateAttachment => Code::ALL.contains(&Code::BadStateAttachment),
            Code::TgwRequiresReturnRoute => Code::ALL.contains(&Code::TgwRequiresReturnRoute),
            Code::IgwNotAttached => Code::ALL.contains(&Code::IgwNotAttached),
            Code::IgwPublicIpAssociationForEgress => {
                Code::ALL.contains(&Code::IgwPublicIpAssociationForEgress)
            }
            Code::IgwPrivateIpAssociationForIngress => {
                Code::ALL.contains(&Code::IgwPrivateIpAssociationForIngress)
            }
            Code::EigwNotAttached => Code::ALL.contains(&Code::EigwNotAttached),
            Code::EigwNoInbound => Code::ALL.contains(&Code::EigwNoInbound),
            Code::NgwNotAvailable => Code::ALL.contains(&Code::NgwNotAvailable),
            Code::NgwPrivateConnectivity => Code::ALL.contains(&Code::NgwPrivateConnectivity),
            Code::NgwNoInbound => Code::ALL.contains(&Code::NgwNoInbound),
            Code::VpceNotAvailable => Code::ALL.contains(&Code::VpceNotAvailable),
            Code::GwlbApplianceNotVisible => Code::ALL.contains(&Code::GwlbApplianceNotVisible),
            Code::FirewallRulesRestriction => Code::ALL.contains(&Code::FirewallRulesRestriction),
            Code::FirewallRulesUndecided => Code::ALL.contains(&Code::FirewallRulesUndecided),
            Code::FirewallAsymmetricRouting => Code::ALL.contains(&Code::FirewallAsymmetricRouting),
            Code::LbTargetNotSupported => Code::ALL.contains(&Code::LbTargetNotSupported),
            Code::DnsFirewallRulesRestriction => {
                Code::ALL.contains(&Code::DnsFirewallRulesRestriction)
            }
            Code::DnsFirewallRulesUndecided => Code::ALL.contains(&Code::DnsFirewallRulesUndecided),
            Code::NetworkPolicyRestriction => Code::ALL.contains(&Code::NetworkPolicyRestriction),
            Code::NoCommonAddressFamily => Code::ALL.contains(&Code::NoCommonAddressFamily),
            Code::NotModelled => Code::ALL.contains(&Code::NotModelled),
            Code::DataNotCollected => Code::ALL.contains(&Code::DataNotCollected),
        }
    }

    #[test]
    fn all_lists_every_variant_once() {
        assert!(Code::ALL.iter().all(|&c| listed(c)));
        let unique: BTreeSet<Code> = Code::ALL.iter().copied().collect();
        assert_eq!(unique.len(), Code::ALL.len());
    }

    #[test]
    fn tokens_are_unique_screaming_snake_case() {
        let mut seen = BTreeSet::new();
        for &c in Code::ALL {
            let t = c.as_str();
            assert!(seen.insert(t), "{t} twice");
            assert!(
                !t.is_empty()
                    && !t.starts_with('_')
                    && !t.ends_with('_')
                    && !t.contains("__")
                    && t.chars()
                        .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_'),
                "{t} is not SCREAMING_SNAKE_CASE"
            );
            assert_eq!(c.to_string(), t);
        }
    }

    #[test]
    fn every_code_says_what_to_change() {
        for &c in Code::ALL {
            let s = c.change();
            assert!(s.ends_with('.') && s.len() > 20, "{c}: {s}");
        }
    }

    #[test]
    fn the_codes_the_issue_names_keep_their_spelling() {
        let tokens: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for t in [
            "ENI_SG_RULES_MISMATCH",
            "SUBNET_ACL_RESTRICTION",
            "NO_ROUTE_TO_DESTINATION",
            "FIREWALL_RULES_RESTRICTION",
            "PCX_REQUIRES_RETURN_ROUTE",
            "TGW_RTB_CANNOT_ROUTE",
            "GWLB_APPLIANCE_NOT_VISIBLE",
        ] {
            assert!(tokens.contains(t), "{t}");
        }
    }
}
