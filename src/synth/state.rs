//! What the generation steps share: the random source, the id counter, the plan,
//! and the region inventory being filled in.

use std::net::Ipv4Addr;

use crate::inventory::{RegionInventory, Tags};

use super::plan::{Layout, REGION};
use super::rng::{Ids, Rng};

pub(super) struct Builder {
    pub rng: Rng,
    pub ids: Ids,
    pub layout: Layout,
    pub ri: RegionInventory,
    public_ips: u32,
}

impl Builder {
    pub fn new(rng: Rng, ids: Ids, layout: Layout) -> Builder {
        Builder {
            rng,
            ids,
            layout,
            ri: RegionInventory::new(REGION),
            public_ips: 0,
        }
    }

    /// A fresh public IPv4 address from Amazon's 3.80.0.0/12 (us-east-1).
    pub fn public_ip(&mut self) -> Ipv4Addr {
        self.public_ips += 1;
        assert!(self.public_ips < 1 << 20, "out of public addresses");
        Ipv4Addr::from(u32::from(Ipv4Addr::new(3, 80, 0, 0)) + self.public_ips)
    }

    /// The ARN of a resource of this account and region.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{REGION}:{}:{resource}",
            super::plan::ACCOUNT
        )
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
