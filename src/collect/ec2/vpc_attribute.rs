//! `enableDnsSupport` of each VPC: EC2 reports VPC attributes one VPC and one
//! attribute per call.

use aws_sdk_ec2::types::VpcAttributeName;
use aws_sdk_ec2::Client;

use crate::collect::convert::{for_each_item, Problems};
use crate::collect::error::ApiFailure;
use crate::inventory::{Operation, Vpc};

/// Fills each VPC's `enable_dns_support`; a VPC whose attribute cannot be read keeps
/// `None` and a gap names it.
pub async fn dns_support(ec2: &Client, vpcs: &mut [Vpc], concurrency: usize, p: &mut Problems) {
    let ids = vpcs.iter().map(|v| v.id.clone());
    let answers = for_each_item(ids, concurrency, |id| async move {
        ec2.describe_vpc_attribute()
            .vpc_id(&id)
            .attribute(VpcAttributeName::EnableDnsSupport)
            .send()
            .await
    })
    .await;
    for (vpc, (id, answer)) in vpcs.iter_mut().zip(answers) {
        match answer {
            Ok(resp) => {
                vpc.enable_dns_support = resp.enable_dns_support().and_then(|a| a.value());
                if vpc.enable_dns_support.is_none() {
                    p.invalid_about(
                        Operation::DescribeVpcAttribute,
                        &id,
                        "no enableDnsSupport in the answer",
                    );
                }
            }
            Err(e) => p
                .failures
                .push(ApiFailure::from_sdk(Operation::DescribeVpcAttribute, &e).about(&id)),
        }
    }
}
