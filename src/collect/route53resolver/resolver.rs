//! Resolver query logging, endpoints (with their addresses) and rules (with their
//! VPC associations).

use std::net::IpAddr;

use aws_sdk_route53resolver::types::TargetAddress;
use aws_sdk_route53resolver::Client;

use super::{aws_name, MAX_RESULTS};
use crate::collect::convert::{for_each_item, opt, string, Outcome, Problems};
use crate::collect::error::ApiFailure;
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    Operation, ResolverEndpoint, ResolverEndpointIp, ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation, ResolverRule, ResolverRuleAssociation,
    ResolverTargetAddress,
};

pub async fn query_log_configs(client: &Client, pg: Paging) -> Outcome<ResolverQueryLogConfig> {
    let listed = match fetch_all!(
        Operation::ListResolverQueryLogConfigs,
        client
            .list_resolver_query_log_configs()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let out = listed
        .iter()
        .map(|c| ResolverQueryLogConfig {
            id: string(c.id()),
            arn: opt(c.arn()),
            name: opt(c.name()),
            owner_id: opt(c.owner_id()),
            destination_arn: opt(c.destination_arn()),
            status: aws_name(c.status()),
            share_status: aws_name(c.share_status()),
        })
        .collect();
    Outcome::new(out, Problems::default())
}

pub async fn query_log_config_associations(
    client: &Client,
    pg: Paging,
) -> Outcome<ResolverQueryLogConfigAssociation> {
    let listed = match fetch_all!(
        Operation::ListResolverQueryLogConfigAssociations,
        client
            .list_resolver_query_log_config_associations()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let out = listed
        .iter()
        .map(|a| ResolverQueryLogConfigAssociation {
            id: string(a.id()),
            resolver_query_log_config_id: string(a.resolver_query_log_config_id()),
            resource_id: string(a.resource_id()),
            status: aws_name(a.status()),
        })
        .collect();
    Outcome::new(out, Problems::default())
}

pub async fn endpoints(
    client: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<ResolverEndpoint> {
    let listed = match fetch_all!(
        Operation::ListResolverEndpoints,
        client
            .list_resolver_endpoints()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let ids = listed.iter().map(|e| string(e.id()));
    let answers = for_each_item(ids, concurrency, |id| async move {
        fetch_all!(
            Operation::ListResolverEndpointIpAddresses,
            client
                .list_resolver_endpoint_ip_addresses()
                .resolver_endpoint_id(&id)
                .max_results(pg.size(MAX_RESULTS))
        )
    })
    .await;
    let mut p = Problems::default();
    let out = listed
        .iter()
        .zip(answers)
        .map(|(e, (id, addresses))| ResolverEndpoint {
            arn: opt(e.arn()),
            name: opt(e.name()),
            direction: aws_name(e.direction()).unwrap_or_default(),
            vpc_id: string(e.host_vpc_id()),
            security_group_ids: e.security_group_ids().to_vec(),
            ip_addresses: endpoint_ips(addresses, &id, &mut p),
            status: aws_name(e.status()),
            // ListResolverEndpoints does not return tags.
            tags: Default::default(),
            id,
        })
        .collect();
    Outcome::new(out, p)
}

fn endpoint_ips(
    answer: Result<Vec<aws_sdk_route53resolver::types::IpAddressResponse>, ApiFailure>,
    endpoint_id: &str,
    p: &mut Problems,
) -> Option<Vec<ResolverEndpointIp>> {
    const OP: Operation = Operation::ListResolverEndpointIpAddresses;
    let addresses = match answer {
        Ok(a) => a,
        Err(f) => {
            p.failures.push(f.about(endpoint_id));
            return None;
        }
    };
    let mut out: Vec<ResolverEndpointIp> = addresses
        .iter()
        .map(|a| ResolverEndpointIp {
            subnet_id: string(a.subnet_id()),
            ip: a
                .ip()
                .or(a.ipv6())
                .and_then(|ip| p.parse_about(OP, "address", endpoint_id, ip)),
            network_interface_id: None,
        })
        .collect();
    out.sort_by(|a, b| (&a.subnet_id, a.ip).cmp(&(&b.subnet_id, b.ip)));
    Some(out)
}

pub async fn rules(client: &Client, pg: Paging) -> Outcome<ResolverRule> {
    const OP: Operation = Operation::ListResolverRules;
    let listed = match fetch_all!(
        OP,
        client
            .list_resolver_rules()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let out = listed
        .iter()
        .map(|r| {
            let id = string(r.id());
            ResolverRule {
                arn: opt(r.arn()),
                name: opt(r.name()),
                domain_name: string(r.domain_name()),
                rule_type: aws_name(r.rule_type()).unwrap_or_default(),
                resolver_endpoint_id: opt(r.resolver_endpoint_id()),
                target_ips: r
                    .target_ips()
                    .iter()
                    .filter_map(|t| target(t, &id, &mut p))
                    .collect(),
                owner_id: opt(r.owner_id()),
                share_status: aws_name(r.share_status()),
                status: aws_name(r.status()),
                id,
            }
        })
        .collect();
    Outcome::new(out, p)
}

/// A forwarding target; one whose address cannot be read is a gap about the rule.
fn target(t: &TargetAddress, rule_id: &str, p: &mut Problems) -> Option<ResolverTargetAddress> {
    const OP: Operation = Operation::ListResolverRules;
    let Some(raw) = t.ip().or(t.ipv6()) else {
        p.invalid_about(OP, rule_id, "a target without an address");
        return None;
    };
    let ip: IpAddr = p.parse_about(OP, "target address", rule_id, raw)?;
    let port = match t.port() {
        None => None,
        Some(port) => Some(p.parse_about(OP, "target port", rule_id, &port.to_string())?),
    };
    Some(ResolverTargetAddress {
        ip,
        port,
        protocol: aws_name(t.protocol()),
    })
}

pub async fn rule_associations(client: &Client, pg: Paging) -> Outcome<ResolverRuleAssociation> {
    let listed = match fetch_all!(
        Operation::ListResolverRuleAssociations,
        client
            .list_resolver_rule_associations()
            .max_results(pg.size(MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let out = listed
        .iter()
        .map(|a| ResolverRuleAssociation {
            id: string(a.id()),
            resolver_rule_id: string(a.resolver_rule_id()),
            vpc_id: string(a.vpc_id()),
            status: aws_name(a.status()),
        })
        .collect();
    Outcome::new(out, Problems::default())
}
