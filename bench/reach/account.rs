//! Benchmarks of whole-account reachability on a synthetic 10,000-ENI inventory
//! (`vpcaudit::synth::generate(&Spec::with_enis(10_000))`: 20 VPCs, 200 subnets,
//! 1,000 security groups, peering, a transit gateway and a Network Firewall):
//! building the model, single path queries, the internet exposure of one ENI class
//! and of every class of the account.
//!
//! Run with `cargo bench --bench account` (`-- --quick` for a short run). The
//! whole-account benchmarks use small sample sizes so a full run takes minutes.

use std::hint::black_box;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use vpcaudit::inventory::Inventory;
use vpcaudit::reach::classes::{classes, EniClass};
use vpcaudit::reach::exposure::{exposure_for_all, internet_exposure};
use vpcaudit::reach::model::Model;
use vpcaudit::reach::path::{eni_to_eni, eni_to_internet, internet_to_eni};
use vpcaudit::reach::sets::ServicePoint;
use vpcaudit::synth::{generate, samples, Samples, Spec};

const ENIS: usize = 10_000;

/// The inventory, generated once per run.
fn inventory() -> &'static Inventory {
    static INV: OnceLock<Inventory> = OnceLock::new();
    INV.get_or_init(|| {
        let start = Instant::now();
        let inv = generate(&Spec::with_enis(ENIS));
        let ri = &inv.accounts[0].regions[0];
        eprintln!(
            "account/10k: generated in {:?}: {} VPCs, {} subnets, {} ENIs, {} groups ({} rules), \
             {} peerings, {} TGW attachments",
            start.elapsed(),
            ri.vpcs.len(),
            ri.subnets.len(),
            ri.network_interfaces.len(),
            ri.security_groups.len(),
            ri.security_groups
                .iter()
                .map(|g| g.rules.len())
                .sum::<usize>(),
            ri.vpc_peering_connections.len(),
            ri.transit_gateway_attachments.len(),
        );
        inv
    })
}

fn sample_enis() -> Samples {
    samples(inventory()).expect("the synthetic inventory has every sample ENI")
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("valid address")
}

/// Generating the inventory and indexing it.
fn build(c: &mut Criterion) {
    let inv = inventory();
    let mut g = c.benchmark_group("account/10k");
    g.sample_size(10);
    g.bench_function("generate", |b| {
        b.iter(|| generate(black_box(&Spec::with_enis(ENIS))))
    });
    g.bench_function("model_build", |b| b.iter(|| Model::build(black_box(inv))));
    g.finish();
}

/// One connection each: ENI to ENI (peering or same VPC), internet to a public ENI,
/// a private ENI to the internet through the Network Firewall and a NAT gateway.
fn single_queries(c: &mut Criterion) {
    let inv = inventory();
    let model = Model::build(inv);
    let s = sample_enis();
    let client = ip("8.8.8.8");
    let github = ip("140.82.112.3");
    let sni = "api.github.com".to_string();

    let lateral = eni_to_eni(&model, inv, &s.db_client, &s.db, ServicePoint::Tcp(5432));
    let inbound = internet_to_eni(&model, inv, &s.public_web, client, ServicePoint::Tcp(443));
    let egress = eni_to_internet(
        &model,
        inv,
        &s.firewalled,
        github,
        ServicePoint::Tcp(443),
        Some(sni.clone()),
    );
    eprintln!(
        "account/10k/path: {} -> {} tcp 5432 {:?} ({} steps); internet -> {} tcp 443 {:?} \
         ({} steps); {} -> internet tcp 443 sni {sni} {:?} ({} steps)",
        s.db_client,
        s.db,
        lateral.verdict,
        lateral.steps.len(),
        s.public_web,
        inbound.verdict,
        inbound.steps.len(),
        s.firewalled,
        egress.verdict,
        egress.steps.len(),
    );

    let mut g = c.benchmark_group("account/10k/path");
    g.bench_function("eni_to_eni/tcp5432", |b| {
        b.iter(|| {
            eni_to_eni(
                &model,
                inv,
                black_box(&s.db_client),
                black_box(&s.db),
                ServicePoint::Tcp(5432),
            )
        })
    });
    g.bench_function("internet_to_eni/tcp443", |b| {
        b.iter(|| {
            internet_to_eni(
                &model,
                inv,
                black_box(&s.public_web),
                black_box(client),
                ServicePoint::Tcp(443),
            )
        })
    });
    g.bench_function("eni_to_internet/tcp443_sni", |b| {
        b.iter(|| {
            eni_to_internet(
                &model,
                inv,
                black_box(&s.firewalled),
                black_box(github),
                ServicePoint::Tcp(443),
                Some(sni.clone()),
            )
        })
    });
    g.finish();
}

/// Internet exposure of the public web ENI's class, the class partition, and the
/// exposure of every class of the account.
fn exposure(c: &mut Criterion) {
    let inv = inventory();
    let model = Model::build(inv);
    let s = sample_enis();
    let all: Vec<EniClass> = classes(&model, inv);
    let web = all
        .iter()
        .find(|c| c.enis.contains(&s.public_web))
        .expect("every ENI has a class")
        .clone();
    let results = exposure_for_all(&model, inv);
    let exposed = results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|e| !e.flows.is_empty()))
        .count();
    let unknown = results
        .iter()
        .filter(|(_, r)| r.as_ref().map_or(true, |e| !e.unknown.is_empty()))
        .count();
    eprintln!(
        "account/10k/exposure: {} ENIs in {} classes; {exposed} classes exposed to the \
         internet, {unknown} partly unknown; web class of {} ENIs",
        ENIS,
        all.len(),
        web.enis.len()
    );

    let mut g = c.benchmark_group("account/10k/exposure");
    g.bench_function("one_class", |b| {
        b.iter(|| internet_exposure(&model, inv, black_box(&web)))
    });
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("classes", |b| b.iter(|| classes(&model, black_box(inv))));
    g.bench_function("exposure_for_all", |b| {
        b.iter(|| exposure_for_all(&model, black_box(inv)))
    });
    g.finish();
}

/// The lateral class graph of the whole account (every class against every class
/// on the admin, web and data ports), and a walk from one class.
fn lateral_graph(c: &mut Criterion) {
    use vpcaudit::reach::lateral::{lateral_classes, Catalogue, Graph};
    use vpcaudit::reach::path::DEFAULT_EPHEMERAL;

    let inv = inventory();
    let model = Model::build(inv);
    let catalogue = || {
        Catalogue::new(
            [22u16, 80, 443, 3306, 3389, 5432, 6379, 8080, 8443, 9200]
                .into_iter()
                .map(ServicePoint::Tcp),
        )
    };
    let Ok(graph) = Graph::build(&model, inv, catalogue(), DEFAULT_EPHEMERAL, u64::MAX) else {
        eprintln!("account/10k/lateral: no budget means no refusal");
        return;
    };
    eprintln!(
        "account/10k/lateral: {} lateral classes ({} pairs), {} edges, {} unknown classes",
        graph.len(),
        graph.len() * graph.len(),
        graph.edge_count(),
        graph.unknown_classes.len()
    );
    let all = vec![u64::MAX; graph.words()];
    let mut g = c.benchmark_group("account/10k/lateral");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("lateral_classes", |b| {
        b.iter(|| lateral_classes(&model, black_box(inv)))
    });
    g.bench_function("graph", |b| {
        b.iter(|| {
            Graph::build(
                &model,
                black_box(inv),
                catalogue(),
                DEFAULT_EPHEMERAL,
                u64::MAX,
            )
        })
    });
    g.bench_function("reach_4_hops", |b| {
        b.iter(|| graph.reach(black_box(0), 4, &all, &all, false))
    });
    g.finish();
}

criterion_group!(benches, build, single_queries, exposure, lateral_graph);
criterion_main!(benches);
