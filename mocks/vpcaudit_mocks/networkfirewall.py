"""Network Firewall APIs moto 5.2.1 lacks (firewall policies, rule groups)
plus AWS-shaped CreateFirewall/DescribeFirewall/ListFirewalls.

Installed by patching methods onto moto's NetworkFirewallResponse, so they
are served by moto's normal awsJson1_0 dispatch (`X-Amz-Target:
NetworkFirewall_20201112.<Action>`). State lives on moto's per-account,
per-region NetworkFirewallBackend, so /moto-api/reset clears it too.
"""

import base64
import json
import secrets
import time
import uuid
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.ec2.models import ec2_backends
from moto.networkfirewall.models import NetworkFirewallBackend, NetworkFirewallModel
from moto.networkfirewall.responses import NetworkFirewallResponse

DEFAULT_ENCRYPTION = {"Type": "AWS_OWNED_KMS_KEY"}


class ResourceNotFound(JsonRESTError):
    def __init__(self, what: str):
        super().__init__("ResourceNotFoundException", f"{what} not found")


class InvalidRequest(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("InvalidRequestException", message)


# ---------------------------------------------------------------- state


class Store:
    """Extra per-backend state. Policies and rule groups are plain dicts
    holding the request fields plus generated ids."""

    def __init__(self) -> None:
        self.policies: dict[str, dict] = {}  # arn -> record
        self.rule_groups: dict[str, dict] = {}
        self.firewall_ids: dict[str, str] = {}  # firewall arn -> FirewallId
        # firewall arn -> {az: {"SubnetId", "EndpointId"}}
        self.attachments: dict[str, dict[str, dict]] = {}


def store(backend: NetworkFirewallBackend) -> Store:
    if not hasattr(backend, "vpcaudit"):
        backend.vpcaudit = Store()
    return backend.vpcaudit


def arn(backend: NetworkFirewallBackend, kind: str, name: str) -> str:
    return (
        f"arn:aws:network-firewall:{backend.region_name}:"
        f"{backend.account_id}:{kind}/{name}"
    )


def find(records: dict[str, dict], what: str, arn_: str | None, name: str | None,
         **extra: Any) -> dict:
    if arn_ in records:
        return records[arn_]
    for rec in records.values():
        if name and rec["name"] == name and all(rec[k] == v for k, v in extra.items() if v):
            return rec
    raise ResourceNotFound(f"{what} {arn_ or name}")


def page(items: list, token: str | None, max_results: Any) -> tuple[list, str | None]:
    """Offset pagination with an opaque token; MaxResults 1..100, default 100."""
    try:
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
    except ValueError:
        raise JsonRESTError("InvalidTokenException", f"Invalid token {token}")
    size = int(max_results or 100)
    if not 1 <= size <= 100:
        raise InvalidRequest("MaxResults must be between 1 and 100")
    end = start + size
    more = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], more


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _new_record(backend, kind: str, name: str, body: dict) -> dict:
    if not name:
        raise InvalidRequest("name is required")
    return {
        "name": name,
        "arn": arn(backend, kind, name),
        "id": str(uuid.uuid4()),
        "description": body.get("Description"),
        "tags": body.get("Tags") or [],
        "encryption": body.get("EncryptionConfiguration") or DEFAULT_ENCRYPTION,
        "update_token": str(uuid.uuid4()),
        "modified": time.time(),
    }


# ---------------------------------------------------------------- policies


def policy_response(backend, rec: dict) -> dict:
    doc = rec["policy"]
    refs = lambda key: {r.get("ResourceArn") for r in doc.get(key) or []}  # noqa: E731
    groups = store(backend).rule_groups
    capacity = lambda key: sum(  # noqa: E731
        groups[a]["capacity"] for a in refs(key) if a in groups
    )
    return _clean({
        "FirewallPolicyName": rec["name"],
        "FirewallPolicyArn": rec["arn"],
        "FirewallPolicyId": rec["id"],
        "Description": rec["description"],
        "FirewallPolicyStatus": "ACTIVE",
        "Tags": rec["tags"],
        "ConsumedStatelessRuleCapacity": capacity("StatelessRuleGroupReferences"),
        "ConsumedStatefulRuleCapacity": capacity("StatefulRuleGroupReferences"),
        "NumberOfAssociations": sum(
            fw.firewall_policy_arn == rec["arn"] for fw in backend.firewalls.values()
        ),
        "EncryptionConfiguration": rec["encryption"],
        "LastModifiedTime": rec["modified"],
    })


def create_firewall_policy(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    rec = _new_record(backend, "firewall-policy", body.get("FirewallPolicyName"), body)
    if rec["arn"] in store(backend).policies:
        raise InvalidRequest(f"A firewall policy named {rec['name']} already exists")
    if "FirewallPolicy" not in body:
        raise InvalidRequest("FirewallPolicy is required")
    rec["policy"] = body["FirewallPolicy"]  # stored verbatim
    if not body.get("DryRun"):
        store(backend).policies[rec["arn"]] = rec
    return json.dumps({
        "UpdateToken": rec["update_token"],
        "FirewallPolicyResponse": policy_response(backend, rec),
    })


def describe_firewall_policy(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    rec = find(store(backend).policies, "Firewall policy",
               body.get("FirewallPolicyArn"), body.get("FirewallPolicyName"))
    return json.dumps({
        "UpdateToken": rec["update_token"],
        "FirewallPolicyResponse": policy_response(backend, rec),
        "FirewallPolicy": rec["policy"],
    })


def update_firewall_policy(self) -> str:
    """Replaces the policy document, as AWS does, given the current update token."""
    body, backend = _body(self), self.networkfirewall_backend
    rec = find(store(backend).policies, "Firewall policy",
               body.get("FirewallPolicyArn"), body.get("FirewallPolicyName"))
    if body.get("UpdateToken") != rec["update_token"]:
        raise InvalidRequest("UpdateToken does not match the policy's current token")
    if "FirewallPolicy" not in body:
        raise InvalidRequest("FirewallPolicy is required")
    if not body.get("DryRun"):
        rec["policy"] = body["FirewallPolicy"]
        rec["update_token"] = str(uuid.uuid4())
        rec["modified"] = time.time()
    return json.dumps({
        "UpdateToken": rec["update_token"],
        "FirewallPolicyResponse": policy_response(backend, rec),
    })


def list_firewall_policies(self) -> str:
    body = _body(self)
    recs = list(store(self.networkfirewall_backend).policies.values())
    items, token = page(recs, body.get("NextToken"), body.get("MaxResults"))
    return json.dumps(_clean({
        "FirewallPolicies": [{"Name": r["name"], "Arn": r["arn"]} for r in items],
        "NextToken": token,
    }))


# ---------------------------------------------------------------- rule groups


def rule_group_response(backend, rec: dict) -> dict:
    policies = store(backend).policies.values()
    refs = [
        ref.get("ResourceArn")
        for p in policies
        for key in ("StatelessRuleGroupReferences", "StatefulRuleGroupReferences")
        for ref in p["policy"].get(key) or []
    ]
    return _clean({
        "RuleGroupArn": rec["arn"],
        "RuleGroupName": rec["name"],
        "RuleGroupId": rec["id"],
        "Description": rec["description"],
        "Type": rec["type"],
        "Capacity": rec["capacity"],
        "RuleGroupStatus": "ACTIVE",
        "Tags": rec["tags"],
        "ConsumedCapacity": 0,
        "NumberOfAssociations": refs.count(rec["arn"]),
        "EncryptionConfiguration": rec["encryption"],
        "SourceMetadata": rec.get("source_metadata"),
        "LastModifiedTime": rec["modified"],
    })


def create_rule_group(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    kind = body.get("Type")
    if kind not in ("STATEFUL", "STATELESS"):
        raise InvalidRequest("Type must be STATEFUL or STATELESS")
    if body.get("Capacity") is None:
        raise InvalidRequest("Capacity is required")
    name = body.get("RuleGroupName")
    rec = _new_record(backend, f"{kind.lower()}-rulegroup", name, body)
    if rec["arn"] in store(backend).rule_groups:
        raise InvalidRequest(f"A rule group named {name} already exists")
    group, rules = body.get("RuleGroup"), body.get("Rules")
    if (group is None) == (rules is None):
        raise InvalidRequest("Exactly one of RuleGroup and Rules must be given")
    # `Rules` is shorthand for a Suricata RulesString.
    group = group if group is not None else {"RulesSource": {"RulesString": rules}}
    rec.update(type=kind, capacity=body["Capacity"], rule_group=group,
               source_metadata=body.get("SourceMetadata"))
    if not body.get("DryRun"):
        store(backend).rule_groups[rec["arn"]] = rec
    return json.dumps({
        "UpdateToken": rec["update_token"],
        "RuleGroupResponse": rule_group_response(backend, rec),
    })


def describe_rule_group(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    rec = find(store(backend).rule_groups, "Rule group", body.get("RuleGroupArn"),
               body.get("RuleGroupName"), type=body.get("Type"))
    return json.dumps({
        "UpdateToken": rec["update_token"],
        "RuleGroup": rec["rule_group"],
        "RuleGroupResponse": rule_group_response(backend, rec),
    })


def list_rule_groups(self) -> str:
    body = _body(self)
    recs = list(store(self.networkfirewall_backend).rule_groups.values())
    if body.get("Scope") == "MANAGED":
        recs = []  # AWS-managed rule groups are not emulated
    if body.get("Type"):
        recs = [r for r in recs if r["type"] == body["Type"]]
    items, token = page(recs, body.get("NextToken"), body.get("MaxResults"))
    return json.dumps(_clean({
        "RuleGroups": [{"Name": r["name"], "Arn": r["arn"]} for r in items],
        "NextToken": token,
    }))


# ---------------------------------------------------------------- firewalls


def firewall_dict(backend, fw: NetworkFirewallModel) -> dict:
    return _clean({
        "FirewallName": fw.firewall_name,
        "FirewallArn": fw.arn,
        "FirewallId": store(backend).firewall_ids.get(fw.arn),
        "FirewallPolicyArn": fw.firewall_policy_arn,
        "VpcId": fw.vpc_id,
        "SubnetMappings": fw.subnet_mappings,
        "DeleteProtection": fw.delete_protection,
        "SubnetChangeProtection": fw.subnet_change_protection,
        "FirewallPolicyChangeProtection": fw.firewall_policy_change_protection,
        "Description": fw.description,
        "Tags": fw.tags or [],
        "EncryptionConfiguration": fw.encryption_configuration or DEFAULT_ENCRYPTION,
        "EnabledAnalysisTypes": fw.enabled_analysis_types,
    })


def firewall_status(backend, fw: NetworkFirewallModel) -> dict:
    policy = store(backend).policies.get(fw.firewall_policy_arn)
    config = {}
    if policy:
        config[policy["arn"]] = {"SyncStatus": "IN_SYNC",
                                 "UpdateToken": policy["update_token"]}
    sync = {
        az: {"Attachment": dict(att, Status="READY"), "Config": config}
        for az, att in store(backend).attachments.get(fw.arn, {}).items()
    }
    return {
        "Status": "READY",
        "ConfigurationSyncStateSummary": "IN_SYNC",
        "SyncStates": sync,
    }


def _create_endpoints(backend, vpc_id: str, mappings: list[dict]) -> dict[str, dict]:
    """One GatewayLoadBalancer VPC endpoint per subnet, as AWS does, so the
    firewall's endpoints show up in EC2 and routes can target them."""
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    try:
        ec2.get_vpc(vpc_id)
        subnets = [ec2.get_subnet(m["SubnetId"]) for m in mappings]
    except Exception as e:  # moto raises InvalidVPCID/InvalidSubnetID
        raise InvalidRequest(str(e))
    azs = [s.availability_zone for s in subnets]
    if any(s.vpc_id != vpc_id for s in subnets) or len(set(azs)) != len(azs):
        raise InvalidRequest("Subnets must be in the firewall's VPC, one per AZ")
    service = f"com.amazonaws.vpce.{backend.region_name}.vpce-svc-{secrets.token_hex(9)[:17]}"
    out = {}
    for subnet in subnets:
        vpce = ec2.create_vpc_endpoint(
            vpc_id=vpc_id, service_name=service, endpoint_type="GatewayLoadBalancer",
            policy_document=None, route_table_ids=[], subnet_ids=[subnet.id],
        )
        out[subnet.availability_zone] = {"SubnetId": subnet.id, "EndpointId": vpce.id}
    return out


def create_firewall(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    name = body.get("FirewallName")
    if any(fw.firewall_name == name for fw in backend.firewalls.values()):
        raise InvalidRequest(f"A firewall named {name} already exists")
    mappings = body.get("SubnetMappings") or []
    attachments = _create_endpoints(backend, body.get("VpcId"), mappings)
    fw = backend.create_firewall(
        firewall_name=name,
        firewall_policy_arn=body.get("FirewallPolicyArn"),
        vpc_id=body.get("VpcId"),
        subnet_mappings=mappings,
        delete_protection=body.get("DeleteProtection", False),
        subnet_change_protection=body.get("SubnetChangeProtection", False),
        firewall_policy_change_protection=body.get("FirewallPolicyChangeProtection", False),
        description=body.get("Description"),
        tags=body.get("Tags"),
        encryption_configuration=body.get("EncryptionConfiguration"),
        enabled_analysis_types=body.get("EnabledAnalysisTypes"),
    )
    store(backend).firewall_ids[fw.arn] = str(uuid.uuid4())
    store(backend).attachments[fw.arn] = attachments
    return json.dumps({
        "Firewall": firewall_dict(backend, fw),
        "FirewallStatus": firewall_status(backend, fw),
    })


def describe_firewall(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    fw = _get_firewall(backend, body.get("FirewallArn"), body.get("FirewallName"))
    return json.dumps({
        "UpdateToken": fw.update_token,
        "Firewall": firewall_dict(backend, fw),
        "FirewallStatus": firewall_status(backend, fw),
    })


def list_firewalls(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    fws = list(backend.firewalls.values())
    if body.get("VpcIds"):
        fws = [fw for fw in fws if fw.vpc_id in body["VpcIds"]]
    items, token = page(fws, body.get("NextToken"), body.get("MaxResults"))
    return json.dumps(_clean({
        # AWS returns FirewallMetadata here, not full firewalls.
        "Firewalls": [{"FirewallName": f.firewall_name, "FirewallArn": f.arn} for f in items],
        "NextToken": token,
    }))


def _get_firewall(self: NetworkFirewallBackend, firewall_arn: str | None,
                  firewall_name: str | None) -> NetworkFirewallModel:
    # moto's version raises an Elasticsearch 409 error for unknown firewalls.
    fw = self.firewalls.get(firewall_arn or "")
    if fw is None:
        fw = next((f for f in self.firewalls.values()
                   if firewall_name and f.firewall_name == firewall_name), None)
    if fw is None:
        raise ResourceNotFound(f"Firewall {firewall_arn or firewall_name}")
    return fw


def describe_logging_configuration(self) -> str:
    body, backend = _body(self), self.networkfirewall_backend
    fw = _get_firewall(backend, body.get("FirewallArn"), body.get("FirewallName"))
    return json.dumps({
        "FirewallArn": fw.arn,
        # Unset logging reads back as an empty destination list, as on AWS.
        "LoggingConfiguration": fw.logging_configs or {"LogDestinationConfigs": []},
    })


def _body(resp: NetworkFirewallResponse) -> dict:
    return json.loads(resp.body or "{}")


def install() -> None:
    NetworkFirewallBackend._get_firewall = _get_firewall
    for fn in (
        create_firewall_policy, describe_firewall_policy, list_firewall_policies,
        update_firewall_policy,
        create_rule_group, describe_rule_group, list_rule_groups,
        create_firewall, describe_firewall, list_firewalls,
        describe_logging_configuration,
    ):
        setattr(NetworkFirewallResponse, fn.__name__, fn)
