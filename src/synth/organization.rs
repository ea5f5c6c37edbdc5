//! An AWS Organization's estate in one region: many accounts, each shaped like
//! [`generate`](super::generate)'s one account, joined as a network team joins them.
//!
//! - Account 0 is the network account: it owns the transit gateway, shared with every
//!   other account (through AWS RAM). Each account's VPCs attach to it (every fifth
//!   VPC excepted) and route 10.0.0.0/8 to it. AWS reports an attachment both to the
//!   VPC's account and to the gateway's owner, and the route table only to the owner:
//!   so every account lists its own attachments (`transit_gateway_owner_id` the
//!   network account, `resource_owner_id` itself, and the associated route table id,
//!   which the engine's ENI-to-ENI walk reads from the source account's copy), and
//!   the network account lists them all and holds the one route table, with a
//!   propagated route per attached VPC, the default route to its inspection VPC and
//!   one blackhole.
//! - VPC peering connections join VPCs of different accounts, each listed in both
//!   accounts (AWS describes a peering to either side) with both sides' owner ids;
//!   both sides route the other's block over it (the `/19` beats the TGW's 10/8),
//!   except every fifth, whose accepter never got the route back. A database group on
//!   each side admits an application group of the other side by a cross-account
//!   reference over the peering.
//! - VPC blocks are distinct across the whole organisation, all in 10.0.0.0/8, as
//!   large as their count allows (`/16`s up to 256 VPCs, `/19`s for 2,048), with up
//!   to eight subnets of an eighth each (`/22`s in a `/19`): no two VPCs that are
//!   peered or attached to the transit gateway overlap, as AWS requires.
//! - Every id comes from one counter and public addresses from one pool, so no two
//!   resources of the organisation share either.
//!
//! Same [`OrgSpec`], same inventory.

use std::collections::BTreeSet;

use crate::inventory::{
    AccountInventory, Direction, Inventory, L4Match, PortRange, Protocol, RulePeer,
    SecurityGroupRule, VpcPeeringConnection,
};

use super::apps::{Apps, Kind};
use super::plan::{Addressing, RemotePeering};
use super::rng::{mix, Ids, Rng};
use super::state::{named, Builder};
use super::{build_account, sort_by_id, Setup, Spec, COLLECTED_AT};

/// The smallest VPC block an organisation uses: 2,048 `/19`s fill 10.0.0.0/8.
const SMALLEST_VPC: u8 = 19;

/// Keeps the organisation's random draws apart from its accounts'.
const ORG_SALT: u64 = 0x6f72_6700;

/// Subnets per VPC at most: eight fill a VPC block, each an eighth of it.
const MAX_SUBNETS: usize = 8;

/// VPC blocks as large as the organisation's VPC count allows (`/16` at most, as in
/// one account; `/19` for 2,048), each with eight subnet blocks: applications are
/// uneven, so one subnet may hold a good part of a VPC's ENIs.
pub(super) fn addressing_for(vpcs: usize) -> Addressing {
    let bits = vpcs.next_power_of_two().trailing_zeros() as u8;
    let vpc_prefix = (8 + bits).max(16);
    assert!(
        vpc_prefix <= SMALLEST_VPC,
        "{vpcs} VPCs do not fit in 10.0.0.0/8 as /{SMALLEST_VPC}s"
    );
    Addressing {
        first: 0,
        vpc_prefix,
        subnet_prefix: vpc_prefix + 3,
    }
}

/// What organisation to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSpec {
    /// Accounts in all, the network account (the first) included: 2 or more.
    pub accounts: usize,
    /// ENIs in total, spread evenly over the accounts, each sized by
    /// [`Spec::with_enis`] (at most eight subnets per VPC).
    pub enis: usize,
    /// VPC peering connections between VPCs of different accounts.
    pub peerings: usize,
    /// Load balancers in total (ten targets each), spread evenly; none by default.
    pub load_balancers: usize,
    pub seed: u64,
}

impl OrgSpec {
    /// `enis` ENIs over `accounts` accounts, with two cross-account peerings per
    /// account. 1M ENIs over 100 accounts: 10,000 ENIs, 20 VPCs, 160 subnets and
    /// 1,000 groups per account; 2,000 VPCs and 200 peerings in all.
    pub fn with_enis(enis: usize, accounts: usize) -> OrgSpec {
        OrgSpec {
            accounts,
            enis,
            peerings: 2 * accounts,
            load_balancers: 0,
            seed: 1,
        }
    }

    /// The same organisation with another seed.
    pub fn seeded(self, seed: u64) -> OrgSpec {
        OrgSpec { seed, ..self }
    }

    /// The same organisation with `count` load balancers in all.
    pub fn with_load_balancers(self, count: usize) -> OrgSpec {
        OrgSpec {
            load_balancers: count,
            ..self
        }
    }

    /// The estate of account `i` (0 is the network account).
    pub fn account_spec(&self, i: usize) -> Spec {
        let share = |total: usize| total / self.accounts + usize::from(i < total % self.accounts);
        let spec = Spec::with_enis(share(self.enis))
            .seeded(mix(self.seed ^ ((i as u64 + 1) << 32)))
            .with_load_balancers(share(self.load_balancers), 10);
        Spec {
            subnets_per_vpc: spec.subnets_per_vpc.min(MAX_SUBNETS),
            ..spec
        }
    }
}

/// The accounts' 12-digit ids, distinct, the network account's first.
pub fn account_ids(spec: &OrgSpec) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut ids = Vec::with_capacity(spec.accounts);
    let mut k = 0u64;
    while ids.len() < spec.accounts {
        k += 1;
        let n = 100_000_000_000 + mix(spec.seed ^ (k << 40)) % 900_000_000_000;
        if seen.insert(n) {
            ids.push(format!("{n:012}"));
        }
    }
    ids
}

/// One cross-account peering: (account, VPC) of the requester and of the accepter.
struct Link {
    id: String,
    requester: (usize, usize),
    accepter: (usize, usize),
    /// False when the accepter never got the route back.
    return_route: bool,
}

/// A synthetic organisation as [`OrgSpec`] describes it; see the module
/// documentation.
///
/// # Panics
///
/// When there are fewer than two accounts, or more VPCs than `/19`s in
/// 10.0.0.0/8 (2,048: about 1M ENIs over any number of accounts), or a subnet runs
/// out of addresses.
pub fn generate_organization(spec: &OrgSpec) -> Inventory {
    assert!(spec.accounts >= 2, "an organisation needs two accounts");
    let accounts = account_ids(spec);
    let specs: Vec<Spec> = (0..spec.accounts).map(|i| spec.account_spec(i)).collect();
    // Account i's VPCs are the org-wide blocks first[i]..first[i + 1].
    let mut first = vec![0];
    for s in &specs {
        first.push(first[first.len() - 1] + s.vpcs);
    }
    let org_addressing = addressing_for(first[specs.len()]);
    let addressing = |a: usize| Addressing {
        first: first[a],
        ..org_addressing
    };

    let mut rng = Rng::new(mix(spec.seed ^ ORG_SALT));
    let mut ids = Ids::new(spec.seed ^ ORG_SALT);
    let tgw = (accounts[0].clone(), ids.next("tgw"), ids.next("tgw-rtb"));
    let links = links(spec, &specs, &mut rng, &mut ids);

    let mut public_ips = 0;
    let mut built: Vec<(Builder, Apps)> = Vec::with_capacity(spec.accounts);
    for (a, account_spec) in specs.iter().enumerate() {
        let remote = remote_sides(&links, a, &addressing);
        let (mut b, apps) = build_account(
            account_spec,
            Rng::new(account_spec.seed),
            ids,
            Setup {
                account: accounts[a].clone(),
                addressing: addressing(a),
                public_ips,
                tgw: Some(tgw.clone()),
                remote,
            },
        );
        public_ips = b.public_ips;
        // The next account's ids continue this one's.
        ids = std::mem::replace(&mut b.ids, Ids::new(0));
        built.push((b, apps));
    }
    share_transit_gateway(&mut built);
    peer_accounts(&mut built, &links, &mut rng, &mut ids);

    let mut inv = Inventory::new(COLLECTED_AT);
    for (b, _) in built {
        let mut ri = b.ri;
        sort_by_id(&mut ri);
        inv.accounts.push(AccountInventory {
            account_id: b.account,
            regions: vec![ri],
        });
    }
    inv
}

/// `spec.peerings` distinct pairs of VPCs of different accounts (the inspection VPCs
/// left out); every fifth lacks the accepter's return route.
fn links(spec: &OrgSpec, specs: &[Spec], rng: &mut Rng, ids: &mut Ids) -> Vec<Link> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(spec.peerings);
    let pick = |rng: &mut Rng| {
        let a = rng.below(specs.len());
        (a, 1 + rng.below(specs[a].vpcs - 1))
    };
    let max_pairs = {
        let n: usize = specs.iter().map(|s| s.vpcs - 1).sum();
        let same: usize = specs.iter().map(|s| (s.vpcs - 1) * (s.vpcs - 2) / 2).sum();
        n * (n - 1) / 2 - same
    };
    while out.len() < spec.peerings.min(max_pairs) {
        let (r, a) = (pick(rng), pick(rng));
        if r.0 == a.0 || !seen.insert((r.min(a), r.max(a))) {
            continue;
        }
        out.push(Link {
            id: ids.next("pcx"),
            requester: r,
            accepter: a,
            return_route: out.len() % 5 != 4,
        });
    }
    out
}

/// Account `a`'s sides of the cross-account peerings.
fn remote_sides(
    links: &[Link],
    a: usize,
    addressing: &dyn Fn(usize) -> Addressing,
) -> Vec<RemotePeering> {
    let mut out = Vec::new();
    for l in links {
        for (here, there, route) in [
            (l.requester, l.accepter, true),
            (l.accepter, l.requester, l.return_route),
        ] {
            if here.0 == a {
                out.push(RemotePeering {
                    id: l.id.clone(),
                    vpc: here.1,
                    peer_cidr: addressing(there.0).vpc(there.1),
                    route,
                });
            }
        }
    }
    out
}

/// The network account (the first) sees every attachment to its gateway, and its
/// route table holds every account's entries.
fn share_transit_gateway(built: &mut [(Builder, Apps)]) {
    let (hub, members) = built.split_first_mut().expect("two accounts at least");
    let hub = &mut hub.0;
    let table_id = hub.layout.tgw_route_table.clone();
    for (b, _) in members.iter_mut() {
        // The owner's copies name the route table each attachment is associated with.
        hub.ri
            .transit_gateway_attachments
            .extend(b.ri.transit_gateway_attachments.iter().map(|a| {
                let mut copy = a.clone();
                copy.association_route_table_id = Some(table_id.clone());
                copy
            }));
        let Some(parts) = b.tgw_parts.take() else {
            continue;
        };
        let table = hub
            .ri
            .transit_gateway_route_tables
            .iter_mut()
            .find(|t| t.id == hub.layout.tgw_route_table)
            .expect("the network account owns the route table");
        table.routes.extend(parts.routes);
        table.associations.extend(parts.associations);
        table.propagations.extend(parts.propagations);
    }
}

/// The peering connections, in both accounts, and a cross-account group reference
/// over each: a database of each side admits an application of the other.
fn peer_accounts(built: &mut [(Builder, Apps)], links: &[Link], rng: &mut Rng, ids: &mut Ids) {
    for l in links {
        let side = |(a, v): (usize, usize)| {
            let (b, _) = &built[a];
            super::transit::peering_side(&b.account, &b.layout.vpcs[v])
        };
        let name = format!(
            "{}:{}-to-{}:{}",
            built[l.requester.0].0.account,
            built[l.requester.0].0.layout.vpcs[l.requester.1].name,
            built[l.accepter.0].0.account,
            built[l.accepter.0].0.layout.vpcs[l.accepter.1].name,
        );
        let pcx = VpcPeeringConnection {
            id: l.id.clone(),
            status: Some("active".into()),
            requester: side(l.requester),
            accepter: side(l.accepter),
            tags: named(&name),
        };
        built[l.requester.0]
            .0
            .ri
            .vpc_peering_connections
            .push(pcx.clone());
        built[l.accepter.0].0.ri.vpc_peering_connections.push(pcx);
        for (db_side, app_side) in [(l.accepter, l.requester), (l.requester, l.accepter)] {
            reference_over(built, l, db_side, app_side, rng, ids);
        }
    }
}

/// A rule on a database group of `db_side` admitting an API group of `app_side` on
/// the database's port, referenced as `account/sg-id` over the peering.
fn reference_over(
    built: &mut [(Builder, Apps)],
    l: &Link,
    db_side: (usize, usize),
    app_side: (usize, usize),
    rng: &mut Rng,
    ids: &mut Ids,
) {
    let (b, apps) = &built[app_side.0];
    let api: Vec<&str> = apps
        .of(app_side.1, Kind::Api)
        .map(|a| a.group.as_str())
        .collect();
    if api.is_empty() {
        return;
    }
    let peer = RulePeer::Group {
        group_id: rng.pick(&api).to_string(),
        account_id: Some(b.account.clone()),
        vpc_id: Some(b.layout.vpcs[app_side.1].id.clone()),
        vpc_peering_connection_id: Some(l.id.clone()),
    };
    let (b, apps) = &mut built[db_side.0];
    let Some(db) = apps.of(db_side.1, Kind::Db).next() else {
        return;
    };
    let (group, port) = (db.group.clone(), db.port);
    let Some(g) = b.ri.security_groups.iter_mut().find(|g| g.id == group) else {
        return;
    };
    g.rules.push(SecurityGroupRule {
        id: Some(ids.next("sgr")),
        direction: Direction::Ingress,
        protocol: Protocol::Tcp,
        l4: L4Match::Ports(PortRange {
            from: port,
            to: port,
        }),
        peer,
        description: Some("from the peered account's app".into()),
    });
}
