//! EKS: clusters with their network configuration, managed add-ons and node groups.
//! EKS lists only names, so each cluster, add-on and node group needs its own
//! Describe call.

use aws_sdk_eks::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_eks::Client;

use super::convert::{for_each_item, opt, Outcome, Problems};
use super::error::ApiFailure;
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{EksAddon, EksCluster, EksNodegroup, EksRemoteAccess, Operation, Tags};

/// The most items a page of ListClusters, ListAddons and ListNodegroups may hold.
const EKS_MAX_RESULTS: i32 = 100;

pub async fn clusters(client: &Client, pg: Paging, concurrency: usize) -> Outcome<EksCluster> {
    let names: Vec<String> = match fetch_all!(
        Operation::ListClusters,
        client.list_clusters().max_results(pg.size(EKS_MAX_RESULTS))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let Outcome {
        items: mut out,
        failures,
    } = describe_each(
        names,
        concurrency,
        Operation::DescribeCluster,
        |name| name.to_string(),
        "no cluster in the answer",
        |name| async move { client.describe_cluster().name(&name).send().await },
        |name, resp| {
            let c = resp.cluster()?;
            let vpc = c.resources_vpc_config();
            Some(EksCluster {
                name: c.name().unwrap_or(name).to_string(),
                arn: c.arn().unwrap_or_default().to_string(),
                version: opt(c.version()),
                status: c.status().map(|s| s.as_str().to_string()),
                vpc_id: vpc.and_then(|v| opt(v.vpc_id())),
                subnet_ids: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
                security_group_ids: vpc
                    .map(|v| v.security_group_ids().to_vec())
                    .unwrap_or_default(),
                cluster_security_group_id: vpc.and_then(|v| opt(v.cluster_security_group_id())),
                endpoint_public_access: vpc.is_some_and(|v| v.endpoint_public_access()),
                endpoint_private_access: vpc.is_some_and(|v| v.endpoint_private_access()),
                public_access_cidrs: vpc
                    .map(|v| v.public_access_cidrs().to_vec())
                    .unwrap_or_default(),
                endpoint: opt(c.endpoint()),
                certificate_authority: c.certificate_authority().and_then(|ca| opt(ca.data())),
                addons: None,
                nodegroups: None,
                tags: tags(c.tags()),
            })
        },
    )
    .await;
    let mut p = Problems { failures };
    // Add-ons and node groups of every cluster, a few clusters at a time.
    let details = for_each_item(
        out.iter().map(|c| c.name.clone()),
        concurrency,
        |name| async move {
            tokio::join!(
                addons(client, &name, pg, concurrency),
                nodegroups(client, &name, pg, concurrency),
            )
        },
    )
    .await;
    for (cluster, (_, (addons, nodegroups))) in out.iter_mut().zip(details) {
        cluster.addons = listed(addons, &cluster.arn, &mut p);
        cluster.nodegroups = listed(nodegroups, &cluster.arn, &mut p);
    }
    Outcome::new(out, p)
}

/// A cluster's add-ons or node groups, sorted by name; `None` when they could not be
/// listed (the failure, about the cluster, is kept).
fn listed<T: Named>(
    outcome: Result<Outcome<T>, ApiFailure>,
    cluster_arn: &str,
    p: &mut Problems,
) -> Option<Vec<T>> {
    match outcome {
        Ok(o) => {
            p.failures.extend(o.failures);
            let mut items = o.items;
            items.sort_by(|a, b| a.name().cmp(b.name()));
            Some(items)
        }
        Err(f) => {
            p.failures.push(f.about(cluster_arn));
            None
        }
    }
}

trait Named {
    fn name(&self) -> &str;
}

impl Named for EksAddon {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for EksNodegroup {
    fn name(&self) -> &str {
        &self.name
    }
}

fn tags(tags: Option<&std::collections::HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The cluster's managed add-ons; `Err` when they could not be listed.
async fn addons(
    client: &Client,
    cluster: &str,
    pg: Paging,
    concurrency: usize,
) -> Result<Outcome<EksAddon>, ApiFailure> {
    let names: Vec<String> = fetch_all!(
        Operation::ListAddons,
        client
            .list_addons()
            .cluster_name(cluster)
            .max_results(pg.size(EKS_MAX_RESULTS))
    )?;
    Ok(describe_each(
        names,
        concurrency,
        Operation::DescribeAddon,
        |name| format!("{cluster}/{name}"),
        "no add-on in the answer",
        |name| async move {
            client
                .describe_addon()
                .cluster_name(cluster)
                .addon_name(&name)
                .send()
                .await
        },
        |name, resp| {
            let a = resp.addon()?;
            Some(EksAddon {
                name: a.addon_name().unwrap_or(name).to_string(),
                version: opt(a.addon_version()),
                status: a.status().map(|s| s.as_str().to_string()),
                configuration_values: opt(a.configuration_values()),
            })
        },
    )
    .await)
}

/// The cluster's managed node groups; `Err` when they could not be listed.
async fn nodegroups(
    client: &Client,
    cluster: &str,
    pg: Paging,
    concurrency: usize,
) -> Result<Outcome<EksNodegroup>, ApiFailure> {
    let names: Vec<String> = fetch_all!(
        Operation::ListNodegroups,
        client
            .list_nodegroups()
            .cluster_name(cluster)
            .max_results(pg.size(EKS_MAX_RESULTS))
    )?;
    Ok(describe_each(
        names,
        concurrency,
        Operation::DescribeNodegroup,
        |name| format!("{cluster}/{name}"),
        "no node group in the answer",
        |name| async move {
            client
                .describe_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(&name)
                .send()
                .await
        },
        |name, resp| {
            let n = resp.nodegroup()?;
            Some(EksNodegroup {
                name: n.nodegroup_name().unwrap_or(name).to_string(),
                subnet_ids: n.subnets().to_vec(),
                remote_access: n.remote_access().map(|r| EksRemoteAccess {
                    ec2_ssh_key: opt(r.ec2_ssh_key()),
                    source_security_group_ids: r.source_security_groups().to_vec(),
                }),
                status: n.status().map(|s| s.as_str().to_string()),
            })
        },
    )
    .await)
}

/// One Describe call per name, a few at a time: what answered is converted (`None`
/// when the answer lacks the item); a failed call or an empty answer is a problem
/// about `about(name)`, and the other items are kept.
#[allow(clippy::too_many_arguments)]
async fn describe_each<T, R, E, HR, F, Fut, C>(
    names: Vec<String>,
    concurrency: usize,
    operation: Operation,
    about: impl Fn(&str) -> String,
    missing: &str,
    call: F,
    convert: C,
) -> Outcome<T>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<R, SdkError<E, HR>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    HR: std::fmt::Debug,
    C: Fn(&str, &R) -> Option<T>,
{
    let mut p = Problems::default();
    let mut out = Vec::new();
    for (name, answer) in for_each_item(names, concurrency, call).await {
        let what = about(&name);
        match answer {
            Err(e) => p
                .failures
                .push(ApiFailure::from_sdk(operation, &e).about(&what)),
            Ok(resp) => match convert(&name, &resp) {
                Some(item) => out.push(item),
                None => p.invalid_about(operation, &what, missing),
            },
        }
    }
    Outcome::new(out, p)
}
