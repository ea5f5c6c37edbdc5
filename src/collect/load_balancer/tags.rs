//! Tags of load balancers and target groups: `DescribeTags` reads up to 20 resources
//! a call (ARNs on ELBv2, names on Classic), so they are read in batches rather than
//! one call each.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};

use super::classic::CLASSIC;
use crate::collect::error::ApiFailure;
use crate::inventory::{Operation, Tags};

/// The most resources one `DescribeTags` call takes, on either API.
const PER_CALL: usize = 20;

/// Resource (ARN or classic name) → its tags, and the batches that failed.
pub struct Tagged {
    pub tags: HashMap<String, Tags>,
    pub failures: Vec<ApiFailure>,
}

pub async fn v2(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    arns: Vec<String>,
    concurrency: usize,
) -> Tagged {
    let answers: Vec<_> = stream::iter(arns.chunks(PER_CALL).map(<[String]>::to_vec))
        .map(|batch| async move {
            let answer = client
                .describe_tags()
                .set_resource_arns(Some(batch.clone()))
                .send()
                .await;
            (batch, answer)
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Tagged {
        tags: HashMap::new(),
        failures: Vec::new(),
    };
    for (batch, answer) in answers {
        match answer {
            Ok(a) => {
                for d in a.tag_descriptions() {
                    let Some(arn) = d.resource_arn() else {
                        continue;
                    };
                    let tags = d
                        .tags()
                        .iter()
                        .filter_map(|t| {
                            Some((
                                t.key()?.to_string(),
                                t.value().unwrap_or_default().to_string(),
                            ))
                        })
                        .collect();
                    out.tags.insert(arn.to_string(), tags);
                }
            }
            Err(e) => out.failures.push(failure(
                ApiFailure::from_sdk(Operation::DescribeTags, &e),
                &batch,
            )),
        }
    }
    out
}

pub async fn classic(
    client: &aws_sdk_elasticloadbalancing::Client,
    names: Vec<String>,
    concurrency: usize,
) -> Tagged {
    let answers: Vec<_> = stream::iter(names.chunks(PER_CALL).map(<[String]>::to_vec))
        .map(|batch| async move {
            client
                .describe_tags()
                .set_load_balancer_names(Some(batch))
                .send()
                .await
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Tagged {
        tags: HashMap::new(),
        failures: Vec::new(),
    };
    for answer in answers {
        match answer {
            Ok(a) => {
                for d in a.tag_descriptions() {
                    let Some(name) = d.load_balancer_name() else {
                        continue;
                    };
                    let tags = d
                        .tags()
                        .iter()
                        .map(|t| {
                            (
                                t.key().to_string(),
                                t.value().unwrap_or_default().to_string(),
                            )
                        })
                        .collect();
                    out.tags.insert(name.to_string(), tags);
                }
            }
            Err(e) => out
                .failures
                .push(ApiFailure::from_sdk(Operation::DescribeTags, &e).about(CLASSIC)),
        }
    }
    out
}

/// A failed batch: about its one resource, or counted when it held several.
fn failure(f: ApiFailure, batch: &[String]) -> ApiFailure {
    match batch {
        [one] => f.about(one),
        _ => {
            let mut f = f;
            f.message = format!("tags of {} resources: {}", batch.len(), f.message);
            f
        }
    }
}
