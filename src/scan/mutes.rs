//! Mutes: accepted risks. A `[[mute]]` rule in `vpcaudit.toml` (or a `--mutes`
//! file) matches findings by check, account, region, resource (id or ARN) and tag,
//! with globs anchored at both ends. Muted findings stay in the JSON and SARIF,
//! marked; they leave the table and the exit code. A rule past its expiry date
//! matches nothing and is warned about, so an exception cannot outlive its review.

use std::collections::HashMap;

use crate::config::mute::{Date, MuteRule};
use crate::config::selector::Glob;
use crate::finding::{Finding, Muted};
use crate::inventory::{Inventory, Tags};

/// Rules with where they came from (`vpcaudit.toml, mute #2`).
pub struct Mutes {
    rules: Vec<(String, MuteRule)>,
}

/// A rule that no longer applies because its date has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub rule: String,
    pub reason: String,
    pub expired: Date,
}

impl Mutes {
    pub fn new(rules: Vec<(String, MuteRule)>) -> Mutes {
        Mutes { rules }
    }

    pub fn from_sources(sources: Vec<(String, Vec<MuteRule>)>) -> Mutes {
        Mutes::new(
            sources
                .into_iter()
                .flat_map(|(file, rules)| {
                    rules
                        .into_iter()
                        .enumerate()
                        .map(move |(i, r)| (format!("{file}, mute #{}", i + 1), r))
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Rules whose expiry is before `today`.
    pub fn expired(&self, today: Date) -> Vec<Expired> {
        self.rules
            .iter()
            .filter_map(|(label, r)| {
                let date = r.expires?;
                (date < today).then(|| Expired {
                    rule: label.clone(),
                    reason: r.reason.clone(),
                    expired: date,
                })
            })
            .collect()
    }

    /// Marks each finding the first live rule matches.
    pub fn apply(&self, findings: &mut [Finding], inventory: &Inventory, today: Date) {
        let live: Vec<&(String, MuteRule)> = self
            .rules
            .iter()
            .filter(|(_, r)| r.expires.is_none_or(|d| d >= today))
            .collect();
        if live.is_empty() {
            return;
        }
        let tags = live
            .iter()
            .any(|(_, r)| r.tag.is_some())
            .then(|| TagIndex::build(inventory));
        // "The check failed" is about vpcaudit, not AWS: no mute hides it (a broad
        // `check = "lateral-*"` would otherwise silence the failure and `--strict`).
        for f in findings.iter_mut().filter(|f| !f.is_check_failure()) {
            let hit = live.iter().find(|(_, r)| rule_matches(r, f, tags.as_ref()));
            if let Some((label, r)) = hit {
                f.muted = Some(Muted {
                    reason: r.reason.clone(),
                    expires: r.expires.map(|d| d.to_string()),
                    rule: label.clone(),
                });
            }
        }
    }
}

fn rule_matches(r: &MuteRule, f: &Finding, tags: Option<&TagIndex>) -> bool {
    let field = |g: &Option<Glob>, v: &str| g.as_ref().is_none_or(|g| g.matches(v));
    field(&r.check, &f.check)
        && field(&r.account, &f.account)
        && field(&r.region, &f.region)
        && r.resource.as_ref().is_none_or(|g| {
            g.matches(&f.resource.id) || f.resource.arn.as_deref().is_some_and(|a| g.matches(a))
        })
        && r.tag.as_ref().is_none_or(|t| {
            tags.is_some_and(|idx| idx.tags_of(f).iter().any(|tags| t.matches(tags)))
        })
}

/// Resource tags by (account, region, id), with each ENI's instance tags beside its own.
struct TagIndex<'a> {
    by_id: HashMap<(&'a str, &'a str, &'a str), Vec<&'a Tags>>,
}

impl<'a> TagIndex<'a> {
    fn build(inv: &'a Inventory) -> TagIndex<'a> {
        let mut by_id: HashMap<(&str, &str, &str), Vec<&Tags>> = HashMap::new();
        for (account, ri) in inv.regions() {
            let region = ri.region.as_str();
            let mut add = |id: &'a str, tags: &'a Tags| {
                by_id.entry((account, region, id)).or_default().push(tags);
            };
            ri.vpcs.iter().for_each(|x| add(&x.id, &x.tags));
            ri.subnets.iter().for_each(|x| add(&x.id, &x.tags));
            ri.route_tables.iter().for_each(|x| add(&x.id, &x.tags));
            ri.internet_gateways
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.egress_only_internet_gateways
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.nat_gateways.iter().for_each(|x| add(&x.id, &x.tags));
            ri.instances.iter().for_each(|x| add(&x.id, &x.tags));
            ri.security_groups.iter().for_each(|x| add(&x.id, &x.tags));
            ri.managed_prefix_lists
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.network_acls.iter().for_each(|x| add(&x.id, &x.tags));
            ri.vpc_endpoints.iter().for_each(|x| add(&x.id, &x.tags));
            ri.vpc_peering_connections
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.transit_gateways.iter().for_each(|x| add(&x.id, &x.tags));
            ri.transit_gateway_attachments
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.transit_gateway_route_tables
                .iter()
                .for_each(|x| add(&x.id, &x.tags));
            ri.flow_logs.iter().for_each(|x| add(&x.id, &x.tags));
            for fw in &ri.firewalls {
                add(&fw.name, &fw.tags);
                add(&fw.arn, &fw.tags);
            }
            for p in &ri.firewall_policies {
                add(&p.name, &p.tags);
                add(&p.arn, &p.tags);
            }
            for g in &ri.firewall_rule_groups {
                add(&g.name, &g.tags);
                add(&g.arn, &g.tags);
            }
            let instances: HashMap<&str, &Tags> = ri
                .instances
                .iter()
                .map(|i| (i.id.as_str(), &i.tags))
                .collect();
            for e in &ri.network_interfaces {
                add(&e.id, &e.tags);
                if let Some(t) = e.instance_id.as_deref().and_then(|i| instances.get(i)) {
                    add(&e.id, t);
                }
            }
        }
        TagIndex { by_id }
    }

    fn tags_of(&self, f: &Finding) -> Vec<&'a Tags> {
        // The keys' lifetime shortened to the finding's, which covariance allows.
        let by_id: &HashMap<(&str, &str, &str), Vec<&'a Tags>> = &self.by_id;
        by_id
            .get(&(
                f.account.as_str(),
                f.region.as_str(),
                f.resource.id.as_str(),
            ))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml_text: &str) -> MuteRule {
        let mut rules = crate::config::mute::parse_file(toml_text).expect("rule parses");
        rules.remove(0)
    }

    #[test]
    fn a_failed_check_is_never_muted() {
        let finding = |resource_type: &str, id: &str| {
            Finding::sample("lateral-movement-path", resource_type, id)
        };
        let inventory = Inventory::new(0);
        let r = rule("[[mute]]\nreason = \"r\"\ncheck = \"lateral-*\"\n");
        let mutes = Mutes::new(vec![("m".into(), r)]);
        let mut findings = vec![
            finding("AWS::EC2::NetworkInterface", "eni-1"),
            finding(crate::finding::CHECK_FAILED_TYPE, "lateral-movement-path"),
        ];
        mutes.apply(
            &mut findings,
            &inventory,
            Date::parse("2027-01-01").unwrap(),
        );
        assert!(findings[0].muted.is_some());
        assert!(findings[1].muted.is_none());
    }

    #[test]
    fn expiry_is_inclusive() {
        let r = rule("[[mute]]\nreason = \"r\"\ncheck = \"x\"\nexpires = 2027-01-31\n");
        let mutes = Mutes::new(vec![("m".into(), r)]);
        let day = |s| Date::parse(s).unwrap();
        assert!(mutes.expired(day("2027-01-31")).is_empty());
        assert_eq!(mutes.expired(day("2027-02-01")).len(), 1);
    }
}
