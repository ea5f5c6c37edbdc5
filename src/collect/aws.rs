//! SDK configuration: credentials and region through aws-config's default chain, an
//! explicit behavior version, retries with backoff and bounded timeouts.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use super::retry::RetryBudget;

/// Pinned so an SDK upgrade never silently changes retry, timeout or endpoint defaults.
pub fn behavior_version() -> BehaviorVersion {
    BehaviorVersion::v2026_01_12()
}

#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Overrides every service endpoint (an emulator, a VPC interface endpoint...).
    /// `AWS_ENDPOINT_URL` is honoured by aws-config when this is unset.
    pub endpoint_url: Option<String>,
    /// Time for one attempt of one API call; the whole call (with retries) gets three.
    pub call_timeout: Duration,
    /// Attempts per call. Ten rides out sustained throttling (30% of calls throttled
    /// fails a call once in ~170,000); server errors get fewer once an operation
    /// keeps failing (`retry`), so an API that is down is not hidden.
    pub max_attempts: u32,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            endpoint_url: None,
            call_timeout: Duration::from_secs(20),
            max_attempts: 10,
        }
    }
}

pub async fn load(opts: &AwsOptions) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(opts.call_timeout)
        .operation_attempt_timeout(opts.call_timeout)
        .operation_timeout(opts.call_timeout * 3)
        .build();
    // Standard mode: exponential backoff with jitter on throttling and 5xx (each
    // client adds a per-region budget for server errors: `retry`). Adaptive mode's
    // client-side limiter, fed by a scan's bursty rate, slowed calls under 30%
    // throttling until they hit the operation timeout (tests/faults.rs).
    let retries = RetryConfig::standard().with_max_attempts(opts.max_attempts);
    let mut loader = aws_config::defaults(behavior_version())
        .retry_config(retries)
        .timeout_config(timeouts);
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    match config.credentials_provider() {
        Some(provider) => config
            .to_builder()
            .credentials_provider(super::credentials::Registering::wrap(provider))
            .build(),
        None => config,
    }
}

pub fn ec2_client(config: &SdkConfig, region: &str) -> aws_sdk_ec2::Client {
    let conf = aws_sdk_ec2::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_ec2::Client::from_conf(conf)
}

pub fn network_firewall_client(
    config: &SdkConfig,
    region: &str,
) -> aws_sdk_networkfirewall::Client {
    let conf = aws_sdk_networkfirewall::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_networkfirewall::Client::from_conf(conf)
}

pub fn eks_client(config: &SdkConfig, region: &str) -> aws_sdk_eks::Client {
    let conf = aws_sdk_eks::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_eks::Client::from_conf(conf)
}

pub fn elbv2_client(config: &SdkConfig, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
    let conf = aws_sdk_elasticloadbalancingv2::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_elasticloadbalancingv2::Client::from_conf(conf)
}

/// Classic Load Balancers: the original Elastic Load Balancing API.
pub fn elb_client(config: &SdkConfig, region: &str) -> aws_sdk_elasticloadbalancing::Client {
    let conf = aws_sdk_elasticloadbalancing::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_elasticloadbalancing::Client::from_conf(conf)
}

pub fn route53resolver_client(config: &SdkConfig, region: &str) -> aws_sdk_route53resolver::Client {
    let conf = aws_sdk_route53resolver::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_route53resolver::Client::from_conf(conf)
}

/// Organizations is a global service: any region of the partition resolves to its
/// one endpoint (us-east-1 for `aws`).
pub fn organizations_client(config: &SdkConfig, region: &str) -> aws_sdk_organizations::Client {
    let conf = aws_sdk_organizations::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .interceptor(RetryBudget::new(region))
        .build();
    aws_sdk_organizations::Client::from_conf(conf)
}

/// Used once, before collection: two attempts, so that a wrong endpoint or missing
/// credentials fail fast instead of backing off for half a minute.
pub fn sts_client(config: &SdkConfig, region: &str) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::from(config)
        .region(Region::new(region.to_string()))
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// The endpoint a service is reached at, for error messages.
pub fn endpoint_label(config: &SdkConfig, service: &str, region: &str) -> String {
    match config.endpoint_url() {
        Some(url) => url.to_string(),
        None => format!("https://{service}.{region}.amazonaws.com"),
    }
}
