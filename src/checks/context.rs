//! What checks read: the inventory, the engine's model, and results shared between
//! checks (computed on first use).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::config::Config;
use crate::inventory::{
    Inventory, L4Match, NetworkInterface, Operation, PortRange, Protocol, RegionInventory,
};
use crate::reach::sets::{FlowSet, IpSet, ServiceSet};

use super::classify::{data_store, Index, StoreKind};
use crate::finding::{AttackPath, BlastRadius, Evidence, Resource, Severity, Status};
use crate::reach::exposure::{Exposure, ExposureCache};
use crate::reach::path::DEFAULT_EPHEMERAL;
use crate::reach::verdict::Step;
use crate::reach::Model;

pub struct Context<'m, 'a> {
    pub inventory: &'a Inventory,
    pub model: &'m Model<'a>,
    pub config: Config,
    /// What each ENI is (plumbing, host, instance tags), indexed once.
    pub index: Index<'a>,
    /// Checks run on several threads: the caches are shared behind locks.
    exposure: Mutex<ExposureCache<'m, 'a>>,
    /// [`Context::exposure`]'s answers with the trusted sources taken out, by the
    /// engine's answer (its address: shared per class, kept alive by the cache).
    untrusted: Mutex<HashMap<usize, Arc<ExposureResult>>>,
    data_ports: ServiceSet,
    data_port_ranges: Vec<(u16, u16)>,
    trusted: IpSet,
    ephemeral: PortRange,
    lateral: OnceLock<Arc<super::shared::lateral::Analysis>>,
    load_balancers: OnceLock<super::shared::load_balancer::LbExposures<'a>>,
    clusters: OnceLock<Vec<super::shared::kubernetes::ClusterView<'a>>>,
}

impl<'m, 'a> Context<'m, 'a> {
    /// `model` must be built from `inventory`.
    pub fn new(inventory: &'a Inventory, model: &'m Model<'a>) -> Context<'m, 'a> {
        Context::with_config(inventory, model, Config::default())
    }

    /// A context whose checks read `config`.
    pub fn with_config(
        inventory: &'a Inventory,
        model: &'m Model<'a>,
        config: Config,
    ) -> Context<'m, 'a> {
        // The config is plain data: its defaults and meaning are decided here.
        let data_port_ranges: Vec<(u16, u16)> = match &config.lateral.data_ports {
            Some(specs) => specs.iter().map(|p| (p.from, p.to)).collect(),
            None => super::shared::ports::DATA_PORTS.to_vec(),
        };
        let data_ports = data_port_ranges
            .iter()
            .fold(ServiceSet::empty(), |acc, &(from, to)| {
                acc.union(&ServiceSet::from_rule(
                    Protocol::Tcp,
                    L4Match::Ports(PortRange { from, to }),
                ))
            });
        let trusted = trusted_set(&config);
        let ephemeral = config
            .network
            .ephemeral_ports
            .map_or(DEFAULT_EPHEMERAL, |p| PortRange {
                from: p.from,
                to: p.to,
            });
        Context {
            inventory,
            model,
            config,
            index: Index::build(inventory),
            exposure: Mutex::new(ExposureCache::with_ephemeral(model, inventory, ephemeral)),
            untrusted: Mutex::new(HashMap::new()),
            data_ports,
            data_port_ranges,
            trusted,
            ephemeral,
            lateral: OnceLock::new(),
            load_balancers: OnceLock::new(),
            clusters: OnceLock::new(),
        }
    }

    /// The TCP ports that make an ENI a data store (`[lateral] data_ports`).
    pub fn data_ports(&self) -> &ServiceSet {
        &self.data_ports
    }

    /// [`Context::data_ports`] as inclusive ranges, in the config's order.
    pub fn data_port_ranges(&self) -> &[(u16, u16)] {
        &self.data_port_ranges
    }

    /// The client port range replies go to (`[network] ephemeral_ports`, by default
    /// the engine's [`DEFAULT_EPHEMERAL`](crate::reach::path::DEFAULT_EPHEMERAL)).
    pub fn ephemeral(&self) -> PortRange {
        self.ephemeral
    }

    /// Addresses the organisation controls (`[network] trusted_cidrs`): not the
    /// internet.
    pub fn trusted(&self) -> &IpSet {
        &self.trusted
    }

    /// Whether `eni` is AWS plumbing rather than a workload.
    pub fn is_infrastructure(&self, eni: &NetworkInterface) -> bool {
        self.index.is_infrastructure(eni)
    }

    /// Why `eni` (in `account`/`region`) is a data store, if it is: tags, configured
    /// crown-jewel selectors, managed-service interfaces, data ports opened.
    pub fn data_store(
        &self,
        account: &str,
        region: &str,
        eni: &NetworkInterface,
    ) -> Option<(StoreKind, String)> {
        let tags = self.index.instance_tags(eni);
        let marked = self
            .config
            .lateral
            .crown_jewels
            .iter()
            .any(|s| s.matches(account, region, eni, tags));
        let tag = super::classify::CROWN_JEWEL_TAG;
        if !eni.tags.contains_key(tag) && tags.is_some_and(|t| t.contains_key(tag)) {
            return Some((
                StoreKind::Marked,
                format!(
                    "instance {} tagged {tag}",
                    eni.instance_id.as_deref().unwrap_or_default()
                ),
            ));
        }
        data_store(
            self.model.region(account, region),
            eni,
            &self.data_ports,
            marked,
        )
    }

    /// Footholds, crown jewels and the paths between them (computed on first use).
    pub fn lateral(&self) -> Arc<super::shared::lateral::Analysis> {
        Arc::clone(
            self.lateral
                .get_or_init(|| Arc::new(super::shared::lateral::Analysis::run(self))),
        )
    }

    /// Every path from the internet through a load balancer (computed on first use).
    pub fn load_balancers(&self) -> &super::shared::load_balancer::LbExposures<'a> {
        self.load_balancers.get_or_init(|| {
            super::shared::load_balancer::LbExposures::build(
                self.model,
                self.inventory,
                self.ephemeral,
            )
        })
    }

    /// Every Kubernetes cluster, indexed once per scan (computed on first use).
    pub fn clusters(&self) -> &[super::shared::kubernetes::ClusterView<'a>] {
        self.clusters
            .get_or_init(|| super::shared::kubernetes::ClusterView::all(self))
    }

    /// Every (account, region inventory).
    pub fn regions(&self) -> impl Iterator<Item = (&'a str, &'a RegionInventory)> {
        self.inventory.regions()
    }

    /// Security groups some ENI carries, anywhere in the inventory (a shared VPC's
    /// groups may sit on ENIs collected under another account).
    pub fn groups_in_use(&self) -> std::collections::HashSet<&'a str> {
        self.inventory
            .regions()
            .flat_map(|(_, ri)| &ri.network_interfaces)
            .flat_map(|e| e.security_group_ids.iter().map(String::as_str))
            .collect()
    }

    /// When one of `operations` failed in the region: an unknown draft per VPC (or
    /// one for the region when no VPC was read either), saying what could not be
    /// judged. `None` when the data is there.
    pub fn unknown_if_missing(
        &self,
        account: &str,
        ri: &RegionInventory,
        operations: &[Operation],
        what: &str,
    ) -> Option<Vec<Draft>> {
        let reason = self.model.region(account, &ri.region)?.gap(operations)?;
        Some(Self::unknown_per_vpc(account, ri, what, &reason))
    }

    /// An unknown draft per VPC of the region (or one for the region when no VPC
    /// was read either), saying that `what` could not be judged for `reason`.
    pub fn unknown_per_vpc(
        account: &str,
        ri: &RegionInventory,
        what: &str,
        reason: &str,
    ) -> Vec<Draft> {
        let region = &ri.region;
        let mut out: Vec<Draft> = ri
            .vpcs
            .iter()
            .map(|v| {
                Draft::unknown(
                    account,
                    region,
                    super::resources::vpc(account, region, &v.id, Some(&v.tags)),
                    format!("{what} of {} could not be judged: {reason}", v.id),
                )
            })
            .collect();
        if out.is_empty() {
            out.push(Draft::unknown(
                account,
                region,
                Resource {
                    resource_type: "AWS::EC2::VPC".into(),
                    id: format!("{account}/{region}"),
                    arn: None,
                    name: None,
                },
                format!("{what} in {account}/{region} could not be judged: {reason}"),
            ));
        }
        out
    }

    /// The internet exposure of an ENI (shared by its class, computed once), with
    /// the trusted sources (`[network] trusted_cidrs`) taken out of its flows: what
    /// the checks judge as exposure.
    pub fn exposure(&self, eni: &str) -> Arc<ExposureResult> {
        let engine = self.engine_exposure(eni);
        if self.trusted.is_empty() {
            return engine;
        }
        let key = Arc::as_ptr(&engine) as usize;
        let mut untrusted = self
            .untrusted
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = untrusted.get(&key) {
            return Arc::clone(found);
        }
        let Ok(e) = engine.as_ref() else {
            return engine;
        };
        if !e.flows.addresses().intersects(&self.trusted) {
            untrusted.insert(key, Arc::clone(&engine));
            return engine;
        }
        let trusted_flows = FlowSet::from_box(self.trusted.clone(), ServiceSet::all());
        let removed = e.flows.intersection(&trusted_flows);
        let mut steps = e.steps.clone();
        steps.push(Step::new(
            "[network] trusted_cidrs",
            format!("not internet exposure: {removed}"),
        ));
        let adjusted = Arc::new(Ok(Exposure {
            flows: e.flows.difference(&trusted_flows),
            gateway: e.gateway.clone(),
            steps,
            unknown: e.unknown.clone(),
        }));
        untrusted.insert(key, Arc::clone(&adjusted));
        adjusted
    }

    /// The engine's internet exposure of an ENI, trusted sources included.
    pub fn engine_exposure(&self, eni: &str) -> Arc<ExposureResult> {
        // A check that panicked holding the lock left the cache whole: entries are
        // inserted complete.
        self.exposure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(eni)
    }
}

/// An exposure, or why it could not be evaluated.
pub type ExposureResult = Result<Exposure, String>;

/// What a check knows of one finding; the registry adds title, remediation, default
/// severity and the fingerprint from the check's metadata.
#[derive(Debug, Clone)]
pub struct Draft {
    pub account: String,
    pub region: String,
    pub resource: Resource,
    pub related: Vec<Resource>,
    pub evidence: Vec<Evidence>,
    pub message: String,
    /// `None`: the check's default severity.
    pub severity: Option<Severity>,
    pub status: Status,
    /// What, beyond the resource, makes this finding distinct (e.g. the port).
    pub identity: Vec<String>,
    pub path: Option<AttackPath>,
    pub blast_radius: Option<BlastRadius>,
}

impl Draft {
    pub fn fail(account: &str, region: &str, resource: Resource, message: String) -> Draft {
        Draft {
            account: account.to_string(),
            region: region.to_string(),
            resource,
            related: Vec::new(),
            evidence: Vec::new(),
            message,
            severity: None,
            status: Status::Fail,
            identity: Vec::new(),
            path: None,
            blast_radius: None,
        }
    }

    pub fn unknown(account: &str, region: &str, resource: Resource, message: String) -> Draft {
        Draft {
            status: Status::Unknown,
            ..Draft::fail(account, region, resource, message)
        }
    }

    pub fn severity(mut self, s: Severity) -> Draft {
        self.severity = Some(s);
        self
    }

    pub fn related(mut self, r: impl IntoIterator<Item = Resource>) -> Draft {
        self.related.extend(r);
        self
    }

    pub fn evidence(mut self, component: impl Into<String>, detail: impl Into<String>) -> Draft {
        self.evidence.push(Evidence {
            component: component.into(),
            detail: detail.into(),
        });
        self
    }

    pub fn path(mut self, path: AttackPath) -> Draft {
        self.path = Some(path);
        self
    }

    pub fn blast_radius(mut self, b: BlastRadius) -> Draft {
        self.blast_radius = Some(b);
        self
    }

    pub fn identity(mut self, part: impl Into<String>) -> Draft {
        self.identity.push(part.into());
        self
    }
}

/// One resource in a check's scope ([`super::Check::scope`]).
#[derive(Debug, Clone)]
pub struct Scoped {
    pub account: String,
    pub region: String,
    pub resource: Resource,
    /// `Ok(why it passes)` when no finding names the resource; `Err(why the check
    /// does not apply)`.
    pub applies: Result<String, String>,
}

impl Scoped {
    /// Judged by the check: `reason` says why it passes if no finding names it.
    pub fn pass(
        account: &str,
        region: &str,
        resource: Resource,
        reason: impl Into<String>,
    ) -> Scoped {
        Scoped {
            account: account.to_string(),
            region: region.to_string(),
            resource,
            applies: Ok(reason.into()),
        }
    }

    /// Seen by the check, but what it asks does not apply to it (`reason`: why).
    pub fn not_applicable(
        account: &str,
        region: &str,
        resource: Resource,
        reason: impl Into<String>,
    ) -> Scoped {
        Scoped {
            applies: Err(reason.into()),
            ..Scoped::pass(account, region, resource, String::new())
        }
    }
}

/// The trusted addresses (`[network] trusted_cidrs`), as one set.
pub fn trusted_set(config: &Config) -> IpSet {
    IpSet::from_nets(config.network.trusted_cidrs.iter().map(|c| c.get_ref().0))
}
