//! Label selectors (`metav1.LabelSelector`): `matchLabels` and every
//! `matchExpressions` requirement must hold; an empty selector selects everything.

use crate::inventory::{LabelRequirement, LabelSelector, Labels, SelectorOperator};

/// The label every namespace carries (set by the API server since Kubernetes 1.21,
/// immutable), so `namespaceSelector` can pick a namespace by name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Whether `selector` selects an object with `labels`.
pub fn selects(selector: &LabelSelector, labels: &Labels) -> bool {
    selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && selector
            .match_expressions
            .iter()
            .all(|r| requirement_holds(r, labels))
}

fn requirement_holds(r: &LabelRequirement, labels: &Labels) -> bool {
    let value = labels.get(&r.key);
    match r.operator {
        SelectorOperator::In => value.is_some_and(|v| r.values.contains(v)),
        // NotIn also holds when the key is absent (apimachinery `labels.Selector`).
        SelectorOperator::NotIn => value.is_none_or(|v| !r.values.contains(v)),
        SelectorOperator::Exists => value.is_some(),
        SelectorOperator::DoesNotExist => value.is_none(),
    }
}

/// Whether the selector is empty, i.e. selects everything.
pub fn is_empty(selector: &LabelSelector) -> bool {
    selector.match_labels.is_empty() && selector.match_expressions.is_empty()
}

/// The label keys a selector looks at.
pub fn keys(selector: &LabelSelector) -> impl Iterator<Item = &str> {
    selector
        .match_labels
        .keys()
        .map(String::as_str)
        .chain(selector.match_expressions.iter().map(|r| r.key.as_str()))
}

/// `app=web, tier in (a, b), !debug`: the selector as kubectl writes it; `{}` (all)
/// when empty.
pub fn describe(selector: &LabelSelector) -> String {
    if is_empty(selector) {
        return "all".to_string();
    }
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for r in &selector.match_expressions {
        parts.push(match r.operator {
            SelectorOperator::In => format!("{} in ({})", r.key, r.values.join(", ")),
            SelectorOperator::NotIn => format!("{} notin ({})", r.key, r.values.join(", ")),
            SelectorOperator::Exists => r.key.clone(),
            SelectorOperator::DoesNotExist => format!("!{}", r.key),
        });
    }
    parts.join(", ")
}
