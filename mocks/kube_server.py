#!/usr/bin/env python3
"""A fake Kubernetes API server for the vpcaudit test-suite: the read-only list
endpoints vpcaudit calls, in the shapes a real API server gives.

    python3 mocks/kube_server.py --scenario FILE [--port 0] [--host 127.0.0.1]

Prints `VPCAUDIT_KUBE_READY port=<port>` once listening, then nothing else on
stdout; exits when stdin hits EOF (like mocks/server.py).

Serves `GET /version` and cluster-wide lists of namespaces, pods, services,
networkpolicies, daemonsets, securitygrouppolicies and both clusternetworkpolicies
as `<Kind>List` objects whose items carry no kind/apiVersion of their own, with
`limit`/`continue` pagination; errors are `Status` objects (401, 403, 404, 500).

Scenario (YAML or JSON), every key optional:

    token: static-secret        # bearer token accepted as is
    eks: true                   # also accept well-formed EKS tokens (k8s-aws-v1.)
    version: {major: "1", minor: "31", gitVersion: "v1.31.4-eks-2d5f260"}
    page_size: 2                # the most items a page holds, whatever the limit
    objects:                    # resource -> items (resource: <group/version>/<plural>,
      v1/pods: [...]            # v1 for the core group)
    forbidden: [v1/pods]        # 403 Forbidden
    missing: [policy.networking.k8s.io/v1alpha2/clusternetworkpolicies]   # 404
    faults: {apps/v1/daemonsets: 500, v1/services: garbage}   # a status, or a body
                                                               # that is not JSON

Control API (no token needed): GET /_fake/requests lists every request served:
{method, path, query: {name: value}, status, auth: none|token|eks|bad, token_url
(the decoded URL of an EKS token)}; DELETE clears it.
"""

import argparse
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vpcaudit_mocks.lifecycle import watch_stdin  # noqa: E402

# resource -> list kind, for every resource served by default.
RESOURCES = {
    "v1/namespaces": "Namespace",
    "v1/pods": "Pod",
    "v1/services": "Service",
    "networking.k8s.io/v1/networkpolicies": "NetworkPolicy",
    "apps/v1/daemonsets": "DaemonSet",
    "vpcresources.k8s.aws/v1beta1/securitygrouppolicies": "SecurityGroupPolicy",
    "policy.networking.k8s.io/v1alpha2/clusternetworkpolicies": "ClusterNetworkPolicy",
    "networking.k8s.aws/v1alpha1/clusternetworkpolicies": "ClusterNetworkPolicy",
}
EKS_PREFIX = "k8s-aws-v1."
RESOURCE_VERSION = "4242"


def status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def resource_of(path: str) -> str | None:
    """`/api/v1/pods` -> `v1/pods`; `/apis/apps/v1/daemonsets` -> `apps/v1/daemonsets`."""
    parts = [p for p in path.split("/") if p]
    if len(parts) == 3 and parts[0] == "api":
        return "/".join(parts[1:])
    if len(parts) == 4 and parts[0] == "apis":
        return "/".join(parts[1:])
    return None


def decode_eks_token(token: str) -> str | None:
    body = token[len(EKS_PREFIX):]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def eks_token_ok(url: str) -> bool:
    """What the fake can check of a presigned URL: the operation, and that the
    cluster header is signed (its value is not in the URL)."""
    query = dict(parse_qsl(urlsplit(url).query))
    signed = query.get("X-Amz-SignedHeaders", "").split(";")
    return (query.get("Action") == "GetCallerIdentity"
            and query.get("Version") == "2011-06-15"
            and "x-k8s-aws-id" in signed and "host" in signed
            and query.get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256"
            and bool(query.get("X-Amz-Signature"))
            and query.get("X-Amz-Expires") == "60")


class Fake:
    def __init__(self, scenario: dict) -> None:
        self.scenario = scenario
        self.lock = threading.Lock()
        self.requests: list[dict] = []

    def log(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)

    def authenticate(self, header: str | None) -> tuple[str, str | None]:
        """(auth kind, decoded EKS URL)."""
        if not header or not header.startswith("Bearer "):
            return "none", None
        token = header[len("Bearer "):].strip()
        static = self.scenario.get("token")
        if static and token == static:
            return "token", None
        if self.scenario.get("eks") and token.startswith(EKS_PREFIX):
            url = decode_eks_token(token)
            if url is not None and eks_token_ok(url):
                return "eks", url
            return "bad", url
        return "bad", None

    def answer(self, path: str, query: dict) -> tuple[int, object]:
        if path == "/version":
            v = self.scenario.get("version") or {}
            return 200, {"major": str(v.get("major", "1")), "minor": str(v.get("minor", "31")),
                         "gitVersion": v.get("gitVersion", "v1.31.4"),
                         "platform": "linux/amd64"}
        resource = resource_of(path)
        kind = RESOURCES.get(resource) if resource else None
        objects = self.scenario.get("objects") or {}
        if resource in objects and kind is None:
            kind = resource.rsplit("/", 1)[-1].rstrip("s").capitalize()
        if kind is None or resource in (self.scenario.get("missing") or []):
            return 404, status(404, "NotFound", "the server could not find the requested resource")
        plural = resource.rsplit("/", 1)[-1]
        group = resource.rsplit("/", 2)[0] if resource.count("/") == 2 else ""
        if resource in (self.scenario.get("forbidden") or []):
            what = f'{plural}.{group.split("/")[0]}' if group else plural
            return 403, status(403, "Forbidden",
                               f'{what} is forbidden: User "test" cannot list resource '
                               f'"{plural}" in API group "{group.split("/")[0] if group else ""}" '
                               "at the cluster scope")
        fault = (self.scenario.get("faults") or {}).get(resource)
        if fault == "garbage":
            return 200, b"<html>not a list</html>"
        if isinstance(fault, int):
            return fault, status(fault, "InternalError", "an error on the server has prevented "
                                 "the request from succeeding")
        items = [strip(i) for i in objects.get(resource) or []]
        try:
            start = int(base64.urlsafe_b64decode(query["continue"]).decode()) if query.get("continue") else 0
        except ValueError:
            return 410, status(410, "Expired", "the provided continue parameter is too old")
        size = len(items)
        if query.get("limit"):
            size = int(query["limit"])
        if self.scenario.get("page_size"):
            size = min(size, int(self.scenario["page_size"]))
        end = start + max(size, 1)
        meta = {"resourceVersion": RESOURCE_VERSION}
        if end < len(items):
            meta["continue"] = base64.urlsafe_b64encode(str(end).encode()).decode()
            meta["remainingItemCount"] = len(items) - end
        api_version = resource.rsplit("/", 1)[0]
        return 200, {"kind": f"{kind}List", "apiVersion": api_version, "metadata": meta,
                     "items": items[start:end]}


def strip(item: dict) -> dict:
    """A list item as the API serves it: no kind or apiVersion of its own."""
    item = {k: v for k, v in item.items() if k not in ("kind", "apiVersion")}
    meta = dict(item.get("metadata") or {})
    meta.setdefault("resourceVersion", RESOURCE_VERSION)
    item["metadata"] = meta
    return item


def handler(fake: Fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/_fake/requests":
                with fake.lock:
                    return self.send(200, list(fake.requests))
            query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            auth, token_url = fake.authenticate(self.headers.get("Authorization"))
            entry = {"method": "GET", "path": url.path, "query": query, "auth": auth,
                     "token_url": token_url}
            if auth in ("none", "bad"):
                code, body = 401, status(401, "Unauthorized", "Unauthorized")
            else:
                code, body = fake.answer(url.path, query)
            entry["status"] = code
            fake.log(entry)
            self.send(code, body)

        def do_DELETE(self) -> None:
            if urlsplit(self.path).path == "/_fake/requests":
                with fake.lock:
                    fake.requests.clear()
                return self.send(200, {"ok": True})
            self.send(405, status(405, "MethodNotAllowed", "read-only fake"))

        def do_POST(self) -> None:
            self.send(405, status(405, "MethodNotAllowed", "read-only fake"))

        def send(self, code: int, body) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--scenario", required=True, help="YAML or JSON file")
    parser.add_argument("--no-stdin-watch", action="store_true")
    args = parser.parse_args()
    with open(args.scenario) as f:
        scenario = yaml.safe_load(f) or {}
    server = ThreadingHTTPServer((args.host, args.port), handler(Fake(scenario)))
    server.daemon_threads = True
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"VPCAUDIT_KUBE_READY port={server.server_port}", flush=True)
    os.dup2(2, 1)
    server.serve_forever()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
