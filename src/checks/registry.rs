//! The one list of checks. A check is a file under `src/checks/` and a
//! `checks/<id>.toml`; both are named here, and a guard test fails when either is
//! missing from this list.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::context::{Context, Draft};
use super::judge::CheckScope;
use super::Check;
use crate::finding::Meta;
use crate::finding::{fingerprint, Evidence, Finding, Resource};

macro_rules! checks {
    ($($file:literal => $check:expr,)*) => {
        /// (TOML source, check) for every check, in catalogue order.
        pub(crate) const CHECKS: &[(&str, &dyn Check)] = &[
            $((include_str!(concat!("../../checks/", $file, ".toml")), &$check),)*
        ];
    };
}

checks! {
    "egress-world-open" => super::egress_world_open::EgressWorldOpen,
    "internet-exposed-port" => super::internet_exposed_port::InternetExposedPort,
    "sg-default-allows-traffic" => super::sg_default_allows_traffic::SgDefaultAllowsTraffic,
    "flow-logs-disabled" => super::flow_logs_disabled::FlowLogsDisabled,
    "subnet-auto-public-ip" => super::subnet_auto_public_ip::SubnetAutoPublicIp,
    // -- routing and endpoints --
    "nat-without-filtering" => super::nat_without_filtering::NatWithoutFiltering,
    "vpc-endpoint-missing-az" => super::vpc_endpoint_missing_az::VpcEndpointMissingAz,
    "vpc-endpoint-required-missing" => super::vpc_endpoint_required_missing::VpcEndpointRequiredMissing,
    "vpc-endpoint-policy-open" => super::vpc_endpoint_policy_open::VpcEndpointPolicyOpen,
    "data-subnet-internet-route" => super::data_subnet_internet_route::DataSubnetInternetRoute,
    // -- security groups, NACLs and peering --
    "sg-internal-cidr-trust" => super::sg_internal_cidr_trust::SgInternalCidrTrust,
    "sg-unused-open" => super::sg_unused_open::SgUnusedOpen,
    "nacl-admin-ports-open" => super::nacl_admin_ports_open::NaclAdminPortsOpen,
    "nacl-return-traffic-blocked" => super::nacl_return_traffic_blocked::NaclReturnTrafficBlocked,
    "nacl-shadowed-rule" => super::nacl_shadowed_rule::NaclShadowedRule,
    "peering-route-too-broad" => super::peering_route_too_broad::PeeringRouteTooBroad,
    // -- Network Firewall --
    "firewall-policy-passes-by-default" => super::firewall_policy_passes_by_default::FirewallPolicyPassesByDefault,
    "firewall-pass-rule-shadows" => super::firewall_pass_rule_shadows::FirewallPassRuleShadows,
    "firewall-wildcard-domain" => super::firewall_wildcard_domain::FirewallWildcardDomain,
    "firewall-bypassed" => super::firewall_bypassed::FirewallBypassed,
    "firewall-endpoint-missing-az" => super::firewall_endpoint_missing_az::FirewallEndpointMissingAz,
    "firewall-logging-disabled" => super::firewall_logging_disabled::FirewallLoggingDisabled,
    "firewall-delete-protection-disabled" => super::firewall_delete_protection_disabled::FirewallDeleteProtectionDisabled,
    // -- lateral movement --
    "lateral-movement-path" => super::lateral_movement_path::LateralMovementPath,
    "lateral-blast-radius" => super::lateral_blast_radius::LateralBlastRadius,
    // -- EKS and Kubernetes --
    "eks-network-policy-not-enforced" => super::eks_network_policy_not_enforced::EksNetworkPolicyNotEnforced,
    "eks-endpoint-public" => super::eks_endpoint_public::EksEndpointPublic,
    "k8s-namespace-no-default-deny" => super::k8s_namespace_no_default_deny::K8sNamespaceNoDefaultDeny,
    "k8s-dns-egress-blocked" => super::k8s_dns_egress_blocked::K8sDnsEgressBlocked,
    "k8s-pod-egress-internet" => super::k8s_pod_egress_internet::K8sPodEgressInternet,
    "k8s-lateral-movement-path" => super::k8s_lateral_movement_path::K8sLateralMovementPath,
    // -- DNS egress (Route 53 Resolver) --
    "dns-egress-unfiltered" => super::dns_egress_unfiltered::DnsEgressUnfiltered,
    "dns-firewall-fail-open" => super::dns_firewall_fail_open::DnsFirewallFailOpen,
    "dns-query-logging-disabled" => super::dns_query_logging_disabled::DnsQueryLoggingDisabled,
    "dns-forwarding-to-internet" => super::dns_forwarding_to_internet::DnsForwardingToInternet,
}

/// A check with its parsed metadata.
pub struct Registered {
    pub meta: Meta,
    pub check: &'static dyn Check,
}

/// Every check. The metadata is compiled in and parsed here, with the controls each
/// check decides read from the compliance frameworks; a failure is a bug the guard
/// test catches, reported as an error rather than a panic all the same.
pub fn all() -> Result<Vec<Registered>, String> {
    let frameworks = crate::compliance::all()?;
    CHECKS
        .iter()
        .map(|(source, check)| {
            let mut meta = Meta::parse(source).map_err(|e| format!("check metadata: {e}"))?;
            meta.compliance = crate::compliance::control_refs(&frameworks, &meta.id);
            Ok(Registered {
                meta,
                check: *check,
            })
        })
        .collect()
}

/// Runs `checks` on `ctx`. A check that panics loses only its own findings: it is
/// reported as an `unknown` finding naming the failure. A check with a severity in
/// the config's `[severity]` gives every finding that severity.
///
/// Checks run on every core. The lateral-movement analysis, the longest piece of
/// work, starts at once beside the other checks; the checks that read it run when it
/// is done, since a thread waiting inside it could otherwise pick up one of them and
/// wait on itself. Findings come out in catalogue order, then sorted: the same
/// whatever ran first.
pub fn run(checks: &[&Registered], ctx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    type Numbered<'r> = Vec<(usize, &'r &'r Registered)>;
    let (late, early): (Numbered, Numbered) = checks
        .iter()
        .enumerate()
        .partition(|(_, reg)| reg.check.reads_lateral());
    let run_all = |part: &Numbered| -> Vec<(usize, Vec<Finding>)> {
        part.par_iter()
            .map(|&(i, reg)| (i, run_check(reg, ctx)))
            .collect()
    };
    let (built, mut done) = rayon::join(
        || {
            if late.is_empty() {
                return true;
            }
            let started = std::time::Instant::now();
            // A panic here is the lateral checks' own failure, reported when they
            // run and ask again.
            let built = catch_unwind(AssertUnwindSafe(|| ctx.lateral())).is_ok();
            if built {
                tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "lateral analysis built"
                );
            }
            built
        },
        || run_all(&early),
    );
    if built {
        done.extend(run_all(&late));
    } else {
        // One after the other: each asks for the analysis again, and a thread
        // waiting inside that could otherwise pick up the other and wait on itself.
        done.extend(late.iter().map(|&(i, reg)| (i, run_check(reg, ctx))));
    }
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut findings: Vec<Finding> = done.into_iter().flat_map(|(_, f)| f).collect();
    sort(&mut findings);
    findings
}

/// One check's findings; a panic is one unknown finding naming the failure.
fn run_check(reg: &Registered, ctx: &Context) -> Vec<Finding> {
    let forced = ctx.config.severity.get(&reg.meta.id);
    let complete = |d: Draft| {
        let mut f = finish(&reg.meta, d);
        if let Some(s) = forced {
            f.severity = s;
        }
        f
    };
    let started = std::time::Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| reg.check.run(ctx)));
    // `-v` prints where a scan's time goes, check by check (the first check to
    // need a shared analysis, such as the load balancers' paths, pays for it).
    tracing::info!(
        check = %reg.meta.id,
        ms = started.elapsed().as_millis() as u64,
        findings = result.as_ref().map_or(0, Vec::len),
        "check ran"
    );
    match result {
        Ok(drafts) => drafts.into_iter().map(complete).collect(),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!(check = %reg.meta.id, "check failed: {what}");
            let resource = Resource {
                resource_type: "vpcaudit::Check".into(),
                id: reg.meta.id.clone(),
                arn: None,
                name: None,
            };
            let draft = Draft::unknown(
                "",
                "",
                resource,
                format!("the check failed and could not decide: {what}"),
            );
            vec![complete(draft)]
        }
    }
}

/// Each check's scope ([`Check::scope`]). A check that panics while listing it
/// has no scope: what it judged is unknown.
pub fn scopes(checks: &[&Registered], ctx: &Context) -> Vec<CheckScope> {
    checks
        .iter()
        .map(|reg| {
            let scope =
                catch_unwind(AssertUnwindSafe(|| reg.check.scope(ctx))).unwrap_or_else(|_| {
                    tracing::error!(check = %reg.meta.id, "listing the check's scope failed");
                    None
                });
            CheckScope {
                check: reg.meta.id.clone(),
                scope,
            }
        })
        .collect()
}

/// Runs one check by id on `inv` and judges its scope, for tests: every resource
/// it judged, muted findings aside.
#[cfg(test)]
pub(crate) fn judge_one(id: &str, inv: &crate::inventory::Inventory) -> super::judge::Judged {
    let all = all().expect("metadata parses");
    let selected: Vec<&Registered> = all.iter().filter(|r| r.meta.id == id).collect();
    assert_eq!(selected.len(), 1, "no check {id}");
    let model = crate::reach::Model::build(inv);
    let ctx = Context::new(inv, &model);
    let findings = run(&selected, &ctx);
    super::judge::judge(&scopes(&selected, &ctx), &findings)
}

/// Severity first, then account, region, check and resource, so output is stable.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.severity,
            a.status,
            &a.account,
            &a.region,
            &a.check,
            &a.resource.id,
            &a.fingerprint,
        )
            .cmp(&(
                b.severity,
                b.status,
                &b.account,
                &b.region,
                &b.check,
                &b.resource.id,
                &b.fingerprint,
            ))
    });
}

fn finish(meta: &Meta, d: Draft) -> Finding {
    let mut parts = vec![
        meta.id.clone(),
        d.account.clone(),
        d.region.clone(),
        d.resource.id.clone(),
    ];
    parts.extend(d.identity.iter().cloned());
    let severity = d.severity.unwrap_or(meta.severity);
    Finding {
        check: meta.id.clone(),
        severity,
        status: d.status,
        title: meta.title.clone(),
        message: d.message,
        account: d.account,
        region: d.region,
        resource: d.resource,
        related: d.related,
        evidence: d
            .evidence
            .into_iter()
            .map(|e| Evidence {
                component: e.component,
                detail: e.detail,
            })
            .collect(),
        remediation: meta.remediation.text.trim().to_string(),
        fingerprint: fingerprint(&parts),
        path: d.path,
        blast_radius: d.blast_radius,
        baseline: None,
        muted: None,
    }
}

/// Runs one check by id on `inv`, for tests.
#[cfg(test)]
pub(crate) fn run_one(id: &str, inv: &crate::inventory::Inventory) -> Vec<Finding> {
    run_with(&[id], inv, crate::config::Config::default())
}

/// Runs one check by id on `inv` with the config `toml` (which must parse), for
/// tests.
#[cfg(test)]
pub(crate) fn run_one_with(
    id: &str,
    inv: &crate::inventory::Inventory,
    toml: &str,
) -> Vec<Finding> {
    let config = crate::config::Config::parse(toml).expect("test config parses");
    run_with(&[id], inv, config)
}

/// Runs the checks `ids` on `inv` with `config`, for tests.
#[cfg(test)]
pub(crate) fn run_with(
    ids: &[&str],
    inv: &crate::inventory::Inventory,
    config: crate::config::Config,
) -> Vec<Finding> {
    let all = all().expect("metadata parses");
    let selected: Vec<&Registered> = all
        .iter()
        .filter(|r| ids.contains(&r.meta.id.as_str()))
        .collect();
    assert_eq!(selected.len(), ids.len(), "no check among {ids:?}");
    let model = crate::reach::Model::build(inv);
    let ctx = Context::with_config(inv, &model, config);
    run(&selected, &ctx)
}
