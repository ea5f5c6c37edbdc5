//! Before collecting: which account the credentials belong to, and which regions to read.
//! Failures here are fatal (no credentials, unreachable endpoint, unknown region),
//! unlike failures during collection, which become coverage gaps.

use std::str::FromStr;

use aws_config::SdkConfig;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::describe_regions::DescribeRegionsError;

use aws_config::imds::client::error::ImdsError;
use aws_credential_types::provider::error::CredentialsError;

use super::aws;
use super::credential_search::CredentialSearch;
use super::error::{one_line, ApiFailure, CollectError};
use crate::inventory::{GapKind, Operation};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    /// The region from the default chain (AWS_REGION, the profile).
    Default,
    /// Every region enabled for the account.
    All,
    List(Vec<String>),
}

impl FromStr for RegionSelection {
    type Err = CollectError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim() == "all" {
            return Ok(RegionSelection::All);
        }
        let mut list = Vec::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !is_region_name(name) {
                return Err(CollectError::InvalidRegionName(name.to_string()));
            }
            if !list.iter().any(|n| n == name) {
                list.push(name.to_string());
            }
        }
        if list.is_empty() {
            return Err(CollectError::InvalidRegionName(s.to_string()));
        }
        Ok(RegionSelection::List(list))
    }
}

/// `us-east-1`, `us-gov-west-1`, `ap-southeast-2`: letters, dashes, a trailing number.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
        && parts[1..parts.len() - 1].iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Where to ask STS who we are, before the scan's regions are known: STS answers in
/// every region, so when no home region can be chosen any will do.
pub fn sts_region(config: &SdkConfig, selection: &RegionSelection) -> String {
    home_region(config, selection).unwrap_or_else(|_| "us-east-1".to_string())
}

/// The region used for account-level calls (STS, DescribeRegions).
pub fn home_region(
    config: &SdkConfig,
    selection: &RegionSelection,
) -> Result<String, CollectError> {
    if let Some(r) = config.region() {
        if is_region_name(r.as_ref()) {
            return Ok(r.to_string());
        }
        if *selection == RegionSelection::Default {
            return Err(CollectError::InvalidRegionName(r.to_string()));
        }
    }
    match selection {
        RegionSelection::List(list) => Ok(list[0].clone()),
        RegionSelection::All => Ok("us-east-1".to_string()),
        RegionSelection::Default => Err(CollectError::NoRegion),
    }
}

/// The account the credentials belong to; `profile` is `--profile`, named when no
/// credentials are found.
pub async fn caller_account(
    config: &SdkConfig,
    home: &str,
    profile: Option<&str>,
) -> Result<String, CollectError> {
    let sts = aws::sts_client(config, home);
    match sts.get_caller_identity().send().await {
        Ok(out) => out
            .account()
            .map(str::to_string)
            .ok_or_else(|| CollectError::Api {
                operation: Operation::GetCallerIdentity.to_string(),
                message: "the answer carried no account id".into(),
            }),
        Err(e) => Err(
            match fatal(config, home, Operation::GetCallerIdentity, &e) {
                CollectError::NoCredentials(_) => {
                    CollectError::NoCredentials(CredentialSearch::from_env(profile))
                }
                other => other,
            },
        ),
    }
}

/// A selection applied to one account's DescribeRegions answer: the one place where
/// a selection becomes region names, for single- and multi-account scans alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The regions asked for, in the order asked (`Default`: the home region);
    /// `All`: every region the account has enabled, sorted.
    pub regions: Vec<String>,
    /// Those of `regions` the account has not opted in to.
    pub disabled: Vec<String>,
    /// Those of `regions` the partition does not know.
    pub unknown: Vec<String>,
    /// Every region name the partition knows, sorted (empty when not checked).
    pub known: Vec<String>,
}

impl Resolved {
    /// A region name the partition does not know is a usage error.
    pub fn check_known(&self) -> Result<(), CollectError> {
        match self.unknown.first() {
            Some(region) => Err(CollectError::UnknownRegion {
                region: region.clone(),
                known: self.known.join(", "),
            }),
            None => Ok(()),
        }
    }

    /// The regions to read, and a failure for each one the account has not enabled.
    pub fn split_disabled(self) -> (Vec<String>, Vec<(String, ApiFailure)>) {
        let (disabled, enabled): (Vec<String>, Vec<String>) = self
            .regions
            .into_iter()
            .partition(|r| self.disabled.contains(r));
        let skipped = disabled
            .into_iter()
            .map(|region| {
                let failure = ApiFailure {
                    operation: Operation::DescribeRegions,
                    kind: GapKind::AccessDenied,
                    error_code: Some("OptInRequired".into()),
                    message: format!("region {region} is not enabled in this account"),
                    resource: None,
                };
                (region, failure)
            })
            .collect();
        (enabled, skipped)
    }
}

/// Resolves `selection` with one DescribeRegions call in `home`. When that call fails,
/// a list of names is returned unchecked (the scan can still read them); `All`
/// cannot be resolved without it and returns the error.
pub async fn resolve(
    config: &SdkConfig,
    home: &str,
    selection: &RegionSelection,
) -> Result<Resolved, SdkError<DescribeRegionsError, HttpResponse>> {
    let wanted = match selection {
        RegionSelection::List(l) => l.clone(),
        RegionSelection::Default => vec![home.to_string()],
        RegionSelection::All => Vec::new(),
    };
    let ec2 = aws::ec2_client(config, home);
    let answer = match ec2.describe_regions().all_regions(true).send().await {
        Ok(out) => out,
        Err(e) if *selection == RegionSelection::All => return Err(e),
        Err(e) => {
            tracing::warn!(error = %DisplayErrorContext(&e), "DescribeRegions failed; region names and opt-in status not checked");
            return Ok(Resolved {
                regions: wanted,
                disabled: Vec::new(),
                unknown: Vec::new(),
                known: Vec::new(),
            });
        }
    };
    let mut known: Vec<String> = Vec::new();
    let mut disabled_anywhere: Vec<String> = Vec::new();
    for region in answer.regions() {
        if let Some(name) = region.region_name() {
            known.push(name.to_string());
            if region.opt_in_status() == Some("not-opted-in") {
                disabled_anywhere.push(name.to_string());
            }
        }
    }
    known.sort();
    known.dedup();
    let regions = if *selection == RegionSelection::All {
        known
            .iter()
            .filter(|name| !disabled_anywhere.contains(*name))
            .cloned()
            .collect()
    } else {
        wanted
    };
    Ok(Resolved {
        disabled: regions
            .iter()
            .filter(|r| disabled_anywhere.contains(*r))
            .cloned()
            .collect(),
        unknown: regions
            .iter()
            .filter(|r| known.binary_search(*r).is_err())
            .cloned()
            .collect(),
        regions,
        known,
    })
}

/// Turns a failed account-level call into the error that explains it best.
pub(super) fn fatal<E, R>(
    config: &SdkConfig,
    region: &str,
    operation: Operation,
    err: &SdkError<E, R>,
) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    let detail = one_line(&DisplayErrorContext(err).to_string());
    if let Some(profile) = undefined_profile(&detail) {
        return CollectError::Profile(format!(
            "profile `{profile}` is not defined in the AWS config or credentials files"
        ));
    }
    if let Some(cause) = credentials_error(err) {
        tracing::debug!(%detail, "the credential chain gave no credentials");
        return if found_nothing(cause) {
            CollectError::NoCredentials(CredentialSearch::from_env(None))
        } else {
            CollectError::CredentialsFailed(
                crate::secrets::redact(&one_line(&DisplayErrorContext(cause).to_string()))
                    .into_owned(),
            )
        };
    }
    if let Some(code) = err.code() {
        if matches!(
            code,
            "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "AuthFailure"
                | "UnrecognizedClientException"
                | "InvalidAccessKeyId"
        ) {
            return CollectError::BadCredentials(format!(
                "{code}: {}",
                err.message().unwrap_or("the security token is not valid")
            ));
        }
        return CollectError::Api {
            operation: operation.to_string(),
            message: format!("{code}: {}", err.message().unwrap_or_default()),
        };
    }
    match err {
        SdkError::TimeoutError(_) => CollectError::Unreachable {
            endpoint: aws::endpoint_label(config, operation.service().as_str(), region),
            reason: "no answer within the time limit".to_string(),
        },
        SdkError::DispatchFailure(_) => CollectError::Unreachable {
            endpoint: aws::endpoint_label(config, operation.service().as_str(), region),
            reason: root_cause(err),
        },
        _ => CollectError::Api {
            operation: operation.to_string(),
            message: root_cause(err),
        },
    }
}

/// The credential chain's own error, when that is why the call failed (the SDK
/// reports it as a dispatch failure, wrapped in the identity resolution's errors).
fn credentials_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a CredentialsError> {
    let mut current = err.source();
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<CredentialsError>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// Whether the chain found no credentials anywhere: every provider said it had none,
/// or the last one tried, instance metadata, failed (outside EC2, or behind a proxy
/// that answers for it, that is how "no credentials" looks).
fn found_nothing(err: &CredentialsError) -> bool {
    if matches!(err, CredentialsError::CredentialsNotLoaded(_)) {
        return true;
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if e.is::<ImdsError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// The credential chain reports an unknown profile as "profile `NAME` was not defined".
fn undefined_profile(detail: &str) -> Option<&str> {
    let start = detail.find("profile `")? + "profile `".len();
    let rest = &detail[start..];
    let end = rest.find('`')?;
    rest[end..]
        .starts_with("` was not defined")
        .then(|| &rest[..end])
}

/// The innermost cause of an SDK error ("Connection refused (os error 111)"), which
/// says more than the layers of wrapping around it.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    let text = one_line(&current.to_string());
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-2",
            "il-central-1",
            "us-isob-east-1",
        ] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in [
            "",
            "us",
            "useast1",
            "US-EAST-1",
            "us-east-",
            "us--1",
            "us-east-1; rm",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    #[test]
    fn undefined_profile_is_recognised() {
        let detail = "Profile: the credential provider was not enabled: profile `nosuch` was not defined: could not find source profile";
        assert_eq!(undefined_profile(detail), Some("nosuch"));
        assert_eq!(undefined_profile("profile `x` is fine"), None);
        assert_eq!(undefined_profile("no credentials"), None);
    }

    #[test]
    fn region_selection_parses() {
        assert_eq!(
            "all".parse::<RegionSelection>().ok(),
            Some(RegionSelection::All)
        );
        assert_eq!(
            "us-east-1, eu-west-1,us-east-1"
                .parse::<RegionSelection>()
                .ok(),
            Some(RegionSelection::List(vec![
                "us-east-1".into(),
                "eu-west-1".into()
            ]))
        );
        assert!("mars-1".parse::<RegionSelection>().is_err());
        assert!(",".parse::<RegionSelection>().is_err());
    }
}
