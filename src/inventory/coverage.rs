//! What could not be collected, and why.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageGap {
    pub account_id: String,
    pub region: String,
    /// `ec2`, `network-firewall`.
    pub service: String,
    /// The API operation, e.g. `DescribeNetworkAcls`.
    pub operation: String,
    pub kind: GapKind,
    /// The AWS error code, when the service returned one.
    pub error_code: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// The credentials may not call this API here.
    AccessDenied,
    /// Retries were exhausted on throttling errors.
    Throttled,
    /// No answer within the time limit.
    Timeout,
    /// The endpoint could not be reached.
    Network,
    /// The service returned an error.
    ServiceError,
    /// The API returned a partial answer (e.g. a result cap without pagination).
    Truncated,
    /// The answer could not be understood.
    InvalidResponse,
}

impl fmt::Display for GapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GapKind::AccessDenied => "access denied",
            GapKind::Throttled => "throttled",
            GapKind::Timeout => "timeout",
            GapKind::Network => "network error",
            GapKind::ServiceError => "service error",
            GapKind::Truncated => "truncated",
            GapKind::InvalidResponse => "invalid response",
        })
    }
}
