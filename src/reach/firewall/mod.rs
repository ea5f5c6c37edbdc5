//! AWS Network Firewall: what a firewall policy does to one outbound flow.
//!
//! - [`suricata`]: the common subset of Suricata rules, parsed and matched;
//! - [`domain`]: domain lists and the rules AWS generates from them;
//! - [`policy`]: the stateless stage, the stateful stage in either rule order, and
//!   whether a policy filters egress at all.

pub mod domain;
pub mod policy;
pub mod suricata;

use std::net::IpAddr;

use super::sets::ServicePoint;

pub use domain::{domain_matches, domain_rules};
pub use policy::{as_deployed, evaluate, filters_egress, parse_errors, port_cuts};
pub use suricata::{ParseError, SuricataRule, Vars};

/// One outbound flow as the firewall sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub service: ServicePoint,
    /// TLS SNI or HTTP Host, if the flow carries one.
    pub sni: Option<String>,
    /// Whether the packets are IP fragments.
    pub fragment: bool,
}

/// The application protocol the firewall would detect on a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppLayer {
    Tls,
    Http,
    Dns,
}

/// Whether a rule matches a flow: yes, no, or unknown with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    Yes,
    No,
    Maybe(String),
}

/// Ports on which a named TCP flow is taken to be HTTP (Host header) rather than TLS.
const HTTP_PORTS: [u16; 2] = [80, 8080];

impl Flow {
    pub fn tcp_port(&self) -> Option<u16> {
        match self.service {
            ServicePoint::Tcp(p) => Some(p),
            _ => None,
        }
    }

    pub fn udp_port(&self) -> Option<u16> {
        match self.service {
            ServicePoint::Udp(p) => Some(p),
            _ => None,
        }
    }

    /// The destination port for TCP, UDP and SCTP.
    pub fn dst_port(&self) -> Option<u16> {
        match self.service {
            ServicePoint::Tcp(p) | ServicePoint::Udp(p) | ServicePoint::Sctp(p) => Some(p),
            _ => None,
        }
    }

    /// TCP with a name is TLS, or HTTP on ports 80/8080; port 53 is DNS.
    pub fn app_layer(&self) -> Option<AppLayer> {
        if self.dst_port() == Some(53) && (self.tcp_port().is_some() || self.udp_port().is_some()) {
            return Some(AppLayer::Dns);
        }
        let port = self.tcp_port()?;
        self.sni.as_ref()?;
        Some(if HTTP_PORTS.contains(&port) {
            AppLayer::Http
        } else {
            AppLayer::Tls
        })
    }
}
