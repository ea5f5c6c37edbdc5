//! Benchmarks of the Kubernetes policy engine on a synthetic cluster of 5,000 pods,
//! 50 namespaces and 500 NetworkPolicies (plus Admin and Baseline cluster policies):
//! indexing the cluster, grouping pods into classes, and the services allowed
//! between every ordered pair of classes. Run with `cargo bench --bench kubernetes`
//! (`-- --quick` for a short run).

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use vpcaudit::reach::kubernetes::{ClusterIndex, Peer};
use vpcaudit::synth::kubernetes::{generate_cluster, KubeSpec};

/// Every ordered pair of class representatives, with explanations (`allowed`) or
/// without (`allowed_services`); returns how many pairs allow something, so the
/// work cannot be optimised away.
fn all_class_pairs(index: &ClusterIndex<'_>, reps: &[usize], explain: bool) -> usize {
    let mut open = 0;
    for &a in reps {
        for &b in reps {
            let (a, b) = (Peer::Pod(a), Peer::Pod(b));
            let services = if explain {
                index.allowed(a, b).services
            } else {
                index.allowed_services(a, b)
            };
            if !services.is_empty() {
                open += 1;
            }
        }
    }
    open
}

fn bench(c: &mut Criterion) {
    let cluster = generate_cluster(&KubeSpec::large());

    // One timed pass, printed, so a plain run states the numbers the README quotes.
    let t = Instant::now();
    let index = ClusterIndex::new(&cluster);
    let indexed = t.elapsed();
    let t = Instant::now();
    let classes = index.pod_classes();
    let classed = t.elapsed();
    let reps: Vec<usize> = classes.iter().map(|c| c[0]).collect();
    let t = Instant::now();
    let open = all_class_pairs(&index, &reps, false);
    let paired = t.elapsed();
    let t = Instant::now();
    all_class_pairs(&index, &reps, true);
    let explained = t.elapsed();
    eprintln!(
        "kubernetes: {} pods, {} policies, {} classes: index {indexed:?}, classes {classed:?}, \
         {} class pairs ({open} allow something): services only {paired:?}, \
         with explanations {explained:?}",
        cluster.pods.len(),
        cluster.network_policies.len(),
        classes.len(),
        reps.len() * reps.len(),
    );

    let mut group = c.benchmark_group("kubernetes");
    group.sample_size(10);
    group.bench_function("index_5000_pods_500_policies", |b| {
        b.iter(|| ClusterIndex::new(black_box(&cluster)))
    });
    group.bench_function("pod_classes", |b| b.iter(|| index.pod_classes()));
    group.bench_function("all_class_pairs_services", |b| {
        b.iter(|| all_class_pairs(&index, black_box(&reps), false))
    });
    group.bench_function("all_class_pairs_explained", |b| {
        b.iter(|| all_class_pairs(&index, black_box(&reps), true))
    });
    group.bench_function("index_classes_and_all_pairs", |b| {
        b.iter(|| {
            let index = ClusterIndex::new(black_box(&cluster));
            let reps: Vec<usize> = index.pod_classes().iter().map(|c| c[0]).collect();
            all_class_pairs(&index, &reps, false)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
