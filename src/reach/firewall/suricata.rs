//! A parser and matcher for the common subset of Suricata rules that AWS Network
//! Firewall stateful rule groups use.
//!
//! Whatever it cannot read is returned as a [`ParseError`], never dropped; keywords
//! it reads but does not model (`pcre`, `ja3.hash`, `geoip`, ...) are kept in
//! [`SuricataRule::unsupported`] so a match on the rest becomes "unknown".

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::{AppLayer, Flow, Match};

/// Rule variables: IP sets and port sets by name (without the `$`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    pub ip: BTreeMap<String, Vec<String>>,
    pub port: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pass,
    Drop,
    Reject,
    Alert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    Icmp,
    Ip,
    Tls,
    Http,
    Dns,
}

/// An address expression; variables are resolved at parse time, an undefined one
/// stays as [`Addr::Undefined`] and matches "unknown".
#[derive(Debug, Clone, PartialEq)]
pub enum Addr {
    Any,
    Net(IpNet),
    List(Vec<Addr>),
    Not(Box<Addr>),
    Undefined(String),
}

/// A port expression, like [`Addr`].
#[derive(Debug, Clone, PartialEq)]
pub enum Ports {
    Any,
    Range(u16, u16),
    List(Vec<Ports>),
    Not(Box<Ports>),
    Undefined(String),
}

/// The sticky buffer a `content` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buffer {
    TlsSni,
    HttpHost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub buffer: Buffer,
    pub pattern: String,
    pub nocase: bool,
    pub startswith: bool,
    pub endswith: bool,
    /// `dotprefix`: the buffer is matched with a leading `.`.
    pub dotprefix: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SuricataRule {
    /// The header as written: `pass tcp any any -> any any`.
    pub header: String,
    pub action: Action,
    pub proto: Proto,
    pub src: Addr,
    pub src_port: Ports,
    /// `<>` rather than `->`.
    pub bidirectional: bool,
    pub dst: Addr,
    pub dst_port: Ports,
    pub msg: Option<String>,
    pub sid: Option<u64>,
    pub rev: Option<u64>,
    pub priority: Option<u64>,
    /// `flow:` settings as written (`to_server`, `established`, ...).
    pub flow: Vec<String>,
    pub contents: Vec<Content>,
    /// Keywords that restrict matching but are not modelled.
    pub unsupported: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number in the rules string.
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {} ({})", self.line, self.reason, self.text)
    }
}

/// Which part of a connection a rule is being matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The TCP handshake: no application layer, not established yet.
    Handshake,
    /// The established connection with its application layer known.
    Established,
}

/// Parses a rules string, one rule per line; blank lines and `#` comments are skipped.
pub fn parse(rules: &str, vars: &Vars) -> Vec<Result<SuricataRule, ParseError>> {
    rules
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map(|(i, l)| {
            parse_rule(l.trim(), vars).map_err(|reason| ParseError {
                line: i + 1,
                text: l.trim().to_string(),
                reason,
            })
        })
        .collect()
}

/// Parses one rule line.
pub fn parse_rule(line: &str, vars: &Vars) -> Result<SuricataRule, String> {
    let (head, opts) = match line.find('(') {
        Some(i) => {
            let rest = line[i + 1..].trim_end();
            let Some(body) = rest.strip_suffix(')') else {
                return Err("options are not closed with ')'".into());
            };
            (line[..i].trim(), body)
        }
        None => (line.trim(), ""),
    };
    let toks = split_top(head, |c| c.is_whitespace());
    if toks.len() != 7 {
        return Err(format!("expected 7 header fields, found {}", toks.len()));
    }
    let mut rule = header(
        &toks[0], &toks[1], &toks[2], &toks[3], &toks[4], &toks[5], &toks[6], vars,
    )?;
    rule.header = toks.join(" ");
    let options: Vec<(String, Option<String>)> = split_options(opts)?
        .into_iter()
        .map(|o| match o.split_once(':') {
            Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
            None => (o.trim().to_string(), None),
        })
        .collect();
    apply_options(&mut rule, &options)?;
    Ok(rule)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn header(
    action: &str,
    proto: &str,
    src: &str,
    src_port: &str,
    dir: &str,
    dst: &str,
    dst_port: &str,
    vars: &Vars,
) -> Result<SuricataRule, String> {
    let action = match action.to_ascii_lowercase().as_str() {
        "pass" => Action::Pass,
        "drop" => Action::Drop,
        "reject" => Action::Reject,
        "alert" => Action::Alert,
        other => return Err(format!("unsupported action '{other}'")),
    };
    let proto = match proto.to_ascii_lowercase().as_str() {
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        "icmp" => Proto::Icmp,
        "ip" => Proto::Ip,
        "tls" => Proto::Tls,
        "http" => Proto::Http,
        "dns" => Proto::Dns,
        other => return Err(format!("unsupported protocol '{other}'")),
    };
    let bidirectional = match dir {
        "->" => false,
        "<>" => true,
        other => return Err(format!("unsupported direction '{other}'")),
    };
    let mut budget = MAX_ITEMS;
    let budget = &mut budget;
    Ok(SuricataRule {
        header: format!("{action:?} {proto:?} {src} {src_port} {dir} {dst} {dst_port}")
            .to_ascii_lowercase(),
        action,
        proto,
        src: parse_addr(src, vars, 0, budget)?,
        src_port: parse_ports(src_port, vars, 0, budget)?,
        bidirectional,
        dst: parse_addr(dst, vars, 0, budget)?,
        dst_port: parse_ports(dst_port, vars, 0, budget)?,
        msg: None,
        sid: None,
        rev: None,
        priority: None,
        flow: Vec::new(),
        contents: Vec::new(),
        unsupported: Vec::new(),
    })
}

/// Splits on `sep` outside `[...]`.
fn split_top(s: &str, sep: impl Fn(char) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 && sep(c) {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn list_items(s: &str) -> Option<Vec<String>> {
    let inner = s.strip_prefix('[')?.strip_suffix(']')?;
    Some(split_top(inner, |c| c == ','))
}

const MAX_DEPTH: u32 = 16;

/// Items (lists, negations, values) the four address and port fields of one rule may
/// expand to, variables included. The depth bound alone does not stop a variable
/// that lists another variable many times, which lists another...: ten items over the
/// sixteen levels would be 10^16, a hang then out of memory, from one hostile
/// inventory file. Real rules stay far below: `$HOME_NET` twice over (once through
/// `$EXTERNAL_NET`) with a few thousand CIDRs.
const MAX_ITEMS: usize = 100_000;

/// Counts one more item against the rule's budget.
fn spend(budget: &mut usize, s: &str) -> Result<(), String> {
    *budget = budget
        .checked_sub(1)
        .ok_or_else(|| format!("'{s}' expands to more than {MAX_ITEMS} items"))?;
    Ok(())
}

fn parse_addr(s: &str, vars: &Vars, depth: u32, budget: &mut usize) -> Result<Addr, String> {
    let s = s.trim();
    if depth > MAX_DEPTH {
        return Err(format!("address '{s}' nests too deeply"));
    }
    spend(budget, s)?;
    if let Some(rest) = s.strip_prefix('!') {
        return Ok(Addr::Not(Box::new(parse_addr(
            rest,
            vars,
            depth + 1,
            budget,
        )?)));
    }
    if let Some(items) = list_items(s) {
        return items
            .iter()
            .map(|i| parse_addr(i, vars, depth + 1, budget))
            .collect::<Result<_, _>>()
            .map(Addr::List);
    }
    if s.eq_ignore_ascii_case("any") {
        return Ok(Addr::Any);
    }
    if let Some(name) = s.strip_prefix('$') {
        return match vars.ip.get(name) {
            Some(defs) => defs
                .iter()
                .map(|d| parse_addr(d, vars, depth + 1, budget))
                .collect::<Result<_, _>>()
                .map(Addr::List),
            None if name == "EXTERNAL_NET" => Ok(Addr::Not(Box::new(parse_addr(
                "$HOME_NET",
                vars,
                depth + 1,
                budget,
            )?))),
            None => Ok(Addr::Undefined(name.to_string())),
        };
    }
    if let Ok(net) = s.parse::<IpNet>() {
        return Ok(Addr::Net(net));
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(Addr::Net(IpNet::from(ip)));
    }
    Err(format!("cannot read address '{s}'"))
}

fn parse_ports(s: &str, vars: &Vars, depth: u32, budget: &mut usize) -> Result<Ports, String> {
    let s = s.trim();
    if depth > MAX_DEPTH {
        return Err(format!("port '{s}' nests too deeply"));
    }
    spend(budget, s)?;
    if let Some(rest) = s.strip_prefix('!') {
        return Ok(Ports::Not(Box::new(parse_ports(
            rest,
            vars,
            depth + 1,
            budget,
        )?)));
    }
    if let Some(items) = list_items(s) {
        return items
            .iter()
            .map(|i| parse_ports(i, vars, depth + 1, budget))
            .collect::<Result<_, _>>()
            .map(Ports::List);
    }
    if s.eq_ignore_ascii_case("any") {
        return Ok(Ports::Any);
    }
    if let Some(name) = s.strip_prefix('$') {
        return match vars.port.get(name) {
            Some(defs) => defs
                .iter()
                .map(|d| parse_ports(d, vars, depth + 1, budget))
                .collect::<Result<_, _>>()
                .map(Ports::List),
            None => Ok(Ports::Undefined(name.to_string())),
        };
    }
    let num = |t: &str, dflt: u16| -> Result<u16, String> {
        if t.trim().is_empty() {
            Ok(dflt)
        } else {
            t.trim()
                .parse::<u16>()
                .map_err(|_| format!("cannot read port '{s}'"))
        }
    };
    match s.split_once(':') {
        Some((a, b)) => {
            let (a, b) = (num(a, 0)?, num(b, u16::MAX)?);
            if a > b {
                return Err(format!("empty port range '{s}'"));
            }
            Ok(Ports::Range(a, b))
        }
        None => {
            let n = num(s, 0)?;
            if s.is_empty() {
                return Err("empty port".into());
            }
            Ok(Ports::Range(n, n))
        }
    }
}

/// Splits the option body on `;` outside double quotes (honouring `\` escapes).
fn split_options(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted string in options".into());
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    Ok(out)
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    let mut out = String::new();
    let mut escaped = false;
    for c in v.chars() {
        if !escaped && c == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// Keywords that only describe a rule and never change what it matches.
const HARMLESS: &[&str] = &[
    "metadata",
    "classtype",
    "reference",
    "gid",
    "target",
    "noalert",
    "fast_pattern",
];

/// Applies `keyword[:value]` options, in order, to a rule.
pub(crate) fn apply_options(
    rule: &mut SuricataRule,
    options: &[(String, Option<String>)],
) -> Result<(), String> {
    let mut buffer: Option<Buffer> = None;
    let mut dotprefix = false;
    let number = |k: &str, v: &Option<String>| -> Result<u64, String> {
        v.as_deref()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("'{k}' needs a number"))
    };
    for (k, v) in options {
        let key = k.to_ascii_lowercase();
        let last = rule.contents.len().checked_sub(1);
        match key.as_str() {
            "msg" => rule.msg = v.as_deref().map(unquote),
            "sid" => rule.sid = Some(number(k, v)?),
            "rev" => rule.rev = Some(number(k, v)?),
            "priority" => rule.priority = Some(number(k, v)?),
            "flow" => {
                let v = v.as_deref().ok_or("'flow' needs settings")?;
                rule.flow = v
                    .split(',')
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect();
            }
            "tls.sni" | "tls_sni" => {
                buffer = Some(Buffer::TlsSni);
                dotprefix = false;
            }
            "http.host" => {
                buffer = Some(Buffer::HttpHost);
                dotprefix = false;
            }
            "dotprefix" if buffer.is_some() => dotprefix = true,
            "content" => {
                let raw = v.as_deref().ok_or("'content' needs a value")?.trim();
                if raw.starts_with('!') || raw.contains('|') {
                    rule.unsupported.push(format!("content:{raw}"));
                    continue;
                }
                match buffer {
                    Some(b) => rule.contents.push(Content {
                        buffer: b,
                        pattern: unquote(raw),
                        nocase: false,
                        startswith: false,
                        endswith: false,
                        dotprefix,
                    }),
                    None => rule.unsupported.push(format!("content:{raw} (payload)")),
                }
            }
            "nocase" | "startswith" | "endswith" | "http_host" => {
                let Some(i) = last else {
                    return Err(format!("'{k}' without a preceding content"));
                };
                let c = &mut rule.contents[i];
                match key.as_str() {
                    "nocase" => c.nocase = true,
                    "startswith" => c.startswith = true,
                    "endswith" => c.endswith = true,
                    _ => c.buffer = Buffer::HttpHost,
                }
            }
            "isdataat"
                if v.as_deref().map(|v| v.replace(' ', "")) == Some("!1,relative".into()) =>
            {
                let Some(i) = last else {
                    return Err("'isdataat' without a preceding content".into());
                };
                rule.contents[i].endswith = true;
            }
            _ if HARMLESS.contains(&key.as_str()) => {}
            _ => rule.unsupported.push(match v {
                Some(v) => format!("{k}:{v}"),
                None => k.clone(),
            }),
        }
    }
    Ok(())
}

impl Match {
    fn and(self, other: impl FnOnce() -> Match) -> Match {
        match self {
            Match::No => Match::No,
            Match::Yes => other(),
            Match::Maybe(r) => match other() {
                Match::No => Match::No,
                _ => Match::Maybe(r),
            },
        }
    }

    fn or(self, other: impl FnOnce() -> Match) -> Match {
        match self {
            Match::Yes => Match::Yes,
            Match::No => other(),
            Match::Maybe(r) => match other() {
                Match::Yes => Match::Yes,
                _ => Match::Maybe(r),
            },
        }
    }

    fn not(self) -> Match {
        match self {
            Match::Yes => Match::No,
            Match::No => Match::Yes,
            m => m,
        }
    }

    fn any(items: impl IntoIterator<Item = Match>) -> Match {
        items.into_iter().fold(Match::No, |acc, m| acc.or(|| m))
    }

    /// A Suricata list: the union of its positive items (everything if it has
    /// none) minus its negated items.
    fn list<T>(items: &[T], negated: impl Fn(&T) -> bool, m: impl Fn(&T) -> Match) -> Match {
        let positives: Vec<&T> = items.iter().filter(|i| !negated(i)).collect();
        let base = if positives.is_empty() {
            Match::Yes
        } else {
            Match::any(positives.into_iter().map(&m))
        };
        items
            .iter()
            .filter(|i| negated(i))
            .fold(base, |acc, i| acc.and(|| m(i)))
    }

    fn of(b: bool) -> Match {
        if b {
            Match::Yes
        } else {
            Match::No
        }
    }
}

impl Addr {
    pub fn matches(&self, ip: IpAddr) -> Match {
        match self {
            Addr::Any => Match::Yes,
            Addr::Net(n) => Match::of(n.contains(&ip)),
            Addr::List(items) => {
                Match::list(items, |a| matches!(a, Addr::Not(_)), |a| a.matches(ip))
            }
            Addr::Not(a) => a.matches(ip).not(),
            Addr::Undefined(name) => Match::Maybe(format!("variable ${name} is not defined")),
        }
    }
}

impl Ports {
    pub fn matches(&self, port: u16) -> Match {
        match self {
            Ports::Any => Match::Yes,
            Ports::Range(a, b) => Match::of((*a..=*b).contains(&port)),
            Ports::List(items) => {
                Match::list(items, |p| matches!(p, Ports::Not(_)), |p| p.matches(port))
            }
            Ports::Not(p) => p.matches(port).not(),
            Ports::Undefined(name) => Match::Maybe(format!("port variable ${name} is not defined")),
        }
    }

    /// Matching an unknown ephemeral source port (1024-65535): yes if the expression
    /// covers them all, no if none, unknown otherwise.
    pub fn matches_ephemeral(&self) -> Match {
        if *self == Ports::Any {
            return Match::Yes;
        }
        let (mut yes, mut no) = (false, false);
        for p in 1024..=u16::MAX {
            match self.matches(p) {
                Match::Yes => yes = true,
                Match::No => no = true,
                m => return m,
            }
            if yes && no {
                return Match::Maybe(format!(
                    "the rule matches only some source ports ({self:?}); the flow's source port is not known"
                ));
            }
        }
        Match::of(yes)
    }

    fn matches_opt(&self, port: Option<u16>) -> Match {
        match port {
            Some(p) => self.matches(p),
            None => Match::of(*self == Ports::Any),
        }
    }
}

impl Content {
    pub fn matches(&self, value: &str) -> bool {
        let mut hay = if self.dotprefix {
            format!(".{value}")
        } else {
            value.to_string()
        };
        let mut pat = self.pattern.clone();
        if self.nocase {
            hay = hay.to_ascii_lowercase();
            pat = pat.to_ascii_lowercase();
        }
        match (self.startswith, self.endswith) {
            (true, true) => hay == pat,
            (true, false) => hay.starts_with(&pat),
            (false, true) => hay.ends_with(&pat),
            (false, false) => hay.contains(&pat),
        }
    }
}

impl SuricataRule {
    /// Whether this rule matches the flow during a phase of its connection.
    pub fn matches(&self, flow: &Flow, phase: Phase) -> Match {
        let app = flow.app_layer();
        let tcp = flow.tcp_port().is_some();
        let app_ready = phase == Phase::Established || !tcp;
        let proto = match self.proto {
            Proto::Ip => true,
            Proto::Tcp => tcp,
            Proto::Udp => flow.udp_port().is_some(),
            Proto::Icmp => matches!(
                flow.service,
                crate::reach::sets::ServicePoint::Icmp { .. }
                    | crate::reach::sets::ServicePoint::Icmpv6 { .. }
            ),
            Proto::Tls => app_ready && app == Some(AppLayer::Tls),
            Proto::Http => app_ready && app == Some(AppLayer::Http),
            Proto::Dns => app_ready && app == Some(AppLayer::Dns),
        };
        if !proto {
            return Match::No;
        }
        let dport = flow.dst_port();
        let forward = self
            .src
            .matches(flow.src)
            .and(|| self.dst.matches(flow.dst))
            .and(|| self.src_port.matches_ephemeral())
            .and(|| self.dst_port.matches_opt(dport));
        let tuple = if self.bidirectional {
            forward.or(|| {
                self.src
                    .matches(flow.dst)
                    .and(|| self.dst.matches(flow.src))
                    .and(|| self.src_port.matches_opt(dport))
                    .and(|| self.dst_port.matches_ephemeral())
            })
        } else {
            forward
        };
        tuple
            .and(|| {
                let ok = self.contents.iter().all(|c| {
                    let wanted = match c.buffer {
                        Buffer::TlsSni => AppLayer::Tls,
                        Buffer::HttpHost => AppLayer::Http,
                    };
                    app_ready
                        && app == Some(wanted)
                        && flow.sni.as_deref().is_some_and(|v| c.matches(v))
                });
                Match::of(ok)
            })
            .and(|| {
                let mut m = Match::Yes;
                for f in &self.flow {
                    let this = match f.as_str() {
                        "to_server" | "from_client" | "stateless" => Match::Yes,
                        "established" => Match::of(phase == Phase::Established || !tcp),
                        "not_established" => Match::of(phase == Phase::Handshake && tcp),
                        other => Match::Maybe(format!("flow:{other} is not modelled")),
                    };
                    m = m.and(|| this);
                }
                m
            })
            .and(|| {
                if self.unsupported.is_empty() {
                    Match::Yes
                } else {
                    Match::Maybe(format!(
                        "rule uses keywords not modelled: {}",
                        self.unsupported.join("; ")
                    ))
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_that_multiply_are_refused_not_expanded() {
        // $V0 lists $V1 ten times, which lists $V2 ten times...: 10^15 addresses.
        let mut vars = Vars::default();
        for i in 0..15 {
            vars.ip
                .insert(format!("V{i}"), vec![format!("$V{}", i + 1); 10]);
        }
        vars.ip.insert("V15".into(), vec!["10.0.0.0/8".into()]);
        let e = parse_rule("drop ip $V0 any -> any any (sid:1;)", &vars).unwrap_err();
        assert!(e.contains("more than 100000 items"), "{e}");
        // A few levels of the same are fine.
        let r = parse_rule("drop ip $V12 any -> any any (sid:1;)", &vars).unwrap();
        assert!(matches!(r.src, Addr::List(ref l) if l.len() == 10));
    }
}
