//! Deterministic synthetic inventories, for benchmarks and scale tests of the
//! reachability engine.
//!
//! [`generate`] builds one account (`123456789012`) in one region (`us-east-1`)
//! shaped like a real multi-VPC estate, so that every part of the engine does real
//! work:
//!
//! - VPCs on distinct `10.x.0.0/16` blocks (every third with an IPv6 /56), each with
//!   public subnets (0.0.0.0/0 to the internet gateway, public IPs on launch), private
//!   subnets (0.0.0.0/0 to the NAT gateway of their AZ, ::/0 to an egress-only
//!   gateway) and data subnets (no internet route);
//! - VPC 0 is an inspection VPC: its private subnets route 0.0.0.0/0 to the AWS
//!   Network Firewall endpoint (`vpce-`) of their AZ, whose subnet routes on to a NAT
//!   gateway; the firewall policy holds a domain allowlist and a Suricata rule;
//! - peering connections between some VPC pairs, routed on both sides except a few
//!   whose accepter never got the return route; a transit gateway with most VPCs
//!   attached, propagated routes, a default route to the inspection VPC and one
//!   blackhole;
//! - default allow-all NACLs, and custom ones with numbered allow/deny entries,
//!   ephemeral-port reply rules and the `*` deny entries;
//! - security groups per application and shared ones (bastion, monitoring...), with
//!   CIDR peers (0.0.0.0/0 on 443, 22 and 3389, 10.0.0.0/8, /32s), references to
//!   groups of the same and of peered VPCs, the corporate prefix list, and the
//!   default allow-all egress;
//! - ENIs over the subnets with one to three groups, public IPv4 on ~10% (web and
//!   bastion in public subnets), IPv6 where the subnet assigns it, requester-managed
//!   RDS and ElastiCache ENIs, NAT / firewall endpoint / TGW ENIs, and tagged
//!   instances.
//!
//! Same [`Spec`] (seed included), same inventory, byte for byte.
//!
//! [`generate_organization`] builds many such accounts as one AWS Organization
//! ([`OrgSpec`]): a network account's transit gateway shared with the others, VPC
//! peering between accounts, VPC blocks distinct across all of them.

mod apps;
mod enis;
mod firewall;
mod groups;
pub mod kubernetes;
mod load_balancers;
mod nacl;
mod network;
mod organization;
mod plan;
mod rng;
mod routes;
mod samples;
mod state;
mod transit;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_org;

use crate::inventory::{AccountInventory, Inventory, RegionInventory};

pub use firewall::ALLOWED_DOMAINS;
pub use organization::{account_ids, generate_organization, OrgSpec};
pub use samples::{samples, Samples};

/// The account and region every generated inventory describes.
pub const ACCOUNT: &str = plan::ACCOUNT;
pub const REGION: &str = plan::REGION;

/// `collected_at` of generated inventories (fixed, so output is reproducible).
pub const COLLECTED_AT: u64 = 1_700_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// ENIs in total, the requester-managed ones of NAT gateways, firewall
    /// endpoints and TGW attachments included (never fewer than those).
    pub enis: usize,
    /// 2 to 256 (one `10.x.0.0/16` each); VPC 0 is the inspection VPC.
    pub vpcs: usize,
    /// 3 to 16 (`/20` each); the AZ count follows (one to three).
    pub subnets_per_vpc: usize,
    /// Spread evenly over the VPCs; at least 9 per VPC are made (6 shared + 3).
    pub security_groups: usize,
    /// VPC peering connections between distinct VPC pairs.
    pub peerings: usize,
    /// Load balancers (none unless asked for), with `targets_per_load_balancer`
    /// registered targets each; their node ENIs come on top of `enis`.
    pub load_balancers: usize,
    pub targets_per_load_balancer: usize,
    pub seed: u64,
}

impl Spec {
    /// Proportional defaults for `enis` ENIs: one VPC per 500 ENIs, ten subnets per
    /// VPC at 10k ENIs and five at 100k (fewer, larger subnets as the estate grows),
    /// one security group per ten ENIs, one peering per two VPCs.
    ///
    /// 10k ENIs: 20 VPCs, 200 subnets, 1,000 groups; 100k: 200 VPCs, 1,000 subnets,
    /// 10,000 groups.
    pub fn with_enis(enis: usize) -> Spec {
        let vpcs = (enis / 500).clamp(2, 250);
        let scale = (enis.max(1) as f64 / 10_000.0).log10();
        let subnets_per_vpc = (10.0 - 5.0 * scale).round().clamp(3.0, 16.0) as usize;
        Spec {
            enis,
            vpcs,
            subnets_per_vpc,
            security_groups: (enis / 10).max(9 * vpcs),
            peerings: vpcs / 2,
            load_balancers: 0,
            targets_per_load_balancer: 10,
            seed: 1,
        }
    }

    /// The same spec with `count` load balancers of `targets` targets each.
    pub fn with_load_balancers(self, count: usize, targets: usize) -> Spec {
        Spec {
            load_balancers: count,
            targets_per_load_balancer: targets,
            ..self
        }
    }

    /// The same spec with another seed.
    pub fn seeded(self, seed: u64) -> Spec {
        Spec { seed, ..self }
    }
}

/// A synthetic inventory as [`Spec`] describes it; see the module documentation.
///
/// # Panics
///
/// When `spec.vpcs` or `spec.subnets_per_vpc` is out of range, or a subnet runs
/// out of addresses (more than ~4,000 ENIs in one `/20`).
pub fn generate(spec: &Spec) -> Inventory {
    let (b, _) = build_account(
        spec,
        rng::Rng::new(spec.seed),
        rng::Ids::new(spec.seed),
        Setup {
            account: ACCOUNT.into(),
            addressing: plan::Addressing::ACCOUNT,
            public_ips: 0,
            tgw: None,
            remote: Vec::new(),
        },
    );
    let mut ri = b.ri;
    sort_by_id(&mut ri);
    let mut inv = Inventory::new(COLLECTED_AT);
    inv.accounts.push(AccountInventory {
        account_id: ACCOUNT.into(),
        regions: vec![ri],
    });
    inv
}

/// Who an account is and what it shares with the rest of its organisation.
struct Setup {
    account: String,
    addressing: plan::Addressing,
    /// Public addresses the accounts built before this one hold.
    public_ips: u32,
    /// (owner account, gateway id, route table id) of the organisation's transit
    /// gateway; `None` for a lone account, which owns its own.
    tgw: Option<(String, String, String)>,
    remote: Vec<plan::RemotePeering>,
}

/// One account's region, every step in order; the builder (region, ids, layout)
/// and the applications, which the organisation needs after the build.
fn build_account(
    spec: &Spec,
    mut rng: rng::Rng,
    mut ids: rng::Ids,
    setup: Setup,
) -> (state::Builder, apps::Apps) {
    assert!(
        (2..=256).contains(&spec.vpcs),
        "vpcs must be 2 to 256, not {}",
        spec.vpcs
    );
    assert!(
        (3..=16).contains(&spec.subnets_per_vpc),
        "subnets_per_vpc must be 3 to 16, not {}",
        spec.subnets_per_vpc
    );
    let mut layout = plan::layout(spec, &mut rng, &mut ids, setup.addressing);
    layout.remote = setup.remote;
    let mut b = state::Builder::new(rng, ids, layout, &setup.account, setup.public_ips);
    if let Some((owner, tgw, table)) = setup.tgw {
        b.tgw_owner = owner;
        b.layout.tgw = tgw;
        b.layout.tgw_route_table = table;
    }
    network::build(&mut b);
    routes::build(&mut b);
    transit::build(&mut b);
    firewall::build(&mut b);
    nacl::build(&mut b);
    let apps = apps::plan(&mut b, spec);
    groups::build(&mut b, &apps);
    enis::build(&mut b, &apps, spec.enis);
    load_balancers::build(&mut b, spec.load_balancers, spec.targets_per_load_balancer);
    (b, apps)
}

/// Every list sorted by id (firewall resources by ARN), as the collector does.
fn sort_by_id(ri: &mut RegionInventory) {
    ri.vpcs.sort_by(|a, b| a.id.cmp(&b.id));
    ri.subnets.sort_by(|a, b| a.id.cmp(&b.id));
    ri.route_tables.sort_by(|a, b| a.id.cmp(&b.id));
    ri.internet_gateways.sort_by(|a, b| a.id.cmp(&b.id));
    ri.egress_only_internet_gateways
        .sort_by(|a, b| a.id.cmp(&b.id));
    ri.nat_gateways.sort_by(|a, b| a.id.cmp(&b.id));
    ri.network_interfaces.sort_by(|a, b| a.id.cmp(&b.id));
    ri.instances.sort_by(|a, b| a.id.cmp(&b.id));
    ri.security_groups.sort_by(|a, b| a.id.cmp(&b.id));
    ri.managed_prefix_lists.sort_by(|a, b| a.id.cmp(&b.id));
    ri.network_acls.sort_by(|a, b| a.id.cmp(&b.id));
    ri.vpc_endpoints.sort_by(|a, b| a.id.cmp(&b.id));
    ri.vpc_peering_connections.sort_by(|a, b| a.id.cmp(&b.id));
    ri.transit_gateways.sort_by(|a, b| a.id.cmp(&b.id));
    ri.transit_gateway_attachments
        .sort_by(|a, b| a.id.cmp(&b.id));
    ri.transit_gateway_route_tables
        .sort_by(|a, b| a.id.cmp(&b.id));
    ri.flow_logs.sort_by(|a, b| a.id.cmp(&b.id));
    ri.firewalls.sort_by(|a, b| a.arn.cmp(&b.arn));
    ri.firewall_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    ri.firewall_rule_groups.sort_by(|a, b| a.arn.cmp(&b.arn));
    ri.load_balancers.sort_by(|a, b| a.arn.cmp(&b.arn));
    ri.target_groups.sort_by(|a, b| a.arn.cmp(&b.arn));
}
