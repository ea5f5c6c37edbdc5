use std::collections::HashMap;

use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, for_each_item, opt, string, Outcome, Problems};
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    Direction, L4Match, ManagedPrefixList, Operation, PrefixListEntry, Protocol, RulePeer,
    SecurityGroup, SecurityGroupRule,
};

/// Groups from DescribeSecurityGroups, rules from DescribeSecurityGroupRules: the rules
/// API returns one peer per rule already, with its `sgr-` id for evidence.
pub async fn security_groups(ec2: &Client, pg: Paging) -> Outcome<SecurityGroup> {
    let (groups, rules) = tokio::join!(
        async {
            fetch_all!(
                Operation::DescribeSecurityGroups,
                ec2.describe_security_groups().max_results(pg.size(1000))
            )
        },
        async {
            fetch_all!(
                Operation::DescribeSecurityGroupRules,
                ec2.describe_security_group_rules()
                    .max_results(pg.size(1000))
            )
        }
    );
    let groups = match groups {
        Ok(g) => g,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let mut by_group: HashMap<String, Vec<SecurityGroupRule>> = HashMap::new();
    match rules {
        Ok(rules) => {
            for r in rules {
                let group_id = string(r.group_id());
                if let Some(rule) = convert_rule(&r, &mut p) {
                    by_group.entry(group_id).or_default().push(rule);
                }
            }
        }
        // Groups stay in the inventory, but without rules they would read as closed:
        // the gap tells every check not to trust that.
        Err(f) => p.failures.push(f),
    }
    let out = groups
        .into_iter()
        .map(|g| {
            let id = string(g.group_id());
            let mut rules = by_group.remove(&id).unwrap_or_default();
            rules.sort_by(|a, b| (a.direction, &a.id).cmp(&(b.direction, &b.id)));
            SecurityGroup {
                name: string(g.group_name()),
                description: opt(g.description()),
                vpc_id: opt(g.vpc_id()),
                owner_id: opt(g.owner_id()),
                rules,
                tags: ec2_tags(g.tags()),
                id,
            }
        })
        .collect();
    Outcome::new(out, p)
}

fn convert_rule(
    r: &aws_sdk_ec2::types::SecurityGroupRule,
    p: &mut Problems,
) -> Option<SecurityGroupRule> {
    const OP: Operation = Operation::DescribeSecurityGroupRules;
    let id = string(r.security_group_rule_id());
    let owner = format!("{} {}", string(r.group_id()), id);
    let Some(protocol) = r.ip_protocol().and_then(Protocol::parse) else {
        p.invalid(
            OP,
            format!("{owner}: unreadable protocol {:?}", r.ip_protocol()),
        );
        return None;
    };
    let peer = if let Some(c) = r.cidr_ipv4() {
        RulePeer::Ipv4 {
            cidr: p.parse(OP, "IPv4 CIDR", &owner, c)?,
        }
    } else if let Some(c) = r.cidr_ipv6() {
        RulePeer::Ipv6 {
            cidr: p.parse(OP, "IPv6 CIDR", &owner, c)?,
        }
    } else if let Some(pl) = r.prefix_list_id() {
        RulePeer::PrefixList { id: pl.to_string() }
    } else if let Some(g) = r.referenced_group_info() {
        RulePeer::Group {
            group_id: string(g.group_id()),
            account_id: opt(g.user_id()),
            vpc_id: opt(g.vpc_id()),
            vpc_peering_connection_id: opt(g.vpc_peering_connection_id()),
        }
    } else {
        p.invalid(OP, format!("{owner}: rule without a peer"));
        return None;
    };
    Some(SecurityGroupRule {
        direction: if r.is_egress().unwrap_or(false) {
            Direction::Egress
        } else {
            Direction::Ingress
        },
        protocol,
        l4: L4Match::from_aws(protocol, r.from_port(), r.to_port()),
        peer,
        description: opt(r.description()).filter(|d| !d.is_empty()),
        id: Some(id),
    })
}

/// Lists, then one GetManagedPrefixListEntries series per list (AWS offers no bulk call).
pub async fn managed_prefix_lists(
    ec2: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<ManagedPrefixList> {
    const OP: Operation = Operation::GetManagedPrefixListEntries;
    let lists = match fetch_all!(
        Operation::DescribeManagedPrefixLists,
        ec2.describe_managed_prefix_lists()
            .max_results(pg.size(100))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let ids = lists.iter().map(|l| string(l.prefix_list_id()));
    let fetched = for_each_item(ids, concurrency, |id| async move {
        fetch_all!(
            Operation::GetManagedPrefixListEntries,
            ec2.get_managed_prefix_list_entries()
                .prefix_list_id(&id)
                .max_results(pg.size(100))
        )
    })
    .await;
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(fetched.len());
    for (l, (id, entries)) in lists.iter().zip(fetched) {
        let entries = match entries {
            Ok(es) => es
                .iter()
                .filter_map(|e| {
                    Some(PrefixListEntry {
                        cidr: p.parse_about(OP, "CIDR", &id, e.cidr()?)?,
                        description: opt(e.description()),
                    })
                })
                .collect(),
            Err(f) => {
                p.failures.push(f.about(&id));
                Vec::new()
            }
        };
        out.push(ManagedPrefixList {
            name: opt(l.prefix_list_name()),
            arn: opt(l.prefix_list_arn()),
            address_family: opt(l.address_family()),
            owner_id: opt(l.owner_id()),
            max_entries: l.max_entries(),
            state: l.state().map(|s| s.as_str().to_string()),
            entries,
            tags: ec2_tags(l.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}
