#!/usr/bin/env python3
"""Collection benchmark (not a test).

Seeds the emulator with `mocks/scenarios/scale.yaml` (default: 5,000 ENIs, 1,000
security groups, 100 VPCs over two regions), times `vpcaudit collect` (median of N runs,
release build), and compares the requests per API action, read from the emulator's
request log, with the minimum number of pages the collected data needs at each API's
maximum page size.

    python3 bench/collect/run.py [--runs 5] [--enis 5000] [--groups 1000] [--vpcs 100]

Only 127.0.0.1 is contacted.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ["us-east-1", "eu-west-1"]

# Largest MaxResults each list API accepts.
PAGE = {
    "DescribeVpcs": 1000, "DescribeSubnets": 1000, "DescribeRouteTables": 100,
    "DescribeInternetGateways": 1000, "DescribeEgressOnlyInternetGateways": 255,
    "DescribeNatGateways": 1000, "DescribeNetworkInterfaces": 1000, "DescribeInstances": 1000,
    "DescribeSecurityGroups": 1000, "DescribeSecurityGroupRules": 1000,
    "DescribeManagedPrefixLists": 100, "DescribeNetworkAcls": 100,
    "DescribeVpcEndpoints": 1000, "DescribeVpcPeeringConnections": 1000,
    "DescribeTransitGateways": 1000, "DescribeTransitGatewayAttachments": 1000,
    "DescribeTransitGatewayVpcAttachments": 1000, "DescribeTransitGatewayRouteTables": 1000,
    "DescribeFlowLogs": 1000, "ListFirewalls": 100, "ListFirewallPolicies": 100,
    "ListRuleGroups": 100,
    "ListFirewallRuleGroups": 100, "ListFirewallRuleGroupAssociations": 100,
    "ListFirewallDomainLists": 100, "ListFirewallConfigs": 10,
    "ListResolverQueryLogConfigs": 100, "ListResolverQueryLogConfigAssociations": 100,
    "ListResolverEndpoints": 100, "ListResolverRules": 100,
    "ListResolverRuleAssociations": 100,
}


def pages(n, size):
    # An empty answer still costs one request.
    return max(1, math.ceil(n / size))


def minimum_requests(inv):
    """Minimum requests per action for the data in the inventory."""
    need = Counter({"GetCallerIdentity": 1, "DescribeRegions": 1})
    for account in inv["accounts"]:
        for r in account["regions"]:
            count = {
                "DescribeVpcs": len(r["vpcs"]),
                "DescribeSubnets": len(r["subnets"]),
                "DescribeRouteTables": len(r["route_tables"]),
                "DescribeInternetGateways": len(r["internet_gateways"]),
                "DescribeEgressOnlyInternetGateways": len(r["egress_only_internet_gateways"]),
                "DescribeNatGateways": len(r["nat_gateways"]),
                "DescribeNetworkInterfaces": len(r["network_interfaces"]),
                # Reservations are not kept; one per instance is an upper bound.
                "DescribeInstances": len(r["instances"]),
                "DescribeSecurityGroups": len(r["security_groups"]),
                "DescribeSecurityGroupRules": sum(len(g["rules"]) for g in r["security_groups"]),
                "DescribeManagedPrefixLists": len(r["managed_prefix_lists"]),
                "DescribeNetworkAcls": len(r["network_acls"]),
                "DescribeVpcEndpoints": len(r["vpc_endpoints"]),
                "DescribeVpcPeeringConnections": len(r["vpc_peering_connections"]),
                "DescribeTransitGateways": len(r["transit_gateways"]),
                "DescribeTransitGatewayAttachments": len(r["transit_gateway_attachments"]),
                "DescribeTransitGatewayVpcAttachments": sum(
                    1 for a in r["transit_gateway_attachments"] if a["resource_type"] == "vpc"),
                "DescribeTransitGatewayRouteTables": len(r["transit_gateway_route_tables"]),
                "DescribeFlowLogs": len(r["flow_logs"]),
                "ListFirewalls": len(r["firewalls"]),
                "ListFirewallPolicies": len(r["firewall_policies"]),
                "ListRuleGroups": len(r["firewall_rule_groups"]),
            }
            dns = r.get("route53_resolver") or {}
            for action, key in [
                ("ListFirewallRuleGroups", "firewall_rule_groups"),
                ("ListFirewallRuleGroupAssociations", "firewall_rule_group_associations"),
                ("ListFirewallDomainLists", "firewall_domain_lists"),
                ("ListFirewallConfigs", "firewall_configs"),
                ("ListResolverQueryLogConfigs", "query_log_configs"),
                ("ListResolverQueryLogConfigAssociations", "query_log_config_associations"),
                ("ListResolverEndpoints", "resolver_endpoints"),
                ("ListResolverRules", "resolver_rules"),
                ("ListResolverRuleAssociations", "resolver_rule_associations"),
            ]:
                count[action] = len(dns.get(key) or [])
            for action, n in count.items():
                need[action] += pages(n, PAGE[action])
            # Calls AWS forces per item.
            for pl in r["managed_prefix_lists"]:
                need["GetManagedPrefixListEntries"] += pages(len(pl["entries"]), 100)
            for t in r["transit_gateway_route_tables"]:
                need["SearchTransitGatewayRoutes"] += 1
                need["GetTransitGatewayRouteTableAssociations"] += pages(len(t["associations"]), 1000)
                need["GetTransitGatewayRouteTablePropagations"] += pages(len(t["propagations"]), 1000)
            need["DescribeFirewall"] += len(r["firewalls"])
            need["DescribeLoggingConfiguration"] += len(r["firewalls"])
            need["DescribeFirewallPolicy"] += len(r["firewall_policies"])
            need["DescribeRuleGroup"] += len(r["firewall_rule_groups"])
            # Elastic Load Balancing: both APIs name their list call DescribeLoadBalancers
            # (pages of up to 400); listeners per ELBv2 load balancer, rules per ALB
            # listener, target health per target group, attributes per NLB target group.
            lbs = r.get("load_balancers", [])
            v2 = [lb for lb in lbs if lb["type"] != "classic"]
            groups = r.get("target_groups", [])
            need["DescribeLoadBalancers"] += pages(len(v2), 400) + pages(len(lbs) - len(v2), 400)
            need["DescribeListeners"] += len(v2)
            need["DescribeRules"] += sum(len(lb["listeners"] or []) for lb in v2
                                         if lb["type"] == "application")
            need["DescribeTargetGroups"] += pages(len(groups), 400)
            need["DescribeTargetHealth"] += len(groups)
            need["DescribeTargetGroupAttributes"] += sum(
                1 for g in groups
                if any(":loadbalancer/net/" in a for a in g["load_balancer_arns"]))
            # Tags, twenty resources a call: ELBv2 load balancers with target groups,
            # then the classic ones (no call when there is nothing to ask about).
            need["DescribeTags"] += (math.ceil((len(v2) + len(groups)) / 20)
                                     + math.ceil((len(lbs) - len(v2)) / 20))
            need["DescribeVpcAttribute"] += len(r["vpcs"])
            for g in dns.get("firewall_rule_groups") or []:
                need["ListFirewallRules"] += pages(len(g.get("rules") or []), 100)
            for dl in dns.get("firewall_domain_lists") or []:
                if not dl.get("managed_owner_name"):
                    need["ListFirewallDomains"] += pages(len(dl.get("domains") or []), 5000)
            for e in dns.get("resolver_endpoints") or []:
                need["ListResolverEndpointIpAddresses"] += pages(len(e.get("ip_addresses") or []), 100)
    return need


def control(port, method, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=60) as resp:
        return resp.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--enis", type=int, default=5000)
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--vpcs", type=int, default=100)
    ap.add_argument("--call-timeout", type=int, default=20,
                    help="vpcaudit --call-timeout; the emulator answers big pages slowly")
    args = ap.parse_args()

    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = ROOT / "target" / "release" / "vpcaudit"

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "mocks/server.py"), "--port", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("VPCAUDIT_MOTO_READY port="):
            sys.exit(f"emulator did not start: {line!r}")
        port = int(line.split("=", 1)[1])
        url = f"http://127.0.0.1:{port}"

        t0 = time.monotonic()
        subprocess.run(
            [sys.executable, str(ROOT / "mocks/seed.py"), "--endpoint", url,
             str(ROOT / "mocks/scenarios/scale.yaml"),
             "--set", f"enis={args.enis}", "--set", f"groups={args.groups}",
             "--set", f"vpcs={args.vpcs}"],
            check=True, stdout=subprocess.DEVNULL)
        seed_s = time.monotonic() - t0

        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_REGION="us-east-1", AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
        times, counts, inv = [], None, None
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "inventory.json"
            for _ in range(args.runs):
                control(port, "DELETE", "/_vpcaudit/requests")
                t0 = time.monotonic()
                subprocess.run([str(binary), "collect", "--regions", ",".join(REGIONS),
                                "--output", str(out), "--call-timeout", str(args.call_timeout)],
                               env=env, check=True)
                times.append(time.monotonic() - t0)
                log = json.loads(control(port, "GET", "/_vpcaudit/requests"))
                counts = Counter(r["action"] for r in log)
            inv = json.loads(out.read_text())
    finally:
        server.kill()

    need = minimum_requests(inv)
    regions = [r for a in inv["accounts"] for r in a["regions"]]
    print(f"machine: {os.cpu_count()} cores; seeded in {seed_s:.1f} s")
    print("data: " + ", ".join(
        f"{k}={sum(len(r[k]) for r in regions)}"
        for k in ["vpcs", "subnets", "network_interfaces", "security_groups", "route_tables",
                  "network_acls", "managed_prefix_lists"]))
    print(f"rules={sum(len(g['rules']) for r in regions for g in r['security_groups'])}, "
          f"gaps={len(inv['coverage'])}")
    for g in inv["coverage"]:
        print(f"  gap: {g['region']} {g['operation']}: {g['kind']}: {g['message']}")
    print(f"vpcaudit collect: median {statistics.median(times):.2f} s over {len(times)} runs "
          f"(min {min(times):.2f}, max {max(times):.2f})")
    print()
    print(f"| {'action':<42} | requests | minimum | over |")
    print(f"|{'-' * 44}|----------|---------|------|")
    total, total_min = 0, 0
    for action in sorted(set(counts) | set(need)):
        got, want = counts.get(action, 0), need.get(action, 0)
        total, total_min = total + got, total_min + want
        over = f"{(got - want) / want * 100:+.0f}%" if want else "n/a"
        print(f"| {action:<42} | {got:>8} | {want:>7} | {over:>4} |")
    print(f"| {'total':<42} | {total:>8} | {total_min:>7} | "
          f"{(total - total_min) / total_min * 100:+.0f}% |")
    return 0 if total <= total_min * 1.10 and not inv["coverage"] else 1


if __name__ == "__main__":
    sys.exit(main())
