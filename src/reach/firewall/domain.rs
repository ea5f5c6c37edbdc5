//! Domain lists: name matching and the Suricata rules AWS generates from a list.

use crate::inventory::DomainList;

use super::suricata::{self, Action, Buffer, Content, Proto, SuricataRule, Vars};

/// `example.com` matches only itself; `.example.com` matches the apex and every
/// subdomain. Case-insensitive; a trailing dot on the name is ignored.
pub fn domain_matches(target: &str, name: &str) -> bool {
    let t = target.trim().to_ascii_lowercase();
    let n = name.trim().trim_end_matches('.').to_ascii_lowercase();
    match t.strip_prefix('.') {
        Some(apex) => n == apex || n.ends_with(&t),
        None => n == t,
    }
}

fn content(buffer: Buffer, target: &str) -> Content {
    let dot = target.starts_with('.');
    Content {
        buffer,
        pattern: target.to_string(),
        nocase: true,
        startswith: !dot,
        endswith: true,
        dotprefix: dot,
    }
}

/// The rules AWS generates for a domain list: ALLOWLIST passes the listed names and
/// drops every other TLS/HTTP flow from `HOME_NET`; DENYLIST drops (REJECTLIST
/// rejects) the listed names.
pub fn domain_rules(list: &DomainList, vars: &Vars) -> Result<Vec<SuricataRule>, String> {
    let mode = list.generated_rules_type.to_ascii_uppercase();
    let listed = match mode.as_str() {
        "ALLOWLIST" => Action::Pass,
        "DENYLIST" => Action::Drop,
        "REJECTLIST" => Action::Reject,
        other => return Err(format!("unknown domain list type '{other}'")),
    };
    let mut rules = Vec::new();
    let mut sid = 1u64;
    for target_type in &list.target_types {
        let (proto, buffer, kw) = match target_type.to_ascii_uppercase().as_str() {
            "TLS_SNI" => (Proto::Tls, Buffer::TlsSni, "tls.sni"),
            "HTTP_HOST" => (Proto::Http, Buffer::HttpHost, "http.host"),
            other => return Err(format!("unknown domain list target type '{other}'")),
        };
        let base = |action: Action| -> Result<SuricataRule, String> {
            let a = format!("{action:?}").to_ascii_lowercase();
            let p = format!("{proto:?}").to_ascii_lowercase();
            let mut r = suricata::header(&a, &p, "$HOME_NET", "any", "->", "any", "any", vars)?;
            r.header = format!("{a} {p} $HOME_NET any -> any any");
            Ok(r)
        };
        for target in &list.targets {
            let mut r = base(listed)?;
            r.contents.push(content(buffer, target));
            r.flow = vec!["to_server".into()];
            r.msg = Some(format!("{kw} {target}"));
            r.sid = Some(sid);
            sid += 1;
            rules.push(r);
        }
        if listed == Action::Pass {
            let mut r = base(Action::Drop)?;
            r.flow = vec!["to_server".into(), "established".into()];
            r.msg = Some(format!("not matching any {kw} allowlisted names"));
            r.sid = Some(sid);
            sid += 1;
            rules.push(r);
        }
    }
    Ok(rules)
}
