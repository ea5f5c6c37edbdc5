//! Field conversions shared by every kind: label selectors, protocols, ports,
//! addresses. Each refuses a value the API server itself would refuse, and names the
//! field by its JSON path so the user can find it in the manifest.

use std::fmt;
use std::net::IpAddr;

use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::inventory::{
    KubeProtocol, LabelRequirement, LabelSelector, Labels, PortRef, SelectorOperator,
};

/// A field vpcaudit refuses, by its path in the object (`spec.ingress[0].ports[1].port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FieldError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

pub(super) fn invalid(path: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        path: path.into(),
        message: message.into(),
    }
}

/// `metav1.LabelSelector`, with the checks of the API server's validation: a known
/// operator, values for `In`/`NotIn` and none for `Exists`/`DoesNotExist`.
pub(super) fn selector(s: &meta::LabelSelector, path: &str) -> Result<LabelSelector, FieldError> {
    let match_labels: Labels = s.match_labels.clone().unwrap_or_default();
    let mut match_expressions = Vec::new();
    for (i, e) in s.match_expressions.iter().flatten().enumerate() {
        let at = format!("{path}.matchExpressions[{i}]");
        match_expressions.push(requirement(&e.key, &e.operator, e.values.as_deref(), &at)?);
    }
    Ok(LabelSelector {
        match_labels,
        match_expressions,
    })
}

/// One `matchExpressions` entry.
fn requirement(
    key: &str,
    operator: &str,
    values: Option<&[String]>,
    path: &str,
) -> Result<LabelRequirement, FieldError> {
    let operator = match operator {
        "In" => SelectorOperator::In,
        "NotIn" => SelectorOperator::NotIn,
        "Exists" => SelectorOperator::Exists,
        "DoesNotExist" => SelectorOperator::DoesNotExist,
        other => {
            return Err(invalid(
                format!("{path}.operator"),
                format!("{other:?} is not one of In, NotIn, Exists, DoesNotExist"),
            ))
        }
    };
    let values = values.map(<[String]>::to_vec).unwrap_or_default();
    match operator {
        SelectorOperator::In | SelectorOperator::NotIn if values.is_empty() => {
            return Err(invalid(
                format!("{path}.values"),
                format!("must not be empty with operator {operator:?}"),
            ))
        }
        SelectorOperator::Exists | SelectorOperator::DoesNotExist if !values.is_empty() => {
            return Err(invalid(
                format!("{path}.values"),
                format!("must be empty with operator {operator:?}"),
            ))
        }
        _ => {}
    }
    Ok(LabelRequirement {
        key: key.to_string(),
        operator,
        values,
    })
}

/// A protocol field; absent means TCP, as the API defaults it.
pub(super) fn protocol(p: Option<&str>, path: &str) -> Result<KubeProtocol, FieldError> {
    match p {
        None | Some("TCP") => Ok(KubeProtocol::Tcp),
        Some("UDP") => Ok(KubeProtocol::Udp),
        Some("SCTP") => Ok(KubeProtocol::Sctp),
        Some(other) => Err(invalid(
            path,
            format!("{other:?} is not one of TCP, UDP, SCTP"),
        )),
    }
}

/// A port number, 1 to 65535.
pub(super) fn port_number(n: i32, path: &str) -> Result<u16, FieldError> {
    match u16::try_from(n) {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(invalid(path, format!("{n} is not a port (1-65535)"))),
    }
}

/// A port by number or by a container port's name (`IntOrString`).
pub(super) fn port_ref(p: &IntOrString, path: &str) -> Result<PortRef, FieldError> {
    match p {
        IntOrString::Int(n) => Ok(PortRef::Number(port_number(*n, path)?)),
        IntOrString::String(name) => named_port(name, path).map(PortRef::Name),
    }
}

/// A container port name is an IANA service name: at most 15 lowercase letters,
/// digits and inner hyphens, at least one letter. A number in quotes is not one
/// (the API refuses `port: "80"`).
pub(super) fn named_port(name: &str, path: &str) -> Result<String, FieldError> {
    let ok = !name.is_empty()
        && name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(name.to_string())
    } else {
        Err(invalid(
            path,
            format!("{name:?} is neither a port number nor a valid port name"),
        ))
    }
}

pub(super) fn cidr(text: &str, path: &str) -> Result<ipnet::IpNet, FieldError> {
    text.parse()
        .map_err(|_| invalid(path, format!("{text:?} is not a CIDR")))
}

pub(super) fn ip(text: &str, path: &str) -> Result<IpAddr, FieldError> {
    text.parse()
        .map_err(|_| invalid(path, format!("{text:?} is not an IP address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_operators_and_values_are_checked() {
        let bad = meta::LabelSelector {
            match_expressions: Some(vec![meta::LabelSelectorRequirement {
                key: "app".into(),
                operator: "Equals".into(),
                values: Some(vec!["api".into()]),
            }]),
            ..Default::default()
        };
        assert_eq!(
            selector(&bad, "spec.podSelector").unwrap_err().to_string(),
            "spec.podSelector.matchExpressions[0].operator: \"Equals\" is not one of In, NotIn, Exists, DoesNotExist"
        );
        let no_values = meta::LabelSelector {
            match_expressions: Some(vec![meta::LabelSelectorRequirement {
                key: "app".into(),
                operator: "In".into(),
                values: None,
            }]),
            ..Default::default()
        };
        assert_eq!(
            selector(&no_values, "s").unwrap_err().path,
            "s.matchExpressions[0].values"
        );
    }

    #[test]
    fn port_names_follow_the_iana_rules() {
        for good in ["http", "dns-tcp", "h2c", "metrics-9090"] {
            assert_eq!(named_port(good, "p").unwrap(), good);
        }
        for bad in [
            "",
            "80",
            "HTTP",
            "-http",
            "http-",
            "a--b",
            "a-very-long-port-name",
        ] {
            assert!(named_port(bad, "p").is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ports_and_protocols_are_range_checked() {
        assert_eq!(port_number(65535, "p").unwrap(), 65535);
        assert!(port_number(0, "p").is_err());
        assert!(port_number(65536, "p").is_err());
        assert_eq!(protocol(None, "p").unwrap(), KubeProtocol::Tcp);
        assert_eq!(
            protocol(Some("ICMP"), "x.protocol")
                .unwrap_err()
                .to_string(),
            "x.protocol: \"ICMP\" is not one of TCP, UDP, SCTP"
        );
    }
}
