//! `vpc-endpoint-required-missing`: a VPC whose private subnets have no way to the
//! internet lacks an endpoint for a service its workloads need. By default the
//! requirement is the private EKS cluster set, for VPCs whose instances carry EKS
//! cluster tags; other VPCs require nothing. `[endpoints]` in the config turns the
//! EKS set off (`eks = false`), requires services of every VPC with private
//! workloads (`required`), or of those whose private workloads match selectors
//! (`[[endpoints.scoped]]`). A VPC whose DNS Firewall allowlists then blocks every
//! other name is the zero-egress reference design: judged the same, and the evidence
//! says so.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::inventory::{Instance, NetworkInterface, Operation, RegionInventory, Vpc};

use super::context::{Context, Draft, Scoped};
use super::shared::dns;
use super::shared::internet_route::{leaves, Paths};
use super::{resources, Check};

pub struct VpcEndpointRequiredMissing;

/// What a private EKS cluster needs to pull images, join nodes and ship logs.
pub const EKS_PRIVATE_CLUSTER: &[&str] = &[
    "ecr.api",
    "ecr.dkr",
    "s3",
    "sts",
    "logs",
    "ec2",
    "elasticloadbalancing",
    "ssm",
    "ssmmessages",
];

fn is_eks_node(i: &Instance) -> bool {
    i.tags
        .keys()
        .any(|k| k.starts_with("kubernetes.io/cluster/") || k == "eks:cluster-name")
}

/// What one VPC needs, and whether the check applies to it.
enum Need<'a> {
    /// Why nothing is required of it.
    Nothing(String),
    Required {
        /// Its workloads with no internet path.
        private: Vec<&'a NetworkInterface>,
        runs_eks: bool,
        required: Vec<Required>,
        /// The short service names of its endpoints.
        present: BTreeSet<String>,
    },
}

/// A region's VPCs and what each needs, in inventory order; `Err`: the unknown
/// drafts when its endpoints could not be read.
fn needs<'a>(
    ctx: &Context<'_, 'a>,
    paths: &mut Paths<'_, '_, 'a>,
    account: &str,
    ri: &'a RegionInventory,
) -> Result<Vec<(&'a Vpc, Need<'a>)>, Vec<Draft>> {
    let config = &ctx.config.endpoints;
    // Endpoints that could not be read are not missing ones.
    if let Some(u) = ctx.unknown_if_missing(
        account,
        ri,
        &[Operation::DescribeVpcEndpoints],
        "VPC endpoints",
    ) {
        return Err(u);
    }
    // Only EKS VPCs can need anything unless the config requires more.
    let every_vpc = !config.required.is_empty() || !config.scoped.is_empty();
    let eks = if config.eks {
        eks_vpcs(ri)
    } else {
        HashSet::new()
    };
    // Workload ENIs by VPC, in inventory order, gathered once.
    let mut workloads: HashMap<&str, Vec<&NetworkInterface>> = HashMap::new();
    for e in &ri.network_interfaces {
        if (every_vpc || eks.contains(e.vpc_id.as_str())) && !ctx.is_infrastructure(e) {
            workloads.entry(e.vpc_id.as_str()).or_default().push(e);
        }
    }
    let mut out = Vec::new();
    for vpc in &ri.vpcs {
        let mine = workloads.get(vpc.id.as_str());
        let runs_eks = eks.contains(vpc.id.as_str());
        if mine.is_none() {
            let why = match (every_vpc, runs_eks, config.eks) {
                (true, _, _) | (false, true, _) => format!("{} holds no workloads", vpc.id),
                (false, false, true) => format!(
                    "{} runs no EKS nodes and [endpoints] requires no other endpoint",
                    vpc.id
                ),
                (false, false, false) => {
                    "[endpoints] turns the EKS set off and requires no other endpoint".to_string()
                }
            };
            out.push((vpc, Need::Nothing(why)));
            continue;
        }
        // Only where private workloads cannot reach the public service
        // endpoints some other way.
        let private: Vec<&NetworkInterface> = mine
            .into_iter()
            .flatten()
            .copied()
            .filter(|e| !leaves(paths.from(&e.id)))
            .collect();
        if private.is_empty() {
            let why = format!(
                "every workload of {} has a path to the internet, where the services are",
                vpc.id
            );
            out.push((vpc, Need::Nothing(why)));
            continue;
        }
        let required = required_for(ctx, account, &ri.region, runs_eks, &private);
        if required.is_empty() {
            let why = format!(
                "no requirement of [endpoints] matches the private workloads of {}",
                vpc.id
            );
            out.push((vpc, Need::Nothing(why)));
            continue;
        }
        let present: BTreeSet<String> = ri
            .vpc_endpoints
            .iter()
            .filter(|v| v.vpc_id == vpc.id)
            .map(|v| resources::short_service(&ri.region, &v.service_name).to_string())
            .collect();
        out.push((
            vpc,
            Need::Required {
                private,
                runs_eks,
                required,
                present,
            },
        ));
    }
    Ok(out)
}

impl Check for VpcEndpointRequiredMissing {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        let mut paths = Paths::new(ctx);
        for (account, ri) in ctx.regions() {
            let needs = match needs(ctx, &mut paths, account, ri) {
                Ok(n) => n,
                Err(unknown) => {
                    out.extend(unknown);
                    continue;
                }
            };
            for (vpc, need) in needs {
                let Need::Required {
                    private,
                    runs_eks,
                    required,
                    present,
                } = need
                else {
                    continue;
                };
                let missing: Vec<&Required> = required
                    .iter()
                    .filter(|r| !present.contains(&r.service))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let names: Vec<&str> = missing.iter().map(|r| r.service.as_str()).collect();
                let subnets: BTreeSet<&str> =
                    private.iter().map(|e| e.subnet_id.as_str()).collect();
                let what = if runs_eks {
                    "runs EKS nodes"
                } else {
                    "runs workloads"
                };
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags)),
                    format!(
                        "{} {what} in subnets with no internet path but has no endpoint for {}",
                        vpc.id,
                        names.join(", ")
                    ),
                )
                .related(
                    subnets
                        .iter()
                        .map(|s| resources::subnet(account, &ri.region, s, None))
                        .collect::<Vec<_>>(),
                )
                .identity(names.join(","))
                .evidence(
                    vpc.id.clone(),
                    format!(
                        "endpoints present: {}",
                        present.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                );
                // The zero-egress reference design: no internet route and DNS allowlisted.
                // The finding stays as it is (the endpoints are missing all the same);
                // the evidence says the design is right and what adding them takes.
                if let Some(groups) = dns::allowlisting(ri, &vpc.id) {
                    d = d.evidence(
                        "DNS Firewall",
                        format!(
                            "{groups} allowlists names then blocks every other one, as a \
                             zero-egress VPC should: allowlist the private DNS names of the \
                             endpoints added"
                        ),
                    );
                }
                // Why each configured service is required (the EKS set says so in
                // the message).
                for r in missing.iter().filter(|r| !r.why.is_empty()) {
                    d = d.evidence(
                        "vpcaudit.toml [endpoints]",
                        format!("{}: {}", r.service, r.why),
                    );
                }
                out.push(d);
            }
        }
        out
    }

    /// Every VPC: it passes when it has an endpoint for every service its private
    /// workloads need, and is not applicable when they need none. A region whose
    /// endpoints could not be read is in the scope as the run reports it unknown.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        let mut paths = Paths::new(ctx);
        for (account, ri) in ctx.regions() {
            let needs = match needs(ctx, &mut paths, account, ri) {
                Ok(n) => n,
                Err(unknown) => {
                    // Each is a finding, whose message is its reason.
                    out.extend(
                        unknown
                            .into_iter()
                            .map(|d| Scoped::pass(&d.account, &d.region, d.resource, d.message)),
                    );
                    continue;
                }
            };
            for (vpc, need) in needs {
                let resource = resources::vpc(account, &ri.region, &vpc.id, Some(&vpc.tags));
                out.push(match need {
                    Need::Nothing(why) => {
                        Scoped::not_applicable(account, &ri.region, resource, why)
                    }
                    Need::Required { required, .. } => {
                        let names: Vec<&str> =
                            required.iter().map(|r| r.service.as_str()).collect();
                        Scoped::pass(
                            account,
                            &ri.region,
                            resource,
                            format!(
                                "{} has an endpoint for every service its private workloads need: {}",
                                vpc.id,
                                names.join(", ")
                            ),
                        )
                    }
                });
            }
        }
        Some(out)
    }
}

/// The VPCs of the region's EKS nodes.
fn eks_vpcs(ri: &RegionInventory) -> HashSet<&str> {
    ri.instances
        .iter()
        .filter(|i| is_eks_node(i))
        .filter_map(|i| i.vpc_id.as_deref())
        .collect()
}

/// A service a VPC needs an endpoint for, and why (empty for the EKS set).
struct Required {
    service: String,
    why: String,
}

/// The services a VPC whose `private` workloads (no internet path) are those given
/// requires, each once, in the order the requirements name them: the EKS set when
/// it runs EKS nodes, then `[endpoints] required`, then every `[[endpoints.scoped]]`
/// entry one of its private workloads matches.
fn required_for(
    ctx: &Context,
    account: &str,
    region: &str,
    runs_eks: bool,
    private: &[&NetworkInterface],
) -> Vec<Required> {
    let config = &ctx.config.endpoints;
    let mut out: Vec<Required> = Vec::new();
    let mut add = |service: &str, why: String| {
        let service = resources::short_service(region, service).to_string();
        if !out.iter().any(|r| r.service == service) {
            out.push(Required { service, why });
        }
    };
    if runs_eks {
        for s in EKS_PRIVATE_CLUSTER {
            add(s, String::new());
        }
    }
    for s in &config.required {
        add(
            s.as_str(),
            "required of every VPC with private workloads".into(),
        );
    }
    for (i, scoped) in config.scoped.iter().enumerate() {
        let matched = private.iter().find(|e| {
            let tags = ctx.index.instance_tags(e);
            scoped
                .workloads
                .iter()
                .any(|sel| sel.matches(account, region, e, tags))
        });
        if let Some(e) = matched {
            for s in &scoped.services {
                add(
                    s.as_str(),
                    format!("required by scoped[{i}], whose workloads include {}", e.id),
                );
            }
        }
    }
    out
}
