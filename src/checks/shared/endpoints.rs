//! VPC endpoints: what an endpoint policy
//! document allows (see `vpc-endpoint-policy-open` for how Deny statements weigh).

use serde_json::{Map, Value};

use crate::inventory::decode_policy_document;

type Statement = Map<String, Value>;

/// What an endpoint policy lets through.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// No unconditional full-access Allow, or every one is cancelled by a Deny.
    Restricted,
    /// Full access: the open Allow statements, and Deny statements that narrow them
    /// without cancelling them (each as `label: JSON`).
    Open {
        allows: Vec<String>,
        denies: Vec<String>,
    },
    /// An open Allow that a Deny with a condition or a `Not*` element may limit.
    Guarded {
        allows: Vec<String>,
        guards: Vec<String>,
    },
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `"*"`, `{"AWS": "*"}` or a list holding `"*"`.
fn any_principal(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Object(m)) => strings(m.get("AWS")).contains(&"*"),
        other => strings(other).contains(&"*"),
    }
}

/// Whether `action` is `*` or a whole service (`s3:*`, `*:*`).
fn wildcard_action(action: &str) -> bool {
    match action.split_once(':') {
        None => action == "*",
        Some(("*", "*")) => true,
        Some((svc, rest)) => rest == "*" && !svc.is_empty() && !svc.contains('*'),
    }
}

/// The whole-service actions of a statement, lower-cased.
fn wildcard_actions(s: &Statement) -> Vec<String> {
    strings(s.get("Action"))
        .into_iter()
        .filter(|a| wildcard_action(a))
        .map(|a| {
            if a == "*:*" {
                "*".into()
            } else {
                a.to_ascii_lowercase()
            }
        })
        .collect()
}

fn any_resource(s: &Statement) -> bool {
    strings(s.get("Resource")).contains(&"*")
}

fn conditional(s: &Statement) -> bool {
    match s.get("Condition") {
        None | Some(Value::Null) => false,
        Some(Value::Object(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

fn negated(s: &Statement) -> bool {
    ["NotPrincipal", "NotAction", "NotResource"]
        .iter()
        .any(|k| s.contains_key(*k))
}

fn effect(s: &Statement) -> Option<&str> {
    s.get("Effect").and_then(Value::as_str)
}

/// An Allow of everything to everyone, with no condition.
fn open_allow(s: &Statement) -> bool {
    effect(s).is_some_and(|e| e.eq_ignore_ascii_case("allow"))
        && !negated(s)
        && !conditional(s)
        && any_principal(s.get("Principal"))
        && !wildcard_actions(s).is_empty()
        && any_resource(s)
}

/// Whether Deny `deny`, conditions aside, applies to every principal, action and
/// resource that `allow_actions` (an open Allow's whole-service actions) grant,
/// through an endpoint of the service whose actions start with `prefix:` (so that
/// `"*"` there means `prefix:*`). A `Not*` element may exclude some of them: it
/// counts as covering, and makes the Deny one vpcaudit does not evaluate.
fn covers(deny: &Statement, allow_actions: &[String], prefix: &str) -> bool {
    let principals = deny.contains_key("NotPrincipal") || any_principal(deny.get("Principal"));
    let resources = deny.contains_key("NotResource") || any_resource(deny);
    let denied = wildcard_actions(deny);
    let whole_service = format!("{}:*", prefix.to_ascii_lowercase());
    let actions = deny.contains_key("NotAction")
        || denied.iter().any(|a| a == "*")
        || allow_actions
            .iter()
            .all(|a| denied.contains(a) || (a == "*" && denied.contains(&whole_service)));
    principals && resources && actions
}

fn label(i: usize, s: &Statement) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    match s.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => format!("statement {} ({sid}): {json}", i + 1),
        _ => format!("statement {}: {json}", i + 1),
    }
}

/// Judges a policy document (JSON, or URL-encoded JSON) of an endpoint of the
/// service whose IAM actions start with `prefix:` (`s3`, `ecr`, ...).
pub fn judge(document: &str, prefix: &str) -> Result<Verdict, String> {
    let text = decode_policy_document(document);
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(doc) = doc else {
        return Err("not a JSON object".into());
    };
    let statements: Vec<&Statement> = match doc.get("Statement") {
        Some(Value::Object(s)) => vec![s],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_object().ok_or("a statement is not a JSON object"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("Statement is neither an object nor a list".into()),
        None => return Err("no Statement".into()),
    };
    for (i, s) in statements.iter().enumerate() {
        match effect(s) {
            Some(e) if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") => {}
            _ => return Err(format!("statement {} has no Effect Allow or Deny", i + 1)),
        }
    }
    let denies: Vec<(usize, &Statement)> = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| effect(s).is_some_and(|e| e.eq_ignore_ascii_case("deny")))
        .map(|(i, s)| (i, *s))
        .collect();
    let (mut allows, mut guards, mut cancelling) = (Vec::new(), Vec::new(), Vec::new());
    for (i, s) in statements.iter().enumerate().filter(|(_, s)| open_allow(s)) {
        let actions = wildcard_actions(s);
        let covering: Vec<&(usize, &Statement)> = denies
            .iter()
            .filter(|(_, d)| covers(d, &actions, prefix))
            .collect();
        if let Some((j, _)) = covering
            .iter()
            .find(|(_, d)| !conditional(d) && !negated(d))
        {
            cancelling.push(*j);
            continue;
        }
        allows.push(label(i, s));
        for (j, d) in &covering {
            let l = label(*j, d);
            if !guards.contains(&l) {
                guards.push(l);
            }
        }
    }
    if allows.is_empty() {
        return Ok(Verdict::Restricted);
    }
    if !guards.is_empty() {
        return Ok(Verdict::Guarded { allows, guards });
    }
    // Deny statements that cancelled another open Allow say nothing about these.
    let narrowing = denies
        .iter()
        .filter(|(j, _)| !cancelling.contains(j))
        .map(|(j, d)| label(*j, d))
        .collect();
    Ok(Verdict::Open {
        allows,
        denies: narrowing,
    })
}
