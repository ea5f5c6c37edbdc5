"""Fixes for moto 5.2.1 EC2 bugs that would make an auditor see the wrong
network. Each patch names the bug it works around."""

import functools
from typing import Any

from moto.ec2.exceptions import (
    DuplicateTransitGatewayAttachmentError,
    InvalidTransitGatewayID,
    ResourceAlreadyAssociatedError,
)
from moto.ec2.models import EC2Backend
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ec2.models.subnets import Subnet
from moto.ec2.models.transit_gateway import TransitGateway
from moto.ec2.models.transit_gateway_attachments import (
    TransitGatewayAttachment,
    TransitGatewayVpcAttachment,
)
from moto.ec2.responses.network_acls import NetworkACLs

# ---------------------------------------------------------------- NACL ICMP
# moto reads `Icmp.Code`/`Icmp.Type`, but its model-driven parser files the
# wire's `Icmp.*` under the member name `IcmpTypeCode`, so ICMP type/code
# were silently dropped from NACL entries.


def _with_icmp_alias(method):
    @functools.wraps(method)
    def wrapper(self):
        if "IcmpTypeCode" in self.params:
            self.params.setdefault("Icmp", self.params["IcmpTypeCode"])
        return method(self)

    return wrapper


# ---------------------------------------------------------------- subnet IPv6
# moto nests the whole {"State": ...} dict inside State, so SDKs read
# "{'State': 'associated'}" as the subnet IPv6 CIDR state.


def _subnet_ipv6_associations(self: Subnet) -> list[dict[str, Any]]:
    return [
        {
            "ipv6CidrBlock": a["ipv6CidrBlock"],
            "associationId": a["associationId"],
            "ipv6CidrBlockState": {"state": a["ipv6CidrBlockState"]["State"]},
        }
        for a in self.ipv6_cidr_block_associations.values()
        if a["ipv6CidrBlockState"]["State"] == "associated"
    ]


# ---------------------------------------------------------------- TGW
# moto always associates a new VPC attachment with the default route table
# (ignoring DefaultRouteTableAssociation), never propagates to it (ignoring
# DefaultRouteTablePropagation), keeps reporting that default association in
# DescribeTransitGatewayAttachments after an explicit associate, lets an
# attachment be associated with two tables, and crashes on disassociating the
# default one. Below, the route tables' association records are the single
# source of truth.


def _tgw_init(self: TransitGateway, *args, **kwargs) -> None:
    _orig_tgw_init(self, *args, **kwargs)
    table = self.default_route_table
    table.default_association_route_table = self.options["DefaultRouteTableAssociation"] == "enable"
    table.default_propagation_route_table = self.options["DefaultRouteTablePropagation"] == "enable"
    # AWS omits the default table id for a disabled default behaviour.
    if not table.default_association_route_table:
        self.options.pop("AssociationDefaultRouteTableId", None)
    if not table.default_propagation_route_table:
        self.options.pop("PropagationDefaultRouteTableId", None)
    if not (table.default_association_route_table or table.default_propagation_route_table):
        # With both disabled AWS creates no default route table at all.
        self.ec2_backend.transit_gateways_route_tables.pop(table.id)


def _attachment_association(self: TransitGatewayAttachment) -> dict | None:
    for table in self.ec2_backend.transit_gateways_route_tables.values():
        if self.id in table.route_table_associations and table.state != "deleted":
            return {"State": "associated", "TransitGatewayRouteTableId": table.id}
    return None


def create_transit_gateway_vpc_attachment(
    self: EC2Backend,
    transit_gateway_id: str,
    vpc_id: str,
    subnet_ids: list[str],
    tags: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
) -> TransitGatewayVpcAttachment:
    tgw = self.transit_gateways.get(transit_gateway_id)
    if tgw is None:
        raise InvalidTransitGatewayID(
            transit_gateway_id,
            f"Transit Gateway {transit_gateway_id} was deleted or does not exist.",
        )
    if self.describe_transit_gateway_vpc_attachments(
        filters={"transit-gateway-id": transit_gateway_id, "vpc-id": [vpc_id]}
    ):
        raise DuplicateTransitGatewayAttachmentError(transit_gateway_id)
    att = TransitGatewayVpcAttachment(
        self, transit_gateway=tgw, tags=tags, vpc_id=vpc_id,
        subnet_ids=subnet_ids, options=options,
    )
    self.transit_gateway_attachments[att.id] = att
    if "AssociationDefaultRouteTableId" in tgw.options:
        self.associate_transit_gateway_route_table(
            att.id, tgw.options["AssociationDefaultRouteTableId"]
        )
    if "PropagationDefaultRouteTableId" in tgw.options:
        self.enable_transit_gateway_route_table_propagation(
            att.id, tgw.options["PropagationDefaultRouteTableId"]
        )
    return att


def _associate(self: EC2Backend, transit_gateway_attachment_id: str,
               transit_gateway_route_table_id: str):
    att = self.transit_gateway_attachments.get(transit_gateway_attachment_id)
    if att is not None and _attachment_association(att):
        raise ResourceAlreadyAssociatedError(transit_gateway_attachment_id)
    return _orig_associate(self, transit_gateway_attachment_id, transit_gateway_route_table_id)


# SearchTransitGatewayRoutes: moto stores a static route's attachment as a
# dict where the model wants a list (so SDKs see no attachment), slices a
# dict when MaxResults is given (500), and never reports propagated routes.


def _route_attachments(route: dict) -> list[dict]:
    atts = route.get("transitGatewayAttachments") or []
    return [atts] if isinstance(atts, dict) else atts


def _propagated_cidrs(backend: EC2Backend, att: TransitGatewayVpcAttachment) -> list[str]:
    vpc = backend.vpcs.get(att.resource_id)
    if vpc is None:
        return []
    assocs = vpc.get_cidr_block_association_set()
    if att.options.get("Ipv6Support") == "enable":
        assocs += vpc.get_cidr_block_association_set(ipv6=True)
    return [a["cidr_block"] for a in assocs if a["cidr_block_state"]["state"] == "associated"]


def search_transit_gateway_routes(
    self: EC2Backend, transit_gateway_route_table_id: str, filters: Any,
    max_results: int | None = None,
) -> list[dict]:
    table = self.transit_gateways_route_tables.get(transit_gateway_route_table_id)
    if table is None:
        return []
    routes = {
        cidr: dict(r, transitGatewayAttachments=_route_attachments(r))
        for cidr, r in table.routes.items()
    }
    for prop in table.route_table_propagation:
        att = self.transit_gateway_attachments.get(prop.transitGatewayAttachmentId)
        if prop.state != "enabled" or att is None or att.resource_type != "vpc":
            continue
        for cidr in _propagated_cidrs(self, att):
            routes.setdefault(cidr, {  # a static route for the same CIDR wins
                "destinationCidrBlock": cidr, "type": "propagated", "state": "active",
                "transitGatewayAttachments": [{
                    "resourceId": att.resource_id, "resourceType": "vpc",
                    "transitGatewayAttachmentId": att.id,
                }],
            })
    wanted = {"type": "type", "state": "state", "route-search.exact-match": "destinationCidrBlock"}
    out = [
        r for r in routes.values()
        if all(not filters.get(f) or r.get(k) in filters[f] for f, k in wanted.items())
    ]
    return out[: int(max_results)] if max_results else out


# ------------------------------------------------------- SG rule descriptions
# DescribeSecurityGroupRules reads a rule's description from its CIDR only, so
# rules naming a group or a prefix list lost theirs (DescribeSecurityGroups kept it).

_orig_rule_init = None


def _rule_init(self, *args, **kwargs):
    _orig_rule_init(self, *args, **kwargs)
    prefix_list = kwargs.get("prefix_list_id") if "prefix_list_id" in kwargs else (
        args[7] if len(args) > 7 else None)
    self._prefix_list_description = (prefix_list or {}).get("Description")


def _rule_description(self):
    return (
        self.ip_range.get("Description")
        or self.source_group.get("Description")
        or getattr(self, "_prefix_list_description", None)
    )


# ------------------------------------------------------- NACL implicit entries
# AWS lists the `*` deny (rule 32767, and 32768 for IPv6) in every NACL, and gives
# the default NACL of an IPv6 VPC allow rules 101 for ::/0. moto only adds the IPv4
# entries, and only to default NACLs.

_orig_create_nacl = None


def _create_network_acl(self, vpc_id, tags=None, default=False):
    acl = _orig_create_nacl(self, vpc_id, tags=tags, default=default)
    ipv6 = bool(self.get_vpc(vpc_id).get_cidr_block_association_set(ipv6=True))
    entries = []
    if not default:
        entries += [(32767, "deny", egress, "0.0.0.0/0", None) for egress in (True, False)]
    if ipv6:
        if default:
            entries += [(101, "allow", egress, None, "::/0") for egress in (True, False)]
        entries += [(32768, "deny", egress, None, "::/0") for egress in (True, False)]
    for number, action, egress, cidr, ipv6_cidr in entries:
        self.create_network_acl_entry(
            network_acl_id=acl.id, rule_number=number, protocol="-1",
            rule_action=action, egress=egress, cidr_block=cidr, icmp_code=None,
            icmp_type=None, port_range_from=None, port_range_to=None,
            ipv6_cidr_block=ipv6_cidr,
        )
    return acl


def install() -> None:
    global _orig_tgw_init, _orig_associate, _orig_rule_init, _orig_create_nacl
    _orig_rule_init = SecurityGroupRule.__init__
    _orig_create_nacl = EC2Backend.create_network_acl
    EC2Backend.create_network_acl = _create_network_acl
    SecurityGroupRule.__init__ = _rule_init
    SecurityGroupRule.description = property(_rule_description)
    for name in ("create_network_acl_entry", "replace_network_acl_entry"):
        setattr(NetworkACLs, name, _with_icmp_alias(getattr(NetworkACLs, name)))
    Subnet.ipv6_cidr_block_association_set = property(_subnet_ipv6_associations)
    _orig_tgw_init = TransitGateway.__init__
    TransitGateway.__init__ = _tgw_init
    TransitGatewayAttachment.association = property(_attachment_association)
    _orig_associate = EC2Backend.associate_transit_gateway_route_table
    EC2Backend.associate_transit_gateway_route_table = _associate
    EC2Backend.create_transit_gateway_vpc_attachment = create_transit_gateway_vpc_attachment
    EC2Backend.search_transit_gateway_routes = search_transit_gateway_routes
