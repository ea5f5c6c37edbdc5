//! What the generation steps share: the random source, the id counter, the plan,
//! and the region inventory being filled in.

use std::net::Ipv4Addr;

use crate::inventory::{RegionInventory, Tags};

use super::plan::{Layout, REGION};
use super::rng::{Ids, Rng};
use super::transit::TableParts;

pub(super) struct Builder {
    pub rng: Rng,
    pub ids: Ids,
    pub layout: Layout,
    pub ri: RegionInventory,
    /// The account this region belongs to.
    pub account: String,
    /// The account owning the transit gateway the VPCs attach to: this one, or the
    /// organisation's network account that shares it.
    pub tgw_owner: String,
    /// A shared transit gateway's route-table entries for this account's VPCs, for
    /// the owner's table (the owner's own table is written directly).
    pub tgw_parts: Option<TableParts>,
    /// Public addresses handed out so far, organisation-wide.
    pub public_ips: u32,
}

impl Builder {
    /// A builder for `account`, whose public addresses continue after the first
    /// `public_ips` ones (so that accounts of one organisation never share one).
    pub fn new(rng: Rng, ids: Ids, layout: Layout, account: &str, public_ips: u32) -> Builder {
        Builder {
            rng,
            ids,
            layout,
            ri: RegionInventory::new(REGION),
            account: account.into(),
            tgw_owner: account.into(),
            tgw_parts: None,
            public_ips,
        }
    }

    /// Whether the transit gateway belongs to another account.
    pub fn tgw_shared(&self) -> bool {
        self.tgw_owner != self.account
    }

    /// A fresh public IPv4 address from Amazon's 3.80.0.0/12 (us-east-1).
    pub fn public_ip(&mut self) -> Ipv4Addr {
        self.public_ips += 1;
        assert!(self.public_ips < 1 << 20, "out of public addresses");
        Ipv4Addr::from(u32::from(Ipv4Addr::new(3, 80, 0, 0)) + self.public_ips)
    }

    /// The ARN of a resource of this account and region.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{REGION}:{}:{resource}", self.account)
    }
}

/// Tags from (key, value) pairs.
pub(super) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A `Name` tag alone.
pub(super) fn named(name: &str) -> Tags {
    tags(&[("Name", name)])
}
