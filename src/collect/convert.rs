//! Small conversions from SDK values to inventory values.

use std::future::Future;
use std::str::FromStr;

use futures::stream::{self, StreamExt};

use crate::inventory::Tags;

use super::error::ApiFailure;
use crate::inventory::{GapKind, Operation};

pub fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

pub fn string(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

pub fn strings(v: &[String]) -> Vec<String> {
    v.to_vec()
}

pub fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

pub fn nfw_tags(tags: &[aws_sdk_networkfirewall::types::Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// Collects what went wrong while converting one API's answer, so that a value AWS
/// returned but we could not read becomes a coverage gap instead of vanishing.
#[derive(Debug, Default)]
pub struct Problems {
    pub failures: Vec<ApiFailure>,
}

impl Problems {
    pub fn invalid(&mut self, operation: Operation, message: String) {
        self.failures.push(ApiFailure {
            operation,
            kind: GapKind::InvalidResponse,
            error_code: None,
            message,
            resource: None,
        });
    }

    /// An answer about the one item `id` that could not be understood: the message
    /// starts with the id, and the gap names it as its resource.
    pub fn invalid_about(&mut self, operation: Operation, id: &str, message: &str) {
        self.failures.push(
            ApiFailure {
                operation,
                kind: GapKind::InvalidResponse,
                error_code: None,
                message: message.to_string(),
                resource: None,
            }
            .about(id),
        );
    }

    /// Parses a value (CIDR, address) or records why it could not be.
    pub fn parse<T: FromStr>(
        &mut self,
        operation: Operation,
        what: &str,
        owner: &str,
        value: &str,
    ) -> Option<T> {
        let parsed = value.parse().ok();
        if parsed.is_none() {
            self.invalid(operation, format!("{owner}: unreadable {what} {value:?}"));
        }
        parsed
    }

    /// [`Problems::parse`] for a value in an answer about the one item `id`: a
    /// failure names it as the gap's resource.
    pub fn parse_about<T: FromStr>(
        &mut self,
        operation: Operation,
        what: &str,
        id: &str,
        value: &str,
    ) -> Option<T> {
        let parsed = value.parse().ok();
        if parsed.is_none() {
            self.invalid_about(operation, id, &format!("unreadable {what} {value:?}"));
        }
        parsed
    }
}

/// A collector's result: what it read, and every call or value that failed.
#[derive(Debug)]
pub struct Outcome<T> {
    pub items: Vec<T>,
    pub failures: Vec<ApiFailure>,
}

impl<T> Outcome<T> {
    pub fn new(items: Vec<T>, problems: Problems) -> Self {
        Outcome {
            items,
            failures: problems.failures,
        }
    }

    /// Items with nothing failed, to sort with the other lists.
    pub fn ok(items: Vec<T>) -> Self {
        Outcome {
            items,
            failures: Vec::new(),
        }
    }

    pub fn failed(failure: ApiFailure) -> Self {
        Outcome {
            items: Vec::new(),
            failures: vec![failure],
        }
    }
}

/// Runs one call per item (for APIs that have no bulk form), at most `concurrency` at
/// once, and returns each answer with the id it was for, in input order.
pub async fn for_each_item<I, T, F, Fut>(ids: I, concurrency: usize, call: F) -> Vec<(String, T)>
where
    I: IntoIterator<Item = String>,
    F: Fn(String) -> Fut,
    Fut: Future<Output = T>,
{
    stream::iter(ids)
        .map(|id| {
            let answer = call(id.clone());
            async move { (id, answer.await) }
        })
        .buffered(concurrency.max(1))
        .collect()
        .await
}

/// Drains a paginated SDK call into a Vec, or the failure that stopped it.
#[macro_export]
macro_rules! fetch_all {
    ($operation:expr, $request:expr) => {
        $request
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| $crate::collect::error::ApiFailure::from_sdk($operation, &e))
    };
}
