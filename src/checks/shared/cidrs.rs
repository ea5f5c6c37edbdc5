//! CIDR lists as finding text.

use crate::reach::sets::IpSet;

/// At most four CIDRs, then how many more: the rest of a carved-up internet is long.
pub fn addrs_text(addrs: &IpSet) -> String {
    const SHOWN: usize = 4;
    let cidrs = addrs.to_cidrs();
    let mut text: Vec<String> = cidrs.iter().take(SHOWN).map(|c| c.to_string()).collect();
    if cidrs.len() > SHOWN {
        text.push(format!("and {} more", cidrs.len() - SHOWN));
    }
    if text.is_empty() {
        return "none".to_string();
    }
    text.join(", ")
}
