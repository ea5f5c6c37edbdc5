//! What a `--from`/`--to` selector names: a set of ENIs, or the internet.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::answer::reach::Endpoint;
use crate::inventory::{Inventory, LoadBalancer};

use super::super::load_balancer::Lookup;
use super::super::model::FastMap;
use super::super::sets::public_internet;
use super::{EniRef, Index, QueryError};

/// What one side of the question stands for.
#[derive(Debug, Clone)]
pub(crate) enum Target<'a> {
    /// These ENIs (indexes into [`Index::enis`], sorted); `lb` when the selector named
    /// a load balancer (its nodes), for paths from the internet through it.
    Enis {
        enis: Vec<usize>,
        lb: Option<&'a LoadBalancer>,
    },
    /// The internet, or one address on it.
    Internet(Option<IpAddr>),
    /// A Kubernetes pod: `cluster` indexes [`Index::pods`](super::Index).
    Pod {
        cluster: usize,
        pod: crate::reach::kubernetes::PodId,
    },
}

/// A resolved side: the answer's endpoint and what it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Resolved<'a> {
    pub endpoint: Endpoint,
    pub target: Target<'a>,
}

/// Selector lookups, built once.
pub(crate) struct Selectors<'a> {
    /// Id or name -> (kind, ENIs).
    by_key: HashMap<String, (&'static str, Vec<usize>)>,
    by_addr: HashMap<IpAddr, Vec<usize>>,
    /// (tag key, value) -> ENIs whose own or whose instance's tags match.
    by_tag: HashMap<(String, String), Vec<usize>>,
    /// Load balancers by name and ARN.
    lbs: HashMap<String, &'a LoadBalancer>,
}

impl<'a> Selectors<'a> {
    pub fn build(inv: &'a Inventory, enis: &[EniRef<'a>], by_id: &FastMap<&'a str, usize>) -> Self {
        let mut s = Selectors {
            by_key: HashMap::new(),
            by_addr: HashMap::new(),
            by_tag: HashMap::new(),
            lbs: HashMap::new(),
        };
        let add = |s: &mut Selectors<'a>, key: &str, kind: &'static str, i: usize| {
            let slot = s
                .by_key
                .entry(key.to_string())
                .or_insert((kind, Vec::new()));
            slot.1.push(i);
        };
        for (i, e) in enis.iter().enumerate() {
            let eni = e.eni;
            add(&mut s, &eni.id, "network_interface", i);
            add(&mut s, &eni.subnet_id, "subnet", i);
            for g in &eni.security_group_ids {
                add(&mut s, g, "security_group", i);
            }
            if let Some(inst) = &eni.instance_id {
                add(&mut s, inst, "instance", i);
            }
            let addrs = eni
                .private_ipv4s
                .iter()
                .map(|&a| IpAddr::from(a))
                .chain(eni.ipv6s.iter().map(|&a| IpAddr::from(a)))
                .chain(eni.public_ipv4s.iter().map(|p| IpAddr::from(p.public_ip)));
            for a in addrs {
                s.by_addr.entry(a).or_default().push(i);
            }
            for (k, v) in &eni.tags {
                s.by_tag.entry((k.clone(), v.clone())).or_default().push(i);
            }
        }
        for (_, ri) in inv.regions() {
            for inst in &ri.instances {
                let members: Vec<usize> = inst
                    .network_interface_ids
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()).copied())
                    .collect();
                for (k, v) in &inst.tags {
                    s.by_tag
                        .entry((k.clone(), v.clone()))
                        .or_default()
                        .extend(members.iter().copied());
                }
                for &i in &members {
                    add(&mut s, &inst.id, "instance", i);
                }
            }
            for v in &ri.vpc_endpoints {
                for id in &v.network_interface_ids {
                    if let Some(&i) = by_id.get(id.as_str()) {
                        add(&mut s, &v.id, "vpc_endpoint", i);
                    }
                }
            }
            for n in &ri.nat_gateways {
                for a in &n.addresses {
                    if let Some(&i) = a
                        .network_interface_id
                        .as_deref()
                        .and_then(|id| by_id.get(id))
                    {
                        add(&mut s, &n.id, "nat_gateway", i);
                    }
                }
            }
            let look = Lookup::new(ri);
            for lb in &ri.load_balancers {
                s.lbs.insert(lb.name.clone(), lb);
                s.lbs.insert(lb.arn.clone(), lb);
                for node in look.nodes(lb) {
                    if let Some(&i) = by_id.get(node.id.as_str()) {
                        add(&mut s, &lb.name, "load_balancer", i);
                        add(&mut s, &lb.arn, "load_balancer", i);
                    }
                }
            }
        }
        for (_, v) in s.by_key.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        for v in s.by_tag.values_mut().chain(s.by_addr.values_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        s
    }

    /// The index of the ENI with this id.
    pub fn eni_index(&self, id: &str) -> Option<usize> {
        match self.by_key.get(id) {
            Some(("network_interface", enis)) => enis.first().copied(),
            _ => None,
        }
    }

    /// Up to five known ids or names closest to `selector`.
    fn suggestions(&self, selector: &str) -> Vec<String> {
        // No id or name is this long; comparing one with every key would only cost
        // time (the distance is quadratic).
        if selector.len() > MAX_SUGGESTED {
            return Vec::new();
        }
        let mut scored: Vec<(usize, &str)> = self
            .by_key
            .keys()
            .map(String::as_str)
            .chain(self.lbs.keys().map(String::as_str))
            .chain(["internet"])
            .map(|k| (distance(selector, k), k))
            .filter(|(d, k)| {
                *d <= (selector.len().max(k.len()) / 2).max(2) || k.starts_with(selector)
            })
            .collect();
        scored.sort_unstable();
        scored.dedup();
        scored
            .into_iter()
            .take(5)
            .map(|(_, k)| k.to_string())
            .collect()
    }
}

/// The longest selector closest matches are looked for (an ARN is under 200).
const MAX_SUGGESTED: usize = 256;

/// Levenshtein distance.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

impl<'m, 'a> Index<'m, 'a> {
    /// What `selector` stands for.
    pub(crate) fn resolve(&self, selector: &str) -> Result<Resolved<'a>, QueryError> {
        let s = selector.trim();
        let unknown = || QueryError::UnknownEndpoint {
            selector: s.to_string(),
            suggestions: self.selectors.suggestions(s),
        };
        let endpoint = |kind: &str, resources: Vec<String>| Endpoint {
            selector: s.to_string(),
            kind: kind.to_string(),
            resources,
        };
        if s.eq_ignore_ascii_case("internet") {
            return Ok(Resolved {
                endpoint: endpoint("internet", vec!["internet".to_string()]),
                target: Target::Internet(None),
            });
        }
        let (kind, enis, lb) = if let Ok(addr) = s.parse::<IpAddr>() {
            match self.selectors.by_addr.get(&addr) {
                Some(enis) => ("ip_address", enis.clone(), None),
                None if public_internet().contains(addr) => {
                    return Ok(Resolved {
                        endpoint: endpoint("ip_address", vec!["internet".to_string()]),
                        target: Target::Internet(Some(addr)),
                    });
                }
                None => return Err(unknown()),
            }
        } else if let Some(tag) = s.strip_prefix("tag:") {
            let (k, v) = tag.split_once('=').ok_or_else(unknown)?;
            let enis = self
                .selectors
                .by_tag
                .get(&(k.to_string(), v.to_string()))
                .ok_or_else(unknown)?;
            ("tag", enis.clone(), None)
        } else if let Some((kind, enis)) = self.selectors.by_key.get(s) {
            (*kind, enis.clone(), self.selectors.lbs.get(s).copied())
        } else if let Some(lb) = self.selectors.lbs.get(s) {
            // A load balancer whose nodes were not collected: only the internet path
            // through it can be asked about.
            return Ok(Resolved {
                endpoint: endpoint("load_balancer", Vec::new()),
                target: Target::Enis {
                    enis: Vec::new(),
                    lb: Some(lb),
                },
            });
        } else if let Some(resolved) = self.resolve_pod(s) {
            return resolved;
        } else {
            return Err(unknown());
        };
        let mut resources: Vec<String> =
            enis.iter().map(|&i| self.enis[i].eni.id.clone()).collect();
        resources.sort();
        Ok(Resolved {
            endpoint: endpoint(kind, resources),
            target: Target::Enis { enis, lb },
        })
    }
}
