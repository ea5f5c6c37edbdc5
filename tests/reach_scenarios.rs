//! The engine on data collected from the emulator (the leaky three-tier account the
//! demo ships), not only on hand-built inventories.

use std::net::IpAddr;

use vpcaudit::inventory::{Direction, Inventory, RouteTarget};
use vpcaudit::reach::model::Model;
use vpcaudit::reach::sets::{internet::InternetCoverage, ServicePoint};
use vpcaudit::reach::{nacl, route, security_group};

fn leaky() -> Inventory {
    vpcaudit::demo::inventory().expect("demo inventory")
}

fn id_of<'a, T>(
    items: &'a [T],
    tags: impl Fn(&T) -> &std::collections::BTreeMap<String, String>,
    id: impl Fn(&T) -> &str,
    name: &str,
) -> &'a str {
    let item = items
        .iter()
        .find(|i| tags(i).get("Name").map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no {name}"));
    id(item)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn split_halves_open_ssh_to_the_whole_internet() {
    let inv = leaky();
    let model = Model::build(&inv);
    let r = &inv.accounts[0].regions[0];
    let bastion = id_of(
        &r.network_interfaces,
        |e| &e.tags,
        |e| &e.id,
        "lk-bastion-eni",
    );
    let e = security_group::evaluate(
        &model,
        bastion,
        Direction::Ingress,
        ip("8.8.8.8"),
        ServicePoint::Tcp(22),
    );
    assert!(e.is_allowed(), "{e:?}");
    assert!(
        e.steps
            .iter()
            .any(|s| s.decision.contains("0.0.0.0/1") || s.decision.contains("128.0.0.0/1")),
        "{e:?}"
    );
    // IPv4 rules say nothing about IPv6.
    let v6 = security_group::evaluate(
        &model,
        bastion,
        Direction::Ingress,
        ip("2001:4860::8888"),
        ServicePoint::Tcp(22),
    );
    assert!(v6.is_blocked(), "{v6:?}");
    // As a set: the whole public IPv4 internet reaches port 22.
    let flows = security_group::allowed_flows(&model, bastion, Direction::Ingress).unwrap();
    let sources = flows.addresses_for(ServicePoint::Tcp(22));
    assert!(InternetCoverage::of(&sources).covers_all_ipv4());
}

#[test]
fn prefix_list_holding_the_world_opens_postgres() {
    let inv = leaky();
    let model = Model::build(&inv);
    let r = &inv.accounts[0].regions[0];
    let feed = id_of(
        &r.network_interfaces,
        |e| &e.tags,
        |e| &e.id,
        "lk-partner-feed-eni",
    );
    let e = security_group::evaluate(
        &model,
        feed,
        Direction::Ingress,
        ip("1.2.3.4"),
        ServicePoint::Tcp(5432),
    );
    assert!(e.is_allowed(), "{e:?}");
    let closed = security_group::evaluate(
        &model,
        feed,
        Direction::Ingress,
        ip("1.2.3.4"),
        ServicePoint::Tcp(5433),
    );
    assert!(closed.is_blocked(), "{closed:?}");
}

#[test]
fn shadowed_nacl_deny_is_found_in_collected_data() {
    let inv = leaky();
    let r = &inv.accounts[0].regions[0];
    let web = r
        .network_acls
        .iter()
        .find(|n| n.tags.get("Name").map(String::as_str) == Some("lk-prod-web-nacl"))
        .unwrap();
    assert_eq!(nacl::shadowed_entries(web), [(Direction::Ingress, 200)]);
    let app = r
        .network_acls
        .iter()
        .find(|n| n.tags.get("Name").map(String::as_str) == Some("lk-prod-app-nacl"))
        .unwrap();
    assert!(nacl::shadowed_entries(app).contains(&(Direction::Ingress, 120)));
    // Rule 110's "reply" range admits a new connection to Postgres from anywhere.
    let e = nacl::evaluate(
        app,
        Direction::Ingress,
        ip("203.0.113.9"),
        ServicePoint::Tcp(5432),
    );
    assert!(e.is_allowed(), "{e:?}");
    assert!(e.steps.iter().any(|s| s.decision.contains("110")), "{e:?}");
}

#[test]
fn unassociated_subnet_routes_through_its_vpcs_main_table() {
    let inv = leaky();
    let model = Model::build(&inv);
    let r = &inv.accounts[0].regions[0];
    let region = model
        .region(&inv.accounts[0].account_id, &r.region)
        .unwrap();
    let misc = id_of(&r.subnets, |s| &s.tags, |s| &s.id, "lk-prod-misc-a");
    let table = route::table_for_subnet(region, misc).unwrap();
    assert_eq!(
        table.tags.get("Name").map(String::as_str),
        Some("lk-prod-main-rt")
    );
    match route::lookup(region, r, table, ip("8.8.8.8")) {
        route::RouteDecision::Route { route, .. } => {
            assert!(
                matches!(route.target, RouteTarget::InternetGateway(_)),
                "{route:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Inside the VPC the local route wins.
    match route::lookup(region, r, table, ip("10.0.20.7")) {
        route::RouteDecision::Route { route, .. } => assert_eq!(route.target, RouteTarget::Local),
        other => panic!("{other:?}"),
    }
}

#[test]
fn weak_firewall_policies_do_not_filter_egress() {
    use vpcaudit::reach::firewall::{self, Flow};
    let inv = leaky();
    let r = &inv.accounts[0].regions[0];
    let lookup = |arn: &str| r.firewall_rule_groups.iter().find(|g| g.arn == arn);
    let policy = |name: &str| r.firewall_policies.iter().find(|p| p.name == name).unwrap();

    // From the shared VPC on 443 a stateless pass decides: the stateful engine is skipped.
    let mut flow = Flow {
        src: ip("10.1.10.5"),
        dst: ip("198.51.100.7"),
        service: ServicePoint::Tcp(443),
        sni: Some("exfil.example.net".into()),
        fragment: false,
    };
    let e = firewall::evaluate(&flow, policy("lk-weak-policy"), &lookup);
    assert!(e.is_allowed(), "{e:?}");
    assert!(
        e.steps
            .iter()
            .any(|s| s.decision.contains("stateful engine skipped")),
        "{e:?}"
    );
    // On another port it reaches the stateful engine, where `pass tcp any any -> any
    // any` ahead of the SNI allow-list lets any name out.
    flow.service = ServicePoint::Tcp(8443);
    let e = firewall::evaluate(&flow, policy("lk-weak-policy"), &lookup);
    assert!(e.is_allowed(), "{e:?}");
    assert!(
        e.steps.iter().any(|s| s.decision.contains("1000001")),
        "{e:?}"
    );
    assert!(firewall::filters_egress(policy("lk-weak-policy"), &lookup).is_allowed());
    // Stateless default aws:pass: the stateful engine never sees the traffic.
    let bypass = firewall::filters_egress(policy("lk-bypass-policy"), &lookup);
    assert!(bypass.is_allowed(), "{bypass:?}");
}

#[test]
fn paths_on_collected_data() {
    use vpcaudit::reach::path;
    let inv = leaky();
    let model = Model::build(&inv);
    let r = &inv.accounts[0].regions[0];
    let eni = |name: &str| id_of(&r.network_interfaces, |e| &e.tags, |e| &e.id, name).to_string();

    // The public bastion: its Elastic IP, the IGW route and the split-world rules let
    // the internet in on 22.
    let bastion = eni("lk-bastion-eni");
    let e = path::internet_to_eni(&model, &inv, &bastion, ip("8.8.8.8"), ServicePoint::Tcp(22));
    assert!(e.is_allowed(), "{e:?}");
    assert!(
        e.steps
            .iter()
            .any(|s| s.component.contains("lk-split-world-sg")),
        "{e:?}"
    );
    assert!(
        e.steps
            .iter()
            .any(|s| s.component.contains("(internet gateway)")),
        "{e:?}"
    );
    // From IPv6 nothing gets in: the bastion has no IPv6 address.
    let v6 = path::internet_to_eni(
        &model,
        &inv,
        &bastion,
        ip("2001:4860::8888"),
        ServicePoint::Tcp(22),
    );
    assert!(v6.is_blocked(), "{v6:?}");
    // An app server reaches the internet through the prod NAT, unfiltered.
    let app = r
        .instances
        .iter()
        .find(|i| i.tags.get("Name").map(String::as_str) == Some("lk-app-0"))
        .and_then(|i| i.network_interface_ids.first().cloned())
        .unwrap();
    let (route, e) = path::egress_trace(
        &model,
        &inv,
        &app,
        ip("198.51.100.7"),
        ServicePoint::Tcp(443),
        None,
        path::DEFAULT_EPHEMERAL,
    );
    assert!(e.is_allowed(), "{e:?}");
    let nat = id_of(&r.nat_gateways, |n| &n.tags, |n| &n.id, "lk-prod-nat");
    let igw = id_of(&r.internet_gateways, |g| &g.tags, |g| &g.id, "lk-prod-igw");
    assert_eq!(
        route,
        path::EgressPath::Nat {
            nat: nat.to_string(),
            then: Box::new(path::EgressPath::Direct(igw.to_string()))
        }
    );
    assert!(
        e.steps
            .iter()
            .any(|s| s.decision.contains("filters nothing")),
        "{e:?}"
    );
}

#[test]
fn exposure_as_sets_on_collected_data() {
    use vpcaudit::reach::exposure;
    let inv = leaky();
    let model = Model::build(&inv);
    let r = &inv.accounts[0].regions[0];
    let bastion = id_of(
        &r.network_interfaces,
        |e| &e.tags,
        |e| &e.id,
        "lk-bastion-eni",
    );
    let x = exposure::internet_exposure(&model, &inv, exposure::Subject::Eni(bastion)).unwrap();
    let ssh_sources = x.flows.addresses_for(ServicePoint::Tcp(22));
    assert!(
        InternetCoverage::of(&ssh_sources).covers_all_ipv4(),
        "{}",
        x.flows
    );
    assert!(
        x.flows.addresses_for(ServicePoint::Tcp(23)).is_empty(),
        "{}",
        x.flows
    );
    // A private ENI (no public address) is exposed to nothing.
    let db = id_of(&r.network_interfaces, |e| &e.tags, |e| &e.id, "lk-db-eni");
    assert!(
        exposure::internet_exposure(&model, &inv, exposure::Subject::Eni(db))
            .unwrap()
            .flows
            .is_empty()
    );
}
