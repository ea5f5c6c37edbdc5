//! ENIs and instances: requester-managed ENIs of NAT gateways, firewall endpoints
//! and transit gateway attachments, then application ENIs up to the requested count
//! (instances with tags, RDS and ElastiCache ENIs, public IPv4 in public subnets,
//! IPv6 where the subnet assigns it, several private IPs on worker nodes).

use std::net::Ipv4Addr;

use crate::inventory::{Instance, NetworkInterface, PublicIpv4};

use super::apps::{App, Apps, Kind};
use super::plan::AZS;
use super::state::{tags, Builder};

/// An ENI just created: its id, primary private address and public mapping.
pub(super) struct Placed {
    pub id: String,
    pub private_ip: Ipv4Addr,
    pub public: Option<PublicIpv4>,
}

fn blank(b: &Builder, id: String, v: usize, s: usize) -> NetworkInterface {
    let plan = &b.layout.vpcs[v];
    NetworkInterface {
        id,
        vpc_id: plan.id.clone(),
        subnet_id: plan.subnets[s].id.clone(),
        availability_zone: Some(AZS[plan.subnets[s].az].0.into()),
        owner_id: Some(b.account.clone()),
        interface_type: Some("interface".into()),
        requester_managed: false,
        requester_id: None,
        description: None,
        private_ipv4s: vec![],
        ipv6s: vec![],
        public_ipv4s: vec![],
        security_group_ids: vec![],
        instance_id: None,
        attachment_status: Some("attached".into()),
        source_dest_check: true,
        status: Some("in-use".into()),
        tags: Default::default(),
    }
}

fn elastic_ip(b: &mut Builder, private_ip: Ipv4Addr) -> PublicIpv4 {
    PublicIpv4 {
        public_ip: b.public_ip(),
        private_ip: Some(private_ip),
        allocation_id: Some(b.ids.next("eipalloc")),
        ip_owner_id: Some(b.account.clone()),
    }
}

/// A requester-managed ENI of an AWS service (no security groups), with an Elastic
/// IP when `with_eip`.
pub(super) fn infra_eni(
    b: &mut Builder,
    v: usize,
    s: usize,
    interface_type: &str,
    description: String,
    with_eip: bool,
) -> Placed {
    let id = b.ids.next("eni");
    let (private_ip, _) = b.layout.vpcs[v].subnets[s].allocate();
    let public = with_eip.then(|| elastic_ip(b, private_ip));
    let mut eni = blank(b, id.clone(), v, s);
    eni.interface_type = Some(interface_type.into());
    eni.requester_managed = true;
    eni.description = Some(description);
    eni.private_ipv4s = vec![private_ip];
    eni.public_ipv4s = public.iter().cloned().collect();
    eni.source_dest_check = false;
    b.ri.network_interfaces.push(eni);
    Placed {
        id,
        private_ip,
        public,
    }
}

/// Application ENIs until the region holds `total` ENIs, each application getting a
/// share proportional to its weight.
pub(super) fn build(b: &mut Builder, apps: &Apps, total: usize) {
    let mut cumulative = Vec::with_capacity(apps.apps.len());
    let mut sum = 0.0;
    for app in &apps.apps {
        sum += app.weight;
        cumulative.push(sum);
    }
    let workloads = total.saturating_sub(b.ri.network_interfaces.len());
    for n in 0..workloads {
        let x = b.rng.unit() * sum;
        let a = cumulative
            .partition_point(|&c| c <= x)
            .min(apps.apps.len() - 1);
        let app = &apps.apps[a];
        let s = *b.rng.pick(&app.subnets);
        let s = with_room(b, app, s);
        workload(b, app, s, n);
    }
}

/// Room for an ENI with its secondary addresses (and a few to spare for load
/// balancer nodes, placed later).
const ROOM: u32 = 8;

/// `s`, or when it is (nearly) full, the first of the application's other subnets
/// with room, else of its VPC (its tier first): as an Auto Scaling group launches
/// where addresses are left. Estates of one account never fill a subnet, so their placement is as drawn.
fn with_room(b: &Builder, app: &App, s: usize) -> usize {
    let subnets = &b.layout.vpcs[app.vpc].subnets;
    if subnets[s].has_room(ROOM) {
        return s;
    }
    let tier = subnets[s].tier;
    let same_tier = (0..subnets.len()).filter(|&t| subnets[t].tier == tier);
    app.subnets
        .iter()
        .copied()
        .chain(same_tier)
        .chain(0..subnets.len())
        .find(|&t| subnets[t].has_room(ROOM))
        .unwrap_or_else(|| panic!("VPC {} is full", b.layout.vpcs[app.vpc].id))
}

fn workload(b: &mut Builder, app: &App, s: usize, n: usize) {
    let v = app.vpc;
    let id = b.ids.next("eni");
    let subnet = &mut b.layout.vpcs[v].subnets[s];
    let public_subnet = subnet.tier == super::plan::Tier::Public;
    let (primary, v6) = subnet.allocate();
    let mut private = vec![primary];
    if app.kind == Kind::Worker {
        // EKS-style nodes carry secondary addresses for pods.
        for _ in 0..b.rng.below(4) {
            private.push(b.layout.vpcs[v].subnets[s].allocate().0);
        }
    }
    let public = match app.kind {
        Kind::Bastion => Some(elastic_ip(b, primary)),
        Kind::Web if public_subnet => Some(PublicIpv4 {
            public_ip: b.public_ip(),
            private_ip: Some(primary),
            allocation_id: None,
            ip_owner_id: Some("amazon".into()),
        }),
        _ => None,
    };
    let mut eni = blank(b, id.clone(), v, s);
    eni.private_ipv4s = private;
    eni.ipv6s = v6.into_iter().collect();
    eni.public_ipv4s = public.into_iter().collect();
    eni.security_group_ids = app.groups.clone();
    match app.kind {
        Kind::Db => {
            eni.requester_managed = true;
            eni.requester_id = Some("amazon-rds".into());
            eni.description = Some("RDSNetworkInterface".into());
        }
        Kind::Cache => {
            eni.requester_managed = true;
            eni.requester_id = Some("amazon-elasticache".into());
            eni.description = Some(format!("ElastiCache {}-{:04}-001", app.name, n % 10_000));
        }
        _ => {
            let instance = b.ids.next("i");
            eni.instance_id = Some(instance.clone());
            instance_for(b, app, &eni, instance, n);
        }
    }
    b.ri.network_interfaces.push(eni);
}

fn instance_for(b: &mut Builder, app: &App, eni: &NetworkInterface, id: String, n: usize) {
    let env = b.layout.vpcs[app.vpc].env;
    let name = format!("{}-{n}", app.name);
    let mut t = tags(&[
        ("Name", &name),
        ("app", &app.name),
        ("env", env),
        ("tier", app.kind.name()),
    ]);
    if app.kind == Kind::Worker {
        t.insert(format!("kubernetes.io/cluster/{env}-eks"), "owned".into());
        t.insert("eks:nodegroup-name".into(), app.name.clone());
    }
    if app.kind == Kind::Api && app.name.ends_with("-01") {
        t.insert("data-classification".into(), "restricted".into());
    }
    let state = if b.rng.percent(3) {
        "stopped"
    } else {
        "running"
    };
    b.ri.instances.push(Instance {
        id,
        vpc_id: Some(eni.vpc_id.clone()),
        subnet_id: Some(eni.subnet_id.clone()),
        state: Some(state.into()),
        network_interface_ids: vec![eni.id.clone()],
        tags: t,
    });
}
