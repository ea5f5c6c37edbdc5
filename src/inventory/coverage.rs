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

impl CoverageGap {
    /// Where: `{account}/{region} {service} {operation}`.
    pub fn location(&self) -> GapLocation<'_> {
        GapLocation(self)
    }

    /// What went wrong: `{kind}[ ({error code})]: {message}`.
    pub fn problem(&self) -> GapProblem<'_> {
        GapProblem(self)
    }
}

/// The gap as one line, `{account}/{region} {service} {operation}: {kind}[ ({error
/// code})]: {message}`, raw: each renderer neutralises it for its own medium.
impl fmt::Display for CoverageGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.problem())
    }
}

/// [`CoverageGap::location`].
pub struct GapLocation<'a>(&'a CoverageGap);

impl fmt::Display for GapLocation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = self.0;
        write!(
            f,
            "{}/{} {} {}",
            g.account_id, g.region, g.service, g.operation
        )
    }
}

/// [`CoverageGap::problem`].
pub struct GapProblem<'a>(&'a CoverageGap);

impl fmt::Display for GapProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = self.0;
        write!(f, "{}", g.kind)?;
        if let Some(code) = &g.error_code {
            write!(f, " ({code})")?;
        }
        write!(f, ": {}", g.message)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_is_one_line() {
        let mut g = CoverageGap {
            account_id: "123456789012".into(),
            region: "eu-west-1".into(),
            service: "ec2".into(),
            operation: "DescribeNetworkAcls".into(),
            kind: GapKind::AccessDenied,
            error_code: Some("UnauthorizedOperation".into()),
            message: "not authorized".into(),
        };
        assert_eq!(
            g.to_string(),
            "123456789012/eu-west-1 ec2 DescribeNetworkAcls: access denied \
             (UnauthorizedOperation): not authorized"
        );
        g.error_code = None;
        assert_eq!(
            g.to_string(),
            "123456789012/eu-west-1 ec2 DescribeNetworkAcls: access denied: not authorized"
        );
        assert_eq!(format!("{}: {}", g.location(), g.problem()), g.to_string());
    }
}
