//! `firewall-wildcard-domain`: ALLOWLIST domain-list entries whose leading dot
//! covers hosts anyone can rent: shared CDN, cloud-storage and app-hosting domains
//! (every tenant's content, an attacker's included), whole top-level domains, or a
//! bare `.`. High when an entry is a TLD or `.` (the allowlist then stops almost
//! nothing), medium otherwise, low when no policy uses the group.

use crate::finding::{Resource, Severity};
use crate::inventory::{DomainList, RegionInventory, RuleGroup, RuleSource};

use super::context::{Context, Draft, Scoped};
use super::resources;
use super::shared::firewall::policy_resource;
use super::Check;

pub struct FirewallWildcardDomain;

/// Domains under which any customer gets a name of their own.
const SHARED: &[&str] = &[
    "amazonaws.com",
    "cloudfront.net",
    "awsapprunner.com",
    "amplifyapp.com",
    "fastly.net",
    "fastlylb.net",
    "akamaihd.net",
    "akamaized.net",
    "edgekey.net",
    "edgesuite.net",
    "azureedge.net",
    "azurefd.net",
    "azurewebsites.net",
    "cloudapp.net",
    "cloudapp.azure.com",
    "core.windows.net",
    "blob.core.windows.net",
    "web.core.windows.net",
    "trafficmanager.net",
    "googleusercontent.com",
    "googleapis.com",
    "storage.googleapis.com",
    "appspot.com",
    "web.app",
    "firebaseapp.com",
    "run.app",
    "herokuapp.com",
    "herokudns.com",
    "github.io",
    "githubusercontent.com",
    "gitlab.io",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "workers.dev",
    "r2.dev",
    "r2.cloudflarestorage.com",
    "trycloudflare.com",
    "ngrok.io",
    "ngrok-free.app",
    "digitaloceanspaces.com",
    "ondigitalocean.app",
    "onrender.com",
    "fly.dev",
    "glitch.me",
    "blogspot.com",
    "wordpress.com",
    "dropboxusercontent.com",
    "b-cdn.net",
];

/// AWS zones under amazonaws.com where names belong to other accounts' buckets,
/// APIs and functions (the first label of the apex).
const AWS_TENANT_ZONES: &[&str] = &["s3", "execute-api", "lambda-url", "elb", "dkr"];

/// Two-label public suffixes, which are as broad as a TLD.
const PUBLIC_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "co.jp", "co.nz", "co.in", "com.br",
    "com.cn", "com.mx", "co.za", "com.tr", "com.sg",
];

/// Why an allowlist entry is too broad, and whether it disables the list outright.
fn too_broad(target: &str) -> Option<(String, bool)> {
    let t = target.trim().to_ascii_lowercase();
    let apex = t.strip_prefix('.')?.trim_end_matches('.');
    if apex.is_empty() {
        return Some(("a bare '.' matches every name".into(), true));
    }
    if !apex.contains('.') || PUBLIC_SUFFIXES.contains(&apex) {
        return Some((
            format!("allows every name under the public suffix .{apex}"),
            true,
        ));
    }
    if SHARED.contains(&apex) {
        return Some((
            format!("{apex} is shared: anyone can host content under it"),
            false,
        ));
    }
    let first = apex.split('.').next().unwrap_or_default();
    let aws_zone = first == "s3" || first.starts_with("s3-") || AWS_TENANT_ZONES.contains(&first);
    if apex.ends_with(".amazonaws.com") && aws_zone {
        return Some((
            format!("{apex} holds every account's buckets, APIs or registries"),
            false,
        ));
    }
    None
}

fn allowlist(g: &RuleGroup) -> Option<&DomainList> {
    match &g.source {
        RuleSource::DomainList(d) if d.generated_rules_type.eq_ignore_ascii_case("ALLOWLIST") => {
            Some(d)
        }
        _ => None,
    }
}

/// The policies that reference `g`.
fn policies_using(ri: &RegionInventory, g: &RuleGroup) -> Vec<Resource> {
    ri.firewall_policies
        .iter()
        .filter(|p| p.stateful_rule_groups.iter().any(|r| r.arn == g.arn))
        .map(policy_resource)
        .collect()
}

impl Check for FirewallWildcardDomain {
    fn run(&self, ctx: &Context) -> Vec<Draft> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for g in &ri.firewall_rule_groups {
                let Some(list) = allowlist(g) else { continue };
                let broad: Vec<(&String, String, bool)> = list
                    .targets
                    .iter()
                    .filter_map(|t| too_broad(t).map(|(why, all)| (t, why, all)))
                    .collect();
                if broad.is_empty() {
                    continue;
                }
                let policies = policies_using(ri, g);
                let severity = if policies.is_empty() {
                    Severity::Low
                } else if broad.iter().any(|(_, _, all)| *all) {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let entries: Vec<&str> = broad.iter().map(|(t, _, _)| t.as_str()).collect();
                let mut d = Draft::fail(
                    account,
                    &ri.region,
                    resources::network_firewall("RuleGroup", &g.name, &g.arn),
                    format!(
                        "allowlist {} lets out names under {}{}",
                        g.name,
                        entries.join(", "),
                        if policies.is_empty() {
                            " (no policy uses it)"
                        } else {
                            ""
                        }
                    ),
                )
                .severity(severity)
                .related(policies);
                for (t, why, _) in &broad {
                    d = d.evidence(format!("domain list {}", g.name), format!("{t}: {why}"));
                }
                out.push(d);
            }
        }
        out
    }

    /// Every rule group: a domain-list allowlist passes when none of its entries is
    /// too broad; other groups are not applicable.
    fn scope(&self, ctx: &Context) -> Option<Vec<Scoped>> {
        let mut out = Vec::new();
        for (account, ri) in ctx.regions() {
            for g in &ri.firewall_rule_groups {
                let resource = resources::network_firewall("RuleGroup", &g.name, &g.arn);
                out.push(match allowlist(g) {
                    Some(list) => Scoped::pass(
                        account,
                        &ri.region,
                        resource,
                        format!(
                            "none of the {} entries of allowlist {} covers a public suffix or a shared hosting domain",
                            list.targets.len(),
                            g.name
                        ),
                    ),
                    None => Scoped::not_applicable(
                        account,
                        &ri.region,
                        resource,
                        format!("{} is not a domain-list ALLOWLIST", g.name),
                    ),
                });
            }
        }
        Some(out)
    }
}
