//! Many accounts: which ones (AWS Organizations, a list, a file) and how to get into
//! each (STS AssumeRole through a role ARN template).
//!
//! An account that cannot be entered (AssumeRole refused, no such role, throttled,
//! unreachable...) is not a failed run: it becomes one coverage gap for that account
//! with the region `*` (see [`ACCOUNT_WIDE`]), and the other accounts are scanned.

use std::path::Path;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{Region, SdkConfig};
use aws_sdk_organizations::types::{AccountState, AccountStatus};
use aws_sdk_sts::config::SharedCredentialsProvider;
use aws_sdk_sts::error::{DisplayErrorContext, SdkError};
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::aws;
use super::error::{one_line, ApiFailure, CollectError};
use crate::inventory::{GapKind, Operation};

/// The `region` of a coverage gap that concerns a whole account (it could not be
/// entered, or its regions could not be listed).
pub use crate::inventory::ACCOUNT_WIDE;

/// The session name every assumed role carries (it shows in the member accounts'
/// CloudTrail as `assumed-role/<role>/vpcaudit`).
pub const SESSION_NAME: &str = "vpcaudit";

const PLACEHOLDER: &str = "{account}";

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
        let Some(role_arn) = role_arn else {
            if accounts.is_some() || external_id.is_some() {
                return Err(CollectError::InvalidAccounts(
                    "--accounts and --external-id need --role-arn".into(),
                ));
            }
            return Ok(None);
        };
        let role_arn = role_arn.trim();
        check_role_template(role_arn)?;
        let accounts = match accounts.map(str::trim) {
            None | Some("all") => AccountSelection::All,
            Some(value) => AccountSelection::List(parse_accounts(value)?),
        };
        if let Some(id) = external_id {
            check_external_id(id)?;
        }
        Ok(Some(OrgOptions {
            role_arn: role_arn.to_string(),
            accounts,
            external_id: external_id.map(str::to_string),
        }))
    }

    /// The role to assume in `account`.
    pub fn role_for(&self, account: &str) -> String {
        self.role_arn.replace(PLACEHOLDER, account)
    }
}

/// `arn:<partition>:iam::{account}:role/[<path>/]<name>`.
fn check_role_template(arn: &str) -> Result<(), CollectError> {
    let bad = |reason: &str| CollectError::InvalidRoleArn {
        arn: arn.to_string(),
        reason: reason.to_string(),
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" {
        return Err(bad(
            "expected an IAM role ARN such as arn:aws:iam::{account}:role/Audit",
        ));
    }
    let partition_ok = !parts[1].is_empty()
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !partition_ok {
        return Err(bad("the partition (aws, aws-cn, aws-us-gov...) is missing"));
    }
    if !parts[3].is_empty() {
        return Err(bad("IAM ARNs have no region (arn:aws:iam::{account}:...)"));
    }
    if parts[4] != PLACEHOLDER {
        return Err(bad(
            "the account field must be {account}, which is replaced by each account id",
        ));
    }
    let name = match parts[5].strip_prefix("role/") {
        Some(rest) => rest.rsplit('/').next().unwrap_or(""),
        None => return Err(bad("the resource must be role/<name>")),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/{}".contains(c);
    if name.is_empty() || !parts[5].chars().all(allowed) {
        return Err(bad(
            "the role name is empty or has characters IAM does not allow",
        ));
    }
    Ok(())
}

/// AWS: 2 to 1224 characters of `[\w+=,.@:/-]`. The value itself is never echoed.
fn check_external_id(id: &str) -> Result<(), CollectError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c);
    if !(2..=1224).contains(&id.len()) || !id.chars().all(allowed) {
        return Err(CollectError::InvalidExternalId(
            "it must be 2 to 1224 characters among letters, digits and _+=,.@:/-".into(),
        ));
    }
    Ok(())
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A comma-separated list of ids, or else the path of a file with one id per line.
fn parse_accounts(value: &str) -> Result<Vec<String>, CollectError> {
    let looks_like_list =
        value.contains(',') || value.bytes().all(|b| b.is_ascii_digit() || b == b' ');
    if looks_like_list {
        let mut ids = Vec::new();
        for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            if !is_account_id(token) {
                return Err(CollectError::InvalidAccounts(format!(
                    "{token:?} is not an account id (12 digits); expected all, a comma-separated list of account ids, or a file"
                )));
            }
            push_unique(&mut ids, token);
        }
        if ids.is_empty() {
            return Err(CollectError::InvalidAccounts(
                "no account id given; expected all, a comma-separated list of account ids, or a file".into(),
            ));
        }
        return Ok(ids);
    }
    read_accounts_file(Path::new(value))
}

/// One id per line; blank lines and `#` comments (whole-line or trailing) allowed.
fn read_accounts_file(path: &Path) -> Result<Vec<String>, CollectError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CollectError::InvalidAccounts(format!(
            "cannot read the account list {}: {e} (expected all, a comma-separated list of 12-digit account ids, or a file)",
            path.display()
        ))
    })?;
    let mut ids = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if !is_account_id(line) {
            let shown: String = line.chars().take(40).collect();
            return Err(CollectError::InvalidAccounts(format!(
                "{}:{}: {shown:?} is not an account id (12 digits, one per line)",
                path.display(),
                n + 1
            )));
        }
        push_unique(&mut ids, line);
    }
    if ids.is_empty() {
        return Err(CollectError::InvalidAccounts(format!(
            "{} lists no account id",
            path.display()
        )));
    }
    Ok(ids)
}

fn push_unique(ids: &mut Vec<String>, id: &str) {
    if !ids.iter().any(|i| i == id) {
        ids.push(id.to_string());
    }
}

/// Every ACTIVE account of the organization, sorted. Works only from the management
/// account or a delegated administrator account.
pub async fn active_accounts(
    config: &SdkConfig,
    region: &str,
    page_size: i32,
) -> Result<Vec<String>, CollectError> {
    let client = aws::organizations_client(config, region);
    let mut pages = client
        .list_accounts()
        .max_results(page_size)
        .into_paginator()
        .send();
    let mut ids = Vec::new();
    let mut skipped = 0usize;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| organizations_error(config, region, &e))?;
        for account in page.accounts() {
            let Some(id) = account.id() else { continue };
            let active = match (account.state(), account.status()) {
                (Some(state), _) => *state == AccountState::Active,
                (None, Some(status)) => *status == AccountStatus::Active,
                (None, None) => false,
            };
            if active {
                push_unique(&mut ids, id);
            } else {
                skipped += 1;
            }
        }
    }
    if skipped > 0 {
        tracing::info!(skipped, "organization accounts not ACTIVE are not scanned");
    }
    if ids.is_empty() {
        return Err(CollectError::Organizations(
            "ListAccounts returned no ACTIVE account".into(),
        ));
    }
    ids.sort();
    Ok(ids)
}

fn organizations_error<E>(
    config: &SdkConfig,
    region: &str,
    err: &SdkError<E, HttpResponse>,
) -> CollectError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match super::preflight::fatal(config, region, Operation::ListAccounts, err) {
        CollectError::Api { message, .. } => CollectError::Organizations(message),
        other => other,
    }
}

/// Base credentials → credentials in `account`: the role is assumed once here,
/// and the account of the assumed role checked. The provider assumes the role
/// again before the credentials expire, so scans longer than the session duration
/// keep working.
pub async fn enter_account(
    base: &SdkConfig,
    org: &OrgOptions,
    sts_region: &str,
    account: &str,
) -> Result<SdkConfig, ApiFailure> {
    let role = org.role_for(account);
    let mut builder = AssumeRoleProvider::builder(role.clone())
        .session_name(SESSION_NAME)
        .region(Region::new(sts_region.to_string()))
        .configure(base);
    if let Some(id) = &org.external_id {
        builder = builder.external_id(id.clone());
    }
    // Wrapped first, so that the credentials are masked in logs from the start.
    let provider = super::credentials::Registering::wrap(SharedCredentialsProvider::new(
        builder.build().await,
    ));
    // Asked here, before any client uses it: a refusal is then reported with STS's
    // own error, and a slow or throttled STS is not mistaken for a timeout of the
    // call being signed (an attempt's time limit includes getting credentials).
    // The clients' identity cache starts from these credentials, then asks the
    // provider again before each expiry.
    let (credentials, provider) = match super::credentials::Prefetched::fetch(provider).await {
        Ok(fetched) => fetched,
        Err(e) => {
            return Err(match assume_role_error(&e) {
                Some(assume) => naming(ApiFailure::from_sdk(Operation::AssumeRole, assume), &role),
                None => ApiFailure {
                    operation: Operation::AssumeRole,
                    kind: GapKind::ServiceError,
                    error_code: None,
                    message: crate::secrets::redact(&format!(
                        "{role}: {}",
                        one_line(&DisplayErrorContext(&e).to_string())
                    ))
                    .into_owned(),
                    resource: Some(role.clone()),
                },
            });
        }
    };
    // The account of the assumed role's ARN, as AssumeRole returned it.
    match credentials.account_id().map(|id| id.as_str()) {
        Some(got) if got != account => Err(ApiFailure {
            operation: Operation::AssumeRole,
            kind: GapKind::ServiceError,
            error_code: None,
            message: format!("{role} gave credentials of account {got}, not {account}"),
            resource: Some(role.clone()),
        }),
        _ => Ok(base.to_builder().credentials_provider(provider).build()),
    }
}

/// The message names the role (AWS's AccessDenied messages already do).
fn naming(failure: ApiFailure, role: &str) -> ApiFailure {
    if failure.message.contains(role) {
        failure.about_named(role)
    } else {
        failure.about(role)
    }
}

/// The AssumeRole error behind a failed call, if that is why it failed (the
/// credential provider's error is in the call error's source chain).
fn assume_role_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a SdkError<AssumeRoleError, HttpResponse>> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(sdk) = e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>() {
            return Some(sdk);
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(arn: Option<&str>, accounts: Option<&str>) -> Result<Option<OrgOptions>, CollectError> {
        OrgOptions::from_args(arn, accounts, None)
    }

    const ARN: &str = "arn:aws:iam::{account}:role/Audit";

    #[test]
    fn no_role_means_single_account() {
        assert_eq!(opts(None, None).ok(), Some(None));
        assert!(matches!(
            opts(None, Some("all")),
            Err(CollectError::InvalidAccounts(_))
        ));
    }

    #[test]
    fn all_is_the_default() {
        let o = opts(Some(ARN), None).ok().flatten();
        assert_eq!(o.map(|o| o.accounts), Some(AccountSelection::All));
        let o = opts(Some(ARN), Some(" all ")).ok().flatten();
        assert_eq!(o.map(|o| o.accounts), Some(AccountSelection::All));
    }

    #[test]
    fn lists_are_validated_and_deduplicated() {
        let o = opts(Some(ARN), Some("111111111111, 222222222222,111111111111,"))
            .ok()
            .flatten();
        assert_eq!(
            o.map(|o| o.accounts),
            Some(AccountSelection::List(vec![
                "111111111111".into(),
                "222222222222".into()
            ]))
        );
        let one = opts(Some(ARN), Some("111111111111")).ok().flatten();
        assert_eq!(
            one.map(|o| o.accounts),
            Some(AccountSelection::List(vec!["111111111111".into()]))
        );
        for bad in ["12345", "111111111111,abc", ",", "1111111111112"] {
            assert!(
                matches!(
                    opts(Some(ARN), Some(bad)),
                    Err(CollectError::InvalidAccounts(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn files_allow_comments_and_blank_lines() {
        let dir = std::env::temp_dir().join(format!("vpcaudit-org-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let good = dir.join("accounts.txt");
        std::fs::write(
            &good,
            "# prod\n111111111111\n\n  222222222222  # data\n111111111111\n",
        )
        .ok();
        let o = opts(Some(ARN), good.to_str()).ok().flatten();
        assert_eq!(
            o.map(|o| o.accounts),
            Some(AccountSelection::List(vec![
                "111111111111".into(),
                "222222222222".into()
            ]))
        );
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, "111111111111\nprod\n").ok();
        let err = opts(Some(ARN), bad.to_str()).err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("bad.txt:2:")),
            "{err:?}"
        );
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, "# nothing\n\n").ok();
        assert!(opts(Some(ARN), empty.to_str()).is_err());
        assert!(opts(Some(ARN), Some("/no/such/file")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn role_templates() {
        for ok in [
            ARN,
            "arn:aws-us-gov:iam::{account}:role/ops/Audit",
            "arn:aws:iam::{account}:role/Audit-{account}",
        ] {
            assert!(check_role_template(ok).is_ok(), "{ok}");
        }
        for bad in [
            "arn:aws:iam::123456789012:role/Audit",
            "arn:aws:iam::{account}:user/Audit",
            "arn:aws:iam::{account}:role/",
            "arn:aws:iam:us-east-1:{account}:role/Audit",
            "arn:aws:sts::{account}:role/Audit",
            "Audit",
            "arn::iam::{account}:role/Audit",
            "arn:aws:iam::{account}:role/Au dit",
        ] {
            assert!(
                matches!(
                    check_role_template(bad),
                    Err(CollectError::InvalidRoleArn { .. })
                ),
                "{bad}"
            );
        }
        let o = opts(Some(ARN), Some("111111111111")).ok().flatten();
        assert_eq!(
            o.map(|o| o.role_for("111111111111")),
            Some("arn:aws:iam::111111111111:role/Audit".to_string())
        );
    }

    #[test]
    fn external_ids() {
        assert!(OrgOptions::from_args(Some(ARN), None, Some("abc-123")).is_ok());
        for bad in ["x", "has space", ""] {
            let err = OrgOptions::from_args(Some(ARN), None, Some(bad));
            assert!(
                matches!(err, Err(CollectError::InvalidExternalId(_))),
                "{bad}"
            );
            // The value is never echoed.
            if let Err(e) = err {
                assert!(bad.len() < 2 || !e.to_string().contains(bad));
            }
        }
    }
}
