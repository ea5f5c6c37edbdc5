//! Application, Network and Gateway Load Balancers: each one's listeners (and an
//! Application Load Balancer's rules, for the target groups they forward to), and the
//! target groups with their registered targets.

use std::collections::{BTreeSet, HashMap, HashSet};

use aws_sdk_elasticloadbalancingv2::types as elbv2;
use aws_sdk_elasticloadbalancingv2::Client;

use super::PAGE_MAX;
use crate::collect::convert::{for_each_item, opt, Outcome, Problems};
use crate::collect::error::ApiFailure;
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    Listener, LoadBalancer, LoadBalancerScheme, LoadBalancerType, Operation, Tags, Target,
    TargetGroup,
};

/// The target group attribute that says whether a Network Load Balancer passes the
/// client's address on to the targets.
const PRESERVE_CLIENT_IP: &str = "preserve_client_ip.enabled";

pub async fn load_balancers(
    client: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<LoadBalancer> {
    let listed: Vec<elbv2::LoadBalancer> = match fetch_all!(
        Operation::DescribeLoadBalancers,
        client
            .describe_load_balancers()
            .page_size(pg.size(PAGE_MAX))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut out: Vec<LoadBalancer> = listed.iter().filter_map(|lb| convert(lb, &mut p)).collect();
    let types: HashMap<String, LoadBalancerType> =
        out.iter().map(|lb| (lb.arn.clone(), lb.lb_type)).collect();
    let answers = for_each_item(out.iter().map(|lb| lb.arn.clone()), concurrency, |arn| {
        let lb_type = types
            .get(&arn)
            .copied()
            .unwrap_or(LoadBalancerType::Application);
        async move { listeners(client, &arn, lb_type, pg, concurrency).await }
    })
    .await;
    for (lb, (_, answer)) in out.iter_mut().zip(answers) {
        lb.listeners = match answer {
            Ok(listeners) => Some(listeners),
            Err(f) => {
                p.failures.push(f.about(&lb.arn));
                None
            }
        };
    }
    Outcome::new(out, p)
}

fn convert(lb: &elbv2::LoadBalancer, p: &mut Problems) -> Option<LoadBalancer> {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let lb_type = match lb.r#type() {
        Some(elbv2::LoadBalancerTypeEnum::Application) => LoadBalancerType::Application,
        Some(elbv2::LoadBalancerTypeEnum::Network) => LoadBalancerType::Network,
        Some(elbv2::LoadBalancerTypeEnum::Gateway) => LoadBalancerType::Gateway,
        other => {
            p.invalid_about(
                Operation::DescribeLoadBalancers,
                arn,
                &format!("unknown load balancer type {other:?}"),
            );
            return None;
        }
    };
    let mut subnet_ids: Vec<String> = lb
        .availability_zones()
        .iter()
        .filter_map(|z| opt(z.subnet_id()))
        .collect();
    subnet_ids.sort();
    let mut security_group_ids = lb.security_groups().to_vec();
    security_group_ids.sort();
    Some(LoadBalancer {
        arn: arn.to_string(),
        name: lb.load_balancer_name().unwrap_or_default().to_string(),
        lb_type,
        // Anything but `internal` is read as the exposed scheme, so that an unknown
        // value never hides a public load balancer.
        scheme: match lb.scheme() {
            Some(elbv2::LoadBalancerSchemeEnum::Internal) => LoadBalancerScheme::Internal,
            _ => LoadBalancerScheme::InternetFacing,
        },
        vpc_id: opt(lb.vpc_id()),
        subnet_ids,
        security_group_ids,
        ip_address_type: lb.ip_address_type().map(|t| t.as_str().to_string()),
        dns_name: opt(lb.dns_name()),
        state: lb
            .state()
            .and_then(|s| s.code())
            .map(|c| c.as_str().to_string()),
        listeners: None,
        instance_ids: Vec::new(),
        tags: Tags::default(),
    })
}

/// A load balancer's listeners, sorted by port and protocol, each with the target
/// groups it forwards to; `Err` when its listeners, or the rules of one of them,
/// could not be read (the target groups would be incomplete).
async fn listeners(
    client: &Client,
    lb_arn: &str,
    lb_type: LoadBalancerType,
    pg: Paging,
    concurrency: usize,
) -> Result<Vec<Listener>, ApiFailure> {
    let listed: Vec<elbv2::Listener> = fetch_all!(
        Operation::DescribeListeners,
        client
            .describe_listeners()
            .load_balancer_arn(lb_arn)
            .page_size(pg.size(PAGE_MAX))
    )?;
    // Only an Application Load Balancer's listeners have rules besides the default
    // actions DescribeListeners already gives.
    let with_rules = listed
        .iter()
        .filter(|_| lb_type == LoadBalancerType::Application)
        .filter_map(|l| opt(l.listener_arn()));
    let rules = for_each_item(with_rules, concurrency, |arn| async move {
        fetch_all!(
            Operation::DescribeRules,
            client
                .describe_rules()
                .listener_arn(&arn)
                .page_size(pg.size(PAGE_MAX))
        )
    })
    .await;
    let mut out = Vec::with_capacity(listed.len());
    for l in &listed {
        let mut forwards = BTreeSet::new();
        forwarded(l.default_actions(), &mut forwards);
        if let Some((_, answer)) = rules
            .iter()
            .find(|(arn, _)| Some(arn.as_str()) == l.listener_arn())
        {
            let rules: &Vec<elbv2::Rule> = answer.as_ref().map_err(|f| {
                let mut f = f.clone();
                f.message = format!(
                    "listener {}: {}",
                    l.listener_arn().unwrap_or("?"),
                    f.message
                );
                f
            })?;
            for rule in rules {
                forwarded(rule.actions(), &mut forwards);
            }
        }
        out.push(Listener {
            arn: opt(l.listener_arn()),
            // A Gateway Load Balancer's listener has neither: it takes every port
            // and protocol (GENEVE to its appliances).
            port: l.port().and_then(|p| u16::try_from(p).ok()).unwrap_or(0),
            protocol: l.protocol().map_or_else(
                || {
                    if lb_type == LoadBalancerType::Gateway {
                        "GENEVE".to_string()
                    } else {
                        String::new()
                    }
                },
                |p| p.as_str().to_string(),
            ),
            target_group_arns: forwards.into_iter().collect(),
            instance_port: None,
            instance_protocol: None,
        });
    }
    out.sort_by(|a, b| (a.port, &a.protocol, &a.arn).cmp(&(b.port, &b.protocol, &b.arn)));
    Ok(out)
}

/// The target groups `forward` actions send to: the single target group, or every
/// one of a weighted forward.
fn forwarded(actions: &[elbv2::Action], into: &mut BTreeSet<String>) {
    for a in actions {
        if a.r#type() != Some(&elbv2::ActionTypeEnum::Forward) {
            continue;
        }
        into.extend(a.target_group_arn().map(str::to_string));
        if let Some(config) = a.forward_config() {
            into.extend(
                config
                    .target_groups()
                    .iter()
                    .filter_map(|t| opt(t.target_group_arn())),
            );
        }
    }
}

pub async fn target_groups(
    client: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<TargetGroup> {
    let listed: Vec<elbv2::TargetGroup> = match fetch_all!(
        Operation::DescribeTargetGroups,
        client.describe_target_groups().page_size(pg.size(PAGE_MAX))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let mut out: Vec<TargetGroup> = listed.iter().map(convert_group).collect();
    // The attribute matters only behind a Network Load Balancer: the other target
    // groups are not asked.
    let behind_nlb: HashSet<String> = out
        .iter()
        .filter(|g| g.load_balancer_arns.iter().any(|lb| is_network(lb)))
        .map(|g| g.arn.clone())
        .collect();
    let answers = for_each_item(out.iter().map(|g| g.arn.clone()), concurrency, |arn| {
        let network = behind_nlb.contains(&arn);
        async move {
            let health = client
                .describe_target_health()
                .target_group_arn(&arn)
                .send();
            let attributes = async {
                if network {
                    Some(
                        client
                            .describe_target_group_attributes()
                            .target_group_arn(&arn)
                            .send()
                            .await,
                    )
                } else {
                    None
                }
            };
            tokio::join!(health, attributes)
        }
    })
    .await;
    let mut p = Problems::default();
    for (group, (_, (health, attributes))) in out.iter_mut().zip(answers) {
        group.targets = match health {
            Ok(h) => Some(targets(h.target_health_descriptions(), group.port)),
            Err(e) => {
                p.failures.push(
                    ApiFailure::from_sdk(Operation::DescribeTargetHealth, &e).about(&group.arn),
                );
                None
            }
        };
        group.preserve_client_ip = match attributes {
            None => None,
            Some(Ok(a)) => a
                .attributes()
                .iter()
                .find(|x| x.key() == Some(PRESERVE_CLIENT_IP))
                .and_then(|x| x.value())
                .and_then(|v| v.parse().ok()),
            Some(Err(e)) => {
                p.failures.push(
                    ApiFailure::from_sdk(Operation::DescribeTargetGroupAttributes, &e)
                        .about(&group.arn),
                );
                None
            }
        };
    }
    Outcome::new(out, p)
}

/// A Network Load Balancer's ARN: `...:loadbalancer/net/<name>/<id>`.
fn is_network(lb_arn: &str) -> bool {
    lb_arn.contains(":loadbalancer/net/")
}

fn convert_group(g: &elbv2::TargetGroup) -> TargetGroup {
    // Sorted, and once each: an answer may name a load balancer once per listener.
    let load_balancer_arns: BTreeSet<String> = g.load_balancer_arns().iter().cloned().collect();
    TargetGroup {
        arn: g.target_group_arn().unwrap_or_default().to_string(),
        name: g.target_group_name().unwrap_or_default().to_string(),
        target_type: g
            .target_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        protocol: g.protocol().map(|p| p.as_str().to_string()),
        port: g.port().and_then(|p| u16::try_from(p).ok()),
        vpc_id: opt(g.vpc_id()),
        load_balancer_arns: load_balancer_arns.into_iter().collect(),
        preserve_client_ip: None,
        targets: None,
        tags: Tags::default(),
    }
}

fn targets(described: &[elbv2::TargetHealthDescription], group_port: Option<u16>) -> Vec<Target> {
    let mut out: Vec<Target> = described
        .iter()
        .filter_map(|d| {
            let t = d.target()?;
            Some(Target {
                id: t.id()?.to_string(),
                port: t.port().and_then(|p| u16::try_from(p).ok()).or(group_port),
                availability_zone: opt(t.availability_zone()),
                health: d
                    .target_health()
                    .and_then(|h| h.state())
                    .map(|s| s.as_str().to_string()),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.id, a.port).cmp(&(&b.id, b.port)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_include_weighted_target_groups_and_skip_other_actions() {
        let weighted = elbv2::ForwardActionConfig::builder()
            .target_groups(
                elbv2::TargetGroupTuple::builder()
                    .target_group_arn("tg-b")
                    .build(),
            )
            .target_groups(
                elbv2::TargetGroupTuple::builder()
                    .target_group_arn("tg-a")
                    .build(),
            )
            .build();
        let actions = [
            elbv2::Action::builder()
                .r#type(elbv2::ActionTypeEnum::Forward)
                .target_group_arn("tg-c")
                .build(),
            elbv2::Action::builder()
                .r#type(elbv2::ActionTypeEnum::Forward)
                .forward_config(weighted)
                .build(),
            elbv2::Action::builder()
                .r#type(elbv2::ActionTypeEnum::FixedResponse)
                .target_group_arn("tg-ignored")
                .build(),
        ];
        let mut out = BTreeSet::new();
        forwarded(&actions, &mut out);
        forwarded(&actions[..1], &mut out);
        assert_eq!(
            out.into_iter().collect::<Vec<_>>(),
            ["tg-a", "tg-b", "tg-c"]
        );
    }

    #[test]
    fn network_load_balancers_are_told_by_their_arn() {
        assert!(is_network(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/ssh/0123"
        ));
        assert!(!is_network(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123"
        ));
    }
}
