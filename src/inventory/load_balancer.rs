//! Elastic Load Balancing: Application, Network and Gateway Load Balancers (the
//! `elasticloadbalancing` v2 API) and Classic Load Balancers (the original API), with
//! the listeners, target groups and registered targets that carry traffic through them.

use serde::{Deserialize, Serialize};

use super::Tags;

/// What kind of load balancer, as ELBv2's `Type` spells it (`classic` for the
/// original API's load balancers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoadBalancerType {
    Application,
    Network,
    Gateway,
    Classic,
}

impl LoadBalancerType {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadBalancerType::Application => "application",
            LoadBalancerType::Network => "network",
            LoadBalancerType::Gateway => "gateway",
            LoadBalancerType::Classic => "classic",
        }
    }
}

/// `internet-facing` (nodes with public addresses) or `internal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadBalancerScheme {
    InternetFacing,
    Internal,
}

/// One load balancer. Its nodes are the ENIs AWS creates in `subnet_ids`, described
/// `ELB app/<name>/<id>`, `ELB net/<name>/<id>`, `ELB gwy/<name>/<id>` or (classic)
/// `ELB <name>`; they are collected with the other ENIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancer {
    /// The ARN (ELBv2), or `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/<name>`
    /// built from the name for a classic load balancer, which has no ARN in its API.
    pub arn: String,
    pub name: String,
    #[serde(rename = "type")]
    pub lb_type: LoadBalancerType,
    pub scheme: LoadBalancerScheme,
    pub vpc_id: Option<String>,
    pub subnet_ids: Vec<String>,
    /// Empty for an NLB created without security groups (then nothing filters at
    /// the load balancer) and for a Gateway Load Balancer.
    pub security_group_ids: Vec<String>,
    /// `ipv4`, `dualstack` or `dualstack-without-public-ipv4`.
    pub ip_address_type: Option<String>,
    pub dns_name: Option<String>,
    /// `active`, `provisioning`, `failed`, ...
    pub state: Option<String>,
    /// `None` when `DescribeListeners` (or `DescribeRules`) could not be read for it:
    /// a coverage gap names the load balancer.
    pub listeners: Option<Vec<Listener>>,
    /// Classic load balancers only: the instances registered with it.
    #[serde(default)]
    pub instance_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// One listener: the port and protocol clients connect to, and where it forwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    /// `None` for a classic load balancer's listener.
    pub arn: Option<String>,
    pub port: u16,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`; classic: `HTTP`,
    /// `HTTPS`, `TCP`, `SSL`.
    pub protocol: String,
    /// Every target group a `forward` in the default actions or in a rule sends to
    /// (weighted forwards included), sorted, without repeats.
    pub target_group_arns: Vec<String>,
    /// Classic load balancers only: the port and protocol on the instances.
    #[serde(default)]
    pub instance_port: Option<u16>,
    #[serde(default)]
    pub instance_protocol: Option<String>,
}

/// One ELBv2 target group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    /// `instance`, `ip`, `lambda` or `alb`.
    pub target_type: String,
    pub protocol: Option<String>,
    pub port: Option<u16>,
    pub vpc_id: Option<String>,
    pub load_balancer_arns: Vec<String>,
    /// The `preserve_client_ip.enabled` attribute (Network Load Balancer target
    /// groups); `None` when not read, in which case AWS's default for the target type
    /// and protocol applies.
    #[serde(default)]
    pub preserve_client_ip: Option<bool>,
    /// `None` when `DescribeTargetHealth` could not be read: a coverage gap names
    /// the target group, and its paths are unknown.
    pub targets: Option<Vec<Target>>,
    #[serde(default)]
    pub tags: Tags,
}

/// One registered target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// An instance id, an IP address, a Lambda function ARN or an ALB ARN, per the
    /// target group's type.
    pub id: String,
    /// The port traffic is sent to; the target group's port when not overridden.
    pub port: Option<u16>,
    /// `all` for an IP target outside the VPC, else the zone (or absent).
    pub availability_zone: Option<String>,
    /// `healthy`, `unhealthy`, `unused`, `draining`, `initial`, `unavailable`.
    pub health: Option<String>,
}
