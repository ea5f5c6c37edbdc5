//! How AWS errors become either a fatal error (nothing can be collected) or a
//! coverage gap (one API in one region failed; the scan goes on).

use std::error::Error as StdError;
use std::fmt::Debug;

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use thiserror::Error;

use super::credential_search::CredentialSearch;
use crate::inventory::{CoverageGap, GapKind, Operation};

/// Errors that stop collection before it starts. Each maps to its own exit code.
#[derive(Debug, Error)]
pub enum CollectError {
    /// Says where the chain looked and how to provide credentials; the chain's own
    /// detail stays in the debug log.
    #[error("no AWS credentials found: {0}")]
    NoCredentials(CredentialSearch),
    /// A credential source is configured but could not give credentials (an expired
    /// SSO session, a role that cannot be assumed...).
    #[error("cannot load the AWS credentials: {0}")]
    CredentialsFailed(String),
    #[error("AWS rejected the credentials: {0}")]
    BadCredentials(String),
    #[error("cannot reach the AWS endpoint {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("no AWS region configured: pass --regions or set AWS_REGION")]
    NoRegion,
    #[error("unknown region {region:?} (this account knows: {known})")]
    UnknownRegion { region: String, known: String },
    #[error("invalid region name {0:?}")]
    InvalidRegionName(String),
    #[error("invalid profile: {0}")]
    Profile(String),
    #[error("AWS call {operation} failed: {message}")]
    Api { operation: String, message: String },
    #[error("invalid --role-arn {arn:?}: {reason}")]
    InvalidRoleArn { arn: String, reason: String },
    #[error("invalid --accounts: {0}")]
    InvalidAccounts(String),
    /// The value itself is never part of the message.
    #[error("invalid --external-id: {0}")]
    InvalidExternalId(String),
    /// `--accounts all` could not list the organization's accounts.
    #[error("cannot list the organization's accounts (organizations:ListAccounts): {0}; run vpcaudit with credentials of the management account or of a delegated administrator account, or pass --accounts")]
    Organizations(String),
}

/// One failed API operation, before it is placed in an account and region.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub operation: Operation,
    pub kind: GapKind,
    pub error_code: Option<String>,
    pub message: String,
    /// The item a per-item call was about ([`CoverageGap::resource`]).
    pub resource: Option<String>,
}

impl ApiFailure {
    pub fn from_sdk<E, R>(operation: Operation, err: &SdkError<E, R>) -> ApiFailure
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: Debug,
    {
        let code = err.code().map(str::to_string);
        let kind = classify(err);
        let message = match err.message() {
            Some(m) => m.to_string(),
            None => DisplayErrorContext(err).to_string(),
        };
        ApiFailure {
            operation,
            kind,
            error_code: code,
            // Reports carry gap messages: no credential may be quoted in them.
            message: crate::secrets::redact(&one_line(&message)).into_owned(),
            resource: None,
        }
    }

    /// Names the item a per-item call was about, in the message for people and as
    /// the gap's resource for the checks.
    pub fn about(mut self, id: &str) -> ApiFailure {
        self.message = format!("{id}: {}", self.message);
        self.about_named(id)
    }

    /// The item a per-item call was about, when the message already names it. An
    /// empty id names no item.
    pub fn about_named(mut self, id: &str) -> ApiFailure {
        self.resource = (!id.is_empty()).then(|| id.to_string());
        self
    }

    pub fn into_gap(self, account_id: &str, region: &str) -> CoverageGap {
        CoverageGap {
            account_id: account_id.to_string(),
            region: region.to_string(),
            service: self.operation.service(),
            operation: self.operation,
            kind: self.kind,
            error_code: self.error_code,
            message: self.message,
            resource: self.resource,
        }
    }
}

pub fn classify<E, R>(err: &SdkError<E, R>) -> GapKind
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::TimeoutError(_) => GapKind::Timeout,
        SdkError::DispatchFailure(d) if d.is_timeout() => GapKind::Timeout,
        SdkError::DispatchFailure(_) => GapKind::Network,
        SdkError::ResponseError(_) => GapKind::InvalidResponse,
        _ => match err.code() {
            Some(code) if is_access_denied(code) => GapKind::AccessDenied,
            Some(code) if is_throttling(code) => GapKind::Throttled,
            _ => GapKind::ServiceError,
        },
    }
}

pub fn is_access_denied(code: &str) -> bool {
    matches!(
        code,
        "UnauthorizedOperation"
            | "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedException"
            | "OptInRequired"
    )
}

pub fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" | "TooManyRequestsException"
    )
}

/// Error messages end up in one-line table cells and logs.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
