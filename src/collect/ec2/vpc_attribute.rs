//! `enableDnsSupport` of each VPC: EC2 reports VPC attributes one VPC and one
//! attribute per call.

use aws_sdk_ec2::types::VpcAttributeName;
use aws_sdk_ec2::Client;

use crate::collect::convert::{for_each_item, Outcome, Problems};
use crate::collect::error::ApiFailure;
use crate::inventory::Operation;

/// (VPC id, enableDnsSupport) for each VPC whose attribute could be read; a VPC
/// whose attribute cannot be read is a gap naming it.
pub async fn dns_support(
    ec2: &Client,
    vpc_ids: Vec<String>,
    concurrency: usize,
) -> Outcome<(String, bool)> {
    let answers = for_each_item(vpc_ids, concurrency, |id| async move {
        ec2.describe_vpc_attribute()
            .vpc_id(&id)
            .attribute(VpcAttributeName::EnableDnsSupport)
            .send()
            .await
    })
    .await;
    let mut p = Problems::default();
    let mut out = Vec::new();
    for (id, answer) in answers {
        match answer {
            Ok(resp) => match resp.enable_dns_support().and_then(|a| a.value()) {
                Some(on) => out.push((id, on)),
                None => p.invalid_about(
                    Operation::DescribeVpcAttribute,
                    &id,
                    "no enableDnsSupport in the answer",
                ),
            },
            Err(e) => p
                .failures
                .push(ApiFailure::from_sdk(Operation::DescribeVpcAttribute, &e).about(&id)),
        }
    }
    Outcome::new(out, p)
}
