//! Classic Load Balancers: one call lists them with their listeners, instances,
//! subnets and security groups.

use aws_sdk_elasticloadbalancing::types::LoadBalancerDescription;
use aws_sdk_elasticloadbalancing::Client;

use super::{Owner, PAGE_MAX};
use crate::collect::convert::{opt, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    Listener, LoadBalancer, LoadBalancerScheme, LoadBalancerType, Operation, Tags,
};

/// The resource a gap about the Classic `DescribeLoadBalancers` call names, to tell
/// it from the ELBv2 call of the same name.
pub const CLASSIC: &str = "classic";

pub async fn load_balancers(
    client: &Client,
    owner: &Owner<'_>,
    pg: Paging,
) -> Outcome<LoadBalancer> {
    let listed: Vec<LoadBalancerDescription> = match fetch_all!(
        Operation::DescribeLoadBalancers,
        client
            .describe_load_balancers()
            .page_size(pg.size(PAGE_MAX))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f.about(CLASSIC)),
    };
    let mut p = Problems::default();
    let mut out = Vec::new();
    for lb in &listed {
        let Some(name) = lb.load_balancer_name() else {
            p.invalid_about(
                Operation::DescribeLoadBalancers,
                CLASSIC,
                "a load balancer without a name",
            );
            continue;
        };
        out.push(convert(lb, name, owner, &mut p));
    }
    Outcome::new(out, p)
}

fn convert(
    lb: &LoadBalancerDescription,
    name: &str,
    owner: &Owner<'_>,
    p: &mut Problems,
) -> LoadBalancer {
    let arn = format!(
        "arn:{}:elasticloadbalancing:{}:{}:loadbalancer/{name}",
        partition(owner.region),
        owner.region,
        owner.account_id
    );
    let mut listeners: Vec<Listener> = lb
        .listener_descriptions()
        .iter()
        .filter_map(|d| d.listener())
        .filter_map(|l| {
            let lb_port = port(l.load_balancer_port(), &arn, p)?;
            Some(Listener {
                arn: None,
                port: lb_port,
                protocol: l.protocol().to_ascii_uppercase(),
                target_group_arns: Vec::new(),
                instance_port: port(l.instance_port(), &arn, p),
                instance_protocol: l.instance_protocol().map(str::to_ascii_uppercase),
            })
        })
        .collect();
    listeners.sort_by(|a, b| (a.port, &a.protocol).cmp(&(b.port, &b.protocol)));
    let mut instance_ids: Vec<String> = lb
        .instances()
        .iter()
        .filter_map(|i| opt(i.instance_id()))
        .collect();
    instance_ids.sort();
    instance_ids.dedup();
    LoadBalancer {
        arn,
        name: name.to_string(),
        lb_type: LoadBalancerType::Classic,
        // The API says `internet-facing` or `internal`; anything else is read as the
        // exposed one, so that an unknown value never hides a public load balancer.
        scheme: match lb.scheme() {
            Some("internal") => LoadBalancerScheme::Internal,
            _ => LoadBalancerScheme::InternetFacing,
        },
        vpc_id: opt(lb.vpc_id()),
        subnet_ids: sorted(lb.subnets()),
        security_group_ids: sorted(lb.security_groups()),
        ip_address_type: None,
        dns_name: opt(lb.dns_name()),
        state: None,
        listeners: Some(listeners),
        instance_ids,
        tags: Tags::default(),
    }
}

fn port(value: i32, arn: &str, p: &mut Problems) -> Option<u16> {
    let port = u16::try_from(value).ok();
    if port.is_none() {
        p.invalid_about(
            Operation::DescribeLoadBalancers,
            arn,
            &format!("unreadable listener port {value}"),
        );
    }
    port
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// The ARN partition of a region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}
