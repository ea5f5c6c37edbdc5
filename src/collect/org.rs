//! Many accounts: which ones (AWS Organizations, a list, a file) and how to get into
//! each (STS AssumeRole through a role ARN template).

use super::error::CollectError;

/// `--role-arn`, `--accounts`, `--external-id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgOptions {
    /// `arn:aws:iam::{account}:role/Audit`: `{account}` is replaced per account.
    pub role_arn: String,
    pub accounts: AccountSelection,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection {
    /// Every active account of the organization (Organizations ListAccounts).
    All,
    List(Vec<String>),
}

impl OrgOptions {
    /// From the command line; `None` when no `--role-arn` was given.
    pub fn from_args(
        role_arn: Option<&str>,
        accounts: Option<&str>,
        external_id: Option<&str>,
    ) -> Result<Option<OrgOptions>, CollectError> {
        // Filled in with the organization collector.
        let _ = (accounts, external_id);
        match role_arn {
            None => Ok(None),
            Some(_) => Err(CollectError::Profile(
                "--role-arn is not supported yet".into(),
            )),
        }
    }
}
