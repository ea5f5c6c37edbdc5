//! Route tables: a main table, one public table, a private table per AZ and one data
//! table per VPC (plus a firewall table per AZ in the inspection VPC), with peering,
//! transit gateway and S3 gateway endpoint routes; and the S3 gateway endpoints.

use ipnet::Ipv4Net;

use crate::inventory::{
    AssociationTarget, Route, RouteDestination, RouteState, RouteTable, RouteTableAssociation,
    RouteTarget, VpcEndpoint,
};

use super::plan::{Layout, Tier, AZS, REGION, S3_PREFIX_LIST};
use super::state::{named, Builder};

/// AWS's default full-access endpoint policy.
pub(super) const FULL_ACCESS_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

struct Table {
    name: String,
    routes: Vec<Route>,
    subnets: Vec<usize>,
    main: bool,
    /// Carries the S3 gateway endpoint route.
    s3: bool,
}

pub(super) fn build(b: &mut Builder) {
    for v in 0..b.layout.vpcs.len() {
        let tables = plan_tables(&b.layout, v);
        emit(b, v, tables);
    }
}

fn route(destination: RouteDestination, target: RouteTarget) -> Route {
    Route {
        destination,
        target,
        state: RouteState::Active,
        origin: Some("CreateRoute".into()),
    }
}

fn v4(net: Ipv4Net, target: RouteTarget) -> Route {
    route(RouteDestination::Ipv4(net), target)
}

fn any_v4() -> Ipv4Net {
    "0.0.0.0/0".parse().expect("valid CIDR")
}

fn plan_tables(layout: &Layout, v: usize) -> Vec<Table> {
    let plan = &layout.vpcs[v];
    let mut local = vec![Route {
        origin: Some("CreateRouteTable".into()),
        ..v4(plan.cidr, RouteTarget::Local)
    }];
    if let Some(net) = plan.ipv6 {
        local.push(Route {
            origin: Some("CreateRouteTable".into()),
            ..route(RouteDestination::Ipv6(net), RouteTarget::Local)
        });
    }
    // Peer VPCs over their peering (unless this is the side missing the route back),
    // then the rest of 10/8 over the transit gateway.
    let mut shared = Vec::new();
    for (p, other) in layout.peers_of(v) {
        if p.requester == v || p.return_route {
            let target = RouteTarget::VpcPeeringConnection(p.id.clone());
            shared.push(v4(layout.vpcs[other].cidr, target));
        }
    }
    for r in layout.remote.iter().filter(|r| r.vpc == v && r.route) {
        let target = RouteTarget::VpcPeeringConnection(r.id.clone());
        shared.push(v4(r.peer_cidr, target));
    }
    if plan.tgw_attachment.is_some() {
        let ten: Ipv4Net = "10.0.0.0/8".parse().expect("valid CIDR");
        shared.push(v4(ten, RouteTarget::TransitGateway(layout.tgw.clone())));
    }
    let in_tier = |tier: Tier, az: Option<usize>| -> Vec<usize> {
        plan.subnets_in(tier)
            .filter(|&s| az.is_none_or(|az| plan.subnets[s].az == az))
            .collect()
    };
    let mut tables = vec![Table {
        name: format!("{}-main", plan.name),
        routes: local.clone(),
        subnets: vec![],
        main: true,
        s3: false,
    }];

    let mut public = local.clone();
    public.push(v4(any_v4(), RouteTarget::InternetGateway(plan.igw.clone())));
    if plan.ipv6.is_some() {
        let any6 = "::/0".parse().expect("valid CIDR");
        public.push(route(
            RouteDestination::Ipv6(any6),
            RouteTarget::InternetGateway(plan.igw.clone()),
        ));
    }
    public.extend(shared.iter().cloned());
    if plan.inspection {
        // Replies from the NAT gateways to the protected subnets go back through
        // the firewall of their AZ (routes more specific than local).
        for s in plan.subnets_in(Tier::Private) {
            let sub = &plan.subnets[s];
            let endpoint = plan.firewall_endpoints[sub.az].clone();
            public.push(v4(sub.cidr, RouteTarget::VpcEndpoint(endpoint)));
        }
    }
    tables.push(Table {
        name: format!("{}-public", plan.name),
        routes: public,
        subnets: in_tier(Tier::Public, None),
        main: false,
        s3: false,
    });

    for (az, (az_name, _)) in AZS.iter().enumerate().take(layout.azs) {
        let suffix = &az_name[9..];
        let mut private = local.clone();
        let out = if plan.inspection {
            RouteTarget::VpcEndpoint(plan.firewall_endpoints[az].clone())
        } else {
            RouteTarget::NatGateway(plan.nats[az].clone())
        };
        private.push(v4(any_v4(), out));
        if let Some(eigw) = &plan.eigw {
            let any6 = "::/0".parse().expect("valid CIDR");
            private.push(route(
                RouteDestination::Ipv6(any6),
                RouteTarget::EgressOnlyInternetGateway(eigw.clone()),
            ));
        }
        private.extend(shared.iter().cloned());
        tables.push(Table {
            name: format!("{}-private-{suffix}", plan.name),
            routes: private,
            subnets: in_tier(Tier::Private, Some(az)),
            main: false,
            s3: true,
        });
        if plan.inspection {
            let mut firewall = local.clone();
            firewall.push(v4(any_v4(), RouteTarget::NatGateway(plan.nats[az].clone())));
            tables.push(Table {
                name: format!("{}-firewall-{suffix}", plan.name),
                routes: firewall,
                subnets: in_tier(Tier::Firewall, Some(az)),
                main: false,
                s3: false,
            });
        }
    }

    let mut data = local;
    data.extend(shared);
    tables.push(Table {
        name: format!("{}-data", plan.name),
        routes: data,
        subnets: in_tier(Tier::Data, None),
        main: false,
        s3: true,
    });
    tables
}

fn emit(b: &mut Builder, v: usize, tables: Vec<Table>) {
    let s3_endpoint = b.layout.vpcs[v].s3_endpoint.clone();
    let mut s3_tables = Vec::new();
    for t in tables {
        let id = b.ids.next("rtb");
        let mut associations = Vec::new();
        for s in t.subnets {
            associations.push(RouteTableAssociation {
                id: Some(b.ids.next("rtbassoc")),
                target: AssociationTarget::Subnet(b.layout.vpcs[v].subnets[s].id.clone()),
                state: Some("associated".into()),
            });
        }
        if t.main {
            associations.push(RouteTableAssociation {
                id: Some(b.ids.next("rtbassoc")),
                target: AssociationTarget::Main,
                state: Some("associated".into()),
            });
        }
        let mut routes = t.routes;
        if let (true, Some(endpoint)) = (t.s3, &s3_endpoint) {
            routes.push(route(
                RouteDestination::PrefixList(S3_PREFIX_LIST.into()),
                RouteTarget::VpcEndpoint(endpoint.clone()),
            ));
            s3_tables.push(id.clone());
        }
        b.ri.route_tables.push(RouteTable {
            id,
            vpc_id: b.layout.vpcs[v].id.clone(),
            owner_id: Some(b.account.clone()),
            routes,
            associations,
            propagating_vgws: vec![],
            tags: named(&t.name),
        });
    }
    if let Some(endpoint) = s3_endpoint {
        let plan = &b.layout.vpcs[v];
        b.ri.vpc_endpoints.push(VpcEndpoint {
            id: endpoint,
            vpc_id: plan.id.clone(),
            owner_id: Some(b.account.clone()),
            endpoint_type: "Gateway".into(),
            service_name: format!("com.amazonaws.{REGION}.s3"),
            state: Some("available".into()),
            subnet_ids: vec![],
            route_table_ids: s3_tables,
            network_interface_ids: vec![],
            security_group_ids: vec![],
            policy_document: Some(FULL_ACCESS_POLICY.into()),
            private_dns_enabled: false,
            tags: named(&format!("{}-s3", plan.name)),
        });
    }
}
