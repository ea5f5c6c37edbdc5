//! The only code that talks to AWS: enumerates an account's network configuration
//! into an [`Inventory`]. Read-only: every call is a Describe, List, Get (or the
//! read-only SearchTransitGatewayRoutes), plus STS AssumeRole for multi-account
//! scans ([`OrgOptions`]), which changes nothing.
//!
//! Multi-account scans give one [`AccountInventory`] per account entered, sorted by
//! account id; an account that could not be entered (or whose regions could not be
//! listed with `--regions all`) has none, only a coverage gap whose region is
//! [`org::ACCOUNT_WIDE`] (`*`).

pub mod aws;
pub mod convert;
pub mod credential_search;
mod credentials;
mod ec2;
mod eks;
pub mod error;
pub mod kubernetes;
mod load_balancer;
mod network_firewall;
pub mod org;
mod preflight;
mod progress;
mod region;
mod retry;
mod route53resolver;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::Semaphore;

pub use aws::AwsOptions;
pub use error::{ApiFailure, CollectError};
pub use org::{AccountSelection, OrgOptions};
pub use preflight::RegionSelection;
pub use progress::Progress;
pub use retry::SERVER_ERRORS_IN_A_ROW;

use futures::stream::StreamExt;

use crate::inventory::{
    AccountInventory, CoverageGap, Inventory, KubeCluster, Operation, RegionInventory,
};

#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub aws: AwsOptions,
    pub regions: RegionSelection,
    /// How many API call series run at once, across regions and resource types.
    pub concurrency: usize,
    pub paging: Paging,
    /// How long one of a region's collectors may run (time queued behind the call
    /// limit excluded) before the region is abandoned: what is still outstanding
    /// there is reported as timeout gaps.
    pub region_timeout: std::time::Duration,
    /// Several accounts through an assumed role; `None` scans the caller's account.
    pub org: Option<OrgOptions>,
    /// How Kubernetes API servers are read (`--eks`, page size, timeouts).
    pub kube: kubernetes::KubeOptions,
    /// The kubeconfig contexts to read, checked before collection starts.
    pub kubeconfig: Option<kubernetes::KubeconfigTargets>,
}

/// Items per page of list calls: AWS's maximum per API unless a smaller size is asked
/// for (to debug a service, or to exercise pagination in tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paging {
    pub limit: Option<i32>,
}

impl Paging {
    /// The page size for an API whose maximum is `aws_max` (AWS's minimum is 5).
    pub fn size(self, aws_max: i32) -> i32 {
        self.limit.map_or(aws_max, |l| l.clamp(5, aws_max))
    }
}

pub async fn collect(
    opts: &CollectOptions,
    progress: &Progress,
) -> Result<Inventory, CollectError> {
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let config = aws::load(&opts.aws).await;
    // Credentials first: a bad profile should be reported as such, not as the
    // missing region it also fails to provide.
    let sts_region = preflight::sts_region(&config, &opts.regions);
    let account_id =
        preflight::caller_account(&config, &sts_region, opts.aws.profile.as_deref()).await?;
    if let Some(org) = &opts.org {
        return collect_org(
            opts,
            org,
            &config,
            &sts_region,
            &account_id,
            started,
            progress,
        )
        .await;
    }
    let home = preflight::home_region(&config, &opts.regions)?;
    let resolved = preflight::resolve(&config, &home, &opts.regions)
        .await
        .map_err(|e| preflight::fatal(&config, &home, Operation::DescribeRegions, &e))?;
    resolved.check_known()?;
    // A region the account has not enabled is still read: its calls fail as gaps.
    let regions = resolved.regions;
    tracing::info!(account = %account_id, regions = ?regions, "collecting");

    progress.start(regions.len() * region::COLLECTORS);
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let per_region = collect_regions(&config, &account_id, &regions, &limit, opts, progress).await;
    progress.finish();

    let mut inventory = Inventory::new(started);
    let account = account_inventory(&account_id, per_region, &mut inventory.coverage);
    let (eks, contexts) = tokio::join!(
        eks_kubernetes(&config, &account, opts, &limit),
        kubeconfig_kubernetes(opts, &limit)
    );
    inventory.accounts.push(account);
    inventory.kubernetes = sorted_clusters(eks.into_iter().chain(contexts).collect());
    Ok(inventory)
}

/// The Kubernetes API of every EKS cluster of one account (with `--eks`), read with
/// the account's credentials. A cluster that cannot be read is a gap of its own.
async fn eks_kubernetes(
    config: &aws_config::SdkConfig,
    account: &AccountInventory,
    opts: &CollectOptions,
    limit: &Semaphore,
) -> Vec<KubeCluster> {
    if !opts.kube.eks {
        return Vec::new();
    }
    let clusters = account
        .regions
        .iter()
        .flat_map(|r| r.eks_clusters.iter().map(move |c| (r.region.as_str(), c)));
    futures::stream::iter(clusters)
        .map(|(region, cluster)| async move {
            // Each cluster's lists run one after another under one permit.
            let _permit = limit.acquire().await.ok();
            kubernetes::read_eks(config, &account.account_id, region, cluster, &opts.kube).await
        })
        .buffered(opts.concurrency.max(1))
        .collect()
        .await
}

/// The kubeconfig contexts asked for (`--kubeconfig`, `--context`).
async fn kubeconfig_kubernetes(opts: &CollectOptions, limit: &Semaphore) -> Vec<KubeCluster> {
    let Some(targets) = &opts.kubeconfig else {
        return Vec::new();
    };
    futures::stream::iter(&targets.contexts)
        .map(|context| async move {
            let _permit = limit.acquire().await.ok();
            kubernetes::read_context(targets, context, &opts.kube).await
        })
        .buffered(opts.concurrency.max(1))
        .collect()
        .await
}

/// Sorted so that two collections compare equal.
fn sorted_clusters(mut clusters: Vec<KubeCluster>) -> Vec<KubeCluster> {
    clusters.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
    clusters
}

/// Every region of one account, concurrently under the shared limit.
async fn collect_regions(
    config: &aws_config::SdkConfig,
    account_id: &str,
    regions: &[String],
    limit: &Arc<Semaphore>,
    opts: &CollectOptions,
    progress: &Progress,
) -> Vec<(RegionInventory, Vec<ApiFailure>)> {
    let settings = region::RegionSettings {
        concurrency: opts.concurrency,
        paging: opts.paging,
        timeout: opts.region_timeout,
        account_id: account_id.to_string(),
    };
    futures::future::join_all(
        regions
            .iter()
            .map(|r| region::collect_region(config, r, limit.clone(), &settings, progress)),
    )
    .await
}

fn account_inventory(
    account_id: &str,
    per_region: Vec<(RegionInventory, Vec<ApiFailure>)>,
    coverage: &mut Vec<CoverageGap>,
) -> AccountInventory {
    let mut account = AccountInventory {
        account_id: account_id.to_string(),
        regions: Vec::with_capacity(per_region.len()),
    };
    for (region_inventory, failures) in per_region {
        coverage.extend(
            failures
                .into_iter()
                .map(|f| f.into_gap(account_id, &region_inventory.region)),
        );
        account.regions.push(region_inventory);
    }
    account
}

/// What one account of a multi-account scan gave: its inventory (`None` when it
/// could not be entered) and its gaps.
struct AccountOutcome {
    account: Option<AccountInventory>,
    gaps: Vec<CoverageGap>,
    /// Its EKS clusters' Kubernetes API (`--eks`).
    kubernetes: Vec<KubeCluster>,
}

/// Several accounts through an assumed role: every (account, region) concurrently,
/// under the one `--concurrency` bound. An account that cannot be entered is a
/// coverage gap (region [`org::ACCOUNT_WIDE`]), never a failed run.
async fn collect_org(
    opts: &CollectOptions,
    org: &OrgOptions,
    config: &aws_config::SdkConfig,
    sts_region: &str,
    caller: &str,
    started: u64,
    progress: &Progress,
) -> Result<Inventory, CollectError> {
    let home = preflight::home_region(config, &opts.regions)?;
    // With the base credentials: region names are checked once (every account of the
    // partition shares them), and the count estimated for the progress bar. The base
    // credentials need not read EC2: each account resolves its regions again.
    let estimate = match preflight::resolve(config, &home, &opts.regions).await {
        Ok(resolved) => {
            resolved.check_known()?;
            resolved.regions.len().max(1)
        }
        Err(e) => {
            tracing::warn!(error = %aws_sdk_ec2::error::DisplayErrorContext(&e), "DescribeRegions failed with the base credentials; each account lists its own regions");
            1
        }
    };
    let accounts = match &org.accounts {
        AccountSelection::All => org::active_accounts(config, &home, opts.paging.size(20)).await?,
        AccountSelection::List(ids) => {
            let mut ids = ids.clone();
            ids.sort();
            ids
        }
    };
    tracing::info!(caller = %caller, accounts = accounts.len(), regions = ?opts.regions, "collecting from several accounts");

    let scan = OrgScan {
        opts,
        org,
        base: config,
        sts_region,
        home: &home,
        limit: Arc::new(Semaphore::new(opts.concurrency.max(1))),
        estimated_steps: estimate * region::COLLECTORS,
        progress,
    };
    progress.start(accounts.len() * scan.estimated_steps);
    let (outcomes, contexts) = tokio::join!(
        futures::future::join_all(accounts.iter().map(|a| scan.account(a))),
        kubeconfig_kubernetes(opts, &scan.limit)
    );
    progress.finish();

    let mut inventory = Inventory::new(started);
    let mut kubernetes = contexts;
    for outcome in outcomes {
        inventory.coverage.extend(outcome.gaps);
        inventory.accounts.extend(outcome.account);
        kubernetes.extend(outcome.kubernetes);
    }
    inventory.kubernetes = sorted_clusters(kubernetes);
    // Already sorted: `accounts` is (both selections sort it), and `join_all` keeps
    // its order.
    let failed = accounts.len() - inventory.accounts.len();
    // Nothing could be read at all: a report of "no findings" would be a silent
    // pass, so this is an error rather than a coverage gap.
    if inventory.accounts.is_empty() {
        let first = inventory.coverage.first();
        let operation = first
            .map_or(Operation::AssumeRole, |g| g.operation)
            .iam_action();
        let detail = first
            .map(|g| format!("; {}: {}", g.account_id, g.message))
            .unwrap_or_default();
        return Err(CollectError::Api {
            operation,
            message: format!(
                "none of the {} account(s) could be entered with the role{detail}",
                accounts.len()
            ),
        });
    }
    if failed > 0 {
        tracing::warn!(
            "{failed} of {} account(s) could not be entered: see the coverage gaps",
            accounts.len()
        );
    }
    Ok(inventory)
}

/// What every account of a multi-account scan shares.
struct OrgScan<'a> {
    opts: &'a CollectOptions,
    org: &'a OrgOptions,
    /// The caller's own configuration, which assumes the role in each account.
    base: &'a aws_config::SdkConfig,
    sts_region: &'a str,
    home: &'a str,
    limit: Arc<Semaphore>,
    /// Progress steps counted per account before its regions are known.
    estimated_steps: usize,
    progress: &'a Progress,
}

impl OrgScan<'_> {
    async fn account(&self, account_id: &str) -> AccountOutcome {
        let (config, regions, skipped) = match self.enter(account_id).await {
            Ok(entered) => entered,
            Err(failure) => {
                tracing::warn!(
                    account = %account_id,
                    operation = %failure.operation,
                    error = %failure.message,
                    "account skipped"
                );
                self.progress.skip(self.estimated_steps);
                return AccountOutcome {
                    account: None,
                    gaps: vec![failure.into_gap(account_id, org::ACCOUNT_WIDE)],
                    kubernetes: Vec::new(),
                };
            }
        };
        tracing::info!(account = %account_id, regions = ?regions, "collecting");
        let steps = regions.len() * region::COLLECTORS;
        if steps > self.estimated_steps {
            self.progress.grow(steps - self.estimated_steps);
        } else {
            self.progress.skip(self.estimated_steps - steps);
        }
        let progress = self.progress.for_account(account_id);
        let per_region = collect_regions(
            &config,
            account_id,
            &regions,
            &self.limit,
            self.opts,
            &progress,
        )
        .await;
        let mut gaps: Vec<CoverageGap> = skipped
            .into_iter()
            .map(|(region, failure)| failure.into_gap(account_id, &region))
            .collect();
        let account = account_inventory(account_id, per_region, &mut gaps);
        let kubernetes = eks_kubernetes(&config, &account, self.opts, &self.limit).await;
        AccountOutcome {
            account: Some(account),
            gaps,
            kubernetes,
        }
    }

    /// The account's configuration (through the assumed role) and its regions:
    /// those to read, and those skipped with the reason.
    async fn enter(
        &self,
        account_id: &str,
    ) -> Result<
        (
            aws_config::SdkConfig,
            Vec<String>,
            Vec<(String, ApiFailure)>,
        ),
        ApiFailure,
    > {
        // A few calls per account: they count against the bound like any other.
        let _permit = self.limit.acquire().await.ok();
        let config = org::enter_account(self.base, self.org, self.sts_region, account_id).await?;
        // A failure to list them only matters for `All` (a list goes on unchecked).
        let resolved = preflight::resolve(&config, self.home, &self.opts.regions)
            .await
            .map_err(|e| ApiFailure::from_sdk(Operation::DescribeRegions, &e))?;
        let (regions, skipped) = resolved.split_disabled();
        Ok((config, regions, skipped))
    }
}
