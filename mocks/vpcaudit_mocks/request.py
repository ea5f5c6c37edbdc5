"""Parse just enough of an incoming AWS request (SigV4 scope, action, query
params) for logging, fault matching and the pagination shim."""

import functools
import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl


@dataclass
class AwsRequest:
    service: str | None
    region: str | None
    action: str | None
    # Decoded form fields for query-protocol (EC2) requests; empty otherwise.
    params: list[tuple[str, str]] = field(default_factory=list)
    is_query: bool = False
    is_json: bool = False

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    def to_log(self, status: int) -> dict:
        return {
            "service": self.service,
            "region": self.region,
            "action": self.action,
            "status": status,
        }


def read_body(environ: dict) -> bytes:
    """Read the request body and put it back, so moto can still read it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    set_body(environ, body)
    return body


def set_body(environ: dict, body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def credential_scope(environ: dict) -> tuple[str | None, str | None]:
    """(service, region) from `Authorization: AWS4-HMAC-SHA256
    Credential=AKID/20260101/us-east-1/ec2/aws4_request, ...`."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    for part in auth.replace(",", " ").split():
        if part.startswith("Credential="):
            scope = part[len("Credential=") :].split("/")
            if len(scope) == 5:
                return scope[3], scope[2]
    return None, None


def parse(environ: dict) -> AwsRequest:
    service, region = credential_scope(environ)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        # awsJson: `X-Amz-Target: NetworkFirewall_20201112.DescribeFirewall`
        return AwsRequest(service, region, target.rsplit(".", 1)[-1], is_json=True)

    params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    ctype = environ.get("CONTENT_TYPE", "")
    gzipped = "gzip" in environ.get("HTTP_CONTENT_ENCODING", "")
    if ctype.startswith("application/x-www-form-urlencoded") and not gzipped:
        body = read_body(environ).decode("utf-8", "replace")
        params += parse_qsl(body, keep_blank_values=True)
    req = AwsRequest(service, region, None, params)
    req.action = req.param("Action")
    req.is_query = req.action is not None
    if req.action is None and service:
        # REST-JSON (eks): the operation is the method and the path.
        req.action = rest_action(service, environ.get("REQUEST_METHOD", ""),
                                 environ.get("PATH_INFO", ""))
    return req


@functools.lru_cache(maxsize=None)
def _rest_routes(service: str) -> tuple:
    """(method, path regex, operation) of a REST service's operations, the most
    specific paths first; empty for the other protocols."""
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # noqa: BLE001 - an unknown service has no routes
        return ()
    if model.protocol not in ("rest-json", "rest-xml"):
        return ()
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = http["requestUri"].split("?")[0]
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))
        routes.append((http["method"], re.compile(f"^{pattern}$"), name, path.count("{")))
    # Literal segments beat placeholders: /clusters/{name}/addons before /clusters/{name}.
    routes.sort(key=lambda r: r[3])
    return tuple(r[:3] for r in routes)


def rest_action(service: str, method: str, path: str) -> str | None:
    for want, pattern, name in _rest_routes(service):
        if want == method and pattern.match(path):
            return name
    return None
