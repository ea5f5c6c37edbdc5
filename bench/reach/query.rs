//! Benchmarks of `vpcaudit reach` on a synthetic 100,000-ENI inventory
//! (`vpcaudit::synth::generate(&Spec::with_enis(100_000))`): preparing the query
//! index once, then one pair question (an ENI to an RDS ENI, all services, the exact
//! set of services allowed), one pair on one port, and "what can this reach" (one
//! ENI to every ENI and the internet, one hop).
//!
//! Targets (issue 16, model loaded): a pair under 50 ms, from-only under 1 s.
//! Run with `cargo bench --bench query` (`-- --quick` for a short run);
//! `VPCAUDIT_BENCH_ENIS=10000` for a smaller estate.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use vpcaudit::inventory::Inventory;
use vpcaudit::reach::model::Model;
use vpcaudit::reach::query::{Index, Question};
use vpcaudit::synth::{generate, samples, Spec};

fn enis() -> usize {
    std::env::var("VPCAUDIT_BENCH_ENIS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn inventory() -> &'static Inventory {
    static INV: OnceLock<Inventory> = OnceLock::new();
    INV.get_or_init(|| {
        let start = Instant::now();
        let inv = generate(&Spec::with_enis(enis()));
        eprintln!(
            "query: generated {} ENIs in {:?}",
            inv.regions()
                .map(|(_, r)| r.network_interfaces.len())
                .sum::<usize>(),
            start.elapsed()
        );
        inv
    })
}

fn question(from: Option<&str>, to: Option<&str>, service: Option<&str>) -> Question {
    Question {
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        service: service.map(str::to_string),
        max_hops: 1,
    }
}

fn queries(c: &mut Criterion) {
    let inv = inventory();
    let s = samples(inv).expect("the synthetic inventory has every sample ENI");
    let start = Instant::now();
    let model = Model::build(inv);
    let model_built = start.elapsed();
    let start = Instant::now();
    let index = Index::build(&model, inv);
    eprintln!(
        "query: model built in {model_built:?}, query index in {:?}",
        start.elapsed()
    );
    let pair_all = question(Some(&s.db_client), Some(&s.db), None);
    let pair_port = question(Some(&s.db_client), Some(&s.db), Some("tcp/5432"));
    let from_only = question(Some(&s.db_client), None, None);
    for (name, q) in [
        ("pair", &pair_all),
        ("pair tcp/5432", &pair_port),
        ("from", &from_only),
    ] {
        let start = Instant::now();
        let answer = index.ask(q).expect("the sample ENIs exist");
        eprintln!(
            "query: {name}: {} ({}), {} path(s), {} reached, blocked at {:?}, in {:?}",
            answer.verdict,
            answer.services.join("; "),
            answer.paths.len(),
            answer.reached.len(),
            answer.blocked_at.as_ref().map(|b| (&b.code, &b.resource)),
            start.elapsed()
        );
    }
    // An allowed pair costs more than a blocked one (each piece of the allowed set is
    // confirmed hop by hop): the source to an ENI it reaches in another VPC (or any).
    let reached = index
        .ask(&from_only)
        .expect("the sample ENI exists")
        .reached;
    let source_vpc = model
        .locate_eni(&s.db_client)
        .map(|(_, e)| e.vpc_id.clone())
        .unwrap_or_default();
    let target = reached
        .iter()
        .filter(|r| {
            r.resource != "internet" && r.verdict == vpcaudit::answer::reach::Verdict::Allowed
        })
        .max_by_key(|r| (r.vpc != source_vpc, r.services.len()))
        .map(|r| r.resource.clone())
        .expect("the sample ENI reaches something");
    let pair_allowed = question(Some(&s.db_client), Some(&target), None);
    let answer = index.ask(&pair_allowed).expect("both ENIs exist");
    eprintln!(
        "query: allowed pair {} -> {target}: {} ({})",
        s.db_client,
        answer.verdict,
        answer.services.join("; ")
    );

    let mut g = c.benchmark_group(format!("query/{}", enis()));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("pair/all_services", |b| {
        b.iter(|| index.ask(black_box(&pair_all)))
    });
    g.bench_function("pair/allowed_all_services", |b| {
        b.iter(|| index.ask(black_box(&pair_allowed)))
    });
    g.bench_function("pair/tcp5432", |b| {
        b.iter(|| index.ask(black_box(&pair_port)))
    });
    g.bench_function("from_only/1_hop", |b| {
        b.iter(|| index.ask(black_box(&from_only)))
    });
    let to_only = question(None, Some(&s.db), None);
    g.bench_function("to_only/1_hop", |b| {
        b.iter(|| index.ask(black_box(&to_only)))
    });
    g.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
