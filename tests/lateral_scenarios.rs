//! Lateral movement on an account seeded through the AWS APIs (mocks/scenarios/
//! lateral.yaml) and scanned by the real binary with `--checks
//! lateral-movement-path,lateral-blast-radius`: paths through an intermediate host,
//! over a too-broad internal CIDR, across peering and across a transit gateway; and
//! the stores a NACL, a missing peering return route or a transit-gateway blackhole
//! keep out of reach. The scenario's four islands share no route, so each test reads
//! only its own island's findings out of one scan.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::symbolic::{stable_findings, symbolic as symbolic_text};
use common::{scan_json, Emulator};
use serde_json::Value;

const CHECKS: &str = "lateral-movement-path,lateral-blast-radius";
const PATH: &str = "lateral-movement-path";
const BLAST: &str = "lateral-blast-radius";

/// The binary's lab (one emulator seeded with the scenario), collected once and
/// scanned once (without a config) for every test of this file.
struct Lab {
    base: &'static common::lab::Lab,
    /// The collected inventory, as JSON (to check the scenario arrived as written).
    inventory: Value,
    /// `vpcaudit scan --format json --checks lateral-...` without a config.
    doc: Value,
}

fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| {
        let base = common::lab::lab("lateral");
        let inventory = serde_json::to_value(base.emu.collect(&["--regions", "us-east-1"]))
            .expect("inventory JSON");
        let doc = scan(&base.emu, None);
        Lab {
            base,
            inventory,
            doc,
        }
    })
}

/// The emulator, the seeded names and their lookups are the shared lab's.
impl std::ops::Deref for Lab {
    type Target = common::lab::Lab;
    fn deref(&self) -> &common::lab::Lab {
        self.base
    }
}

/// `vpcaudit scan --endpoint-url <moto> --format json --checks lateral-...`, with
/// `--config` when given.
fn scan(emu: &Emulator, config: Option<&std::path::Path>) -> Value {
    let mut cmd = emu.vpcaudit();
    cmd.args(["scan", "--endpoint-url", &emu.url, "--format", "json"])
        .args(["--fail-on", "never"])
        .args(["--checks", CHECKS]);
    if let Some(path) = config {
        cmd.arg("--config").arg(path);
    }
    let doc = scan_json(&mut cmd);
    assert!(
        doc["coverage"].as_array().is_some_and(Vec::is_empty),
        "coverage gaps: {:#}",
        doc["coverage"]
    );
    doc
}

impl Lab {
    /// The region's inventory.
    fn region(&self) -> &Value {
        let regions = &self.inventory["accounts"][0]["regions"];
        regions
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["region"] == "us-east-1"))
            .expect("us-east-1 in the inventory")
    }

    /// The item of `kind` whose id is the scenario name's.
    fn item(&self, kind: &str, name: &str) -> &Value {
        let id = self.id(name);
        self.region()[kind]
            .as_array()
            .and_then(|xs| xs.iter().find(|x| x["id"] == id))
            .unwrap_or_else(|| panic!("{kind} {name} ({id}) not in the inventory"))
    }
}

fn findings<'a>(doc: &'a Value, check: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["check"] == check)
        .collect()
}

/// The `lateral-movement-path` findings about one jewel ENI.
fn paths_to<'a>(doc: &'a Value, jewel: &str) -> Vec<&'a Value> {
    findings(doc, PATH)
        .into_iter()
        .filter(|f| f["resource"]["id"] == jewel)
        .collect()
}

/// The `lateral-blast-radius` findings about one foothold ENI.
fn blast_of<'a>(doc: &'a Value, foothold: &str) -> Vec<&'a Value> {
    findings(doc, BLAST)
        .into_iter()
        .filter(|f| f["resource"]["id"] == foothold)
        .collect()
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v:#}"))
        .iter()
        .map(|x| x[key].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Every (jewel, foothold) pair of the path findings, as scenario names.
fn pairs(lab: &Lab, doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings(doc, PATH)
        .iter()
        .map(|f| {
            (
                lab.name_of(f["resource"]["id"].as_str().unwrap_or_default()),
                lab.name_of(f["related"][0]["id"].as_str().unwrap_or_default()),
            )
        })
        .collect();
    out.sort();
    out
}

/// Asserts the one path finding from `foothold` to `jewel` goes through exactly
/// `pivots`, each hop allowing one of its `services` (e.g. `tcp/5432`), and returns it.
fn assert_path<'a>(
    lab: &Lab,
    doc: &'a Value,
    jewel: &str,
    foothold: &str,
    pivots: &[&str],
    services: &[&[&str]],
) -> &'a Value {
    let jewel_id = lab.id(jewel);
    let all = paths_to(doc, jewel_id);
    let found: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|f| f["related"][0]["id"] == lab.id(foothold))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {PATH} finding from {foothold} to {jewel}; the findings about {jewel}: {all:#?}\nall path pairs (jewel, foothold): {:?}",
        pairs(lab, doc)
    );
    let f = found[0];
    assert_eq!(f["status"], "fail", "{f:#}");
    assert_eq!(f["resource"]["type"], "AWS::EC2::NetworkInterface", "{f:#}");

    let mut chain: Vec<&str> = vec![foothold];
    chain.extend_from_slice(pivots);
    let want_related: Vec<String> = chain.iter().map(|n| lab.id(n).to_string()).collect();
    let related = strings(&f["related"], "id");
    assert_eq!(
        lab.names(&related),
        lab.names(&want_related),
        "related: the foothold, then the pivots in order\n{f:#}"
    );

    chain.push(jewel);
    let want_nodes: Vec<String> = chain.iter().map(|n| lab.id(n).to_string()).collect();
    let path = &f["path"];
    let nodes = strings(&path["nodes"], "eni");
    assert_eq!(
        lab.names(&nodes),
        lab.names(&want_nodes),
        "path.nodes: foothold, pivots, jewel\n{f:#}"
    );
    let roles = strings(&path["nodes"], "role");
    let mut want_roles = vec!["foothold".to_string()];
    want_roles.extend(pivots.iter().map(|_| "pivot".to_string()));
    want_roles.push("jewel".to_string());
    assert_eq!(roles, want_roles, "{f:#}");

    let hops = path["hops"].as_array().expect("path.hops");
    assert_eq!(hops.len(), pivots.len() + 1, "hop count\n{f:#}");
    for (i, hop) in hops.iter().enumerate() {
        assert_eq!(hop["from"], i, "hop {i}\n{f:#}");
        assert_eq!(hop["to"], i + 1, "hop {i}\n{f:#}");
        let open: Vec<String> = hop["services"]
            .as_array()
            .expect("hop services")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect();
        assert!(
            services[i].iter().any(|s| open.iter().any(|o| o == s)),
            "hop {i} ({} -> {}) should allow one of {:?}, allows {open:?}\n{f:#}",
            chain[i],
            chain[i + 1],
            services[i]
        );
    }
    f
}

fn assert_no_path(lab: &Lab, doc: &Value, jewel: &str) {
    let found = paths_to(doc, lab.id(jewel));
    assert!(
        found.is_empty(),
        "{jewel} should be out of every foothold's reach, found {found:#?}"
    );
}

fn assert_blast(lab: &Lab, doc: &Value, foothold: &str, within: &[u64]) {
    let found = blast_of(doc, lab.id(foothold));
    assert_eq!(
        found.len(),
        1,
        "expected one {BLAST} finding for {foothold}; all: {:#?}",
        findings(doc, BLAST)
    );
    let radius = &found[0]["blast_radius"];
    let got: Vec<u64> = radius["within"]
        .as_array()
        .expect("blast_radius.within")
        .iter()
        .map(|n| n.as_u64().expect("a count"))
        .collect();
    assert_eq!(got, within, "blast radius of {foothold}\n{:#}", found[0]);
    assert_eq!(radius["max_hops"], within.len(), "{:#}", found[0]);
}

// ------------------------------------------------------------------ the scenario

/// The absences below are only meaningful if the scenario arrived as written: the
/// NACL, the missing return route and the blackhole are really there, and the
/// footholds really are exposed.
#[test]
fn scenario_is_seeded_and_collected_as_written() {
    let lab = lab();
    assert!(
        lab.inventory["coverage"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "{:#}",
        lab.inventory["coverage"]
    );

    // Footholds have a public address; stores are RDS-like and private.
    for web in ["la-web:eni", "lb-web:eni", "lc-web:eni"] {
        let eni = lab.item("network_interfaces", web);
        assert_eq!(
            eni["public_ipv4s"].as_array().map(Vec::len),
            Some(1),
            "{web}: {eni:#}"
        );
    }
    for (store, ip) in [
        ("la-db-eni", "10.10.20.10"),
        ("la-wide-db-eni", "10.10.20.20"),
        ("la-vault-eni", "10.10.30.10"),
        ("lb-peer-db-eni", "10.21.0.10"),
        ("lb-noreturn-db-eni", "10.22.0.10"),
        ("lc-tgw-db-eni", "10.31.0.10"),
        ("lc-cut-db-eni", "10.32.0.10"),
        ("ld-prod-db-eni", "10.41.0.10"),
    ] {
        let eni = lab.item("network_interfaces", store);
        assert_eq!(eni["description"], "RDSNetworkInterface", "{store}");
        assert_eq!(eni["private_ipv4s"], serde_json::json!([ip]), "{store}");
        assert_eq!(eni["public_ipv4s"], serde_json::json!([]), "{store}");
    }
    for host in ["ld-dev-box:eni", "la-app:eni"] {
        let eni = lab.item("network_interfaces", host);
        assert_eq!(eni["public_ipv4s"], serde_json::json!([]), "{host}");
    }

    // The vault's NACL: the web and app subnets denied before the VPC is allowed.
    let nacl = lab.item("network_acls", "la-vault-nacl");
    let ingress: Vec<(u64, String, String)> = nacl["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["direction"] == "ingress")
        .map(|e| {
            (
                e["rule_number"].as_u64().unwrap(),
                e["action"].as_str().unwrap().to_string(),
                e["cidr"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        &ingress[..3],
        &[
            (100, "deny".to_string(), "10.10.0.0/24".to_string()),
            (110, "deny".to_string(), "10.10.10.0/24".to_string()),
            (200, "allow".to_string(), "10.10.0.0/16".to_string()),
        ],
        "{nacl:#}"
    );
    assert_eq!(
        strings(&nacl["associations"], "subnet_id"),
        [lab.id("la-vault-a")],
        "{nacl:#}"
    );

    // Peering: all active; the data side routes back, the orphan side does not.
    for pcx in ["lb-pcx-data", "lb-pcx-orphan", "ld-pcx"] {
        assert_eq!(
            lab.item("vpc_peering_connections", pcx)["status"],
            "active",
            "{pcx}"
        );
    }
    let dests = |rt: &str| -> Vec<String> {
        lab.item("route_tables", rt)["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["destination"]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    assert!(dests("lb-data-rt").contains(&"10.20.0.0/16".to_string()));
    assert_eq!(dests("lb-orphan-rt"), ["10.22.0.0/16"], "local route only");
    assert!(dests("lb-web-rt").contains(&"10.22.0.0/16".to_string()));

    // Transit gateway: one table, all three attachments associated, 10.32/16 a
    // blackhole; attachment subnets in the AZ of the workloads.
    let table = lab.item("transit_gateway_route_tables", "lc-tgw-rt");
    let mut assoc = strings(&table["associations"], "attachment_id");
    assoc.sort();
    let mut want: Vec<String> = ["lc-att-edge", "lc-att-data", "lc-att-cut"]
        .iter()
        .map(|a| lab.id(a).to_string())
        .collect();
    want.sort();
    assert_eq!(assoc, want, "{table:#}");
    let routes: BTreeMap<String, (String, Vec<String>)> = table["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["destination"]["value"].as_str().unwrap().to_string(),
                (
                    r["state"].as_str().unwrap_or_default().to_string(),
                    strings(&r["attachments"], "attachment_id"),
                ),
            )
        })
        .collect();
    assert_eq!(
        routes.get("10.30.0.0/16"),
        Some(&(
            "active".to_string(),
            vec![lab.id("lc-att-edge").to_string()]
        ))
    );
    assert_eq!(
        routes.get("10.31.0.0/16"),
        Some(&(
            "active".to_string(),
            vec![lab.id("lc-att-data").to_string()]
        ))
    );
    assert_eq!(
        routes.get("10.32.0.0/16").map(|r| r.0.as_str()),
        Some("blackhole")
    );
    for (att, subnet) in [
        ("lc-att-edge", "lc-edge-tgw-a"),
        ("lc-att-data", "lc-data-tgw-a"),
        ("lc-att-cut", "lc-cut-tgw-a"),
    ] {
        let a = lab.item("transit_gateway_attachments", att);
        assert_eq!(
            a["subnet_ids"],
            serde_json::json!([lab.id(subnet)]),
            "{a:#}"
        );
        assert_eq!(
            lab.item("subnets", subnet)["availability_zone"],
            "us-east-1a"
        );
    }
    for workload in ["lc-web-a", "lc-data-a", "lc-cut-a"] {
        assert_eq!(
            lab.item("subnets", workload)["availability_zone"],
            "us-east-1a"
        );
    }
}

/// Without this, every absence below would pass on an analysis that finds nothing.
#[test]
fn the_analysis_finds_exactly_the_open_paths() {
    let lab = lab();
    let want: Vec<(String, String)> = [
        ("la-db-eni", "la-web:eni"),
        ("la-wide-db-eni", "la-web:eni"),
        ("lb-peer-db-eni", "lb-web:eni"),
        ("lc-tgw-db-eni", "lc-web:eni"),
    ]
    .iter()
    .map(|(j, f)| (j.to_string(), f.to_string()))
    .collect();
    assert_eq!(
        pairs(lab, &lab.doc),
        want,
        "(jewel, foothold) of every {PATH} finding"
    );
    let mut footholds: Vec<String> = findings(&lab.doc, BLAST)
        .iter()
        .map(|f| lab.name_of(f["resource"]["id"].as_str().unwrap_or_default()))
        .collect();
    footholds.sort();
    assert_eq!(
        footholds,
        ["la-web:eni", "lb-web:eni", "lc-web:eni"],
        "footholds of the {BLAST} findings"
    );
}

/// 1. internet -> web (443 open to the world) -> app (22/8080 from web's group) ->
///    database (5432 from app's group only): two hops, through the app host.
#[test]
fn path_through_an_intermediate_host() {
    let lab = lab();
    let f = assert_path(
        lab,
        &lab.doc,
        "la-db-eni",
        "la-web:eni",
        &["la-app:eni"],
        &[&["tcp/22", "tcp/8080"], &["tcp/5432"]],
    );
    // Documented: a managed store two hops from an internet foothold is high.
    assert_eq!(f["severity"], "high", "{f:#}");
    let nodes = &f["path"]["nodes"];
    assert_eq!(nodes[0]["address"], "10.10.0.10");
    assert_eq!(nodes[1]["address"], "10.10.10.10");
    assert_eq!(nodes[2]["address"], "10.10.20.10");
}

/// 2. The database group allows 5432 from all of 10.0.0.0/8, so the web foothold
///    reaches it directly.
#[test]
fn direct_path_over_a_broad_internal_cidr() {
    let lab = lab();
    let f = assert_path(
        lab,
        &lab.doc,
        "la-wide-db-eni",
        "la-web:eni",
        &[],
        &[&["tcp/5432"]],
    );
    // Documented: a managed store one hop from an internet foothold is critical.
    assert_eq!(f["severity"], "critical", "{f:#}");
    // The web host reaches one store in one hop and two within two; the vault never.
    assert_blast(lab, &lab.doc, "la-web:eni", &[1, 2, 2, 2]);
}

/// 3. The vault's group is as broad as the store above, but its subnet's NACL
///    denies the web and app subnets (rules 100/110 before the allow at 200).
#[test]
fn nacl_guarded_store_is_out_of_reach() {
    let lab = lab();
    assert_no_path(lab, &lab.doc, "la-vault-eni");
    // ...while its neighbours in the same VPC are found (the analysis ran).
    assert!(!paths_to(&lab.doc, lab.id("la-wide-db-eni")).is_empty());
}

/// 4. Across an active peering with routes on both sides.
#[test]
fn path_across_vpc_peering() {
    let lab = lab();
    let f = assert_path(
        lab,
        &lab.doc,
        "lb-peer-db-eni",
        "lb-web:eni",
        &[],
        &[&["tcp/5432"]],
    );
    let nodes = &f["path"]["nodes"];
    assert_eq!(nodes[0]["vpc"], lab.id("lb-edge-vpc"), "{f:#}");
    assert_eq!(nodes[1]["vpc"], lab.id("lb-data-vpc"), "{f:#}");
}

/// 5. The accepter of the second peering has no route back: the request would
///    arrive, the reply never.
#[test]
fn peering_without_return_route_is_no_path() {
    let lab = lab();
    assert_no_path(lab, &lab.doc, "lb-noreturn-db-eni");
    assert!(!paths_to(&lab.doc, lab.id("lb-peer-db-eni")).is_empty());
    assert_blast(lab, &lab.doc, "lb-web:eni", &[1, 1, 1, 1]);
}

/// 6. Across a transit gateway: both VPCs attached in the workloads' AZ, the
///    attachments associated with a table that routes both ways, and the VPC route
///    tables sending the other VPC's CIDR to the gateway.
#[test]
fn path_across_transit_gateway() {
    let lab = lab();
    let f = assert_path(
        lab,
        &lab.doc,
        "lc-tgw-db-eni",
        "lc-web:eni",
        &[],
        &[&["tcp/5432"]],
    );
    let nodes = &f["path"]["nodes"];
    assert_eq!(nodes[0]["vpc"], lab.id("lc-edge-vpc"), "{f:#}");
    assert_eq!(nodes[1]["vpc"], lab.id("lc-data-vpc"), "{f:#}");
}

/// 7. The same shape to a third VPC, whose CIDR the transit gateway table
///    blackholes.
#[test]
fn transit_gateway_blackhole_cuts_the_path() {
    let lab = lab();
    assert_no_path(lab, &lab.doc, "lc-cut-db-eni");
    assert!(!paths_to(&lab.doc, lab.id("lc-tgw-db-eni")).is_empty());
    assert_blast(lab, &lab.doc, "lc-web:eni", &[1, 1, 1, 1]);
}

/// The dev VPC has no internet path: without a config its host is no foothold and
/// the prod store it can open is in no finding; `[lateral] untrusted` naming the dev
/// VPC makes the host a foothold one hop from the store.
#[test]
fn untrusted_selector_makes_a_foothold() {
    let lab = lab();
    assert_no_path(lab, &lab.doc, "ld-prod-db-eni");
    assert!(blast_of(&lab.doc, lab.id("ld-dev-box:eni")).is_empty());

    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("vpcaudit.toml");
    std::fs::write(
        &config,
        format!(
            "[lateral]\nuntrusted = [{{ vpc = \"{}\" }}]\n",
            lab.id("ld-dev-vpc")
        ),
    )
    .expect("write config");
    let doc = scan(&lab.emu, Some(&config));

    let f = assert_path(
        lab,
        &doc,
        "ld-prod-db-eni",
        "ld-dev-box:eni",
        &[],
        &[&["tcp/5432"]],
    );
    // Documented: one step lower than critical for a foothold that is only
    // configured as untrusted.
    assert_eq!(f["severity"], "high", "{f:#}");
    assert_blast(lab, &doc, "ld-dev-box:eni", &[1, 1, 1, 1]);
    // The internet footholds' findings are unchanged by the selector.
    let mut want = pairs(lab, &lab.doc);
    want.push(("ld-prod-db-eni".to_string(), "ld-dev-box:eni".to_string()));
    want.sort();
    assert_eq!(pairs(lab, &doc), want);
}

/// Each absence above is due to its guard and nothing else: the collected inventory
/// with that one guard removed (scanned offline with `--inventory`) opens the path.
#[test]
fn removing_each_guard_opens_its_path() {
    let lab = lab();
    let dir = tempfile::tempdir().expect("tempdir");
    let scan_with = |label: &str, edit: &dyn Fn(&mut Value)| -> Value {
        let mut inv = lab.inventory.clone();
        let region = inv["accounts"][0]["regions"]
            .as_array_mut()
            .and_then(|rs| rs.iter_mut().find(|r| r["region"] == "us-east-1"))
            .expect("us-east-1");
        edit(region);
        let path = dir.path().join(format!("{label}.json"));
        std::fs::write(&path, serde_json::to_vec(&inv).unwrap()).expect("write inventory");
        scan_json(
            common::vpcaudit_offline()
                .args(["scan", "--format", "json", "--fail-on", "never"])
                .args(["--checks", CHECKS, "--inventory"])
                .arg(&path),
        )
    };

    // The vault's NACL without its deny entries: one hop from the web host.
    let doc = scan_with("no-nacl-deny", &|region| {
        let nacl = item_mut(region, "network_acls", lab.id("la-vault-nacl"));
        nacl["entries"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["action"] != "deny" || e["rule_number"] == 32767);
    });
    assert_path(
        lab,
        &doc,
        "la-vault-eni",
        "la-web:eni",
        &[],
        &[&["tcp/5432"]],
    );

    // Only the web subnet denied: the app host is the way round, two hops.
    let doc = scan_with("app-not-denied", &|region| {
        let nacl = item_mut(region, "network_acls", lab.id("la-vault-nacl"));
        nacl["entries"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["cidr"] != "10.10.10.0/24");
    });
    assert_path(
        lab,
        &doc,
        "la-vault-eni",
        "la-web:eni",
        &["la-app:eni"],
        &[&["tcp/22", "tcp/8080"], &["tcp/5432"]],
    );

    // The orphan VPC given its return route.
    let pcx = lab.id("lb-pcx-orphan").to_string();
    let doc = scan_with("return-route", &|region| {
        let rt = item_mut(region, "route_tables", lab.id("lb-orphan-rt"));
        rt["routes"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "destination": {"kind": "ipv4", "value": "10.20.0.0/16"},
                "target": {"kind": "vpc_peering_connection", "id": pcx},
                "state": "active",
                "origin": "CreateRoute"
            }));
    });
    assert_path(
        lab,
        &doc,
        "lb-noreturn-db-eni",
        "lb-web:eni",
        &[],
        &[&["tcp/5432"]],
    );

    // The blackhole turned into a route to the cut VPC's attachment.
    let (att, vpc) = (
        lab.id("lc-att-cut").to_string(),
        lab.id("lc-cut-vpc").to_string(),
    );
    let doc = scan_with("no-blackhole", &|region| {
        let table = item_mut(region, "transit_gateway_route_tables", lab.id("lc-tgw-rt"));
        for r in table["routes"].as_array_mut().unwrap() {
            if r["destination"]["value"] == "10.32.0.0/16" {
                r["state"] = "active".into();
                r["attachments"] = serde_json::json!([
                    {"attachment_id": att, "resource_id": vpc, "resource_type": "vpc"}
                ]);
            }
        }
    });
    assert_path(
        lab,
        &doc,
        "lc-cut-db-eni",
        "lc-web:eni",
        &[],
        &[&["tcp/5432"]],
    );

    // And the other way: the edge VPC's attachment moved out of the web host's AZ
    // cuts both transit-gateway paths.
    let doc = scan_with("attachment-other-az", &|region| {
        let subnet = item_mut(region, "subnets", lab.id("lc-edge-tgw-a"));
        subnet["availability_zone"] = "us-east-1b".into();
    });
    assert_no_path(lab, &doc, "lc-tgw-db-eni");
    assert_no_path(lab, &doc, "lc-cut-db-eni");
    assert!(!paths_to(&doc, lab.id("lb-peer-db-eni")).is_empty());
}

/// The item of `kind` with this id in a region's inventory JSON.
fn item_mut<'a>(region: &'a mut Value, kind: &str, id: &str) -> &'a mut Value {
    region[kind]
        .as_array_mut()
        .and_then(|xs| xs.iter_mut().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("{kind} {id} not in the inventory"))
}

// ------------------------------------------------------------------ snapshot

/// Findings with every AWS id replaced by its scenario name (`<id>` for what the
/// scenario did not name) and public addresses by their owner's name. Path order
/// (related, nodes, hops) is kept: it is the finding.
fn symbolic(lab: &Lab, doc: &Value) -> Vec<Value> {
    let text = serde_json::to_string(&doc["findings"]).unwrap();
    let mut pairs: Vec<(String, String)> = lab
        .seeded
        .ids
        .iter()
        .map(|(name, id)| (id.clone(), format!("<{name}>")))
        .collect();
    if let Some(enis) = lab.region()["network_interfaces"].as_array() {
        for eni in enis {
            let name = lab.name_of(eni["id"].as_str().unwrap_or_default());
            for p in eni["public_ipv4s"].as_array().into_iter().flatten() {
                if let Some(ip) = p["public_ip"].as_str() {
                    pairs.push((ip.to_string(), format!("<{name}:public-ip>")));
                }
            }
        }
    }
    stable_findings(&symbolic_text(&text, pairs))
}

#[test]
fn lateral_findings_snapshot() {
    let lab = lab();
    let findings = symbolic(lab, &lab.doc);
    assert!(
        findings.iter().any(|f| f["check"] == PATH) && findings.iter().any(|f| f["check"] == BLAST),
        "the snapshot must hold both checks' findings"
    );
    insta::assert_json_snapshot!("lateral_findings", findings);
}
