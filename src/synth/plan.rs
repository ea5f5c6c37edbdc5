//! The topology decided before any resource is written: VPC and subnet address
//! plans, which subnet is in which tier and AZ, the ids of gateways, peerings and
//! transit gateway attachments. Everything else refers to it.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use super::rng::{Ids, Rng};
use super::Spec;

pub(super) const ACCOUNT: &str = "123456789012";
pub(super) const REGION: &str = "us-east-1";
/// AWS's S3 prefix list in us-east-1.
pub(super) const S3_PREFIX_LIST: &str = "pl-63a5400a";
/// (name, zone id) of the AZs used, in order.
pub(super) const AZS: [(&str, &str); 3] = [
    ("us-east-1a", "use1-az1"),
    ("us-east-1b", "use1-az2"),
    ("us-east-1c", "use1-az4"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tier {
    /// Default route to the internet gateway; public IPs mapped on launch.
    Public,
    /// Default route to the NAT gateway of the AZ (in the inspection VPC: to the
    /// firewall endpoint of the AZ).
    Private,
    /// No route to the internet.
    Data,
    /// Inspection VPC only: holds the firewall endpoints, routes on to the NAT.
    Firewall,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Private => "private",
            Tier::Data => "data",
            Tier::Firewall => "firewall",
        }
    }
}

pub(super) struct SubnetPlan {
    pub id: String,
    pub tier: Tier,
    pub az: usize,
    pub cidr: Ipv4Net,
    pub ipv6: Option<Ipv6Net>,
    /// Whether ENIs launched here get an IPv6 address.
    pub assign_ipv6: bool,
    /// Addresses handed out so far.
    used: u32,
}

impl SubnetPlan {
    /// Whether `n` more addresses fit.
    pub fn has_room(&self, n: u32) -> bool {
        let size = 1u32 << (32 - self.cidr.prefix_len());
        4 + self.used + n < size
    }

    /// The next free private address (AWS reserves the first four and the last),
    /// and an IPv6 address when the subnet assigns them.
    pub fn allocate(&mut self) -> (Ipv4Addr, Option<Ipv6Addr>) {
        let host = 4 + self.used;
        let size = 1u32 << (32 - self.cidr.prefix_len());
        assert!(
            host < size - 1,
            "subnet {} ({}) is full",
            self.id,
            self.cidr
        );
        self.used += 1;
        let v4 = Ipv4Addr::from(u32::from(self.cidr.network()) + host);
        let v6 = self.ipv6.filter(|_| self.assign_ipv6).map(|net| {
            Ipv6Addr::from(u128::from(net.network()) | 0x0a1b_0000_0000_0000 | host as u128)
        });
        (v4, v6)
    }
}

pub(super) struct VpcPlan {
    pub id: String,
    pub name: String,
    pub env: &'static str,
    pub cidr: Ipv4Net,
    pub ipv6: Option<Ipv6Net>,
    /// The VPC holding the Network Firewall.
    pub inspection: bool,
    pub subnets: Vec<SubnetPlan>,
    pub igw: String,
    pub eigw: Option<String>,
    /// One NAT gateway per AZ, in a public subnet of that AZ.
    pub nats: Vec<String>,
    /// Inspection VPC: one firewall endpoint (`vpce-`) per AZ.
    pub firewall_endpoints: Vec<String>,
    /// An S3 gateway endpoint on the private and data route tables.
    pub s3_endpoint: Option<String>,
    pub tgw_attachment: Option<String>,
}

impl VpcPlan {
    pub fn subnets_in(&self, tier: Tier) -> impl Iterator<Item = usize> + '_ {
        self.subnets
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.tier == tier)
            .map(|(i, _)| i)
    }

    /// The public subnet of an AZ (every AZ has one, created first).
    pub fn public_subnet(&self, az: usize) -> usize {
        az
    }
}

pub(super) struct Peering {
    pub id: String,
    pub requester: usize,
    pub accepter: usize,
    /// False for the few peerings whose accepter side never got the route back.
    pub return_route: bool,
}

/// A peering with a VPC of another account (organisation estates only): this
/// account's side of it.
pub(super) struct RemotePeering {
    pub id: String,
    /// The VPC of this account it joins.
    pub vpc: usize,
    /// The other VPC's block.
    pub peer_cidr: Ipv4Net,
    /// False where this side never got the route to the other.
    pub route: bool,
}

pub(super) struct Layout {
    pub azs: usize,
    pub vpcs: Vec<VpcPlan>,
    pub peerings: Vec<Peering>,
    /// Peerings with other accounts' VPCs.
    pub remote: Vec<RemotePeering>,
    pub tgw: String,
    pub tgw_route_table: String,
}

/// Where VPC blocks come from: VPC `i` of a layout is the `(first + i)`-th block of
/// `/vpc_prefix` counted from 10.0.0.0, and its subnets are consecutive blocks of
/// `/subnet_prefix` in it. Organisations give each account its own `first`, so no
/// two VPCs of one organisation overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Addressing {
    pub first: usize,
    pub vpc_prefix: u8,
    pub subnet_prefix: u8,
}

impl Addressing {
    /// One account: `10.i.0.0/16` VPCs with `/20` subnets.
    pub const ACCOUNT: Addressing = Addressing {
        first: 0,
        vpc_prefix: 16,
        subnet_prefix: 20,
    };

    /// VPC blocks of this size that fit in 10.0.0.0/8.
    pub fn capacity(self) -> usize {
        1 << (self.vpc_prefix - 8)
    }

    /// The organisation-wide index of VPC `i`.
    pub fn index(self, i: usize) -> usize {
        self.first + i
    }

    pub fn vpc(self, i: usize) -> Ipv4Net {
        let n = self.index(i);
        assert!(n < self.capacity(), "VPC block {n} is outside 10.0.0.0/8");
        let base = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + ((n as u32) << (32 - self.vpc_prefix));
        Ipv4Net::new(Ipv4Addr::from(base), self.vpc_prefix).expect("valid VPC block")
    }

    pub fn subnet(self, i: usize, j: usize) -> Ipv4Net {
        assert!(
            j < 1 << (self.subnet_prefix - self.vpc_prefix),
            "subnet {j} does not fit in a /{} VPC",
            self.vpc_prefix
        );
        let base = u32::from(self.vpc(i).network()) + ((j as u32) << (32 - self.subnet_prefix));
        Ipv4Net::new(Ipv4Addr::from(base), self.subnet_prefix).expect("valid subnet block")
    }
}

impl Layout {
    /// The peerings of VPC `v`, with the VPC on the other side.
    pub fn peers_of(&self, v: usize) -> impl Iterator<Item = (&Peering, usize)> + '_ {
        self.peerings.iter().filter_map(move |p| {
            if p.requester == v {
                Some((p, p.accepter))
            } else if p.accepter == v {
                Some((p, p.requester))
            } else {
                None
            }
        })
    }
}

pub(super) fn layout(spec: &Spec, rng: &mut Rng, ids: &mut Ids, addressing: Addressing) -> Layout {
    let per_vpc = spec.subnets_per_vpc;
    // Room for a public subnet per AZ plus, in the inspection VPC, a firewall subnet
    // per AZ and at least one more (`per_vpc >= 3`).
    let azs = ((per_vpc + 1) / 3).clamp(1, AZS.len());
    let vpcs = (0..spec.vpcs)
        .map(|i| vpc_plan(i, per_vpc, azs, ids, addressing))
        .collect::<Vec<_>>();
    let peerings = peerings(spec, rng, ids);
    Layout {
        azs,
        vpcs,
        peerings,
        remote: Vec::new(),
        tgw: ids.next("tgw"),
        tgw_route_table: ids.next("tgw-rtb"),
    }
}

fn vpc_plan(
    i: usize,
    per_vpc: usize,
    azs: usize,
    ids: &mut Ids,
    addressing: Addressing,
) -> VpcPlan {
    let inspection = i == 0;
    let env = if inspection {
        "shared"
    } else {
        ["prod", "staging", "dev"][i % 3]
    };
    let name = if inspection {
        "inspection".to_string()
    } else {
        format!("{env}-{i:03}")
    };
    let cidr = addressing.vpc(i);
    let ipv6 = (i % 3 == 1).then(|| {
        let bits = (0x2600_1f18u128 << 96) | ((0x4a00 + addressing.index(i) as u128) << 72);
        Ipv6Net::new(Ipv6Addr::from(bits), 56).expect("valid /56")
    });
    let id = ids.next("vpc");
    let mut tiers: Vec<(Tier, usize)> = (0..azs).map(|az| (Tier::Public, az)).collect();
    if inspection {
        tiers.extend((0..azs).map(|az| (Tier::Firewall, az)));
    }
    for r in 0..per_vpc - tiers.len() {
        let tier = if r % 2 == 0 {
            Tier::Private
        } else {
            Tier::Data
        };
        tiers.push((tier, (r / 2) % azs));
    }
    let subnets = tiers
        .into_iter()
        .enumerate()
        .map(|(j, (tier, az))| SubnetPlan {
            id: ids.next("subnet"),
            tier,
            az,
            cidr: addressing.subnet(i, j),
            ipv6: ipv6.map(|net| {
                let bits = u128::from(net.network()) | ((j as u128) << 64);
                Ipv6Net::new(Ipv6Addr::from(bits), 64).expect("valid /64")
            }),
            assign_ipv6: ipv6.is_some() && matches!(tier, Tier::Public | Tier::Private),
            used: 0,
        })
        .collect();
    VpcPlan {
        igw: ids.next("igw"),
        eigw: ipv6.map(|_| ids.next("eigw")),
        nats: (0..azs).map(|_| ids.next("nat")).collect(),
        firewall_endpoints: if inspection {
            (0..azs).map(|_| ids.next("vpce")).collect()
        } else {
            Vec::new()
        },
        s3_endpoint: (i % 2 == 1).then(|| ids.next("vpce")),
        // Every fifth VPC is left off the transit gateway.
        tgw_attachment: (i % 5 != 4).then(|| ids.next("tgw-attach")),
        id,
        name,
        env,
        cidr,
        ipv6,
        inspection,
        subnets,
    }
}

/// `spec.peerings` distinct VPC pairs; every fourth lacks the accepter's return route.
fn peerings(spec: &Spec, rng: &mut Rng, ids: &mut Ids) -> Vec<Peering> {
    let max_pairs = spec.vpcs * (spec.vpcs - 1) / 2;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    while out.len() < spec.peerings.min(max_pairs) {
        let (a, b) = (rng.below(spec.vpcs), rng.below(spec.vpcs));
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        out.push(Peering {
            id: ids.next("pcx"),
            requester: a,
            accepter: b,
            return_route: out.len() % 4 != 3,
        });
    }
    out
}
