use std::collections::HashMap;

use aws_sdk_ec2::types::{
    ApplianceModeSupportValue, DefaultRouteTableAssociationValue,
    DefaultRouteTablePropagationValue, Filter, Ipv6SupportValue,
    SecurityGroupReferencingSupportValue,
};
use aws_sdk_ec2::Client;

use crate::collect::convert::{ec2_tags, for_each_item, opt, string, strings, Outcome, Problems};
use crate::collect::error::ApiFailure;
use crate::collect::Paging;
use crate::fetch_all;
use crate::inventory::{
    GapKind, Operation, RouteDestination, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRoute, TransitGatewayRouteAttachment, TransitGatewayRouteTable,
    TransitGatewayRouteTableLink,
};

pub async fn transit_gateways(ec2: &Client, pg: Paging) -> Outcome<TransitGateway> {
    match fetch_all!(
        Operation::DescribeTransitGateways,
        ec2.describe_transit_gateways().max_results(pg.size(1000))
    ) {
        Ok(raw) => Outcome::new(
            raw.iter()
                .map(|t| {
                    let o = t.options();
                    TransitGateway {
                        id: string(t.transit_gateway_id()),
                        arn: opt(t.transit_gateway_arn()),
                        owner_id: opt(t.owner_id()),
                        state: t.state().map(|s| s.as_str().to_string()),
                        default_route_table_association: matches!(
                            o.and_then(|o| o.default_route_table_association()),
                            Some(DefaultRouteTableAssociationValue::Enable)
                        ),
                        default_route_table_propagation: matches!(
                            o.and_then(|o| o.default_route_table_propagation()),
                            Some(DefaultRouteTablePropagationValue::Enable)
                        ),
                        association_default_route_table_id: o
                            .and_then(|o| opt(o.association_default_route_table_id())),
                        propagation_default_route_table_id: o
                            .and_then(|o| opt(o.propagation_default_route_table_id())),
                        security_group_referencing_support: matches!(
                            o.and_then(|o| o.security_group_referencing_support()),
                            Some(SecurityGroupReferencingSupportValue::Enable)
                        ),
                        tags: ec2_tags(t.tags()),
                    }
                })
                .collect(),
            Problems::default(),
        ),
        Err(f) => Outcome::failed(f),
    }
}

/// All attachments, with the subnets and options of VPC attachments merged in from
/// DescribeTransitGatewayVpcAttachments.
pub async fn transit_gateway_attachments(
    ec2: &Client,
    pg: Paging,
) -> Outcome<TransitGatewayAttachment> {
    let (all, vpc) = tokio::join!(
        async {
            fetch_all!(
                Operation::DescribeTransitGatewayAttachments,
                ec2.describe_transit_gateway_attachments()
                    .max_results(pg.size(1000))
            )
        },
        async {
            fetch_all!(
                Operation::DescribeTransitGatewayVpcAttachments,
                ec2.describe_transit_gateway_vpc_attachments()
                    .max_results(pg.size(1000))
            )
        }
    );
    let all = match all {
        Ok(a) => a,
        Err(f) => return Outcome::failed(f),
    };
    let mut p = Problems::default();
    let vpc: HashMap<String, _> = match vpc {
        Ok(v) => v
            .into_iter()
            .map(|a| (string(a.transit_gateway_attachment_id()), a))
            .collect(),
        Err(f) => {
            p.failures.push(f);
            HashMap::new()
        }
    };
    let out = all
        .iter()
        .map(|a| {
            let id = string(a.transit_gateway_attachment_id());
            let v = vpc.get(&id);
            let opts = v.and_then(|v| v.options());
            TransitGatewayAttachment {
                transit_gateway_id: string(a.transit_gateway_id()),
                transit_gateway_owner_id: opt(a.transit_gateway_owner_id()),
                resource_type: a
                    .resource_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                resource_id: opt(a.resource_id()),
                resource_owner_id: opt(a.resource_owner_id()),
                state: a.state().map(|s| s.as_str().to_string()),
                association_route_table_id: a
                    .association()
                    .and_then(|s| opt(s.transit_gateway_route_table_id())),
                subnet_ids: v.map(|v| strings(v.subnet_ids())).unwrap_or_default(),
                security_group_referencing_support: matches!(
                    opts.and_then(|o| o.security_group_referencing_support()),
                    Some(SecurityGroupReferencingSupportValue::Enable)
                ),
                appliance_mode_support: matches!(
                    opts.and_then(|o| o.appliance_mode_support()),
                    Some(ApplianceModeSupportValue::Enable)
                ),
                ipv6_support: matches!(
                    opts.and_then(|o| o.ipv6_support()),
                    Some(Ipv6SupportValue::Enable)
                ),
                tags: ec2_tags(a.tags()),
                id,
            }
        })
        .collect();
    Outcome::new(out, p)
}

/// Tables, then per table its routes, associations and propagations (AWS has no bulk
/// call for these). Routes come from SearchTransitGatewayRoutes, a read-only call
/// and the only API that lists them.
pub async fn transit_gateway_route_tables(
    ec2: &Client,
    pg: Paging,
    concurrency: usize,
) -> Outcome<TransitGatewayRouteTable> {
    let tables = match fetch_all!(
        Operation::DescribeTransitGatewayRouteTables,
        ec2.describe_transit_gateway_route_tables()
            .max_results(pg.size(1000))
    ) {
        Ok(v) => v,
        Err(f) => return Outcome::failed(f),
    };
    let ids = tables
        .iter()
        .map(|t| string(t.transit_gateway_route_table_id()));
    let details = for_each_item(ids, concurrency, |id| async move {
        tokio::join!(
            search_routes(ec2, pg, &id),
            async {
                fetch_all!(
                    Operation::GetTransitGatewayRouteTableAssociations,
                    ec2.get_transit_gateway_route_table_associations()
                        .transit_gateway_route_table_id(&id)
                        .max_results(pg.size(1000))
                )
            },
            async {
                fetch_all!(
                    Operation::GetTransitGatewayRouteTablePropagations,
                    ec2.get_transit_gateway_route_table_propagations()
                        .transit_gateway_route_table_id(&id)
                        .max_results(pg.size(1000))
                )
            }
        )
    })
    .await;

    // Associations and propagations are different SDK types with the same fields.
    macro_rules! link {
        ($a:expr) => {
            TransitGatewayRouteTableLink {
                attachment_id: opt($a.transit_gateway_attachment_id()),
                resource_id: opt($a.resource_id()),
                resource_type: $a.resource_type().map(|t| t.as_str().to_string()),
                state: $a.state().map(|s| s.as_str().to_string()),
            }
        };
    }
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(details.len());
    for (t, (id, (routes, assocs, props))) in tables.iter().zip(details) {
        let routes = match or_gap(routes, &id, &mut p) {
            Some((routes, failures)) => {
                p.failures.extend(failures);
                routes
            }
            None => Vec::new(),
        };
        let associations = or_gap(assocs, &id, &mut p)
            .unwrap_or_default()
            .iter()
            .map(|a| link!(a))
            .collect();
        let propagations = or_gap(props, &id, &mut p)
            .unwrap_or_default()
            .iter()
            .map(|a| link!(a))
            .collect();
        out.push(TransitGatewayRouteTable {
            transit_gateway_id: string(t.transit_gateway_id()),
            state: t.state().map(|s| s.as_str().to_string()),
            default_association_route_table: t.default_association_route_table().unwrap_or(false),
            default_propagation_route_table: t.default_propagation_route_table().unwrap_or(false),
            routes,
            associations,
            propagations,
            tags: ec2_tags(t.tags()),
            id,
        });
    }
    Outcome::new(out, p)
}

/// The answer of a per-table call, or nothing with the failure recorded against the table.
fn or_gap<T>(answer: Result<T, ApiFailure>, table: &str, p: &mut Problems) -> Option<T> {
    answer.map_err(|f| p.failures.push(f.about(table))).ok()
}

async fn search_routes(
    ec2: &Client,
    pg: Paging,
    table_id: &str,
) -> Result<(Vec<TransitGatewayRoute>, Vec<ApiFailure>), ApiFailure> {
    const OP: Operation = Operation::SearchTransitGatewayRoutes;
    let resp = ec2
        .search_transit_gateway_routes()
        .transit_gateway_route_table_id(table_id)
        .filters(
            Filter::builder()
                .name("state")
                .values("active")
                .values("blackhole")
                .build(),
        )
        .max_results(pg.size(1000))
        .send()
        .await
        .map_err(|e| ApiFailure::from_sdk(OP, &e))?;
    let mut p = Problems::default();
    if resp.additional_routes_available().unwrap_or(false) {
        // The API has no pagination: past 1,000 routes the table is only partly known.
        p.failures.push(
            ApiFailure {
                operation: OP,
                kind: GapKind::Truncated,
                error_code: None,
                message: "more than 1000 routes; the rest were not returned".to_string(),
                resource: None,
            }
            .about(table_id),
        );
    }
    let routes = resp
        .routes()
        .iter()
        .filter_map(|r| {
            let destination = if let Some(c) = r.destination_cidr_block() {
                let net: ipnet::IpNet = p.parse_about(OP, "destination", table_id, c)?;
                match net {
                    ipnet::IpNet::V4(n) => RouteDestination::Ipv4(n),
                    ipnet::IpNet::V6(n) => RouteDestination::Ipv6(n),
                }
            } else {
                RouteDestination::PrefixList(r.prefix_list_id()?.to_string())
            };
            Some(TransitGatewayRoute {
                destination,
                state: r.state().map(|s| s.as_str().to_string()),
                route_type: r.r#type().map(|s| s.as_str().to_string()),
                attachments: r
                    .transit_gateway_attachments()
                    .iter()
                    .map(|a| TransitGatewayRouteAttachment {
                        attachment_id: opt(a.transit_gateway_attachment_id()),
                        resource_id: opt(a.resource_id()),
                        resource_type: a.resource_type().map(|t| t.as_str().to_string()),
                    })
                    .collect(),
            })
        })
        .collect();
    Ok((routes, p.failures))
}
