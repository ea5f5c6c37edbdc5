//! AWS Network Firewall: firewalls with their per-AZ endpoints and logging, policies,
//! and rule groups. AWS lists only names here, so each item needs its own Describe call.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_networkfirewall::types as nfw;
use aws_sdk_networkfirewall::Client;

use super::convert::{for_each_item, nfw_tags, opt, Outcome, Problems};
use super::error::ApiFailure;
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    DomainList, Firewall, FirewallEndpoint, FirewallLogDestination, FirewallPolicy,
    FirewallSubnetMapping, Operation, RuleGroup, RuleGroupReference, RuleGroupType, RuleOrder,
    RuleSource, StatefulRule, StatefulRuleOption, StatelessPortRange, StatelessRule, TcpFlagMatch,
};

pub struct NetworkFirewallInventory {
    pub firewalls: Vec<Firewall>,
    pub policies: Vec<FirewallPolicy>,
    pub rule_groups: Vec<RuleGroup>,
    pub failures: Vec<ApiFailure>,
}

pub async fn collect(client: &Client, pg: Paging, concurrency: usize) -> NetworkFirewallInventory {
    let (firewalls, policies) = tokio::join!(
        firewalls(client, pg, concurrency),
        policies(client, pg, concurrency)
    );
    // Policies may reference groups this account does not list (AWS-managed ones):
    // describe those too, so a verdict never rests on a group we did not read.
    let referenced: BTreeSet<String> = policies
        .items
        .iter()
        .flat_map(|p| {
            p.stateless_rule_groups
                .iter()
                .chain(&p.stateful_rule_groups)
        })
        .map(|r| r.arn.clone())
        .collect();
    let rule_groups = rule_groups(client, pg, concurrency, referenced).await;
    let mut failures = firewalls.failures;
    failures.extend(policies.failures);
    failures.extend(rule_groups.failures);
    NetworkFirewallInventory {
        firewalls: firewalls.items,
        policies: policies.items,
        rule_groups: rule_groups.items,
        failures,
    }
}

async fn firewalls(client: &Client, pg: Paging, concurrency: usize) -> Outcome<Firewall> {
    let listed = match fetch_all!(
        Operation::ListFirewalls,
        client.list_firewalls().max_results(pg.size(100))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let arns = listed
        .iter()
        .map(|m| m.firewall_arn().unwrap_or_default().to_string());
    let described = for_each_item(arns, concurrency, |arn| async move {
        tokio::join!(
            client.describe_firewall().firewall_arn(&arn).send(),
            client
                .describe_logging_configuration()
                .firewall_arn(&arn)
                .send()
        )
    })
    .await;
    let mut p = Problems::default();
    let mut out = Vec::new();
    for (arn, (fw, logging)) in described {
        let resp = match fw {
            Ok(r) => r,
            Err(e) => {
                p.failures
                    .push(ApiFailure::from_sdk(Operation::DescribeFirewall, &e).about(&arn));
                continue;
            }
        };
        let Some(fw) = resp.firewall() else {
            p.invalid_about(
                Operation::DescribeFirewall,
                &arn,
                "no firewall in the answer",
            );
            continue;
        };
        let logging = match logging {
            Ok(l) => l
                .logging_configuration()
                .map(|c| {
                    c.log_destination_configs()
                        .iter()
                        .map(|d| FirewallLogDestination {
                            log_type: d.log_type().as_str().to_string(),
                            destination_type: d.log_destination_type().as_str().to_string(),
                            destination: d
                                .log_destination()
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) => {
                p.failures.push(
                    ApiFailure::from_sdk(Operation::DescribeLoggingConfiguration, &e).about(&arn),
                );
                Vec::new()
            }
        };
        let status = resp.firewall_status();
        let mut endpoints: Vec<FirewallEndpoint> = status
            .and_then(|s| s.sync_states())
            .map(|states| {
                states
                    .iter()
                    .map(|(az, st)| FirewallEndpoint {
                        availability_zone: az.clone(),
                        subnet_id: st.attachment().and_then(|a| opt(a.subnet_id())),
                        endpoint_id: st.attachment().and_then(|a| opt(a.endpoint_id())),
                        status: st
                            .attachment()
                            .and_then(|a| a.status())
                            .map(|s| s.as_str().to_string()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        endpoints.sort_by(|a, b| a.availability_zone.cmp(&b.availability_zone));
        out.push(Firewall {
            name: fw.firewall_name().unwrap_or_default().to_string(),
            arn: fw.firewall_arn().unwrap_or(&arn).to_string(),
            id: Some(fw.firewall_id().to_string()),
            vpc_id: fw.vpc_id().to_string(),
            subnet_mappings: fw
                .subnet_mappings()
                .iter()
                .map(|m| FirewallSubnetMapping {
                    subnet_id: m.subnet_id().to_string(),
                    ip_address_type: m.ip_address_type().map(|t| t.as_str().to_string()),
                })
                .collect(),
            policy_arn: fw.firewall_policy_arn().to_string(),
            delete_protection: fw.delete_protection(),
            subnet_change_protection: fw.subnet_change_protection(),
            policy_change_protection: fw.firewall_policy_change_protection(),
            status: status.map(|s| s.status().as_str().to_string()),
            endpoints,
            logging,
            tags: nfw_tags(fw.tags()),
        });
    }
    Outcome::new(out, p)
}

async fn policies(client: &Client, pg: Paging, concurrency: usize) -> Outcome<FirewallPolicy> {
    let listed = match fetch_all!(
        Operation::ListFirewallPolicies,
        client.list_firewall_policies().max_results(pg.size(100))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let arns = listed
        .iter()
        .map(|m| m.arn().unwrap_or_default().to_string());
    let described = for_each_item(arns, concurrency, |arn| async move {
        client
            .describe_firewall_policy()
            .firewall_policy_arn(&arn)
            .send()
            .await
    })
    .await;
    let mut p = Problems::default();
    let mut out = Vec::new();
    for (arn, r) in described {
        let resp = match r {
            Ok(r) => r,
            Err(e) => {
                p.failures
                    .push(ApiFailure::from_sdk(Operation::DescribeFirewallPolicy, &e).about(&arn));
                continue;
            }
        };
        let meta = resp.firewall_policy_response();
        let Some(doc) = resp.firewall_policy() else {
            p.invalid_about(
                Operation::DescribeFirewallPolicy,
                &arn,
                "no policy document",
            );
            continue;
        };
        out.push(convert_policy(
            meta.map(|m| m.firewall_policy_name()).unwrap_or_default(),
            meta.map(|m| m.firewall_policy_arn()).unwrap_or(&arn),
            doc,
            meta.map(|m| nfw_tags(m.tags())).unwrap_or_default(),
        ));
    }
    Outcome::new(out, p)
}

fn convert_policy(
    name: &str,
    arn: &str,
    doc: &nfw::FirewallPolicy,
    tags: crate::inventory::Tags,
) -> FirewallPolicy {
    let engine = doc.stateful_engine_options();
    FirewallPolicy {
        name: name.to_string(),
        arn: arn.to_string(),
        stateless_default_actions: doc.stateless_default_actions().to_vec(),
        stateless_fragment_default_actions: doc.stateless_fragment_default_actions().to_vec(),
        stateless_custom_actions: doc
            .stateless_custom_actions()
            .iter()
            .map(|a| a.action_name().to_string())
            .collect(),
        stateless_rule_groups: doc
            .stateless_rule_group_references()
            .iter()
            .map(|r| RuleGroupReference {
                arn: r.resource_arn().to_string(),
                priority: Some(r.priority()),
                override_action: None,
            })
            .collect(),
        stateful_rule_groups: doc
            .stateful_rule_group_references()
            .iter()
            .map(|r| RuleGroupReference {
                arn: r.resource_arn().to_string(),
                priority: r.priority(),
                override_action: r
                    .r#override()
                    .and_then(|o| o.action())
                    .map(|a| a.as_str().to_string()),
            })
            .collect(),
        // AWS's default when the policy does not say.
        stateful_rule_order: match engine.and_then(|e| e.rule_order()) {
            Some(nfw::RuleOrder::StrictOrder) => RuleOrder::StrictOrder,
            _ => RuleOrder::DefaultActionOrder,
        },
        stream_exception_policy: engine
            .and_then(|e| e.stream_exception_policy())
            .map(|s| s.as_str().to_string()),
        stateful_default_actions: doc.stateful_default_actions().to_vec(),
        variables: doc
            .policy_variables()
            .and_then(|v| v.rule_variables())
            .map(ip_sets)
            .unwrap_or_default(),
        tags,
    }
}

fn ip_sets(map: &HashMap<String, nfw::IpSet>) -> BTreeMap<String, Vec<String>> {
    map.iter()
        .map(|(k, v)| (k.clone(), v.definition().to_vec()))
        .collect()
}

async fn rule_groups(
    client: &Client,
    pg: Paging,
    concurrency: usize,
    referenced: BTreeSet<String>,
) -> Outcome<RuleGroup> {
    let listed = match fetch_all!(
        Operation::ListRuleGroups,
        client.list_rule_groups().max_results(pg.size(100))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut arns: BTreeSet<String> = listed
        .iter()
        .filter_map(|m| m.arn().map(str::to_string))
        .collect();
    arns.extend(referenced);
    let described = for_each_item(arns, concurrency, |arn| async move {
        client
            .describe_rule_group()
            .rule_group_arn(&arn)
            .send()
            .await
    })
    .await;
    let mut p = Problems::default();
    let mut out = Vec::new();
    for (arn, r) in described {
        let resp = match r {
            Ok(r) => r,
            Err(e) => {
                p.failures
                    .push(ApiFailure::from_sdk(Operation::DescribeRuleGroup, &e).about(&arn));
                continue;
            }
        };
        let Some(meta) = resp.rule_group_response() else {
            p.invalid_about(
                Operation::DescribeRuleGroup,
                &arn,
                "no rule group in the answer",
            );
            continue;
        };
        let group = resp.rule_group();
        let vars = group.and_then(|g| g.rule_variables());
        // The type decides which engine runs the group; when the answer omits it, the
        // ARN (`stateless-rulegroup/` or `stateful-rulegroup/`) still says.
        let rule_group_type = match meta.r#type() {
            Some(nfw::RuleGroupType::Stateless) => RuleGroupType::Stateless,
            Some(nfw::RuleGroupType::Stateful) => RuleGroupType::Stateful,
            _ if arn.contains(":stateless-rulegroup/") => RuleGroupType::Stateless,
            _ if arn.contains(":stateful-rulegroup/") => RuleGroupType::Stateful,
            other => {
                p.invalid_about(
                    Operation::DescribeRuleGroup,
                    &arn,
                    &format!("unknown rule group type {other:?}"),
                );
                continue;
            }
        };
        out.push(RuleGroup {
            name: meta.rule_group_name().to_string(),
            arn: meta.rule_group_arn().to_string(),
            rule_group_type,
            capacity: meta.capacity(),
            rule_order: group
                .and_then(|g| g.stateful_rule_options())
                .and_then(|o| o.rule_order())
                .map(|o| match o {
                    nfw::RuleOrder::StrictOrder => RuleOrder::StrictOrder,
                    _ => RuleOrder::DefaultActionOrder,
                }),
            ip_sets: vars
                .and_then(|v| v.ip_sets())
                .map(ip_sets)
                .unwrap_or_default(),
            port_sets: vars
                .and_then(|v| v.port_sets())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.definition().to_vec()))
                        .collect()
                })
                .unwrap_or_default(),
            source: group
                .and_then(|g| g.rules_source())
                .map(convert_source)
                .unwrap_or(RuleSource::Empty),
            tags: nfw_tags(meta.tags()),
        });
    }
    Outcome::new(out, p)
}

fn convert_source(s: &nfw::RulesSource) -> RuleSource {
    if let Some(rules) = s.rules_string() {
        return RuleSource::RulesString {
            rules: rules.to_string(),
        };
    }
    if let Some(list) = s.rules_source_list() {
        return RuleSource::DomainList(DomainList {
            targets: list.targets().to_vec(),
            target_types: list
                .target_types()
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            generated_rules_type: list.generated_rules_type().as_str().to_string(),
        });
    }
    if !s.stateful_rules().is_empty() {
        return RuleSource::StatefulRules {
            rules: s
                .stateful_rules()
                .iter()
                .map(|r| {
                    let h = r.header();
                    let field = |f: fn(&nfw::Header) -> &str| h.map(f).unwrap_or("").to_string();
                    StatefulRule {
                        action: r.action().as_str().to_string(),
                        protocol: h.map(|h| h.protocol().as_str()).unwrap_or("").to_string(),
                        source: field(|h| h.source()),
                        source_port: field(|h| h.source_port()),
                        direction: h.map(|h| h.direction().as_str()).unwrap_or("").to_string(),
                        destination: field(|h| h.destination()),
                        destination_port: field(|h| h.destination_port()),
                        options: r
                            .rule_options()
                            .iter()
                            .map(|o| StatefulRuleOption {
                                keyword: o.keyword().to_string(),
                                settings: o.settings().to_vec(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        };
    }
    if let Some(sl) = s.stateless_rules_and_custom_actions() {
        return RuleSource::Stateless {
            rules: sl
                .stateless_rules()
                .iter()
                .map(|r| {
                    let def = r.rule_definition();
                    let m = def.and_then(|d| d.match_attributes());
                    let ports = |v: &[nfw::PortRange]| {
                        v.iter()
                            .map(|p| StatelessPortRange {
                                from: p.from_port(),
                                to: p.to_port(),
                            })
                            .collect::<Vec<_>>()
                    };
                    StatelessRule {
                        priority: r.priority(),
                        actions: def.map(|d| d.actions().to_vec()).unwrap_or_default(),
                        sources: m
                            .map(|m| {
                                m.sources()
                                    .iter()
                                    .map(|a| a.address_definition().to_string())
                                    .collect()
                            })
                            .unwrap_or_default(),
                        destinations: m
                            .map(|m| {
                                m.destinations()
                                    .iter()
                                    .map(|a| a.address_definition().to_string())
                                    .collect()
                            })
                            .unwrap_or_default(),
                        source_ports: m.map(|m| ports(m.source_ports())).unwrap_or_default(),
                        destination_ports: m
                            .map(|m| ports(m.destination_ports()))
                            .unwrap_or_default(),
                        protocols: m.map(|m| m.protocols().to_vec()).unwrap_or_default(),
                        tcp_flags: m
                            .map(|m| {
                                m.tcp_flags()
                                    .iter()
                                    .map(|t| TcpFlagMatch {
                                        flags: t
                                            .flags()
                                            .iter()
                                            .map(|f| f.as_str().to_string())
                                            .collect(),
                                        masks: t
                                            .masks()
                                            .iter()
                                            .map(|f| f.as_str().to_string())
                                            .collect(),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            custom_actions: sl
                .custom_actions()
                .iter()
                .map(|a| a.action_name().to_string())
                .collect(),
        };
    }
    RuleSource::Empty
}
