//! `scan --security-hub`: imports the scan's findings (the `--format asff`
//! objects) into AWS Security Hub, each in its own account's region, and archives
//! the vpcaudit findings that are no longer found.
//!
//! For every (account, region) scanned or holding a finding:
//! 1. `GetFindings`: the ACTIVE findings vpcaudit wrote there before (filtered on
//!    the account's default product and the `vpcaudit/` generator, server side and
//!    again here: an emulator may ignore filters).
//! 2. `BatchImportFindings`, at most 100 per call: the current findings. One that
//!    was ACTIVE keeps its `CreatedAt` (an update); any other is new.
//! 3. `BatchImportFindings` again: the ACTIVE ones not found this time, with
//!    `RecordState` `ARCHIVED`, but only where the scan could have found them: a
//!    check that ran to completion, in a region collected without coverage gaps
//!    (the rule `--baseline` uses for "absent"). What was not looked at stays as it
//!    was.
//!
//! A refused, throttled (after the SDK's retries) or partly failed call stops the
//! import with an [`ImportError`] naming what failed; nothing not confirmed by
//! Security Hub is counted as imported.
//!
//! IAM: `securityhub:BatchImportFindings` and `securityhub:GetFindings`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use aws_config::{Region, SdkConfig};
use aws_sdk_securityhub::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, RecordState, StringFilter,
    StringFilterComparison,
};
use aws_sdk_securityhub::Client;

use super::to_sdk;
use crate::collect::error::one_line;
use crate::collect::AwsOptions;
use crate::finding::Meta;
use crate::report::asff::{self, AsffFinding, ID_PREFIX};
use crate::report::{utc, ScanReport};

/// `BatchImportFindings` takes at most 100 findings per call.
pub const BATCH: usize = 100;
/// `GetFindings` returns at most 100 per page.
const PAGE: i32 = 100;
/// Failed finding ids named in an error message; the rest are counted.
const NAMED: usize = 5;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings Security Hub accepted.
    pub imported: usize,
    /// Of those, not ACTIVE in Security Hub before.
    pub new: usize,
    /// Of those, ACTIVE before: updated in place.
    pub updated: usize,
    /// vpcaudit findings no longer found, archived.
    pub archived: usize,
    /// Findings with no AWS account or region, which cannot be imported.
    pub unplaced: usize,
    /// Regions with no finding where Security Hub is not enabled: skipped.
    pub skipped: usize,
}

/// Whether a refused call's error code says Security Hub is not enabled for the
/// account there (AWS answers "not subscribed" with this code).
fn not_enabled(code: Option<&str>) -> bool {
    code == Some("InvalidAccessException")
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} findings ({} new, {} updated), archived {}",
            self.imported, self.new, self.updated, self.archived
        )
    }
}

/// Why the import stopped. Each names what Security Hub did not accept.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A call was refused (access denied, Security Hub not enabled), throttled
    /// past the retries, or could not be made.
    #[error("Security Hub import failed: {operation} in {account} {region}: {message}{done}")]
    Call {
        operation: &'static str,
        account: String,
        region: String,
        message: String,
        /// The service's error code, when it answered with one.
        code: Option<String>,
        /// What was imported before, said so that nothing is taken as lost.
        done: Done,
    },
    /// `BatchImportFindings` answered, but did not take every finding.
    #[error("Security Hub import failed: {failed} of {sent} finding(s) rejected in {account} {region}: {ids} ({reason}){done}")]
    Rejected {
        failed: usize,
        sent: usize,
        account: String,
        region: String,
        /// The first few ids, then how many more.
        ids: String,
        /// The first rejection's code and message.
        reason: String,
        done: Done,
    },
}

/// What a `BatchImportFindings` call is for.
#[derive(Debug, Clone, Copy)]
enum Write {
    /// This run's findings.
    Import,
    /// Findings no longer found, `ARCHIVED`.
    Archive,
}

/// The findings imported and archived before a failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Done {
    imported: usize,
    archived: usize,
}

impl fmt::Display for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.imported == 0 && self.archived == 0 {
            return Ok(());
        }
        write!(
            f,
            "; {} finding(s) were imported and {} archived before it stopped",
            self.imported, self.archived
        )
    }
}

/// Imports `report`'s findings with the AWS configuration `aws` (the same
/// profile, endpoint, credentials, retries and timeouts as collection).
pub async fn import(report: &ScanReport<'_>, aws: &AwsOptions) -> Result<Summary, ImportError> {
    let config = crate::collect::aws::load(aws).await;
    let asff = asff::findings(report);
    let scope = Scope::of(report);
    let mut by_place: BTreeMap<(String, String), Vec<AsffFinding>> = BTreeMap::new();
    for (account, region) in report
        .inventory
        .regions()
        .map(|(a, r)| (a.to_string(), r.region.clone()))
    {
        by_place.entry((account, region)).or_default();
    }
    for f in asff.findings {
        by_place
            .entry((f.aws_account_id.clone(), f.region.clone()))
            .or_default()
            .push(f);
    }
    let mut summary = Summary {
        unplaced: asff.unplaced,
        ..Summary::default()
    };
    for ((account, region), findings) in &by_place {
        let place = Place {
            client: client(&config, region),
            account,
            region,
        };
        match place.sync(findings, &scope, &mut summary).await {
            // A region with nothing to import where Security Hub is not enabled is
            // left alone; one with findings to import fails the import.
            Err(ImportError::Call {
                operation: "GetFindings",
                code,
                ..
            }) if findings.is_empty() && not_enabled(code.as_deref()) => {
                summary.skipped += 1;
            }
            other => other?,
        }
    }
    Ok(summary)
}

/// One account's Security Hub in one region.
struct Place<'a> {
    client: Client,
    account: &'a str,
    region: &'a str,
}

impl Place<'_> {
    async fn sync(
        &self,
        findings: &[AsffFinding],
        scope: &Scope,
        summary: &mut Summary,
    ) -> Result<(), ImportError> {
        let active = self.active(summary).await?;
        let created: HashMap<&str, &str> = active
            .iter()
            .filter_map(|f| Some((f.id.as_deref()?, f.created_at.as_deref()?)))
            .collect();
        let mut current: HashSet<&str> = HashSet::with_capacity(findings.len());
        for chunk in findings.chunks(BATCH) {
            let mut batch = Vec::with_capacity(chunk.len());
            let mut updates = 0;
            for f in chunk {
                current.insert(f.id.as_str());
                let mut sdk = to_sdk::finding(f);
                // An update keeps the date Security Hub first saw the finding.
                if let Some(first) = created.get(f.id.as_str()) {
                    sdk.created_at = Some((*first).to_string());
                    updates += 1;
                }
                batch.push(sdk);
            }
            self.send(batch, Write::Import, summary).await?;
            summary.imported += chunk.len();
            summary.updated += updates;
            summary.new += chunk.len() - updates;
        }
        let now = utc::rfc3339(now());
        let gone: Vec<AwsSecurityFinding> = active
            .iter()
            .filter(|f| f.id.as_deref().is_some_and(|id| !current.contains(id)))
            .filter(|f| scope.covers(self.account, self.region, f))
            .map(|f| archived(f, &now))
            .collect();
        for chunk in gone.chunks(BATCH) {
            self.send(chunk.to_vec(), Write::Archive, summary).await?;
            summary.archived += chunk.len();
        }
        Ok(())
    }

    /// The ACTIVE findings vpcaudit imported here before.
    async fn active(&self, summary: &Summary) -> Result<Vec<AwsSecurityFinding>, ImportError> {
        let product = asff::product_arn(self.account, self.region);
        let filter = |value: &str, comparison: StringFilterComparison| {
            StringFilter::builder()
                .value(value)
                .comparison(comparison)
                .build()
        };
        let filters = AwsSecurityFindingFilters::builder()
            .product_arn(filter(&product, StringFilterComparison::Equals))
            .generator_id(filter(ID_PREFIX, StringFilterComparison::Prefix))
            .record_state(filter("ACTIVE", StringFilterComparison::Equals))
            .build();
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .get_findings()
                .filters(filters.clone())
                .max_results(PAGE)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.call_failed("GetFindings", &e, summary))?;
            out.extend(
                page.findings()
                    .iter()
                    .filter(|f| is_ours(f, &product))
                    .cloned(),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// One `BatchImportFindings` call; every finding accepted, or an error.
    async fn send(
        &self,
        batch: Vec<AwsSecurityFinding>,
        write: Write,
        summary: &Summary,
    ) -> Result<(), ImportError> {
        let sent = batch.len();
        let out = self
            .client
            .batch_import_findings()
            .set_findings(Some(batch))
            .send()
            .await
            .map_err(|e| self.call_failed("BatchImportFindings", &e, summary))?;
        let failed = out.failed_findings();
        let failed_count = usize::try_from(out.failed_count().unwrap_or(0)).unwrap_or(0);
        let accepted = out.success_count().and_then(|n| usize::try_from(n).ok());
        if failed.is_empty() && failed_count == 0 && accepted.is_none_or(|n| n == sent) {
            return Ok(());
        }
        let count = failed_count.max(failed.len()).max(1);
        let ids: Vec<&str> = failed
            .iter()
            .take(NAMED)
            .map(|e| e.id().unwrap_or("(no id)"))
            .collect();
        let more = count.saturating_sub(ids.len());
        let mut ids_text = if ids.is_empty() {
            "Security Hub named none".to_string()
        } else {
            ids.join(", ")
        };
        if more > 0 {
            ids_text.push_str(&format!(" and {more} more"));
        }
        let reason = failed
            .first()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.error_code().unwrap_or("error"),
                    e.error_message().unwrap_or("no message")
                )
            })
            .unwrap_or_else(|| format!("SuccessCount {}", accepted.unwrap_or(0)));
        Err(ImportError::Rejected {
            failed: count,
            sent,
            account: self.account.to_string(),
            region: self.region.to_string(),
            ids: ids_text,
            reason: clean(&reason),
            // The others of this call did go in.
            done: match write {
                Write::Import => Done {
                    imported: summary.imported + sent.saturating_sub(count),
                    archived: summary.archived,
                },
                Write::Archive => Done {
                    imported: summary.imported,
                    archived: summary.archived + sent.saturating_sub(count),
                },
            },
        })
    }

    fn call_failed<E, R>(
        &self,
        operation: &'static str,
        err: &SdkError<E, R>,
        summary: &Summary,
    ) -> ImportError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug,
    {
        let message = match (err.code(), err.message()) {
            (Some(code), Some(m)) => format!("{code}: {m}"),
            (Some(code), None) => code.to_string(),
            _ => DisplayErrorContext(err).to_string(),
        };
        ImportError::Call {
            operation,
            account: self.account.to_string(),
            region: self.region.to_string(),
            message: clean(&message),
            code: err.code().map(str::to_string),
            done: done(summary),
        }
    }
}

fn done(summary: &Summary) -> Done {
    Done {
        imported: summary.imported,
        archived: summary.archived,
    }
}

/// Messages from AWS on one line, with no credential quoted.
fn clean(s: &str) -> String {
    crate::secrets::redact(&one_line(s)).into_owned()
}

/// Whether Security Hub's `f` is a vpcaudit finding of this product, ACTIVE.
fn is_ours(f: &AwsSecurityFinding, product: &str) -> bool {
    f.product_arn.as_deref() == Some(product)
        && f.id.as_deref().is_some_and(|id| id.starts_with(ID_PREFIX))
        && f.generator_id
            .as_deref()
            .is_some_and(|g| g.starts_with(ID_PREFIX))
        && f.record_state
            .as_ref()
            .is_none_or(|s| *s == RecordState::Active)
}

/// `f` archived: the fields an import needs, copied, and the new state.
fn archived(f: &AwsSecurityFinding, now: &str) -> AwsSecurityFinding {
    AwsSecurityFinding::builder()
        .set_schema_version(f.schema_version.clone())
        .set_id(f.id.clone())
        .set_product_arn(f.product_arn.clone())
        .set_generator_id(f.generator_id.clone())
        .set_aws_account_id(f.aws_account_id.clone())
        .set_types(f.types.clone())
        .set_created_at(f.created_at.clone())
        .updated_at(now)
        .set_severity(f.severity.clone())
        .set_title(f.title.clone())
        .set_description(f.description.clone())
        .set_resources(f.resources.clone())
        .set_compliance(f.compliance.clone())
        .set_product_fields(f.product_fields.clone())
        .record_state(RecordState::Archived)
        .build()
}

/// Where a finding's absence means it is fixed: a check that ran to completion,
/// in an account and region collected without coverage gaps.
struct Scope {
    checks: BTreeSet<String>,
    places: BTreeSet<(String, String)>,
}

impl Scope {
    fn of(report: &ScanReport) -> Scope {
        let inventory = report.inventory;
        let failed: BTreeSet<&str> = report
            .findings
            .iter()
            .filter(|f| f.is_check_failure())
            .map(|f| f.resource.id.as_str())
            .collect();
        // A cluster that could not be read fully hides Kubernetes findings.
        let kube_gaps = inventory.kubernetes.iter().any(|c| !c.gaps.is_empty());
        let checks = report
            .checks
            .iter()
            .filter(|m| !failed.contains(m.id.as_str()))
            .filter(|m| !(kube_gaps && is_kubernetes(m)))
            .map(|m| m.id.clone())
            .collect();
        let places = inventory
            .regions()
            .filter(|(a, r)| inventory.gaps_for(a, &r.region).next().is_none())
            .map(|(a, r)| (a.to_string(), r.region.clone()))
            .collect();
        Scope { checks, places }
    }

    fn covers(&self, account: &str, region: &str, f: &AwsSecurityFinding) -> bool {
        let check = f
            .generator_id
            .as_deref()
            .and_then(|g| g.strip_prefix(ID_PREFIX));
        check.is_some_and(|c| self.checks.contains(c))
            && self
                .places
                .contains(&(account.to_string(), region.to_string()))
    }
}

fn is_kubernetes(meta: &Meta) -> bool {
    matches!(meta.service.as_str(), "kubernetes" | "eks")
}

fn client(config: &SdkConfig, region: &str) -> Client {
    let conf = aws_sdk_securityhub::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .build();
    Client::from_conf(conf)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::not_enabled;

    #[test]
    fn not_enabled_is_told_from_other_refusals() {
        assert!(not_enabled(Some("InvalidAccessException")));
        assert!(!not_enabled(Some("AccessDeniedException")));
        assert!(!not_enabled(Some("ThrottlingException")));
        assert!(!not_enabled(None));
    }
}
