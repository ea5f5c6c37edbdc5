//! Applications: what runs in each VPC, which groups its ENIs carry and which
//! subnets it is spread over. ENIs of one application share their groups (one
//! launch template, one RDS subnet group...), so ENI classes stay far fewer than
//! ENIs, as in real accounts.

use super::plan::{Tier, VpcPlan};
use super::state::Builder;
use super::Spec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// SSH jump host in a public subnet, with an Elastic IP.
    Bastion,
    /// Internet-facing HTTPS in public subnets.
    Web,
    /// Internal services in private subnets, called by the web tier.
    Api,
    /// Batch / EKS nodes in private subnets, several private IPs each.
    Worker,
    /// RDS databases in data subnets (requester-managed ENIs).
    Db,
    /// ElastiCache clusters in data subnets (requester-managed ENIs).
    Cache,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bastion => "bastion",
            Kind::Web => "web",
            Kind::Api => "api",
            Kind::Worker => "worker",
            Kind::Db => "db",
            Kind::Cache => "cache",
        }
    }

    fn tier(self) -> Tier {
        match self {
            Kind::Bastion | Kind::Web => Tier::Public,
            Kind::Api | Kind::Worker => Tier::Private,
            Kind::Db | Kind::Cache => Tier::Data,
        }
    }

    /// Relative share of the ENIs, before each application's own size factor.
    fn base_weight(self) -> f64 {
        match self {
            Kind::Bastion => 0.3,
            Kind::Web => 0.7,
            Kind::Api => 1.5,
            Kind::Worker => 1.5,
            Kind::Db => 0.4,
            Kind::Cache => 0.3,
        }
    }
}

/// The groups every VPC has besides its applications' own.
pub(super) struct Shared {
    /// The VPC's default group: all traffic from itself.
    pub default: String,
    /// On the bastion: SSH from the corporate prefix list (in some VPCs, the world).
    pub bastion: String,
    /// SSH from the bastion group.
    pub ssh: String,
    /// Node exporter scrapes and pings from the monitoring VPC.
    pub monitoring: String,
    /// HTTPS from anywhere internal and from the office.
    pub https: String,
    /// RDP for Windows admins (open to the world in some VPCs).
    pub windows: String,
}

impl Shared {
    pub const COUNT: usize = 6;
}

pub(super) struct App {
    pub vpc: usize,
    pub kind: Kind,
    pub name: String,
    /// The application's own group (the bastion's is the VPC's shared one).
    pub group: String,
    /// Every group on its ENIs, its own first: one to three.
    pub groups: Vec<String>,
    pub subnets: Vec<usize>,
    pub weight: f64,
    /// The port it serves.
    pub port: u16,
}

pub(super) struct Apps {
    pub shared: Vec<Shared>,
    pub apps: Vec<App>,
}

impl Apps {
    /// Applications of one kind in one VPC.
    pub fn of(&self, vpc: usize, kind: Kind) -> impl Iterator<Item = &App> + '_ {
        self.apps
            .iter()
            .filter(move |a| a.vpc == vpc && a.kind == kind)
    }
}

/// Group budget of VPC `v`: `security_groups` spread evenly.
fn groups_in(spec: &Spec, v: usize) -> usize {
    spec.security_groups / spec.vpcs + usize::from(v < spec.security_groups % spec.vpcs)
}

pub(super) fn plan(b: &mut Builder, spec: &Spec) -> Apps {
    let mut shared = Vec::new();
    let mut apps = Vec::new();
    for v in 0..b.layout.vpcs.len() {
        let s = Shared {
            default: b.ids.next("sg"),
            bastion: b.ids.next("sg"),
            ssh: b.ids.next("sg"),
            monitoring: b.ids.next("sg"),
            https: b.ids.next("sg"),
            windows: b.ids.next("sg"),
        };
        let count = groups_in(spec, v).saturating_sub(Shared::COUNT).max(3);
        apps.push(app(b, v, Kind::Bastion, 0, s.bastion.clone(), &s));
        for k in 0..count {
            let kind = match (k, b.rng.below(100)) {
                (0, _) => Kind::Web,
                (1, _) => Kind::Api,
                (2, _) => Kind::Db,
                (_, r) if r < 15 => Kind::Web,
                (_, r) if r < 50 => Kind::Api,
                (_, r) if r < 70 => Kind::Worker,
                (_, r) if r < 90 => Kind::Db,
                _ => Kind::Cache,
            };
            let group = b.ids.next("sg");
            apps.push(app(b, v, kind, k, group, &s));
        }
        shared.push(s);
    }
    Apps { shared, apps }
}

fn app(b: &mut Builder, v: usize, kind: Kind, k: usize, group: String, s: &Shared) -> App {
    let rng = &mut b.rng;
    let mut groups = vec![group.clone()];
    match kind {
        Kind::Bastion | Kind::Cache => {}
        Kind::Web => {
            if rng.percent(30) {
                groups.push(s.monitoring.clone());
            }
        }
        Kind::Api => {
            if rng.percent(10) {
                groups.push(s.windows.clone());
            } else if rng.percent(55) {
                groups.push(s.ssh.clone());
            }
            if rng.percent(40) {
                groups.push(s.monitoring.clone());
            }
        }
        Kind::Worker => {
            if rng.percent(60) {
                groups.push(s.ssh.clone());
            }
            if rng.percent(30) {
                groups.push(s.https.clone());
            }
        }
        Kind::Db => {
            if rng.percent(20) {
                groups.push(s.monitoring.clone());
            }
        }
    }
    if kind != Kind::Bastion && rng.percent(5) {
        groups.push(s.default.clone());
    }
    groups.truncate(3);
    let plan = &b.layout.vpcs[v];
    let subnets = spread(plan, kind, rng);
    let weight = if kind == Kind::Bastion {
        kind.base_weight()
    } else {
        // Heavy-tailed sizes: most applications are small, a few are large.
        kind.base_weight() / (0.05 + rng.unit())
    };
    let port = match kind {
        Kind::Bastion => 22,
        Kind::Web => 443,
        Kind::Api => 8080,
        Kind::Worker => 8000,
        Kind::Db if rng.percent(70) => 5432,
        Kind::Db => 3306,
        Kind::Cache => 6379,
    };
    App {
        vpc: v,
        kind,
        name: format!("{}-{}-{k:02}", plan.name, kind.name()),
        group,
        groups,
        subnets,
        weight,
        port,
    }
}

/// One to three subnets of the kind's tier (falling back to private, then public,
/// when the VPC has none), in consecutive AZs.
fn spread(plan: &VpcPlan, kind: Kind, rng: &mut super::rng::Rng) -> Vec<usize> {
    let tiers = [kind.tier(), Tier::Private, Tier::Public];
    let candidates: Vec<usize> = tiers
        .iter()
        .map(|&t| plan.subnets_in(t).collect::<Vec<_>>())
        .find(|c| !c.is_empty())
        .expect("every VPC has public subnets");
    let n = candidates.len();
    let span = if kind == Kind::Bastion {
        1
    } else {
        1 + rng.below(n.min(3))
    };
    let start = rng.below(n);
    (0..span).map(|i| candidates[(start + i) % n]).collect()
}
