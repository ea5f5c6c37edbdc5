//! What vpcaudit writes to AWS: only `scan --security-hub`, which imports the
//! scan's findings into Security Hub. Everything else vpcaudit does is read-only
//! (`collect`).

pub mod security_hub;
mod to_sdk;
