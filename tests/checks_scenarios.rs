//! The catalogue on accounts seeded through the AWS APIs and scanned by the real
//! binary: the clean zero-egress reference raises nothing of medium or above, and the
//! leaky account's findings are snapshotted (ids replaced by scenario names).

mod common;

use common::symbolic::{stable_findings, symbolic as symbolic_text};
use common::{scan_json, Emulator, Seeded};
use serde_json::Value;

/// `vpcaudit scan --format json` on the seeded account.
fn scan(emu: &Emulator, regions: &str) -> Value {
    scan_json(emu.vpcaudit().args([
        "scan",
        "--regions",
        regions,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]))
}

/// Findings with every AWS id replaced by its scenario name, or `<id>` for what the
/// scenario did not name (default groups, main tables, instance ENIs), sorted so the
/// snapshot does not depend on the ids moto happened to pick.
fn symbolic(doc: &Value, seeded: &Seeded) -> Vec<Value> {
    let text = serde_json::to_string(&doc["findings"]).unwrap();
    let names = seeded
        .ids
        .iter()
        .map(|(name, id)| (id.clone(), format!("<{name}>")));
    let mut findings = stable_findings(&redact_v6(&symbolic_text(&text, names)));
    // Related resources and evidence come in id order, and moto's ids are random.
    for f in &mut findings {
        for key in ["related", "evidence"] {
            if let Some(items) = f[key].as_array_mut() {
                items.sort_by_key(|x| x.to_string());
            }
        }
    }
    findings
}

/// The emulator hands out IPv6 blocks at random from 2400:6500::/32, and the sets
/// around them split differently each run: each run of such CIDRs becomes `<v6>`.
fn redact_v6(text: &str) -> String {
    const POOL: &str = "2400:6500:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(POOL) {
        out.push_str(&rest[..at]);
        let end = rest[at..]
            .find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '/'))
            .map_or(rest.len(), |e| at + e);
        if !out.ends_with("<v6>") && !out.ends_with("<v6>, ") {
            out.push_str("<v6>");
        } else if out.ends_with("<v6>, ") {
            out.truncate(out.len() - 2);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn zero_egress_reference_raises_nothing_of_medium_or_above() {
    let emu = Emulator::start();
    let seeded = emu.seed("zero-egress");
    let doc = scan(&emu, "us-east-1");
    let findings = symbolic(&doc, &seeded);
    let serious: Vec<&Value> = findings
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("critical" | "high" | "medium")))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    insta::assert_json_snapshot!("zero_egress_findings", findings);
}

#[test]
fn leaky_account_findings() {
    let emu = Emulator::start();
    let seeded = emu.seed("leaky-three-tier");
    let doc = scan(&emu, "us-east-1,eu-west-1");
    let findings = symbolic(&doc, &seeded);
    insta::assert_json_snapshot!("leaky_findings", findings);
}

/// The findings of one check that name `name` as their resource or a related one.
fn naming<'f>(findings: &'f [Value], check: &str, name: &str) -> Vec<&'f Value> {
    let token = format!("<{name}>");
    findings
        .iter()
        .filter(|f| f["check"] == check)
        .filter(|f| {
            f["resource"]["id"] == token.as_str()
                || f["related"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x["id"] == token.as_str()))
        })
        .collect()
}

#[test]
fn hub_and_spoke_judges_spokes_by_the_whole_path() {
    let emu = Emulator::start();
    let seeded = emu.seed("hub-and-spoke");
    let doc = scan(&emu, "us-east-1");
    let findings = symbolic(&doc, &seeded);
    // Spoke b's TGW table sends 0.0.0.0/0 straight to the egress VPC: its NAT egress
    // is unfiltered. Spoke a's passes the inspection firewall first.
    let b = naming(&findings, "nat-without-filtering", "hs-b-app-a");
    assert_eq!(b.len(), 1, "{findings:#?}");
    assert_eq!(b[0]["status"], "fail");
    assert!(naming(&findings, "nat-without-filtering", "hs-a-app-a").is_empty());
    // Spoke b's data subnet reaches the internet through the TGW.
    let data = naming(&findings, "data-subnet-internet-route", "hs-b-data-a");
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["status"], "fail");
    // Nothing about the transit gateway is left "not modelled".
    let text = serde_json::to_string(&findings).unwrap();
    assert!(!text.contains("not modelled"), "{text}");
    insta::assert_json_snapshot!("hub_and_spoke_findings", findings);
}

/// The load balancers a finding names among its related resources, by name.
fn load_balancers_of(f: &Value) -> Vec<String> {
    f["related"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["type"]
                .as_str()
                .is_some_and(|t| t.contains("LoadBalancer"))
        })
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn load_balancers_are_the_front_door() {
    let emu = Emulator::start();
    let seeded = emu.seed("load-balancers");
    let doc = scan(&emu, "us-east-1");
    let findings = symbolic(&doc, &seeded);
    let exposed = |name: &str| -> Vec<(String, String, Vec<String>)> {
        naming(&findings, "internet-exposed-port", name)
            .into_iter()
            .filter(|f| f["resource"]["id"] == format!("<{name}>").as_str())
            .map(|f| {
                let verdict = format!(
                    "{}/{}",
                    f["status"].as_str().unwrap(),
                    f["severity"].as_str().unwrap()
                );
                (
                    verdict,
                    f["message"].as_str().unwrap().to_string(),
                    load_balancers_of(f),
                )
            })
            .collect()
    };
    // SSH on a private host behind an NLB that preserves client addresses, whose
    // group admits the world: critical, with the NLB related.
    let bastion = exposed("lb-bastion-1:eni");
    assert_eq!(bastion.len(), 1, "{bastion:#?}");
    assert_eq!(bastion[0].0, "fail/critical");
    assert_eq!(bastion[0].2, ["lb-ssh-nlb"]);
    // Web behind the ALB (and the classic ELB): info; lb-app-2 is also in the
    // canary target group, a finding of its own.
    for (app, groups) in [("lb-app-1:eni", 1), ("lb-app-2:eni", 2)] {
        let found = exposed(app);
        assert_eq!(found.len(), groups, "{app}: {found:#?}");
        for (verdict, _, lbs) in &found {
            assert_eq!(verdict, "fail/info");
            assert_eq!(lbs, &["lb-web-alb"]);
        }
    }
    let legacy = exposed("lb-legacy-1:eni");
    assert_eq!(legacy.len(), 1, "{legacy:#?}");
    assert_eq!(legacy[0].2, ["lb-legacy-elb"]);
    // The nodes themselves are not hosts, and the internal ALB is no front door.
    for f in findings
        .iter()
        .filter(|f| f["check"] == "internet-exposed-port")
    {
        let id = f["resource"]["id"].as_str().unwrap();
        assert!(
            !id.contains(":eni:"),
            "a load balancer node reported: {f:#}"
        );
        assert!(
            !load_balancers_of(f).contains(&"lb-int-alb".to_string()),
            "{f:#}"
        );
    }
    // ALB -> private app -> RDS: the foothold is reached through the ALB, which the
    // path names before it.
    let to_rds = naming(&findings, "lateral-movement-path", "lb-rds-eni");
    let via_alb: Vec<_> = to_rds
        .iter()
        .filter(|f| f["resource"]["id"] == "<lb-rds-eni>")
        .filter(|f| load_balancers_of(f) == ["lb-web-alb"])
        .collect();
    assert!(!via_alb.is_empty(), "{to_rds:#?}");
    for f in via_alb {
        assert_eq!(f["status"], "fail");
        let related = f["related"].as_array().unwrap();
        assert!(related[0]["type"]
            .as_str()
            .unwrap()
            .contains("LoadBalancer"));
    }
    insta::assert_json_snapshot!("load_balancer_findings", findings);
}
