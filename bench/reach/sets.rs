//! Benchmarks of the reachability set algebra: address-set operations on 1k and 10k
//! random CIDRs, internet coverage of a 10k-CIDR set, and FlowSet difference of
//! 100-box sets. Run with `cargo bench --bench sets` (`-- --quick` for a short run).

use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use vpcaudit::inventory::{L4Match, PortRange, Protocol};
use vpcaudit::reach::sets::{FlowSet, InternetCoverage, IpSet, ServiceSet};

/// splitmix64: deterministic inputs without pulling in a random-number crate.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// 80% IPv4 (prefix /12../32), 20% IPv6 inside 2000::/3 (prefix /16../64).
fn random_net(rng: &mut Rng) -> IpNet {
    if rng.below(5) < 4 {
        let len = 12 + rng.below(21) as u8;
        let addr = Ipv4Addr::from(rng.next_u64() as u32);
        IpNet::V4(Ipv4Net::new(addr, len).expect("len <= 32").trunc())
    } else {
        let len = 16 + rng.below(49) as u8;
        // Random bits below 2^125, then the 001 prefix of 2000::/3.
        let bits =
            (((u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())) >> 3) | (1 << 125);
        IpNet::V6(
            Ipv6Net::new(Ipv6Addr::from(bits), len)
                .expect("len <= 128")
                .trunc(),
        )
    }
}

fn random_set(rng: &mut Rng, n: usize) -> IpSet {
    IpSet::from_nets((0..n).map(|_| random_net(rng)))
}

fn random_service(rng: &mut Rng) -> ServiceSet {
    match rng.below(20) {
        0 => ServiceSet::all(),
        1 => ServiceSet::from_rule(
            Protocol::Icmp,
            L4Match::Icmp {
                icmp_type: Some(rng.below(16) as u8),
                icmp_code: None,
            },
        ),
        n => {
            let proto = if n % 3 == 0 {
                Protocol::Udp
            } else {
                Protocol::Tcp
            };
            let from = rng.below(1024) as u16;
            let to = from + rng.below(64) as u16;
            ServiceSet::from_rule(proto, L4Match::Ports(PortRange { from, to }))
        }
    }
}

fn random_flows(rng: &mut Rng, boxes: usize) -> FlowSet {
    FlowSet::from_boxes((0..boxes).map(|_| {
        let addrs = IpSet::from_net(random_net(rng));
        (addrs, random_service(rng))
    }))
}

fn address_sets(c: &mut Criterion) {
    let mut rng = Rng(1);
    let mut g = c.benchmark_group("ipset");
    for n in [1_000usize, 10_000] {
        let a = random_set(&mut rng, n);
        let b = random_set(&mut rng, n);
        eprintln!(
            "ipset/{n}: a has {} v4 + {} v6 intervals, b {} + {}",
            a.v4.intervals().interval_count(),
            a.v6.intervals().interval_count(),
            b.v4.intervals().interval_count(),
            b.v6.intervals().interval_count(),
        );
        let nets: Vec<IpNet> = (0..n).map(|_| random_net(&mut rng)).collect();
        g.bench_with_input(BenchmarkId::new("from_nets", n), &nets, |bch, nets| {
            bch.iter(|| IpSet::from_nets(black_box(nets).iter().copied()))
        });
        g.bench_function(BenchmarkId::new("union", n), |bch| {
            bch.iter(|| black_box(&a).union(black_box(&b)))
        });
        g.bench_function(BenchmarkId::new("intersection", n), |bch| {
            bch.iter(|| black_box(&a).intersection(black_box(&b)))
        });
        g.bench_function(BenchmarkId::new("difference", n), |bch| {
            bch.iter(|| black_box(&a).difference(black_box(&b)))
        });
    }
    g.finish();
}

fn internet_coverage(c: &mut Criterion) {
    let mut rng = Rng(2);
    let set = random_set(&mut rng, 10_000);
    let cov = InternetCoverage::of(&set);
    eprintln!(
        "internet/10000: covers {:.4} of IPv4, {:.6} of IPv6",
        cov.ipv4_fraction(),
        cov.ipv6_fraction()
    );
    c.bench_function("internet/coverage/10000", |bch| {
        bch.iter(|| InternetCoverage::of(black_box(&set)))
    });
}

fn flow_sets(c: &mut Criterion) {
    let mut rng = Rng(3);
    let a = random_flows(&mut rng, 100);
    let b = random_flows(&mut rng, 100);
    let d = a.difference(&b);
    eprintln!(
        "flowset/100: a has {} canonical boxes, b {}, a - b {}",
        a.boxes().len(),
        b.boxes().len(),
        d.boxes().len()
    );
    c.bench_function("flowset/difference/100", |bch| {
        bch.iter(|| black_box(&a).difference(black_box(&b)))
    });
    c.bench_function("flowset/union/100", |bch| {
        bch.iter(|| black_box(&a).union(black_box(&b)))
    });
    let raw: Vec<(IpSet, ServiceSet)> = (0..100)
        .map(|_| {
            (
                IpSet::from_net(random_net(&mut rng)),
                random_service(&mut rng),
            )
        })
        .collect();
    c.bench_function("flowset/from_boxes/100", |bch| {
        bch.iter(|| FlowSet::from_boxes(black_box(&raw).iter().cloned()))
    });
}

criterion_group!(benches, address_sets, internet_coverage, flow_sets);
criterion_main!(benches);
