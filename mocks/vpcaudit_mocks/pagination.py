"""MaxResults/NextToken for EC2 Describe calls that moto 5.2.1 answers in one
piece (all of the listed ones except DescribeInstances, which moto pages
itself).

The shim strips MaxResults/NextToken before moto sees the request, lets moto
build the full answer, then keeps items [offset, offset+MaxResults) of the
result list and adds an opaque <nextToken> when more remain. Because the
paging happens only here, there is no double slicing.
"""

import base64
import binascii
import json
import threading
import uuid
from collections import OrderedDict
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from .request import AwsRequest, read_body, set_body

# action -> (XML element holding the result <item>s, MaxResults min, max).
# Names and ranges come from botocore's EC2 model; max None means the model
# has no limit and AWS silently caps the page at 1000.
PAGED: dict[str, tuple[str, int, int | None]] = {
    "DescribeVpcs": ("vpcSet", 5, 1000),
    "DescribeSubnets": ("subnetSet", 5, 1000),
    "DescribeRouteTables": ("routeTableSet", 5, 100),
    "DescribeInternetGateways": ("internetGatewaySet", 5, 1000),
    "DescribeEgressOnlyInternetGateways": ("egressOnlyInternetGatewaySet", 5, 255),
    "DescribeNatGateways": ("natGatewaySet", 5, 1000),
    "DescribeNetworkInterfaces": ("networkInterfaceSet", 5, 1000),
    "DescribeSecurityGroups": ("securityGroupInfo", 5, 1000),
    "DescribeSecurityGroupRules": ("securityGroupRuleSet", 5, 1000),
    "DescribeManagedPrefixLists": ("prefixListSet", 1, 100),
    "GetManagedPrefixListEntries": ("entrySet", 1, 100),
    "DescribeNetworkAcls": ("networkAclSet", 5, 1000),
    "DescribeVpcEndpoints": ("vpcEndpointSet", 1, None),
    "DescribeVpcPeeringConnections": ("vpcPeeringConnectionSet", 5, 1000),
    "DescribeTransitGateways": ("transitGatewaySet", 5, 1000),
    "DescribeTransitGatewayAttachments": ("transitGatewayAttachments", 5, 1000),
    "DescribeTransitGatewayVpcAttachments": ("transitGatewayVpcAttachments", 5, 1000),
    "DescribeTransitGatewayRouteTables": ("transitGatewayRouteTables", 5, 1000),
    "GetTransitGatewayRouteTableAssociations": ("associations", 5, 1000),
    "GetTransitGatewayRouteTablePropagations": (
        "transitGatewayRouteTablePropagations",
        5,
        1000,
    ),
    "DescribeFlowLogs": ("flowLogSet", 1, None),
    "DescribeInstances": ("reservationSet", 5, 1000),
}
AWS_PAGE_CAP = 1000
# moto pages DescribeInstances at 100 reservations unless told otherwise.
MOTO_UNLIMITED = "1000000"
TOKEN_PREFIX = "vpcaudit1."
# Later pages are cut from the answer moto gave for the first one, so a big list is
# serialised once per listing, not once per page (and stays consistent, as on AWS).
SNAPSHOT_LIMIT = 64
_snapshots: "OrderedDict[str, tuple[str, list, bytes]]" = OrderedDict()
_snapshots_lock = threading.Lock()


class PageError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Page:
    element: str
    offset: int
    limit: int | None  # None: everything from offset on
    action: str
    snapshot: str | None = None  # id of the first page's full answer


def encode_token(action: str, offset: int, snapshot: str | None = None) -> str:
    raw = json.dumps({"a": action, "o": offset, "s": snapshot}).encode()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode()


def decode_token(action: str, token: str) -> tuple[int, str | None]:
    try:
        if not token.startswith(TOKEN_PREFIX):
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :]))
        if data["a"] != action or int(data["o"]) < 0:
            raise ValueError
        return int(data["o"]), data.get("s")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise PageError("InvalidNextToken", f"The token '{token}' is invalid.")


def remember(status: str, headers: list, body: bytes) -> str:
    """Keep a first page's full answer; returns its snapshot id."""
    sid = uuid.uuid4().hex
    with _snapshots_lock:
        _snapshots[sid] = (status, headers, body)
        while len(_snapshots) > SNAPSHOT_LIMIT:
            _snapshots.popitem(last=False)
    return sid


def recall(page: "Page") -> tuple[str, list, bytes] | None:
    """The full answer a later page is cut from, if still kept."""
    if page.snapshot is None:
        return None
    with _snapshots_lock:
        return _snapshots.get(page.snapshot)


def _rewrite(environ: dict, drop: set[str], add: list[tuple[str, str]]) -> None:
    """Remove `drop` params from body and query string, append `add` to the body."""
    body = parse_qsl(read_body(environ).decode(), keep_blank_values=True)
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    body = [(k, v) for k, v in body if k not in drop] + add
    environ["QUERY_STRING"] = urlencode([(k, v) for k, v in query if k not in drop])
    set_body(environ, urlencode(body).encode())


def prepare(req: AwsRequest, environ: dict) -> Page | None:
    """Decide whether the shim pages this request; rewrite it for moto if so.
    Raises PageError for a bad MaxResults/NextToken."""
    if req.action not in PAGED:
        return None
    element, low, high = PAGED[req.action]
    max_results, token = req.param("MaxResults"), req.param("NextToken")
    instances = req.action == "DescribeInstances"
    if instances and any(k.startswith("InstanceId.") for k, _ in req.params):
        return None  # moto answers (and rejects InstanceId+MaxResults) itself
    # Make moto return every reservation so only the shim pages.
    add = [("MaxResults", MOTO_UNLIMITED)] if instances else []
    if max_results is None and token is None:
        if add:
            _rewrite(environ, set(), add)
        return None

    limit = None
    if max_results is not None:
        try:
            limit = int(max_results)
        except ValueError:
            limit = -1
        if limit < low or (high is not None and limit > high):
            upper = high if high is not None else "∞"
            raise PageError(
                "InvalidParameterValue",
                f"Value ( {max_results} ) for parameter maxResults is invalid. "
                f"Parameter must be between {low} and {upper}.",
            )
        limit = min(limit, AWS_PAGE_CAP)
    offset, snapshot = decode_token(req.action, token) if token else (0, None)
    _rewrite(environ, {"MaxResults", "NextToken"}, add)
    return Page(element, offset, limit, req.action, snapshot)


def apply(page: Page, body: bytes, snapshot: str | None = None) -> bytes:
    """Cut moto's full XML answer down to one page; the next token refers to
    `snapshot` (the stored full answer) when given."""
    root = ET.fromstring(body.strip())
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)

    for old in root.findall(q("nextToken")):  # moto's own token, if any
        root.remove(old)
    container = root.find(q(page.element))
    items = list(container) if container is not None else []
    end = len(items) if page.limit is None else page.offset + page.limit
    for i, item in enumerate(items):
        if not page.offset <= i < end:
            container.remove(item)
    if end < len(items):
        ET.SubElement(root, q("nextToken")).text = encode_token(page.action, end, snapshot)

    xml = ET.tostring(root, encoding="unicode", default_namespace=ns or None)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode()
