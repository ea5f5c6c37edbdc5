//! Effects: the findings of OLD and NEW compared by fingerprint, and each new or gone
//! one tied to the changes that touch what it names.

use std::collections::{BTreeSet, HashMap};

use super::resources::Found;
use crate::answer::diff::{Attribution, Category, Effect, EffectResource, Op};
use crate::finding::{Finding, Severity};

/// What kind of effect a check's findings are.
pub fn category(check: &str) -> Category {
    match check {
        "internet-exposed-port"
        | "eks-endpoint-public"
        | "subnet-auto-public-ip"
        | "nacl-admin-ports-open"
        | "sg-unused-open" => Category::InternetExposure,
        "lateral-movement-path"
        | "lateral-blast-radius"
        | "k8s-lateral-movement-path"
        | "sg-internal-cidr-trust"
        | "sg-default-allows-traffic"
        | "peering-route-too-broad"
        | "k8s-namespace-no-default-deny"
        | "eks-network-policy-not-enforced" => Category::LateralPath,
        "egress-world-open"
        | "nat-without-filtering"
        | "firewall-bypassed"
        | "firewall-policy-passes-by-default"
        | "firewall-pass-rule-shadows"
        | "firewall-wildcard-domain"
        | "data-subnet-internet-route"
        | "dns-egress-unfiltered"
        | "dns-firewall-fail-open"
        | "dns-forwarding-to-internet"
        | "k8s-pod-egress-internet" => Category::UnfilteredEgress,
        _ => Category::Other,
    }
}

/// The findings that appeared (`Added`), disappeared (`Removed`) or changed severity,
/// status or message (`Changed`), unattributed and unordered.
pub fn compare<'f>(old: &'f [Finding], new: &[Finding]) -> Vec<(Op, Finding, Option<&'f Finding>)> {
    let index = |list: &'_ [Finding]| -> HashMap<String, usize> {
        let mut m = HashMap::with_capacity(list.len());
        for (i, f) in list.iter().enumerate() {
            // The first of a repeated fingerprint stands for it, as in `--baseline`.
            m.entry(f.fingerprint.clone()).or_insert(i);
        }
        m
    };
    let (olds, news) = (index(old), index(new));
    let mut out = Vec::new();
    for (fp, &i) in &news {
        let f = &new[i];
        match olds.get(fp) {
            None => out.push((Op::Added, f.clone(), None)),
            Some(&j)
                if old[j].severity != f.severity
                    || old[j].status != f.status
                    || old[j].message != f.message =>
            {
                out.push((Op::Changed, f.clone(), Some(&old[j])))
            }
            Some(_) => {}
        }
    }
    for (fp, &j) in &olds {
        if !news.contains_key(fp) {
            out.push((Op::Removed, old[j].clone(), None));
        }
    }
    out
}

/// Every id the finding names: its resource, related resources, path nodes, and the
/// resource-id-like words of its evidence.
fn named(f: &Finding) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for r in std::iter::once(&f.resource).chain(&f.related) {
        ids.insert(r.id.clone());
        if let Some(a) = &r.arn {
            ids.insert(a.clone());
        }
    }
    if let Some(p) = &f.path {
        for n in &p.nodes {
            ids.extend([n.eni.clone(), n.subnet.clone(), n.vpc.clone()]);
        }
    }
    for e in &f.evidence {
        for text in [&e.component, &e.detail] {
            ids.extend(words(text));
        }
    }
    ids
}

/// The words of evidence text that could be ids or ARNs (`sg-0abc`, `arn:aws:...`),
/// without the punctuation around them.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '"' | '\''))
        .map(|w| w.trim_end_matches(['.', ';', ':']))
        .filter(|w| w.contains('-') || w.starts_with("arn:"))
        .map(str::to_string)
}

/// The changes, indexed by the ids attribution looks for.
pub struct Causes<'c> {
    /// `c1`, `c2`, ... by position.
    ids: Vec<String>,
    by_key: HashMap<&'c str, Vec<usize>>,
    by_ref: HashMap<&'c str, Vec<usize>>,
}

impl<'c> Causes<'c> {
    /// `changes[i]` has the id `ids[i]`.
    pub fn new(changes: &'c [Found], ids: Vec<String>) -> Causes<'c> {
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_ref: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            for k in &c.keys {
                by_key.entry(k.as_str()).or_default().push(i);
            }
            for r in &c.refs {
                by_ref.entry(r.as_str()).or_default().push(i);
            }
        }
        Causes {
            ids,
            by_key,
            by_ref,
        }
    }

    /// The changes an effect names: first by the changed resources' own ids, then
    /// (when none matches) by what the changed rules and routes point at.
    pub fn of(&self, f: &Finding) -> (Vec<String>, Attribution) {
        let named = named(f);
        for index in [&self.by_key, &self.by_ref] {
            let hits: BTreeSet<usize> = named
                .iter()
                .filter_map(|id| index.get(id.as_str()))
                .flatten()
                .copied()
                .collect();
            if !hits.is_empty() {
                let ids = hits.into_iter().map(|i| self.ids[i].clone()).collect();
                return (ids, Attribution::Matched);
            }
        }
        // Nothing else differs between the two inventories.
        if let [only] = self.ids.as_slice() {
            return (vec![only.clone()], Attribution::OnlyChange);
        }
        (Vec::new(), Attribution::NoneIdentified)
    }
}

/// The effect as the answer shows it.
pub fn effect(
    op: Op,
    f: &Finding,
    before: Option<&Finding>,
    caused_by: Vec<String>,
    attribution: Attribution,
) -> Effect {
    Effect {
        op,
        category: category(&f.check),
        check: f.check.clone(),
        severity: f.severity.as_str().to_string(),
        severity_before: before
            .filter(|b| b.severity != f.severity)
            .map(|b| b.severity.as_str().to_string()),
        status: f.status.to_string(),
        status_before: before
            .filter(|b| b.status != f.status)
            .map(|b| b.status.to_string()),
        title: f.title.clone(),
        message: f.message.clone(),
        message_before: before
            .filter(|b| b.message != f.message)
            .map(|b| b.message.clone()),
        account: f.account.clone(),
        region: f.region.clone(),
        resource: EffectResource {
            resource_type: f.resource.resource_type.clone(),
            id: f.resource.id.clone(),
            name: f.resource.name.clone(),
        },
        fingerprint: f.fingerprint.clone(),
        muted: f.muted.is_some(),
        caused_by,
        attribution,
    }
}

/// The severity an effect's text names.
pub fn severity(text: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|s| s.as_str() == text)
}

/// The order effects are shown in: appeared, changed, disappeared; then most severe
/// first, check, place, resource name and id.
pub fn sort(effects: &mut [Effect]) {
    let rank = |op: Op| match op {
        Op::Added => 0,
        Op::Changed => 1,
        Op::Removed => 2,
    };
    effects.sort_by(|a, b| {
        (
            rank(a.op),
            severity(&a.severity),
            &a.check,
            &a.account,
            &a.region,
            &a.resource.name,
            &a.resource.id,
            &a.message,
            &a.fingerprint,
        )
            .cmp(&(
                rank(b.op),
                severity(&b.severity),
                &b.check,
                &b.account,
                &b.region,
                &b.resource.name,
                &b.resource.id,
                &b.message,
                &b.fingerprint,
            ))
    });
}
