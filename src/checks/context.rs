//! What checks read: the inventory, the engine's model, and results shared between
//! checks (computed on first use).

use std::cell::RefCell;
use std::sync::Arc;

use crate::inventory::{Inventory, RegionInventory};
use crate::reach::exposure::{Exposure, ExposureCache};
use crate::reach::Model;
use crate::report::finding::{Evidence, Resource, Severity, Status};

pub struct Context<'m, 'a> {
    pub inventory: &'a Inventory,
    pub model: &'m Model<'a>,
    exposure: RefCell<ExposureCache<'m, 'a>>,
}

impl<'m, 'a> Context<'m, 'a> {
    /// `model` must be built from `inventory`.
    pub fn new(inventory: &'a Inventory, model: &'m Model<'a>) -> Context<'m, 'a> {
        Context {
            inventory,
            model,
            exposure: RefCell::new(ExposureCache::new(model, inventory)),
        }
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
        operations: &[&str],
        what: &str,
    ) -> Option<Vec<Draft>> {
        let reason = self.model.region(account, &ri.region)?.gap(operations)?;
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
        Some(out)
    }

    /// The internet exposure of an ENI (shared by its class, computed once).
    pub fn exposure(&self, eni: &str) -> Arc<Result<Exposure, String>> {
        self.exposure.borrow_mut().get(eni)
    }
}

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

    pub fn identity(mut self, part: impl Into<String>) -> Draft {
        self.identity.push(part.into());
        self
    }
}
