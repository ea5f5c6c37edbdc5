//! Before collecting: which account the credentials belong to, and which regions to read.
//! Failures here are fatal (no credentials, unreachable endpoint, unknown region),
//! unlike failures during collection, which become coverage gaps.

use std::str::FromStr;

use aws_config::SdkConfig;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::aws;
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
/// every region, so any configured one will do.
pub fn sts_region(config: &SdkConfig, selection: &RegionSelection) -> String {
    match (config.region(), selection) {
        (Some(r), _) if is_region_name(r.as_ref()) => r.to_string(),
        (_, RegionSelection::List(list)) => list[0].clone(),
        _ => "us-east-1".to_string(),
    }
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

pub async fn caller_account(config: &SdkConfig, home: &str) -> Result<String, CollectError> {
    let sts = aws::sts_client(config, home);
    match sts.get_caller_identity().send().await {
        Ok(out) => out
            .account()
            .map(str::to_string)
            .ok_or_else(|| CollectError::Api {
                operation: Operation::GetCallerIdentity.to_string(),
                message: "the answer carried no account id".into(),
            }),
        Err(e) => Err(fatal(config, home, Operation::GetCallerIdentity, &e)),
    }
}

pub async fn resolve_regions(
    config: &SdkConfig,
    home: &str,
    selection: &RegionSelection,
) -> Result<Vec<String>, CollectError> {
    let ec2 = aws::ec2_client(config, home);
    let all = *selection == RegionSelection::All;
    let answer = ec2.describe_regions().all_regions(!all).send().await;
    let regions = match answer {
        Ok(out) => out.regions().to_vec(),
        Err(e) if all => return Err(fatal(config, home, Operation::DescribeRegions, &e)),
        Err(e) => {
            // Without DescribeRegions we cannot validate names, but can still scan them.
            tracing::warn!(error = %DisplayErrorContext(&e), "DescribeRegions failed; region names not validated");
            return Ok(match selection {
                RegionSelection::List(l) => l.clone(),
                _ => vec![home.to_string()],
            });
        }
    };
    if all {
        let mut enabled: Vec<String> = regions
            .iter()
            .filter(|r| r.opt_in_status() != Some("not-opted-in"))
            .filter_map(|r| r.region_name().map(str::to_string))
            .collect();
        enabled.sort();
        return Ok(enabled);
    }
    let known: Vec<&str> = regions.iter().filter_map(|r| r.region_name()).collect();
    let wanted = match selection {
        RegionSelection::List(l) => l.clone(),
        _ => vec![home.to_string()],
    };
    for region in &wanted {
        if !known.contains(&region.as_str()) {
            let mut names = known.clone();
            names.sort();
            return Err(CollectError::UnknownRegion {
                region: region.clone(),
                known: names.join(", "),
            });
        }
    }
    Ok(wanted)
}

/// Multi-account scans, with the base credentials: checks the region names once
/// against those the partition knows (every account shares them), and estimates how
/// many regions each account will read (for the progress bar). Returns the regions
/// wanted (empty for `All`, which each account resolves itself) and the estimate.
pub async fn org_regions(
    config: &SdkConfig,
    home: &str,
    selection: &RegionSelection,
) -> Result<(Vec<String>, usize), CollectError> {
    let wanted = match selection {
        RegionSelection::List(l) => l.clone(),
        RegionSelection::Default => vec![home.to_string()],
        RegionSelection::All => Vec::new(),
    };
    let ec2 = aws::ec2_client(config, home);
    let regions = match ec2.describe_regions().all_regions(true).send().await {
        Ok(out) => out.regions().to_vec(),
        Err(e) => {
            // The base credentials need not read EC2: each account is asked again.
            tracing::warn!(error = %DisplayErrorContext(&e), "DescribeRegions failed with the base credentials; region names not validated");
            let estimate = wanted.len().max(1);
            return Ok((wanted, estimate));
        }
    };
    let mut known: Vec<&str> = regions.iter().filter_map(|r| r.region_name()).collect();
    known.sort_unstable();
    for region in &wanted {
        if !known.contains(&region.as_str()) {
            return Err(CollectError::UnknownRegion {
                region: region.clone(),
                known: known.join(", "),
            });
        }
    }
    let estimate = match selection {
        RegionSelection::All => regions
            .iter()
            .filter(|r| r.opt_in_status() != Some("not-opted-in"))
            .count()
            .max(1),
        _ => wanted.len(),
    };
    Ok((wanted, estimate))
}

/// Multi-account scans, with one account's credentials: the regions to read there.
/// `All` asks the account (opt-in regions differ between accounts; a failure is a
/// gap for the whole account); a list keeps the names checked by [`org_regions`],
/// minus those the account has not opted in to, which come back as failures.
pub async fn account_regions(
    config: &SdkConfig,
    home: &str,
    selection: &RegionSelection,
    wanted: &[String],
) -> Result<(Vec<String>, Vec<(String, ApiFailure)>), ApiFailure> {
    let ec2 = aws::ec2_client(config, home);
    let regions = match ec2.describe_regions().all_regions(true).send().await {
        Ok(out) => out.regions().to_vec(),
        Err(e) if *selection == RegionSelection::All => {
            return Err(ApiFailure::from_sdk(Operation::DescribeRegions, &e))
        }
        Err(e) => {
            tracing::warn!(error = %DisplayErrorContext(&e), "DescribeRegions failed; opt-in status of the regions not checked");
            return Ok((wanted.to_vec(), Vec::new()));
        }
    };
    let disabled = |name: &str| {
        regions
            .iter()
            .any(|r| r.region_name() == Some(name) && r.opt_in_status() == Some("not-opted-in"))
    };
    if *selection == RegionSelection::All {
        let mut enabled: Vec<String> = regions
            .iter()
            .filter_map(|r| r.region_name())
            .filter(|name| !disabled(name))
            .map(str::to_string)
            .collect();
        enabled.sort();
        enabled.dedup();
        return Ok((enabled, Vec::new()));
    }
    let mut keep = Vec::with_capacity(wanted.len());
    let mut skipped = Vec::new();
    for region in wanted {
        if disabled(region) {
            skipped.push((
                region.clone(),
                ApiFailure {
                    operation: Operation::DescribeRegions,
                    kind: GapKind::AccessDenied,
                    error_code: Some("OptInRequired".into()),
                    message: format!("region {region} is not enabled in this account"),
                    resource: None,
                },
            ));
        } else {
            keep.push(region.clone());
        }
    }
    Ok((keep, skipped))
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
    let lower = detail.to_ascii_lowercase();
    if let Some(profile) = undefined_profile(&detail) {
        return CollectError::Profile(format!(
            "profile `{profile}` is not defined in the AWS config or credentials files"
        ));
    }
    if lower.contains("no credentials")
        || lower.contains("credentials provider")
        || lower.contains("credentialsnotloaded")
    {
        tracing::debug!(%detail, "credential chain found nothing");
        return CollectError::NoCredentials(detail);
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
