//! The answer of an evaluation and the steps that explain it.
//!
//! `Unknown` is a first-class answer: when data is missing or a reference cannot be
//! resolved, the engine says so with the reason instead of guessing either way.

use std::fmt;

use super::explain::Code;
use super::sets::ServicePoint;
use crate::inventory::Direction;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Blocked,
    Unknown { reason: String },
}

/// One component's part in the decision, e.g. `sg-0abc (web)` /
/// `rule sgr-1 allows tcp 22 from 0.0.0.0/0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub component: String,
    pub decision: String,
    /// Why this step blocks or is undecided, when it does (see [`Code`]).
    pub code: Option<Code>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub verdict: Verdict,
    pub steps: Vec<Step>,
}

impl Step {
    pub fn new(component: impl Into<String>, decision: impl Into<String>) -> Step {
        Step {
            component: component.into(),
            decision: decision.into(),
            code: None,
        }
    }

    /// The step without its code (it no longer explains the verdict).
    pub fn uncoded(self) -> Step {
        Step { code: None, ..self }
    }

    /// A step that blocks or is undecided for the reason `code` names.
    pub fn coded(code: Code, component: impl Into<String>, decision: impl Into<String>) -> Step {
        Step {
            code: Some(code),
            ..Step::new(component, decision)
        }
    }
}

impl Evaluation {
    pub fn allowed(steps: Vec<Step>) -> Evaluation {
        Evaluation {
            verdict: Verdict::Allowed,
            steps,
        }
    }

    pub fn blocked(steps: Vec<Step>) -> Evaluation {
        Evaluation {
            verdict: Verdict::Blocked,
            steps,
        }
    }

    pub fn unknown(reason: impl Into<String>, steps: Vec<Step>) -> Evaluation {
        Evaluation {
            verdict: Verdict::Unknown {
                reason: reason.into(),
            },
            steps,
        }
    }

    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allowed
    }

    pub fn is_blocked(&self) -> bool {
        self.verdict == Verdict::Blocked
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.verdict, Verdict::Unknown { .. })
    }

    /// The code of the first coded step: for a blocked evaluation the reason that
    /// decided it, for an unknown one a reason it is undecided.
    pub fn code(&self) -> Option<Code> {
        self.steps.iter().find_map(|s| s.code)
    }

    /// Combines legs that must *all* allow (e.g. request and reply through NACLs).
    /// A proven block decides even if another leg is unknown, since the traffic
    /// cannot pass either way; otherwise any unknown leg makes the whole unknown.
    /// When a block decides, the steps of the other legs lose their codes, so that
    /// the first coded step is one that blocks.
    pub fn all_of(legs: Vec<Evaluation>) -> Evaluation {
        let blocked = legs.iter().any(Evaluation::is_blocked);
        let mut steps = Vec::new();
        let mut unknown: Option<String> = None;
        for leg in legs {
            let decides = leg.is_blocked();
            match leg.verdict {
                Verdict::Allowed | Verdict::Blocked => {}
                Verdict::Unknown { reason } => {
                    unknown.get_or_insert(reason);
                }
            }
            if blocked && !decides {
                steps.extend(leg.steps.into_iter().map(Step::uncoded));
            } else {
                steps.extend(leg.steps);
            }
        }
        match (blocked, unknown) {
            (true, _) => Evaluation::blocked(steps),
            (false, Some(reason)) => Evaluation::unknown(reason, steps),
            (false, None) => Evaluation::allowed(steps),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Allowed => f.write_str("allowed"),
            Verdict::Blocked => f.write_str("blocked"),
            Verdict::Unknown { reason } => write!(f, "unknown ({reason})"),
        }
    }
}

/// A packet kind as people write it: `tcp 22`, `icmp type 8 code 0`, `protocol 50`.
pub fn describe_point(p: ServicePoint) -> String {
    match p {
        ServicePoint::Tcp(port) => format!("tcp {port}"),
        ServicePoint::Udp(port) => format!("udp {port}"),
        ServicePoint::Sctp(port) => format!("sctp {port}"),
        ServicePoint::Icmp { icmp_type, code } => format!("icmp type {icmp_type} code {code}"),
        ServicePoint::Icmpv6 { icmp_type, code } => {
            format!("icmpv6 type {icmp_type} code {code}")
        }
        ServicePoint::Other(n) => format!("protocol {n}"),
    }
}

/// "from" a source on ingress, "to" a destination on egress, for explanations.
pub(crate) fn peer_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    }
}

/// "inbound" or "outbound", for explanations.
pub(crate) fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Ingress => "inbound",
        Direction::Egress => "outbound",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proven_block_outweighs_an_unknown_leg() {
        let e = Evaluation::all_of(vec![
            Evaluation::unknown("no data", vec![]),
            Evaluation::blocked(vec![Step::new("acl-1", "rule 50 denies")]),
        ]);
        assert!(e.is_blocked());
        assert_eq!(e.steps.len(), 1);
    }

    #[test]
    fn a_block_keeps_its_code_first_and_unknown_legs_lose_theirs() {
        let e = Evaluation::all_of(vec![
            Evaluation::unknown(
                "no data",
                vec![Step::coded(Code::DataNotCollected, "eni-1", "no data")],
            ),
            Evaluation::blocked(vec![Step::coded(
                Code::SubnetAclRestriction,
                "acl-1",
                "rule 50 denies",
            )]),
        ]);
        assert!(e.is_blocked());
        assert_eq!(e.code(), Some(Code::SubnetAclRestriction));
        assert_eq!(e.steps[0].code, None);
        assert_eq!(e.steps[0].decision, "no data");
    }

    #[test]
    fn an_unknown_whole_keeps_the_codes_of_its_legs() {
        let e = Evaluation::all_of(vec![
            Evaluation::allowed(vec![Step::new("sg-1", "allows")]),
            Evaluation::unknown(
                "no data",
                vec![Step::coded(Code::DataNotCollected, "eni-1", "no data")],
            ),
        ]);
        assert!(e.is_unknown());
        assert_eq!(e.code(), Some(Code::DataNotCollected));
    }

    #[test]
    fn an_unknown_leg_is_never_read_as_allowed() {
        let e = Evaluation::all_of(vec![
            Evaluation::allowed(vec![]),
            Evaluation::unknown("no data", vec![]),
        ]);
        assert_eq!(
            e.verdict,
            Verdict::Unknown {
                reason: "no data".into()
            }
        );
    }
}
