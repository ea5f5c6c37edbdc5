//! The inspection VPC's AWS Network Firewall: one endpoint per AZ (a Gateway Load
//! Balancer endpoint, `vpce-`, with its ENI), a policy forwarding everything to the
//! stateful engine, a domain allowlist for TLS SNI / HTTP Host, and a Suricata rule
//! dropping outbound SSH.

use std::collections::BTreeMap;

use crate::inventory::{
    Firewall, FirewallEndpoint, FirewallLogDestination, FirewallPolicy, FirewallSubnetMapping,
    RuleGroup, RuleGroupReference, RuleGroupType, RuleOrder, RuleSource, VpcEndpoint,
};

use super::enis::infra_eni;
use super::plan::{Tier, AZS, REGION};
use super::routes::FULL_ACCESS_POLICY;
use super::state::{named, Builder};

/// Names the egress allowlist lets out.
pub const ALLOWED_DOMAINS: [&str; 6] = [
    ".amazonaws.com",
    ".github.com",
    ".githubusercontent.com",
    "pypi.org",
    ".pythonhosted.org",
    "registry.npmjs.org",
];

pub(super) fn build(b: &mut Builder) {
    let Some(v) = b.layout.vpcs.iter().position(|p| p.inspection) else {
        return;
    };
    let policy_arn = b.arn("network-firewall", "firewall-policy/inspection-policy");
    let domains_arn = b.arn("network-firewall", "stateful-rulegroup/egress-domains");
    let ssh_arn = b.arn("network-firewall", "stateful-rulegroup/no-outbound-ssh");
    let home: Vec<String> = vec!["10.0.0.0/8".into()];

    let mut mappings = Vec::new();
    let mut endpoints = Vec::new();
    let firewall_subnets: Vec<usize> = b.layout.vpcs[v].subnets_in(Tier::Firewall).collect();
    for s in firewall_subnets {
        let plan = &b.layout.vpcs[v];
        let az = plan.subnets[s].az;
        let endpoint = plan.firewall_endpoints[az].clone();
        let subnet_id = plan.subnets[s].id.clone();
        let eni = infra_eni(
            b,
            v,
            s,
            "gateway_load_balancer_endpoint",
            format!("VPC Endpoint Interface {endpoint}"),
            false,
        );
        let service = format!("com.amazonaws.vpce.{REGION}.vpce-svc-{:017x}", b.ids.raw());
        b.ri.vpc_endpoints.push(VpcEndpoint {
            id: endpoint.clone(),
            vpc_id: b.layout.vpcs[v].id.clone(),
            owner_id: Some(b.account.clone()),
            endpoint_type: "GatewayLoadBalancer".into(),
            service_name: service,
            state: Some("available".into()),
            subnet_ids: vec![subnet_id.clone()],
            route_table_ids: vec![],
            network_interface_ids: vec![eni.id],
            security_group_ids: vec![],
            policy_document: Some(FULL_ACCESS_POLICY.into()),
            private_dns_enabled: false,
            tags: named(&format!("inspection-fw:{}", AZS[az].0)),
        });
        mappings.push(FirewallSubnetMapping {
            subnet_id: subnet_id.clone(),
            ip_address_type: Some("IPV4".into()),
        });
        endpoints.push(FirewallEndpoint {
            availability_zone: AZS[az].0.into(),
            subnet_id: Some(subnet_id),
            endpoint_id: Some(endpoint),
            status: Some("READY".into()),
        });
    }
    let (hi, lo) = (b.ids.raw(), b.ids.raw());
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xfff,
        0x8000 | ((lo >> 48) & 0x3fff),
        lo & 0xffff_ffff_ffff
    );
    b.ri.firewalls.push(Firewall {
        name: "inspection-fw".into(),
        arn: b.arn("network-firewall", "firewall/inspection-fw"),
        id: Some(uuid),
        vpc_id: b.layout.vpcs[v].id.clone(),
        subnet_mappings: mappings,
        policy_arn: policy_arn.clone(),
        delete_protection: true,
        subnet_change_protection: true,
        policy_change_protection: false,
        status: Some("READY".into()),
        endpoints,
        logging: vec![FirewallLogDestination {
            log_type: "ALERT".into(),
            destination_type: "S3".into(),
            destination: BTreeMap::from([
                (
                    "bucketName".to_string(),
                    "network-firewall-logs".to_string(),
                ),
                ("prefix".to_string(), "inspection".to_string()),
            ]),
        }],
        tags: named("inspection-fw"),
    });
    b.ri.firewall_policies.push(FirewallPolicy {
        name: "inspection-policy".into(),
        arn: policy_arn,
        stateless_default_actions: vec!["aws:forward_to_sfe".into()],
        stateless_fragment_default_actions: vec!["aws:forward_to_sfe".into()],
        stateless_custom_actions: vec![],
        stateless_rule_groups: vec![],
        stateful_rule_groups: vec![
            RuleGroupReference {
                arn: ssh_arn.clone(),
                priority: None,
                override_action: None,
            },
            RuleGroupReference {
                arn: domains_arn.clone(),
                priority: None,
                override_action: None,
            },
        ],
        stateful_rule_order: RuleOrder::DefaultActionOrder,
        stream_exception_policy: Some("DROP".into()),
        stateful_default_actions: vec![],
        variables: BTreeMap::from([("HOME_NET".to_string(), home.clone())]),
        tags: named("inspection-policy"),
    });
    b.ri.firewall_rule_groups.push(RuleGroup {
        name: "egress-domains".into(),
        arn: domains_arn,
        rule_group_type: RuleGroupType::Stateful,
        capacity: Some(100),
        rule_order: Some(RuleOrder::DefaultActionOrder),
        ip_sets: BTreeMap::from([("HOME_NET".to_string(), home)]),
        port_sets: BTreeMap::new(),
        source: RuleSource::DomainList(crate::inventory::DomainList {
            targets: ALLOWED_DOMAINS.iter().map(|d| d.to_string()).collect(),
            target_types: vec!["TLS_SNI".into(), "HTTP_HOST".into()],
            generated_rules_type: "ALLOWLIST".into(),
        }),
        tags: named("egress-domains"),
    });
    b.ri.firewall_rule_groups.push(RuleGroup {
        name: "no-outbound-ssh".into(),
        arn: ssh_arn,
        rule_group_type: RuleGroupType::Stateful,
        capacity: Some(10),
        rule_order: Some(RuleOrder::DefaultActionOrder),
        ip_sets: BTreeMap::new(),
        port_sets: BTreeMap::new(),
        source: RuleSource::RulesString {
            rules:
                "drop tcp $HOME_NET any -> any 22 (msg:\"no outbound ssh\"; sid:1000001; rev:1;)\n"
                    .into(),
        },
        tags: named("no-outbound-ssh"),
    });
}
