//! The scan pipeline: which checks run, on what, and what their findings amount
//! to once the config's severities, the mutes and the baseline are applied. The
//! command line only parses arguments and prints what this decides.

pub mod baseline;
pub mod mutes;
