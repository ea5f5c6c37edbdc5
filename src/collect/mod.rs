//! The only code that talks to AWS: enumerates an account's network configuration
//! into an [`Inventory`]. Read-only: every call is a Describe, List, Get (or the
//! read-only SearchTransitGatewayRoutes).

pub mod aws;
pub mod convert;
mod ec2;
pub mod error;
mod network_firewall;
pub mod org;
mod preflight;
mod progress;
mod region;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::Semaphore;

pub use aws::AwsOptions;
pub use error::{ApiFailure, CollectError};
pub use org::{AccountSelection, OrgOptions};
pub use preflight::RegionSelection;
pub use progress::Progress;

use crate::inventory::{AccountInventory, Inventory};

#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub aws: AwsOptions,
    pub regions: RegionSelection,
    /// How many API call series run at once, across regions and resource types.
    pub concurrency: usize,
    pub paging: Paging,
    /// Several accounts through an assumed role; `None` scans the caller's account.
    pub org: Option<OrgOptions>,
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
    let account_id =
        preflight::caller_account(&config, &preflight::sts_region(&config, &opts.regions)).await?;
    let home = preflight::home_region(&config, &opts.regions)?;
    let regions = preflight::resolve_regions(&config, &home, &opts.regions).await?;
    tracing::info!(account = %account_id, regions = ?regions, "collecting");

    progress.start(regions.len() * region::COLLECTORS);
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let per_region = futures::future::join_all(regions.iter().map(|r| {
        region::collect_region(
            &config,
            r,
            limit.clone(),
            opts.concurrency,
            opts.paging,
            progress,
        )
    }))
    .await;
    progress.finish();

    let mut inventory = Inventory::new(started);
    let mut account = AccountInventory {
        account_id: account_id.clone(),
        regions: Vec::with_capacity(per_region.len()),
    };
    for (region_inventory, failures) in per_region {
        inventory.coverage.extend(
            failures
                .into_iter()
                .map(|f| f.into_gap(&account_id, &region_inventory.region)),
        );
        account.regions.push(region_inventory);
    }
    inventory.accounts.push(account);
    Ok(inventory)
}
