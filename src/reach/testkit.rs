//! Tiny hand-built inventories for the reach tests: one account, one region unless
//! a test adds more.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::inventory::{
    AccountInventory, AssociationTarget, CoverageGap, Direction, DomainList, GapKind, Inventory,
    L4Match, ManagedPrefixList, NaclAction, NaclAssociation, NaclEntry, NetworkAcl,
    NetworkInterface, Operation, PortRange, PrefixListEntry, Protocol, PublicIpv4, RegionInventory,
    Route, RouteDestination, RouteState, RouteTable, RouteTableAssociation, RouteTarget, RuleGroup,
    RuleGroupType, RulePeer, RuleSource, SecurityGroup, SecurityGroupRule, Subnet, Vpc,
};

pub const ACCOUNT: &str = "111111111111";
pub const REGION: &str = "eu-west-1";

pub struct Kit {
    pub inv: Inventory,
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

pub fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

pub fn ports(from: u16, to: u16) -> L4Match {
    L4Match::Ports(PortRange { from, to })
}

pub fn icmp(icmp_type: Option<u8>) -> L4Match {
    L4Match::Icmp {
        icmp_type,
        icmp_code: None,
    }
}

/// A CIDR peer of either family.
pub fn cidr(s: &str) -> RulePeer {
    match net(s) {
        IpNet::V4(cidr) => RulePeer::Ipv4 { cidr },
        IpNet::V6(cidr) => RulePeer::Ipv6 { cidr },
    }
}

pub fn group_peer(group_id: &str) -> RulePeer {
    RulePeer::Group {
        group_id: group_id.into(),
        account_id: None,
        vpc_id: None,
        vpc_peering_connection_id: None,
    }
}

pub fn ingress(id: &str, protocol: Protocol, l4: L4Match, peer: RulePeer) -> SecurityGroupRule {
    SecurityGroupRule {
        id: Some(id.into()),
        direction: Direction::Ingress,
        protocol,
        l4,
        peer,
        description: None,
    }
}

pub fn entry(
    rule_number: i32,
    direction: Direction,
    action: NaclAction,
    protocol: Protocol,
    l4: L4Match,
    cidr: &str,
) -> NaclEntry {
    NaclEntry {
        rule_number,
        direction,
        action,
        protocol,
        l4,
        cidr: net(cidr),
    }
}

/// An ACL with `entries` plus AWS's `*` deny entries for both families.
pub fn acl(id: &str, entries: Vec<NaclEntry>) -> NetworkAcl {
    let mut entries = entries;
    for direction in [Direction::Ingress, Direction::Egress] {
        for (n, c) in [(32767, "0.0.0.0/0"), (32768, "::/0")] {
            entries.push(entry(
                n,
                direction,
                NaclAction::Deny,
                Protocol::All,
                L4Match::Any,
                c,
            ));
        }
    }
    NetworkAcl {
        id: id.into(),
        vpc_id: "vpc-1".into(),
        owner_id: None,
        is_default: false,
        entries,
        associations: vec![],
        tags: Default::default(),
    }
}

/// An active static route; `dest` is a CIDR of either family or a prefix-list id.
pub fn route(dest: &str, target: RouteTarget) -> Route {
    let destination = if dest.starts_with("pl-") {
        RouteDestination::PrefixList(dest.into())
    } else {
        match net(dest) {
            IpNet::V4(n) => RouteDestination::Ipv4(n),
            IpNet::V6(n) => RouteDestination::Ipv6(n),
        }
    };
    Route {
        destination,
        target,
        state: RouteState::Active,
        origin: Some("CreateRoute".into()),
    }
}

/// A route in the given state.
pub fn route_in(state: RouteState, dest: &str, target: RouteTarget) -> Route {
    Route {
        state,
        ..route(dest, target)
    }
}

impl Kit {
    pub fn new() -> Kit {
        let mut inv = Inventory::new(0);
        inv.accounts.push(AccountInventory {
            account_id: ACCOUNT.into(),
            regions: vec![RegionInventory::new(REGION)],
        });
        Kit { inv }
    }

    /// The region being built: that of the last account added.
    pub fn region(&mut self) -> &mut RegionInventory {
        let Some(account) = self.inv.accounts.last_mut() else {
            panic!("a kit has an account");
        };
        &mut account.regions[0]
    }

    /// Starts another account (same region): later builders add to it.
    pub fn account(mut self, id: &str) -> Kit {
        self.inv.accounts.push(AccountInventory {
            account_id: id.into(),
            regions: vec![RegionInventory::new(REGION)],
        });
        self
    }

    /// Turns appliance mode on for the last TGW attachment added, and names its
    /// VPC's owner account.
    pub fn attachment_owner(mut self, owner: &str, appliance_mode: bool) -> Kit {
        let Some(a) = self.region().transit_gateway_attachments.last_mut() else {
            panic!("attachment_owner needs an attachment first");
        };
        a.resource_owner_id = Some(owner.into());
        a.appliance_mode_support = appliance_mode;
        self
    }

    /// A Gateway Load Balancer endpoint `id` in `subnet_id` of `vpc_id`.
    pub fn gwlb_endpoint(mut self, id: &str, vpc_id: &str, subnet_id: &str) -> Kit {
        self.region()
            .vpc_endpoints
            .push(crate::inventory::VpcEndpoint {
                id: id.into(),
                vpc_id: vpc_id.into(),
                owner_id: None,
                endpoint_type: "GatewayLoadBalancer".into(),
                service_name: "com.amazonaws.vpce.eu-west-1.vpce-svc-appliance".into(),
                state: Some("available".into()),
                subnet_ids: vec![subnet_id.into()],
                route_table_ids: vec![],
                network_interface_ids: vec![],
                security_group_ids: vec![],
                policy_document: None,
                private_dns_enabled: false,
                tags: Default::default(),
            });
        self
    }

    pub fn vpc(mut self, id: &str) -> Kit {
        self.region().vpcs.push(Vpc {
            id: id.into(),
            owner_id: None,
            is_default: false,
            ipv4_cidrs: vec![],
            ipv6_cidrs: vec![],
            state: None,
            enable_dns_support: None,
            tags: Default::default(),
        });
        self
    }

    pub fn subnet(mut self, id: &str, vpc_id: &str) -> Kit {
        self.region().subnets.push(Subnet {
            id: id.into(),
            arn: None,
            vpc_id: vpc_id.into(),
            owner_id: None,
            availability_zone: "eu-west-1a".into(),
            availability_zone_id: None,
            ipv4_cidr: None,
            ipv6_cidrs: vec![],
            map_public_ip_on_launch: false,
            assign_ipv6_address_on_creation: false,
            state: None,
            tags: Default::default(),
        });
        self
    }

    /// An ENI in subnet-1 with private addresses (either family) and groups.
    pub fn eni(mut self, id: &str, addrs: &[&str], groups: &[&str]) -> Kit {
        let (mut v4, mut v6) = (vec![], vec![]);
        for a in addrs {
            match ip(a) {
                IpAddr::V4(a) => v4.push(a),
                IpAddr::V6(a) => v6.push(a),
            }
        }
        self.region().network_interfaces.push(NetworkInterface {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-1".into(),
            availability_zone: None,
            owner_id: None,
            interface_type: None,
            requester_managed: false,
            requester_id: None,
            description: None,
            private_ipv4s: v4,
            ipv6s: v6,
            public_ipv4s: vec![],
            security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
            instance_id: None,
            attachment_status: None,
            source_dest_check: true,
            status: None,
            tags: Default::default(),
        });
        self
    }

    /// Maps a public address onto the last ENI added.
    pub fn public_ip(mut self, public: &str) -> Kit {
        let Some(eni) = self.region().network_interfaces.last_mut() else {
            panic!("public_ip needs an ENI first");
        };
        let IpAddr::V4(public_ip) = ip(public) else {
            panic!("public IPs are IPv4");
        };
        eni.public_ipv4s.push(PublicIpv4 {
            public_ip,
            private_ip: eni.private_ipv4s.first().copied(),
            allocation_id: None,
            ip_owner_id: None,
        });
        self
    }

    pub fn group(mut self, id: &str, name: &str, rules: Vec<SecurityGroupRule>) -> Kit {
        self.region().security_groups.push(SecurityGroup {
            id: id.into(),
            name: name.into(),
            description: None,
            vpc_id: Some("vpc-1".into()),
            owner_id: None,
            rules,
            tags: Default::default(),
        });
        self
    }

    pub fn prefix_list(mut self, id: &str, cidrs: &[&str]) -> Kit {
        self.region().managed_prefix_lists.push(ManagedPrefixList {
            id: id.into(),
            name: None,
            arn: None,
            address_family: None,
            owner_id: None,
            max_entries: None,
            state: None,
            entries: cidrs
                .iter()
                .map(|c| PrefixListEntry {
                    cidr: net(c),
                    description: None,
                })
                .collect(),
            tags: Default::default(),
        });
        self
    }

    pub fn nacl(mut self, acl: NetworkAcl, vpc_id: &str, default: bool, subnets: &[&str]) -> Kit {
        let mut acl = acl;
        acl.vpc_id = vpc_id.into();
        acl.is_default = default;
        acl.associations = subnets
            .iter()
            .map(|s| NaclAssociation {
                id: None,
                subnet_id: s.to_string(),
            })
            .collect();
        self.region().network_acls.push(acl);
        self
    }

    pub fn route_table(mut self, id: &str, vpc_id: &str, main: bool, subnets: &[&str]) -> Kit {
        let mut associations: Vec<RouteTableAssociation> = subnets
            .iter()
            .map(|s| RouteTableAssociation {
                id: None,
                target: AssociationTarget::Subnet(s.to_string()),
                state: None,
            })
            .collect();
        if main {
            associations.push(RouteTableAssociation {
                id: None,
                target: AssociationTarget::Main,
                state: None,
            });
        }
        self.region().route_tables.push(RouteTable {
            id: id.into(),
            vpc_id: vpc_id.into(),
            owner_id: None,
            routes: vec![],
            associations,
            propagating_vgws: vec![],
            tags: Default::default(),
        });
        self
    }

    /// A failure of `operation` about everything of its kind in the region.
    pub fn gap(mut self, operation: Operation, message: &str) -> Kit {
        self.inv.coverage.push(CoverageGap {
            account_id: ACCOUNT.into(),
            region: REGION.into(),
            service: operation.service(),
            operation,
            kind: GapKind::AccessDenied,
            error_code: None,
            message: message.into(),
            resource: None,
        });
        self
    }

    /// A failure of `operation` about the one item `resource`, named in the message
    /// as the collector names it.
    pub fn gap_about(mut self, operation: Operation, resource: &str, message: &str) -> Kit {
        self = self.gap(operation, &format!("{resource}: {message}"));
        if let Some(g) = self.inv.coverage.last_mut() {
            g.resource = Some(resource.into());
        }
        self
    }

    /// Appends routes to a table added earlier.
    pub fn routes(mut self, table_id: &str, routes: Vec<Route>) -> Kit {
        let Some(table) = self
            .region()
            .route_tables
            .iter_mut()
            .find(|t| t.id == table_id)
        else {
            panic!("routes needs route table {table_id} first");
        };
        table.routes.extend(routes);
        self
    }

    /// A gateway (edge) route table associated with `gateway_id`.
    pub fn edge_route_table(mut self, id: &str, vpc_id: &str, gateway_id: &str) -> Kit {
        self = self.route_table(id, vpc_id, false, &[]);
        let table = self.region().route_tables.last_mut().unwrap();
        table.associations.push(RouteTableAssociation {
            id: None,
            target: AssociationTarget::Gateway(gateway_id.into()),
            state: None,
        });
        self
    }
}

// Helpers for the path tests.

pub fn egress(id: &str, protocol: Protocol, l4: L4Match, peer: RulePeer) -> SecurityGroupRule {
    SecurityGroupRule {
        direction: Direction::Egress,
        ..ingress(id, protocol, l4, peer)
    }
}

/// An ACL allowing everything both ways, both families.
pub fn open_acl(id: &str) -> NetworkAcl {
    let mut entries = Vec::new();
    for direction in [Direction::Ingress, Direction::Egress] {
        for (n, c) in [(100, "0.0.0.0/0"), (101, "::/0")] {
            entries.push(entry(
                n,
                direction,
                NaclAction::Allow,
                Protocol::All,
                L4Match::Any,
                c,
            ));
        }
    }
    acl(id, entries)
}

impl Kit {
    /// Moves the last ENI added into `subnet_id` of `vpc_id`.
    pub fn placed(mut self, vpc_id: &str, subnet_id: &str) -> Kit {
        let Some(eni) = self.region().network_interfaces.last_mut() else {
            panic!("placed needs an ENI first");
        };
        eni.vpc_id = vpc_id.into();
        eni.subnet_id = subnet_id.into();
        self
    }

    pub fn igw(mut self, id: &str, vpc_id: &str) -> Kit {
        self.region()
            .internet_gateways
            .push(crate::inventory::InternetGateway {
                id: id.into(),
                owner_id: None,
                attachments: vec![crate::inventory::GatewayAttachment {
                    vpc_id: vpc_id.into(),
                    state: Some("available".into()),
                }],
                tags: Default::default(),
            });
        self
    }

    pub fn eigw(mut self, id: &str, vpc_id: &str) -> Kit {
        self.region().egress_only_internet_gateways.push(
            crate::inventory::EgressOnlyInternetGateway {
                id: id.into(),
                attachments: vec![crate::inventory::GatewayAttachment {
                    vpc_id: vpc_id.into(),
                    state: Some("attached".into()),
                }],
                tags: Default::default(),
            },
        );
        self
    }

    pub fn nat_gateway(
        mut self,
        id: &str,
        subnet_id: &str,
        connectivity: crate::inventory::NatConnectivity,
        private_ip: &str,
    ) -> Kit {
        let vpc_id = self
            .region()
            .subnets
            .iter()
            .find(|s| s.id == subnet_id)
            .map(|s| s.vpc_id.clone())
            .unwrap_or_else(|| "vpc-1".into());
        self.region()
            .nat_gateways
            .push(crate::inventory::NatGateway {
                id: id.into(),
                vpc_id,
                subnet_id: subnet_id.into(),
                connectivity,
                state: Some("available".into()),
                addresses: vec![crate::inventory::NatGatewayAddress {
                    network_interface_id: None,
                    private_ip: Some(ip(private_ip)),
                    public_ip: None,
                    allocation_id: None,
                }],
                tags: Default::default(),
            });
        self
    }

    pub fn peering(mut self, id: &str, status: &str, requester: &str, accepter: &str) -> Kit {
        let side = |vpc: &str| crate::inventory::PeeringSide {
            vpc_id: Some(vpc.into()),
            owner_id: Some(ACCOUNT.into()),
            region: Some(REGION.into()),
            ipv4_cidrs: vec![],
            ipv6_cidrs: vec![],
        };
        self.region()
            .vpc_peering_connections
            .push(crate::inventory::VpcPeeringConnection {
                id: id.into(),
                status: Some(status.into()),
                requester: side(requester),
                accepter: side(accepter),
                tags: Default::default(),
            });
        self
    }

    /// A VPC attachment of `vpc_id` to `tgw`, associated with TGW route table `rt`.
    /// It lives in every subnet of the VPC added so far.
    pub fn tgw_attachment(mut self, id: &str, tgw: &str, vpc_id: &str, rt: &str) -> Kit {
        let subnet_ids = self
            .region()
            .subnets
            .iter()
            .filter(|s| s.vpc_id == vpc_id)
            .map(|s| s.id.clone())
            .collect();
        self.region().transit_gateway_attachments.push(
            crate::inventory::TransitGatewayAttachment {
                id: id.into(),
                transit_gateway_id: tgw.into(),
                transit_gateway_owner_id: None,
                resource_type: "vpc".into(),
                resource_id: Some(vpc_id.into()),
                resource_owner_id: None,
                state: Some("available".into()),
                association_route_table_id: Some(rt.into()),
                subnet_ids,
                security_group_referencing_support: false,
                appliance_mode_support: false,
                ipv6_support: false,
                tags: Default::default(),
            },
        );
        self
    }

    /// A TGW route table with `(cidr, state, attachment)` routes.
    pub fn tgw_route_table(mut self, id: &str, tgw: &str, routes: &[(&str, &str, &str)]) -> Kit {
        let routes = routes
            .iter()
            .map(|&(c, state, att)| crate::inventory::TransitGatewayRoute {
                destination: match net(c) {
                    IpNet::V4(n) => RouteDestination::Ipv4(n),
                    IpNet::V6(n) => RouteDestination::Ipv6(n),
                },
                state: Some(state.into()),
                route_type: Some("static".into()),
                attachments: if att.is_empty() {
                    vec![]
                } else {
                    vec![crate::inventory::TransitGatewayRouteAttachment {
                        attachment_id: Some(att.into()),
                        resource_id: None,
                        resource_type: Some("vpc".into()),
                    }]
                },
            })
            .collect();
        self.region().transit_gateway_route_tables.push(
            crate::inventory::TransitGatewayRouteTable {
                id: id.into(),
                transit_gateway_id: tgw.into(),
                state: Some("available".into()),
                default_association_route_table: false,
                default_propagation_route_table: false,
                routes,
                associations: vec![],
                propagations: vec![],
                tags: Default::default(),
            },
        );
        self
    }

    /// A Network Firewall with one endpoint in `subnet_id`.
    pub fn network_firewall(
        mut self,
        name: &str,
        vpc_id: &str,
        subnet_id: &str,
        endpoint_id: &str,
        policy_arn: &str,
    ) -> Kit {
        self.region().firewalls.push(crate::inventory::Firewall {
            name: name.into(),
            arn: format!("arn:firewall/{name}"),
            id: None,
            vpc_id: vpc_id.into(),
            subnet_mappings: vec![crate::inventory::FirewallSubnetMapping {
                subnet_id: subnet_id.into(),
                ip_address_type: None,
            }],
            policy_arn: policy_arn.into(),
            delete_protection: false,
            subnet_change_protection: false,
            policy_change_protection: false,
            status: Some("READY".into()),
            endpoints: vec![crate::inventory::FirewallEndpoint {
                availability_zone: "eu-west-1a".into(),
                subnet_id: Some(subnet_id.into()),
                endpoint_id: Some(endpoint_id.into()),
                status: Some("READY".into()),
            }],
            logging: vec![],
            tags: Default::default(),
        });
        self
    }

    pub fn firewall_policy(mut self, policy: crate::inventory::FirewallPolicy) -> Kit {
        self.region().firewall_policies.push(policy);
        self
    }

    pub fn rule_group(mut self, group: crate::inventory::RuleGroup) -> Kit {
        self.region().firewall_rule_groups.push(group);
        self
    }
}

impl Kit {
    /// Moves the last group added into `vpc_id`.
    pub fn group_in(mut self, vpc_id: &str) -> Kit {
        let Some(g) = self.region().security_groups.last_mut() else {
            panic!("group_in needs a group first");
        };
        g.vpc_id = Some(vpc_id.into());
        self
    }

    /// A transit gateway, with or without security-group referencing.
    pub fn transit_gateway(mut self, id: &str, referencing: bool) -> Kit {
        self.region()
            .transit_gateways
            .push(crate::inventory::TransitGateway {
                id: id.into(),
                arn: None,
                owner_id: None,
                state: Some("available".into()),
                default_route_table_association: false,
                default_route_table_propagation: false,
                association_default_route_table_id: None,
                propagation_default_route_table_id: None,
                security_group_referencing_support: referencing,
                tags: Default::default(),
            });
        self
    }

    /// Turns security-group referencing on for the last TGW attachment added.
    pub fn attachment_referencing(mut self) -> Kit {
        let Some(a) = self.region().transit_gateway_attachments.last_mut() else {
            panic!("attachment_referencing needs an attachment first");
        };
        a.security_group_referencing_support = true;
        self
    }
}

// Builders for the network checks' tests.
impl Kit {
    /// Sets the CIDR blocks (either family) of VPC `vpc_id` added earlier.
    pub fn vpc_cidrs(mut self, vpc_id: &str, cidrs: &[&str]) -> Kit {
        let Some(vpc) = self.region().vpcs.iter_mut().find(|v| v.id == vpc_id) else {
            panic!("vpc_cidrs needs VPC {vpc_id} first");
        };
        for c in cidrs {
            match net(c) {
                IpNet::V4(n) => vpc.ipv4_cidrs.push(n),
                IpNet::V6(n) => vpc.ipv6_cidrs.push(n),
            }
        }
        self
    }

    /// Sets the CIDR blocks each side of peering `id` reports.
    pub fn peering_cidrs(mut self, id: &str, requester: &[&str], accepter: &[&str]) -> Kit {
        let Some(p) = self
            .region()
            .vpc_peering_connections
            .iter_mut()
            .find(|p| p.id == id)
        else {
            panic!("peering_cidrs needs peering {id} first");
        };
        for (side, cidrs) in [(&mut p.requester, requester), (&mut p.accepter, accepter)] {
            for c in cidrs {
                match net(c) {
                    IpNet::V4(n) => side.ipv4_cidrs.push(n),
                    IpNet::V6(n) => side.ipv6_cidrs.push(n),
                }
            }
        }
        self
    }
}

// Builders for the Network Firewall checks' tests.
impl Kit {
    /// Moves subnet `id`, added earlier, into availability zone `az`.
    pub fn subnet_az(mut self, id: &str, az: &str) -> Kit {
        let Some(s) = self.region().subnets.iter_mut().find(|s| s.id == id) else {
            panic!("subnet_az needs subnet {id} first");
        };
        s.availability_zone = az.into();
        self
    }

    /// Adds an endpoint (and its subnet mapping) to firewall `name`, added earlier;
    /// `status` `None` when AWS did not report one.
    pub fn firewall_endpoint(
        mut self,
        name: &str,
        az: &str,
        subnet_id: &str,
        endpoint_id: &str,
        status: Option<&str>,
    ) -> Kit {
        let Some(fw) = self.region().firewalls.iter_mut().find(|f| f.name == name) else {
            panic!("firewall_endpoint needs firewall {name} first");
        };
        fw.subnet_mappings
            .push(crate::inventory::FirewallSubnetMapping {
                subnet_id: subnet_id.into(),
                ip_address_type: None,
            });
        fw.endpoints.push(crate::inventory::FirewallEndpoint {
            availability_zone: az.into(),
            subnet_id: Some(subnet_id.into()),
            endpoint_id: Some(endpoint_id.into()),
            status: status.map(String::from),
        });
        self
    }

    /// Sends firewall `name`'s `log_type` logs (`ALERT`, `FLOW`, `TLS`) to S3.
    pub fn firewall_logging(mut self, name: &str, log_type: &str) -> Kit {
        let Some(fw) = self.region().firewalls.iter_mut().find(|f| f.name == name) else {
            panic!("firewall_logging needs firewall {name} first");
        };
        fw.logging.push(crate::inventory::FirewallLogDestination {
            log_type: log_type.into(),
            destination_type: "S3".into(),
            destination: [("bucketName".to_string(), "fw-logs".to_string())].into(),
        });
        self
    }

    /// Records `eni_id` as the network interface of NAT gateway `nat_id`.
    pub fn nat_eni(mut self, nat_id: &str, eni_id: &str) -> Kit {
        let Some(nat) = self
            .region()
            .nat_gateways
            .iter_mut()
            .find(|n| n.id == nat_id)
        else {
            panic!("nat_eni needs NAT gateway {nat_id} first");
        };
        for a in &mut nat.addresses {
            a.network_interface_id = Some(eni_id.into());
        }
        self
    }
}

/// A rule group named `name` (ARN `arn:group/{name}`) of `kind` holding `source`.
pub fn rule_group_of(name: &str, kind: RuleGroupType, source: RuleSource) -> RuleGroup {
    RuleGroup {
        name: name.into(),
        arn: format!("arn:group/{name}"),
        rule_group_type: kind,
        capacity: None,
        rule_order: None,
        ip_sets: std::collections::BTreeMap::new(),
        port_sets: std::collections::BTreeMap::new(),
        source,
        tags: Default::default(),
    }
}

/// A stateful group of Suricata rule strings.
pub fn suricata_group(name: &str, text: &str) -> RuleGroup {
    rule_group_of(
        name,
        RuleGroupType::Stateful,
        RuleSource::RulesString { rules: text.into() },
    )
}

/// A stateful domain-list group (`kind`: ALLOWLIST or DENYLIST) over SNI and Host.
pub fn domain_group(name: &str, kind: &str, targets: &[&str]) -> RuleGroup {
    rule_group_of(
        name,
        RuleGroupType::Stateful,
        RuleSource::DomainList(DomainList {
            targets: targets.iter().map(|s| s.to_string()).collect(),
            target_types: vec!["TLS_SNI".into(), "HTTP_HOST".into()],
            generated_rules_type: kind.into(),
        }),
    )
}

// Load balancers.
impl Kit {
    /// Describes the last ENI added (load balancer nodes are found by description).
    pub fn described(mut self, description: &str) -> Kit {
        let Some(eni) = self.region().network_interfaces.last_mut() else {
            panic!("described needs an ENI first");
        };
        eni.description = Some(description.into());
        eni.requester_managed = true;
        self
    }

    /// Attaches the last ENI added to a new instance `id`.
    pub fn instance_of_last(mut self, id: &str) -> Kit {
        let Some(eni) = self.region().network_interfaces.last_mut() else {
            panic!("instance_of_last needs an ENI first");
        };
        eni.instance_id = Some(id.into());
        let eni_id = eni.id.clone();
        self.region().instances.push(crate::inventory::Instance {
            id: id.into(),
            vpc_id: Some("vpc-1".into()),
            subnet_id: None,
            state: Some("running".into()),
            network_interface_ids: vec![eni_id],
            tags: Default::default(),
        });
        self
    }

    /// An internet-facing load balancer in vpc-1 with `listeners` (protocol, port,
    /// target group ARNs), ARN `arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/<tail>`.
    pub fn load_balancer(
        mut self,
        tail: &str,
        lb_type: crate::inventory::LoadBalancerType,
        groups: &[&str],
        listeners: &[(&str, u16, &[&str])],
    ) -> Kit {
        let name = match lb_type {
            crate::inventory::LoadBalancerType::Classic => tail,
            _ => tail.split('/').nth(1).unwrap_or(tail),
        };
        self.region()
            .load_balancers
            .push(crate::inventory::LoadBalancer {
                arn: format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{tail}"),
                name: name.into(),
                lb_type,
                scheme: crate::inventory::LoadBalancerScheme::InternetFacing,
                vpc_id: Some("vpc-1".into()),
                subnet_ids: vec![],
                security_group_ids: groups.iter().map(|g| g.to_string()).collect(),
                ip_address_type: Some("ipv4".into()),
                dns_name: None,
                state: Some("active".into()),
                listeners: Some(
                    listeners
                        .iter()
                        .map(|(protocol, port, tgs)| crate::inventory::Listener {
                            arn: None,
                            port: *port,
                            protocol: protocol.to_string(),
                            target_group_arns: tgs.iter().map(|t| t.to_string()).collect(),
                            instance_port: None,
                            instance_protocol: None,
                        })
                        .collect(),
                ),
                instance_ids: vec![],
                tags: Default::default(),
            });
        self
    }

    /// A target group `arn` of `target_type` on `port` in vpc-1, serving the last
    /// load balancer added, with `targets` (id, port) or `None` (not read).
    pub fn target_group(
        mut self,
        arn: &str,
        target_type: &str,
        protocol: &str,
        port: u16,
        targets: Option<&[(&str, Option<u16>)]>,
    ) -> Kit {
        let lb = self
            .region()
            .load_balancers
            .last()
            .map(|l| l.arn.clone())
            .into_iter()
            .collect();
        self.region()
            .target_groups
            .push(crate::inventory::TargetGroup {
                arn: arn.into(),
                name: arn.rsplit('/').next().unwrap_or(arn).into(),
                target_type: target_type.into(),
                protocol: Some(protocol.into()),
                port: Some(port),
                vpc_id: Some("vpc-1".into()),
                load_balancer_arns: lb,
                preserve_client_ip: None,
                targets: targets.map(|ts| {
                    ts.iter()
                        .map(|(id, port)| crate::inventory::Target {
                            id: id.to_string(),
                            port: *port,
                            availability_zone: None,
                            health: Some("healthy".into()),
                        })
                        .collect()
                }),
                tags: Default::default(),
            });
        self
    }
}
