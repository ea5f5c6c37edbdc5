"""Route 53 Resolver DNS Firewall, which moto 5.2.1 lacks: rule groups, rules,
domain lists (and their domains), rule group associations and firewall configs.

Installed by patching methods onto moto's Route53ResolverResponse, so they are
served by moto's normal awsJson1_1 dispatch (`X-Amz-Target:
Route53Resolver.<Action>`) next to moto's own resolver endpoints, rules and
query logging. State lives on moto's per-account, per-region
Route53ResolverBackend, so /moto-api/reset clears it too. Answers carry the
members of botocore's route53resolver model, in AWS's shapes.

AWS managed domain lists cannot be created through the API: a list created
with the tag `vpcaudit-mock:managed-owner-name` becomes one (the tag is taken
off), and its domains cannot be listed, as on AWS.
"""

import base64
import json
import secrets
from datetime import datetime, timezone
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.ec2.models import ec2_backends
from moto.route53resolver.models import Route53ResolverBackend
from moto.route53resolver.responses import Route53ResolverResponse

MANAGED_TAG = "vpcaudit-mock:managed-owner-name"
# AWS's range for association priorities (100..9900, the rest is reserved).
ASSOCIATION_PRIORITIES = range(100, 9901)


class ValidationError(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("ValidationException", message)


class ResourceNotFound(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("ResourceNotFoundException", message)


class Conflict(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("ConflictException", message)


# ---------------------------------------------------------------- state


class Store:
    """Per-backend DNS Firewall state, records keyed by id in creation order."""

    def __init__(self) -> None:
        self.rule_groups: dict[str, dict] = {}
        self.rules: dict[str, list[dict]] = {}  # rule group id -> rules
        self.domain_lists: dict[str, dict] = {}
        self.domains: dict[str, list[str]] = {}  # domain list id -> domains
        self.associations: dict[str, dict] = {}
        self.configs: dict[str, dict] = {}  # VPC id -> config


def store(backend: Route53ResolverBackend) -> Store:
    if not hasattr(backend, "vpcaudit_dns_firewall"):
        backend.vpcaudit_dns_firewall = Store()
    return backend.vpcaudit_dns_firewall


def _now() -> str:
    # Rfc3339TimeString, as AWS writes it.
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def _arn(backend, kind: str, id_: str) -> str:
    return f"arn:aws:route53resolver:{backend.region_name}:{backend.account_id}:{kind}/{id_}"


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _pick(rec: dict, keys: tuple[str, ...]) -> dict:
    return _clean({k: rec.get(k) for k in keys})


def page(items: list, token: str | None, max_results: Any, low: int = 1,
         high: int = 100) -> tuple[list, str | None]:
    """Offset pagination with an opaque token; MaxResults low..high (default high)."""
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        if start < 0:
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise JsonRESTError("InvalidNextTokenException", f"Invalid value passed for the NextToken parameter: {token}")
    size = high if max_results is None else max_results
    if not isinstance(size, int) or not low <= size <= high:
        raise ValidationError(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed "
            f"to satisfy constraint: Member must have value between {low} and {high}"
        )
    end = start + size
    more = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], more


def _listing(key: str, items: list, more: str | None) -> str:
    return json.dumps(_clean({"NextToken": more, key: items}))


def _require(body: dict, *names: str) -> None:
    missing = [n for n in names if body.get(n) in (None, "")]
    if missing:
        raise ValidationError(f"Missing required parameter(s): {', '.join(missing)}")


def _enum(body: dict, name: str, allowed: tuple[str, ...], required: bool = False) -> None:
    value = body.get(name)
    if value is None and not required:
        return
    if value not in allowed:
        raise ValidationError(
            f"Value '{value}' at '{name[0].lower() + name[1:]}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


def _vpc(backend, vpc_id: str) -> None:
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    if vpc_id not in ec2.vpcs:
        raise ResourceNotFound(f"[RSLVR-00500] Cannot find VPC with ID '{vpc_id}'")


def _get(records: dict, id_: str, what: str) -> dict:
    if id_ not in records:
        raise ResourceNotFound(f"[RSLVR-00500] Cannot find {what} with ID '{id_}'")
    return records[id_]


def _body(resp: Route53ResolverResponse) -> dict:
    return json.loads(resp.body or "{}")


# ---------------------------------------------------------------- rule groups

GROUP_KEYS = ("Id", "Arn", "Name", "RuleCount", "Status", "StatusMessage", "OwnerId",
              "CreatorRequestId", "ShareStatus", "CreationTime", "ModificationTime")
GROUP_METADATA_KEYS = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")


def _group(backend, rec: dict) -> dict:
    return _pick(dict(rec, RuleCount=len(store(backend).rules[rec["Id"]])), GROUP_KEYS)


def create_firewall_rule_group(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "CreatorRequestId", "Name")
    id_ = _id("rslvr-frg")
    now = _now()
    rec = {
        "Id": id_, "Arn": _arn(backend, "firewall-rule-group", id_), "Name": body["Name"],
        "Status": "COMPLETE", "StatusMessage": "Created Firewall Rule Group",
        "OwnerId": backend.account_id, "CreatorRequestId": body["CreatorRequestId"],
        "ShareStatus": "NOT_SHARED", "CreationTime": now, "ModificationTime": now,
    }
    s = store(backend)
    s.rule_groups[id_] = rec
    s.rules[id_] = []
    return json.dumps({"FirewallRuleGroup": _group(backend, rec)})


def get_firewall_rule_group(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "FirewallRuleGroupId")
    rec = _get(store(backend).rule_groups, body["FirewallRuleGroupId"], "firewall rule group")
    return json.dumps({"FirewallRuleGroup": _group(backend, rec)})


def list_firewall_rule_groups(self) -> str:
    body = _body(self)
    recs = list(store(self.route53resolver_backend).rule_groups.values())
    items, more = page(recs, body.get("NextToken"), body.get("MaxResults"))
    return _listing("FirewallRuleGroups", [_pick(r, GROUP_METADATA_KEYS) for r in items], more)


# ---------------------------------------------------------------- rules

RULE_KEYS = ("FirewallRuleGroupId", "FirewallDomainListId", "FirewallThreatProtectionId",
             "Name", "Priority", "Action", "BlockResponse", "BlockOverrideDomain",
             "BlockOverrideDnsType", "BlockOverrideTtl", "CreatorRequestId", "CreationTime",
             "ModificationTime", "FirewallDomainRedirectionAction", "Qtype",
             "DnsThreatProtection", "ConfidenceThreshold")


def create_firewall_rule(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "CreatorRequestId", "FirewallRuleGroupId", "Priority", "Action", "Name")
    _enum(body, "Action", ("ALLOW", "BLOCK", "ALERT"), required=True)
    _enum(body, "BlockResponse", ("NODATA", "NXDOMAIN", "OVERRIDE"))
    _enum(body, "DnsThreatProtection", ("DGA", "DNS_TUNNELING", "DICTIONARY_DGA"))
    _enum(body, "ConfidenceThreshold", ("LOW", "MEDIUM", "HIGH"))
    s = store(backend)
    group = body["FirewallRuleGroupId"]
    _get(s.rule_groups, group, "firewall rule group")
    domain_list, threat = body.get("FirewallDomainListId"), body.get("DnsThreatProtection")
    if (domain_list is None) == (threat is None):
        raise ValidationError(
            "A rule needs exactly one of FirewallDomainListId and DnsThreatProtection")
    if domain_list is not None:
        _get(s.domain_lists, domain_list, "firewall domain list")
    if threat is not None and body.get("ConfidenceThreshold") is None:
        raise ValidationError("ConfidenceThreshold is required with DnsThreatProtection")
    if body["Action"] == "BLOCK" and body.get("BlockResponse") is None:
        raise ValidationError("BlockResponse is required when Action is BLOCK")
    if any(r["Priority"] == body["Priority"] for r in s.rules[group]):
        raise Conflict(f"A rule with priority {body['Priority']} already exists in {group}")
    now = _now()
    rec = _pick(body, RULE_KEYS)
    rec.update(CreationTime=now, ModificationTime=now)
    if threat is not None:
        rec["FirewallThreatProtectionId"] = _id("rslvr-ftp")
    s.rules[group].append(rec)
    s.rule_groups[group]["ModificationTime"] = now
    return json.dumps({"FirewallRule": _pick(rec, RULE_KEYS)})


def list_firewall_rules(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "FirewallRuleGroupId")
    rules = _get(store(backend).rules, body["FirewallRuleGroupId"], "firewall rule group")
    # AWS lists a group's rules by priority.
    rules = sorted(rules, key=lambda r: r["Priority"])
    for key in ("Priority", "Action"):
        if body.get(key) is not None:
            rules = [r for r in rules if r[key] == body[key]]
    items, more = page(rules, body.get("NextToken"), body.get("MaxResults"))
    return _listing("FirewallRules", [_pick(r, RULE_KEYS) for r in items], more)


# ---------------------------------------------------------------- domain lists

LIST_KEYS = ("Id", "Arn", "Name", "DomainCount", "Status", "StatusMessage",
             "ManagedOwnerName", "CreatorRequestId", "CreationTime", "ModificationTime")
LIST_METADATA_KEYS = ("Id", "Arn", "Name", "CreatorRequestId", "ManagedOwnerName")


def _domain_list(backend, rec: dict) -> dict:
    return _pick(dict(rec, DomainCount=len(store(backend).domains[rec["Id"]])), LIST_KEYS)


def create_firewall_domain_list(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "CreatorRequestId", "Name")
    tags = {t.get("Key"): t.get("Value") for t in body.get("Tags") or []}
    id_ = _id("rslvr-fdl")
    now = _now()
    rec = {
        "Id": id_, "Arn": _arn(backend, "firewall-domain-list", id_), "Name": body["Name"],
        "Status": "COMPLETE", "StatusMessage": "Created Firewall Domain List",
        "ManagedOwnerName": tags.get(MANAGED_TAG),
        "CreatorRequestId": body["CreatorRequestId"],
        "CreationTime": now, "ModificationTime": now,
    }
    s = store(backend)
    s.domain_lists[id_] = rec
    s.domains[id_] = []
    return json.dumps({"FirewallDomainList": _domain_list(backend, rec)})


def get_firewall_domain_list(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "FirewallDomainListId")
    rec = _get(store(backend).domain_lists, body["FirewallDomainListId"], "firewall domain list")
    return json.dumps({"FirewallDomainList": _domain_list(backend, rec)})


def update_firewall_domains(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "FirewallDomainListId", "Operation")
    _enum(body, "Operation", ("ADD", "REMOVE", "REPLACE"), required=True)
    s = store(backend)
    rec = _get(s.domain_lists, body["FirewallDomainListId"], "firewall domain list")
    if rec.get("ManagedOwnerName"):
        raise ValidationError("The domains of a managed domain list cannot be changed")
    domains = body.get("Domains")
    if domains is None:
        raise ValidationError("Missing required parameter(s): Domains")
    current = s.domains[rec["Id"]]
    if body["Operation"] == "REPLACE":
        current[:] = []
    for d in domains:
        if body["Operation"] == "REMOVE":
            if d in current:
                current.remove(d)
        elif d not in current:
            current.append(d)
    rec["ModificationTime"] = _now()
    return json.dumps({"Id": rec["Id"], "Name": rec["Name"], "Status": "COMPLETE",
                       "StatusMessage": "Finished domain list update"})


def list_firewall_domain_lists(self) -> str:
    body = _body(self)
    recs = list(store(self.route53resolver_backend).domain_lists.values())
    items, more = page(recs, body.get("NextToken"), body.get("MaxResults"))
    return _listing("FirewallDomainLists", [_pick(r, LIST_METADATA_KEYS) for r in items], more)


def list_firewall_domains(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "FirewallDomainListId")
    s = store(backend)
    rec = _get(s.domain_lists, body["FirewallDomainListId"], "firewall domain list")
    if rec.get("ManagedOwnerName"):
        raise ValidationError("The domains of a managed domain list cannot be listed")
    items, more = page(s.domains[rec["Id"]], body.get("NextToken"), body.get("MaxResults"),
                       high=5000)
    return _listing("Domains", items, more)


# ---------------------------------------------------------------- associations

ASSOCIATION_KEYS = ("Id", "Arn", "FirewallRuleGroupId", "VpcId", "Name", "Priority",
                    "MutationProtection", "ManagedOwnerName", "Status", "StatusMessage",
                    "CreatorRequestId", "CreationTime", "ModificationTime")


def associate_firewall_rule_group(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "CreatorRequestId", "FirewallRuleGroupId", "VpcId", "Priority", "Name")
    _enum(body, "MutationProtection", ("ENABLED", "DISABLED"))
    s = store(backend)
    _get(s.rule_groups, body["FirewallRuleGroupId"], "firewall rule group")
    _vpc(backend, body["VpcId"])
    if body["Priority"] not in ASSOCIATION_PRIORITIES:
        raise ValidationError("Priority must be between 100 and 9900")
    for a in s.associations.values():
        if a["VpcId"] != body["VpcId"]:
            continue
        if a["FirewallRuleGroupId"] == body["FirewallRuleGroupId"]:
            raise Conflict("The rule group is already associated with the VPC")
        if a["Priority"] == body["Priority"]:
            raise Conflict(f"The VPC already has an association with priority {a['Priority']}")
    id_ = _id("rslvr-frgassoc")
    now = _now()
    rec = {
        "Id": id_, "Arn": _arn(backend, "firewall-rule-group-association", id_),
        "FirewallRuleGroupId": body["FirewallRuleGroupId"], "VpcId": body["VpcId"],
        "Name": body["Name"], "Priority": body["Priority"],
        "MutationProtection": body.get("MutationProtection") or "DISABLED",
        "Status": "COMPLETE", "StatusMessage": "Finished rule group association",
        "CreatorRequestId": body["CreatorRequestId"],
        "CreationTime": now, "ModificationTime": now,
    }
    s.associations[id_] = rec
    return json.dumps({"FirewallRuleGroupAssociation": _pick(rec, ASSOCIATION_KEYS)})


def list_firewall_rule_group_associations(self) -> str:
    body = _body(self)
    recs = list(store(self.route53resolver_backend).associations.values())
    for key in ("FirewallRuleGroupId", "VpcId", "Priority", "Status"):
        if body.get(key) is not None:
            recs = [r for r in recs if r[key] == body[key]]
    items, more = page(recs, body.get("NextToken"), body.get("MaxResults"))
    return _listing("FirewallRuleGroupAssociations",
                    [_pick(r, ASSOCIATION_KEYS) for r in items], more)


# ---------------------------------------------------------------- configs

CONFIG_KEYS = ("Id", "ResourceId", "OwnerId", "FirewallFailOpen")
FAIL_OPEN = ("ENABLED", "DISABLED", "USE_LOCAL_RESOURCE_SETTING")


def _config(backend, vpc_id: str, create: bool) -> dict | None:
    s = store(backend)
    if vpc_id not in s.configs and create:
        # AWS's default for a VPC: fail closed.
        s.configs[vpc_id] = {"Id": _id("rslvr-fc"), "ResourceId": vpc_id,
                             "OwnerId": backend.account_id, "FirewallFailOpen": "DISABLED"}
    return s.configs.get(vpc_id)


def update_firewall_config(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "ResourceId", "FirewallFailOpen")
    _enum(body, "FirewallFailOpen", FAIL_OPEN, required=True)
    _vpc(backend, body["ResourceId"])
    rec = _config(backend, body["ResourceId"], create=True)
    rec["FirewallFailOpen"] = body["FirewallFailOpen"]
    return json.dumps({"FirewallConfig": _pick(rec, CONFIG_KEYS)})


def get_firewall_config(self) -> str:
    body, backend = _body(self), self.route53resolver_backend
    _require(body, "ResourceId")
    _vpc(backend, body["ResourceId"])
    rec = _config(backend, body["ResourceId"], create=True)
    return json.dumps({"FirewallConfig": _pick(rec, CONFIG_KEYS)})


def list_firewall_configs(self) -> str:
    body = _body(self)
    recs = list(store(self.route53resolver_backend).configs.values())
    items, more = page(recs, body.get("NextToken"), body.get("MaxResults"), low=5, high=10)
    return _listing("FirewallConfigs", [_pick(r, CONFIG_KEYS) for r in items], more)


def install() -> None:
    for fn in (
        create_firewall_rule_group, get_firewall_rule_group, list_firewall_rule_groups,
        create_firewall_rule, list_firewall_rules,
        create_firewall_domain_list, get_firewall_domain_list, update_firewall_domains,
        list_firewall_domain_lists, list_firewall_domains,
        associate_firewall_rule_group, list_firewall_rule_group_associations,
        update_firewall_config, get_firewall_config, list_firewall_configs,
    ):
        setattr(Route53ResolverResponse, fn.__name__, fn)
