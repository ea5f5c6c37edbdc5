"""AWS error responses in the wire format each protocol's SDK parser expects."""

import json
import uuid
from http import HTTPStatus
from xml.sax.saxutils import escape

from .request import AwsRequest

# Default HTTP status per error code (what AWS sends).
STATUS = {
    "UnauthorizedOperation": 403,  # EC2
    "RequestLimitExceeded": 503,  # EC2 throttling
    "InvalidNextToken": 400,
    "InvalidParameterValue": 400,
    "AccessDeniedException": 400,  # awsJson services (network-firewall, ...)
    "ThrottlingException": 400,
    "InternalError": 500,
    "InternalServerError": 500,
}

# Services whose errors are REST-JSON.
REST_JSON = ("eks", "securityhub")

MESSAGES = {
    "UnauthorizedOperation": "You are not authorized to perform this operation.",
    "AccessDeniedException": "User is not authorized to perform this action.",
    "RequestLimitExceeded": "Request limit exceeded.",
    "ThrottlingException": "Rate exceeded",
    "InternalError": "An internal error has occurred",
}


def render(
    req: AwsRequest, code: str, message: str | None = None, status: int | None = None
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Return (status line, headers, body) for error `code` on `req`'s protocol."""
    status = status or STATUS.get(code, 400)
    message = message or MESSAGES.get(code, code)
    request_id = str(uuid.uuid4())
    if req.is_json:
        # network-firewall models InternalServerError, not EC2's InternalError.
        if code == "InternalError":
            code = "InternalServerError"
        body = json.dumps({"__type": code, "message": message})
        headers = [
            ("Content-Type", "application/x-amz-json-1.0"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ]
    elif req.service in REST_JSON:
        # REST-JSON services (eks) name the error in a header; access is a 403.
        if code == "AccessDeniedException" and status == 400:
            status = 403
        if code == "InternalError":
            code = "ServerException"
        body = json.dumps({"message": message})
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ]
    elif req.service in (None, "ec2"):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        headers = [("Content-Type", "text/xml;charset=UTF-8")]
    else:
        # Other query-protocol services (sts, iam, ...) wrap errors differently.
        kind = "Receiver" if status >= 500 else "Sender"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    data = body.encode()
    headers.append(("Content-Length", str(len(data))))
    return status_line(status), headers, data


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"
