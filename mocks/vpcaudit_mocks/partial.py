"""A partly failed Security Hub BatchImportFindings, which moto never answers
with: the findings whose ids a fault rule names are left out of the request moto
sees, and added to the answer's `FailedFindings` and `FailedCount`, as Security
Hub reports findings it rejects one by one."""

import json

from .request import read_body, set_body


def import_some(app, environ, failed_ids):
    """Run BatchImportFindings without the findings in `failed_ids` and return
    (status line, headers, body) of the answer with them marked failed."""
    body = json.loads(read_body(environ) or b"{}")
    findings = body.get("Findings", [])
    rejected = [f for f in findings if f.get("Id") in failed_ids]
    body["Findings"] = [f for f in findings if f.get("Id") not in failed_ids]
    set_body(environ, json.dumps(body).encode())
    captured = {}

    def capture(status, headers, exc_info=None):
        captured.update(status=status, headers=headers)

    chunks = app(environ, capture)
    try:
        raw = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    status, headers = captured["status"], captured["headers"]
    if not status.startswith("200"):
        return status, headers, raw
    answer = json.loads(raw or b"{}")
    answer["FailedCount"] = answer.get("FailedCount", 0) + len(rejected)
    answer.setdefault("FailedFindings", []).extend(
        {
            "Id": f.get("Id", ""),
            "ErrorCode": "InvalidInput",
            "ErrorMessage": "rejected by a vpcaudit test fault",
        }
        for f in rejected
    )
    data = json.dumps(answer).encode()
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(data))))
    return status, headers, data
