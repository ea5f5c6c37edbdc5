"""Elastic Load Balancing as AWS builds it, where moto 5.2.1 does not:

* A Network (Gateway) Load Balancer's ARN reads `loadbalancer/net/...`
  (`loadbalancer/gwy/...`); moto names every load balancer `loadbalancer/app/...`.
* Every load balancer has a node in each of its subnets: a requester-managed ENI
  (requester `amazon-elb`) with the load balancer's security groups, described
  `ELB app/<name>/<id>`, `ELB net/<name>/<id>` (interface type
  `network_load_balancer`), `ELB gwy/<name>/<id>` (`gateway_load_balancer`) or, for
  a classic one, `ELB <name>`. moto creates none, and vpcaudit finds the nodes
  through them. Their addresses are the highest free ones of the subnet, so a
  scenario seeds the same addresses every time.
* Other services' ENIs (an RDS instance's, ...) are requester-managed too, which no
  API can set: an ENI created with the tag `vpcaudit-mock:requester-id` (and
  optionally `vpcaudit-mock:interface-type`) is made requester-managed by that
  requester, with that interface type, and loses the tags.
* A Network Load Balancer's target group has the `preserve_client_ip.enabled`
  attribute, with AWS's default: on, except for `ip` targets over TCP or TLS.
"""

import ipaddress

from moto.ec2.models import EC2Backend
from moto.elb.models import ELBBackend
from moto.elbv2.models import ELBv2Backend, FakeTargetGroup

PRESERVE_CLIENT_IP = "preserve_client_ip.enabled"
NLB_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP")
KIND = {"application": "app", "network": "net", "gateway": "gwy"}
INTERFACE_TYPE = {"network": "network_load_balancer", "gateway": "gateway_load_balancer"}

REQUESTER_TAG = "vpcaudit-mock:requester-id"
INTERFACE_TYPE_TAG = "vpcaudit-mock:interface-type"

_orig_create_eni = None
_orig_v2_create = None
_orig_classic_create = None
_orig_tg_init = None


def _free_address(ec2, subnet) -> str:
    """The highest address of the subnet no ENI holds (AWS keeps the last one)."""
    net = ipaddress.ip_network(subnet.cidr_block)
    taken = {
        a["PrivateIpAddress"]
        for eni in ec2.enis.values()
        if eni.subnet is not None and eni.subnet.id == subnet.id
        for a in eni.private_ip_addresses
    }
    for n in range(int(net.broadcast_address) - 1, int(net.network_address) + 3, -1):
        ip = str(ipaddress.ip_address(n))
        if ip not in taken:
            return ip
    raise RuntimeError(f"subnet {subnet.id} has no free address for a load balancer node")


def _public_address(private: str) -> str:
    """A made-up public address for a node, the same every run (moto's are random)."""
    _, _, third, fourth = private.split(".")
    return f"52.94.{third}.{fourth}"


def _nodes(ec2, subnets, groups, description, interface_type, internet_facing) -> None:
    for subnet in subnets:
        private = _free_address(ec2, subnet)
        eni = ec2.create_network_interface(
            subnet, private, group_ids=groups or None, description=description,
        )
        if internet_facing:
            # AWS gives an internet-facing load balancer's nodes public addresses.
            eni.public_ip = _public_address(private)
        eni.requester_managed = True
        eni.requester_id = "amazon-elb"
        eni.interface_type = interface_type
        if not groups:
            # Without groups moto puts the VPC's default group on it; AWS none.
            eni._group_set = []


def create_network_interface(self: EC2Backend, subnet, private_ip_address,
                             private_ip_addresses=None, group_ids=None, description=None,
                             tags=None, *args, **kwargs):
    tags = dict(tags or {})
    requester = tags.pop(REQUESTER_TAG, None)
    interface_type = tags.pop(INTERFACE_TYPE_TAG, None)
    eni = _orig_create_eni(self, subnet, private_ip_address, private_ip_addresses, group_ids,
                           description, tags, *args, **kwargs)
    if requester:
        eni.requester_managed = True
        eni.requester_id = requester
    if interface_type:
        eni.interface_type = interface_type
    return eni


def create_load_balancer_v2(self: ELBv2Backend, *args, **kwargs):
    lb = _orig_v2_create(self, *args, **kwargs)
    kind = KIND.get(lb.type, "app")
    if kind != "app":
        old = lb.arn
        tags = self.tagging_service.get_tag_dict_for_resource(old)
        lb.arn = old.replace(":loadbalancer/app/", f":loadbalancer/{kind}/", 1)
        self.load_balancers = type(self.load_balancers)(
            (lb.arn if arn == old else arn, v) for arn, v in self.load_balancers.items()
        )
        self.tagging_service.delete_all_tags_for_resource(old)
        if tags:
            self.tagging_service.tag_resource(
                lb.arn, [{"Key": k, "Value": v} for k, v in tags.items()]
            )
    suffix = lb.arn.split(":loadbalancer/", 1)[1]
    _nodes(self.ec2_backend, lb.subnets, list(lb.security_groups or []), f"ELB {suffix}",
           INTERFACE_TYPE.get(lb.type, "interface"), lb.scheme == "internet-facing")
    return lb


def create_load_balancer_classic(self: ELBBackend, *args, **kwargs):
    from moto.ec2.models import ec2_backends

    lb = _orig_classic_create(self, *args, **kwargs)
    ec2 = ec2_backends[self.account_id][self.region_name]
    subnets = [ec2.get_subnet(s) for s in lb.subnets or []]
    _nodes(ec2, subnets, list(lb.security_groups or []), f"ELB {lb.name}", "interface",
           (lb.scheme or "internet-facing") == "internet-facing")
    return lb


def _tg_init(self: FakeTargetGroup, *args, **kwargs) -> None:
    _orig_tg_init(self, *args, **kwargs)
    if self.protocol in NLB_PROTOCOLS:
        off = self.target_type == "ip" and self.protocol in ("TCP", "TLS")
        self.attributes.setdefault(PRESERVE_CLIENT_IP, "false" if off else "true")


def install() -> None:
    global _orig_create_eni, _orig_v2_create, _orig_classic_create, _orig_tg_init
    _orig_create_eni = EC2Backend.create_network_interface
    EC2Backend.create_network_interface = create_network_interface
    _orig_v2_create = ELBv2Backend.create_load_balancer
    ELBv2Backend.create_load_balancer = create_load_balancer_v2
    _orig_classic_create = ELBBackend.create_load_balancer
    ELBBackend.create_load_balancer = create_load_balancer_classic
    _orig_tg_init = FakeTargetGroup.__init__
    FakeTargetGroup.__init__ = _tg_init
