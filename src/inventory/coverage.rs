//! What could not be collected, and why.

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::{Operation, Service};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageGap {
    pub account_id: String,
    pub region: String,
    /// The operation's service: always `operation.service()`.
    pub service: Service,
    /// The API operation, e.g. `DescribeNetworkAcls`.
    pub operation: Operation,
    pub kind: GapKind,
    /// The AWS error code, when the service returned one.
    pub error_code: Option<String>,
    pub message: String,
    /// The one item a per-item call was about (a firewall, policy or rule group ARN,
    /// a prefix list id, the role to assume); `None` when the call was about
    /// everything of its kind in the region, which may then hide any item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// [`CoverageGap`] as a file spells it, before its service is checked against its
/// operation.
#[derive(Deserialize)]
struct GapFields {
    account_id: String,
    region: String,
    service: Service,
    operation: Operation,
    kind: GapKind,
    error_code: Option<String>,
    message: String,
    #[serde(default)]
    resource: Option<String>,
}

impl GapFields {
    fn check(self) -> Result<CoverageGap, String> {
        if self.operation.service() != self.service {
            return Err(format!(
                "coverage gap: {} is an operation of {}, not of {}",
                self.operation,
                self.operation.service(),
                self.service
            ));
        }
        Ok(CoverageGap {
            account_id: self.account_id,
            region: self.region,
            service: self.service,
            operation: self.operation,
            kind: self.kind,
            error_code: self.error_code,
            message: self.message,
            resource: self.resource,
        })
    }
}

// The check runs inside the object's own visit, so that the parser places its
// error at the end of the gap rather than somewhere after it.
impl<'de> Deserialize<'de> for CoverageGap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(GapVisitor)
    }
}

struct GapVisitor;

impl<'de> Visitor<'de> for GapVisitor {
    type Value = CoverageGap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a coverage gap")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CoverageGap, A::Error> {
        GapFields::deserialize(MapAccessDeserializer::new(map))?
            .check()
            .map_err(A::Error::custom)
    }
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
            service: Service::Ec2,
            operation: Operation::DescribeNetworkAcls,
            kind: GapKind::AccessDenied,
            error_code: Some("UnauthorizedOperation".into()),
            message: "not authorized".into(),
            resource: None,
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

    /// A gap as inventories have always spelt it.
    const SAVED: &str = r#"{"account_id":"123456789012","region":"eu-west-1","service":"network-firewall","operation":"DescribeFirewall","kind":"access_denied","error_code":null,"message":"arn:aws:network-firewall:eu-west-1:123456789012:firewall/fw: denied"}"#;

    #[test]
    fn a_saved_gap_loads_and_saves_unchanged() {
        let g: CoverageGap = serde_json::from_str(SAVED).expect("loads");
        assert_eq!(
            (g.service, g.operation, g.resource.as_deref()),
            (Service::NetworkFirewall, Operation::DescribeFirewall, None)
        );
        assert_eq!(serde_json::to_string(&g).expect("saves"), SAVED);
    }

    #[test]
    fn the_resource_is_saved_only_when_known() {
        let mut g: CoverageGap = serde_json::from_str(SAVED).expect("loads");
        let arn = "arn:aws:network-firewall:eu-west-1:123456789012:firewall/fw";
        g.resource = Some(arn.into());
        let json = serde_json::to_string(&g).expect("saves");
        assert!(
            json.ends_with(&format!(r#","resource":"{arn}"}}"#)),
            "{json}"
        );
        let back: CoverageGap = serde_json::from_str(&json).expect("loads");
        assert_eq!(back, g);
    }

    #[test]
    fn an_unknown_operation_or_service_is_refused_with_its_place() {
        for (from, to, wanted) in [
            (
                r#""DescribeFirewall""#,
                r#""DescribeFirewalls""#,
                "unknown AWS operation \"DescribeFirewalls\"",
            ),
            (
                r#""network-firewall""#,
                r#""networkfirewall""#,
                "unknown AWS service \"networkfirewall\"",
            ),
            (
                r#""network-firewall""#,
                r#""ec2""#,
                "DescribeFirewall is an operation of network-firewall, not of ec2",
            ),
        ] {
            let text = SAVED.replace(from, to);
            let e = serde_json::from_str::<CoverageGap>(&text).expect_err(to);
            assert!(e.to_string().contains(wanted), "{e}");
            assert!(e.line() >= 1 && e.column() >= 1, "{e}");
        }
    }
}
