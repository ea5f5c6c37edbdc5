#!/usr/bin/env python3
"""End-to-end check of mocks/server.py with boto3. Exits 0 on success."""

import json
import os
import subprocess
import sys
import urllib.request

os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "server.py"), "--port", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("VPCAUDIT_MOTO_READY port="), f"bad ready line {line!r}"
    return proc, f"http://127.0.0.1:{line.split('=')[1]}"


def check(name: str, ok: bool) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {name}", flush=True)
    if not ok:
        sys.exit(1)


def main() -> None:
    proc, url = start_server()
    # No proxies at all: this traffic must stay on 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def control(method: str, path: str, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(url + "/_vpcaudit/" + path, data, method=method)
        return json.load(opener.open(req))

    def client(service: str, region: str = "us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=url,
                            aws_access_key_id="test", aws_secret_access_key="test")

    try:
        ec2 = client("ec2")
        control("DELETE", "requests")
        ec2.describe_vpcs()
        log = control("GET", "requests")
        check("request log records service/action/region/status",
              log == [{"service": "ec2", "action": "DescribeVpcs",
                       "region": "us-east-1", "status": 200}])

        control("POST", "faults", {"rules": [{
            "action": "DescribeNetworkAcls", "region": "eu-west-1",
            "error": "UnauthorizedOperation"}]})
        try:
            client("ec2", "eu-west-1").describe_network_acls()
            denied = None
        except ClientError as e:
            denied = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        check("fault: DescribeNetworkAcls denied in eu-west-1",
              denied == ("UnauthorizedOperation", 403))
        check("fault: DescribeNetworkAcls still fine in us-east-1",
              len(ec2.describe_network_acls()["NetworkAcls"]) >= 1)
        check("fault: faulted request logged with its status",
              {"service": "ec2", "action": "DescribeNetworkAcls",
               "region": "eu-west-1", "status": 403} in control("GET", "requests"))
        control("DELETE", "faults")

        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                              AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
            for i, az in enumerate("ab")
        ]
        created = {ec2.create_network_interface(SubnetId=subnets[0])["NetworkInterface"]
                   ["NetworkInterfaceId"] for _ in range(25)}
        control("DELETE", "requests")
        pages = ec2.get_paginator("describe_network_interfaces").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}],
            PaginationConfig={"PageSize": 10})
        ids = [eni["NetworkInterfaceId"] for p in pages for eni in p["NetworkInterfaces"]]
        calls = [r for r in control("GET", "requests")
                 if r["action"] == "DescribeNetworkInterfaces"]
        check("pagination: 25 ENIs over 3 pages, all ids, no dups",
              len(calls) == 3 and len(ids) == 25 and set(ids) == created)
        try:
            ec2.describe_network_interfaces(MaxResults=10, NextToken="bogus")
            code = None
        except ClientError as e:
            code = e.response["Error"]["Code"]
        check("pagination: foreign NextToken -> InvalidNextToken", code == "InvalidNextToken")

        nfw = client("network-firewall")
        rg = nfw.create_rule_group(
            RuleGroupName="allow-web", Type="STATEFUL", Capacity=100,
            Rules='pass tcp $HOME_NET any -> any 443 (sid:1;)')["RuleGroupResponse"]
        check("nfw: rule group ARN",
              rg["RuleGroupArn"].endswith(":stateful-rulegroup/allow-web"))
        got = nfw.describe_rule_group(RuleGroupName="allow-web", Type="STATEFUL")
        check("nfw: Rules populates RulesSource.RulesString",
              got["RuleGroup"]["RulesSource"]["RulesString"].startswith("pass tcp"))
        check("nfw: list rule groups",
              [g["Name"] for g in nfw.list_rule_groups(Type="STATEFUL")["RuleGroups"]]
              == ["allow-web"])
        policy_doc = {
            "StatelessDefaultActions": ["aws:forward_to_sfe"],
            "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
            "StatefulRuleGroupReferences": [{"ResourceArn": rg["RuleGroupArn"], "Priority": 1}],
            "StatefulEngineOptions": {"RuleOrder": "STRICT_ORDER"},
            "StatefulDefaultActions": ["aws:drop_established"],
            "PolicyVariables": {"RuleVariables": {"HOME_NET": {"Definition": ["10.0.0.0/16"]}}},
        }
        pol = nfw.create_firewall_policy(
            FirewallPolicyName="main", FirewallPolicy=policy_doc)["FirewallPolicyResponse"]
        got = nfw.describe_firewall_policy(FirewallPolicyArn=pol["FirewallPolicyArn"])
        check("nfw: firewall policy stored verbatim",
              got["FirewallPolicy"] == policy_doc
              and got["FirewallPolicyResponse"]["FirewallPolicyStatus"] == "ACTIVE")
        check("nfw: list firewall policies",
              [p["Arn"] for p in nfw.list_firewall_policies()["FirewallPolicies"]]
              == [pol["FirewallPolicyArn"]])

        nfw.create_firewall(
            FirewallName="fw", FirewallPolicyArn=pol["FirewallPolicyArn"], VpcId=vpc,
            SubnetMappings=[{"SubnetId": s} for s in subnets])
        desc = nfw.describe_firewall(FirewallName="fw")
        sync = desc["FirewallStatus"]["SyncStates"]
        endpoints = {az: s["Attachment"]["EndpointId"] for az, s in sync.items()}
        check("nfw: firewall READY with one attachment per AZ",
              desc["FirewallStatus"]["Status"] == "READY"
              and sorted(endpoints) == ["us-east-1a", "us-east-1b"]
              and desc["Firewall"]["FirewallId"])
        vpces = ec2.describe_vpc_endpoints(VpcEndpointIds=list(endpoints.values()))
        check("nfw: endpoints are GatewayLoadBalancer VPC endpoints",
              sorted(e["VpcEndpointId"] for e in vpces["VpcEndpoints"])
              == sorted(endpoints.values())
              and all(e["VpcEndpointType"] == "GatewayLoadBalancer"
                      for e in vpces["VpcEndpoints"]))
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                         VpcEndpointId=endpoints["us-east-1a"])
        routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        # EC2's Route shape has no VpcEndpointId: like AWS, moto reports a
        # GWLB-endpoint route target as GatewayId=vpce-...
        check("ec2: route targets the firewall endpoint (as GatewayId)",
              any(r.get("GatewayId") == endpoints["us-east-1a"] for r in routes))
        check("nfw: list firewalls",
              [f["FirewallName"] for f in nfw.list_firewalls()["Firewalls"]] == ["fw"])
        elbv2, elb = client("elbv2"), client("elb")
        nlb = elbv2.create_load_balancer(Name="ssh", Subnets=subnets, Type="network",
                                         Scheme="internet-facing")["LoadBalancers"][0]
        check("elb: an NLB's ARN reads loadbalancer/net/",
              ":loadbalancer/net/ssh/" in nlb["LoadBalancerArn"])
        suffix = nlb["LoadBalancerArn"].split(":loadbalancer/")[1]
        nodes = ec2.describe_network_interfaces(Filters=[
            {"Name": "description", "Values": [f"ELB {suffix}"]}])["NetworkInterfaces"]
        check("elb: a requester-managed node ENI per subnet, no groups",
              sorted(n["SubnetId"] for n in nodes) == sorted(subnets)
              and all(n["RequesterManaged"] and not n["Groups"]
                      and n["InterfaceType"] == "network_load_balancer" for n in nodes))
        tg = elbv2.create_target_group(Name="ssh", Protocol="TCP", Port=22,
                                       VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
        attrs = elbv2.describe_target_group_attributes(TargetGroupArn=tg)["Attributes"]
        check("elb: NLB target groups preserve client addresses by default",
              {"Key": "preserve_client_ip.enabled", "Value": "true"} in attrs)
        elb.create_load_balancer(
            LoadBalancerName="legacy", Subnets=subnets[:1],
            Listeners=[{"Protocol": "TCP", "LoadBalancerPort": 22, "InstancePort": 22}])
        control("POST", "faults", {"rules": [{
            "service": "elasticloadbalancing", "action": "DescribeLoadBalancers",
            "params": {"Version": "2012-06-01"}, "error": "AccessDenied", "status": 403}]})
        try:
            elb.describe_load_balancers()
            denied = None
        except ClientError as e:
            denied = e.response["Error"]["Code"]
        check("fault: the Classic API denied, ELBv2's call of the same name not",
              denied == "AccessDenied"
              and len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1)

        r53 = client("route53resolver")
        lists = [r53.create_firewall_domain_list(CreatorRequestId=f"l{i}", Name=f"l{i}")
                 ["FirewallDomainList"]["Id"] for i in range(7)]
        r53.update_firewall_domains(FirewallDomainListId=lists[0], Operation="ADD",
                                    Domains=["*.amazonaws.com.", "*."])
        group = r53.create_firewall_rule_group(CreatorRequestId="g", Name="g")
        group = group["FirewallRuleGroup"]["Id"]
        r53.create_firewall_rule(CreatorRequestId="r1", FirewallRuleGroupId=group,
                                 FirewallDomainListId=lists[0], Priority=200,
                                 Action="BLOCK", BlockResponse="NXDOMAIN", Name="all")
        r53.create_firewall_rule(CreatorRequestId="r2", FirewallRuleGroupId=group,
                                 DnsThreatProtection="DNS_TUNNELING",
                                 ConfidenceThreshold="HIGH", Priority=100, Action="BLOCK",
                                 BlockResponse="NODATA", Name="tunnels")
        r53.associate_firewall_rule_group(CreatorRequestId="a", FirewallRuleGroupId=group,
                                          VpcId=vpc, Priority=101, Name="a")
        r53.update_firewall_config(ResourceId=vpc, FirewallFailOpen="ENABLED")
        control("DELETE", "requests")
        pages = r53.get_paginator("list_firewall_domain_lists").paginate(
            PaginationConfig={"PageSize": 3})
        ids = [d["Id"] for p in pages for d in p["FirewallDomainLists"]]
        calls = [r for r in control("GET", "requests")
                 if r["action"] == "ListFirewallDomainLists"]
        check("dns firewall: 7 domain lists over 3 pages, in order",
              ids == lists and len(calls) == 3
              and calls[0]["service"] == "route53resolver")
        try:
            r53.list_firewall_rule_groups(MaxResults=5, NextToken="bogus")
            code = None
        except ClientError as e:
            code = e.response["Error"]["Code"]
        check("dns firewall: bad NextToken -> InvalidNextTokenException",
              code == "InvalidNextTokenException")
        rules = r53.list_firewall_rules(FirewallRuleGroupId=group)["FirewallRules"]
        check("dns firewall: rules by priority, threat protection with its id",
              [r["Priority"] for r in rules] == [100, 200]
              and rules[0]["FirewallThreatProtectionId"].startswith("rslvr-ftp-")
              and "FirewallDomainListId" not in rules[0])
        model = r53.meta.service_model
        answers = {
            "ListFirewallRuleGroups": r53.list_firewall_rule_groups(),
            "ListFirewallRules": r53.list_firewall_rules(FirewallRuleGroupId=group),
            "ListFirewallRuleGroupAssociations": r53.list_firewall_rule_group_associations(),
            "ListFirewallDomainLists": r53.list_firewall_domain_lists(),
            "ListFirewallDomains": r53.list_firewall_domains(FirewallDomainListId=lists[0]),
            "ListFirewallConfigs": r53.list_firewall_configs(),
        }
        def unknown_members(shape, value, path):
            if shape.type_name == "structure":
                return [f"{path}.{k}" for k in value if k not in shape.members] + [
                    x for k, v in value.items() if k in shape.members
                    for x in unknown_members(shape.members[k], v, f"{path}.{k}")]
            if shape.type_name == "list":
                return [x for v in value for x in unknown_members(shape.member, v, path)]
            return []
        bad = [x for op, answer in answers.items()
               for x in unknown_members(model.operation_model(op).output_shape,
                                        {k: v for k, v in answer.items()
                                         if k != "ResponseMetadata"}, op)]
        check("dns firewall: answers use only the model's members", bad == [])
        control("POST", "faults", {"rules": [{
            "service": "route53resolver", "action": "ListFirewallConfigs",
            "error": "AccessDeniedException"}]})
        try:
            r53.list_firewall_configs()
            code = None
        except ClientError as e:
            code = e.response["Error"]["Code"]
        check("fault: route53resolver ListFirewallConfigs denied",
              code == "AccessDeniedException")
        control("DELETE", "faults")
        print("selfcheck passed")
    finally:
        proc.stdin.close()  # the server exits on stdin EOF
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
