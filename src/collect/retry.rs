//! Retries on top of the SDK's standard strategy, which retries every error it
//! deems transient up to `--max-attempts` times with backoff of up to 20 s. Throttling
//! keeps exactly that: it is ridden out. Other errors do not:
//!
//! - An operation the endpoint does not have (HTTP 501, `InvalidAction`,
//!   `UnknownOperationException`, `NotImplemented`) is tried once: one quick gap.
//! - Server errors and timeouts back off as the SDK's retry behavior 2.1 does
//!   (from 50 ms, not 1 s), and an operation that has failed
//!   [`SERVER_ERRORS_IN_A_ROW`] times in a row in a region is tried once per call
//!   there until it succeeds again. A server that always fails (an emulator without
//!   the API: plain moto answers 500 to what it lacks) costs a few quick attempts,
//!   not `--max-attempts` backoffs per call.
//!
//! Done as an interceptor, the one public hook that runs once per attempt with the
//! operation's configuration: it adjusts the retry configuration the standard
//! strategy reads right after it.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    FinalizerInterceptorContextRef, InterceptorContext,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryReason,
};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::{ErrorKind, RetryConfig};

/// Server errors (or timeouts) of one operation in a row, in one region, after
/// which its calls there are no longer retried. Five rides out 12.5% of calls
/// failing (a call then fails once in ~30,000, tests/faults.rs).
pub const SERVER_ERRORS_IN_A_ROW: u32 = 5;

/// Server errors back off this many times less than throttling: 50 ms instead of
/// 1 s to start with, as in the SDK's retry behavior 2.1.
const SERVER_ERROR_BACKOFF_DIVISOR: u32 = 20;

/// Codes of an operation the endpoint does not implement.
const NOT_IMPLEMENTED: &[&str] = &[
    "InvalidAction",
    "UnknownOperationException",
    "NotImplemented",
];

/// One region's retry budget, shared by the calls of one client.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    region: String,
    /// Operation (`service:name`) → its server errors in a row.
    in_a_row: Arc<Mutex<HashMap<String, u32>>>,
}

impl RetryBudget {
    pub fn new(region: &str) -> RetryBudget {
        RetryBudget {
            region: region.to_string(),
            in_a_row: Arc::default(),
        }
    }

    fn succeeded(&self, operation: &str) {
        self.counts().remove(operation);
    }

    /// Counts a server error; returns how many there have been in a row.
    fn failed(&self, operation: &str) -> u32 {
        let mut counts = self.counts();
        let n = counts.entry(operation.to_string()).or_default();
        *n += 1;
        *n
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        // A panic elsewhere leaves the counts usable.
        self.in_a_row.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the next attempt of a failed call may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// As configured: throttling, and errors that are not retried anyway.
    AsConfigured,
    /// A retry with the shorter backoff of server errors.
    Sooner,
    /// None.
    Stop,
}

/// The retry configuration the call started with, before any attempt changed it.
#[derive(Debug, Clone)]
struct Configured(RetryConfig);

impl Storable for Configured {
    type Storer = StoreReplace<Self>;
}

impl Intercept for RetryBudget {
    fn name(&self) -> &'static str {
        "vpcaudit::RetryBudget"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ctx = context.inner();
        let Some(operation) = cfg
            .load::<Metadata>()
            .map(|m| format!("{}:{}", m.service(), m.name()))
        else {
            return Ok(());
        };
        let configured = match cfg.load::<Configured>() {
            Some(c) => c.0.clone(),
            None => match cfg.load::<RetryConfig>() {
                Some(c) => {
                    let c = c.clone();
                    cfg.interceptor_state().store_put(Configured(c.clone()));
                    c
                }
                None => return Ok(()),
            },
        };
        if !ctx.is_failed() {
            self.succeeded(&operation);
            return Ok(());
        }
        let next = if not_implemented(ctx) {
            tracing::debug!(region = %self.region, %operation, "not implemented by the endpoint: not retried");
            Next::Stop
        } else {
            match error_kind(&classify(runtime_components, ctx)) {
                Some(ErrorKind::ThrottlingError) | None => Next::AsConfigured,
                Some(_) => {
                    let in_a_row = self.failed(&operation);
                    if in_a_row == SERVER_ERRORS_IN_A_ROW {
                        tracing::warn!(region = %self.region, %operation, "{in_a_row} server errors in a row: its calls in this region are no longer retried");
                    }
                    if in_a_row >= SERVER_ERRORS_IN_A_ROW {
                        Next::Stop
                    } else {
                        Next::Sooner
                    }
                }
            }
        };
        let attempts = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
        cfg.interceptor_state()
            .store_put(next_config(&configured, next, attempts));
        Ok(())
    }
}

/// The retry configuration the standard strategy reads for the call's next attempt.
fn next_config(configured: &RetryConfig, next: Next, attempts: u32) -> RetryConfig {
    match next {
        Next::AsConfigured => configured.clone(),
        Next::Sooner => configured
            .clone()
            .with_initial_backoff(configured.initial_backoff() / SERVER_ERROR_BACKOFF_DIVISOR),
        // The strategy stops once the attempts made reach the maximum.
        Next::Stop => configured.clone().with_max_attempts(attempts.max(1)),
    }
}

/// The SDK's verdict on the attempt, from the client's classifiers run the way the
/// standard strategy runs them.
fn classify(runtime_components: &RuntimeComponents, ctx: &InterceptorContext) -> RetryAction {
    let mut verdict = RetryAction::NoActionIndicated;
    for classifier in runtime_components.retry_classifiers() {
        let next = classifier.classify_retry_v2(ctx, &verdict);
        if next == RetryAction::NoActionIndicated {
            continue;
        }
        verdict = next;
        if verdict == RetryAction::RetryForbidden {
            break;
        }
    }
    verdict
}

fn error_kind(verdict: &RetryAction) -> Option<ErrorKind> {
    match verdict {
        RetryAction::RetryIndicated(RetryReason::RetryableError { kind, .. }) => Some(*kind),
        _ => None,
    }
}

fn not_implemented(ctx: &InterceptorContext) -> bool {
    ctx.response().is_some_and(|r| r.status().as_u16() == 501)
        || error_code(ctx).is_some_and(|code| NOT_IMPLEMENTED.contains(&code))
}

/// The AWS error code of a failed attempt. Operation errors are type-erased here;
/// every one the service did not model keeps its code in an [`ErrorMetadata`] source.
fn error_code(ctx: &InterceptorContext) -> Option<&str> {
    let err = ctx.output_or_error()?.err()?.as_operation_error()?;
    let mut current: Option<&(dyn StdError + 'static)> = err.source();
    while let Some(e) = current {
        if let Some(meta) = e.downcast_ref::<ErrorMetadata>() {
            return meta.code();
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn server_errors_retry_sooner_and_stop_throttling_does_not_change() {
        let configured = RetryConfig::standard().with_max_attempts(10);
        assert_eq!(next_config(&configured, Next::AsConfigured, 3), configured);
        let sooner = next_config(&configured, Next::Sooner, 3);
        assert_eq!(sooner.initial_backoff(), Duration::from_millis(50));
        assert_eq!(sooner.max_attempts(), 10);
        assert_eq!(sooner.max_backoff(), configured.max_backoff());
        let stop = next_config(&configured, Next::Stop, 3);
        assert_eq!(stop.max_attempts(), 3);
        assert_eq!(stop.initial_backoff(), configured.initial_backoff());
    }

    #[test]
    fn server_errors_in_a_row_are_counted_per_operation_until_a_success() {
        let budget = RetryBudget::new("us-east-1");
        for n in 1..=3 {
            assert_eq!(budget.failed("ec2:DescribeFlowLogs"), n);
        }
        assert_eq!(budget.failed("ec2:DescribeVpcs"), 1);
        budget.succeeded("ec2:DescribeFlowLogs");
        assert_eq!(budget.failed("ec2:DescribeFlowLogs"), 1);
        // Clones share the counts: every call of the client sees them.
        let clone = budget.clone();
        assert_eq!(clone.failed("ec2:DescribeVpcs"), 2);
    }
}
