"""WSGI middleware around moto: request log, fault injection, EC2 paging,
and the `/_vpcaudit/` control API."""

import json
import socket
import threading
import time

from . import errors, pagination, partial, request
from .faults import HANG, HANG_DEFAULT_MS, Faults

CONTROL_PREFIX = "/_vpcaudit/"


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict] = []

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def list(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class VpcauditMiddleware:
    def __init__(self, app) -> None:
        self.app = app
        self.log = RequestLog()
        self.faults = Faults()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response, path[len(CONTROL_PREFIX) :])
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)

        req = request.parse(environ)
        rule = self.faults.pick(req)
        if rule is not None:
            if rule.error == HANG:
                return self._hang(environ, req, rule.latency_ms)
            if rule.latency_ms:
                time.sleep(rule.latency_ms / 1000)
            if rule.error:
                err = errors.render(req, rule.error, rule.message, rule.status)
                return self._reply(start_response, req, *err)
            if rule.failed_ids:
                reply = partial.import_some(self.app, environ, rule.failed_ids)
                return self._reply(start_response, req, *reply)

        try:
            page = pagination.prepare(req, environ)
        except pagination.PageError as e:
            return self._reply(start_response, req, *errors.render(req, e.code, e.message))
        if page is not None:
            return self._paged(environ, start_response, req, page)

        def logging_start_response(status, headers, exc_info=None):
            self.log.add(req.to_log(int(status.split()[0])))
            return start_response(status, headers, exc_info)

        return self.app(environ, logging_start_response)

    def _reply(self, start_response, req, status, headers, body):
        self.log.add(req.to_log(int(status.split()[0])))
        start_response(status, headers)
        return [body]

    def _paged(self, environ, start_response, req, page):
        kept = pagination.recall(page)
        if kept is not None:
            status, headers, full = kept
            snapshot = page.snapshot
        else:
            captured = {}

            def capture(status, headers, exc_info=None):
                captured.update(status=status, headers=headers)

            chunks = self.app(environ, capture)
            try:
                full = b"".join(chunks)
            finally:
                getattr(chunks, "close", lambda: None)()
            status, headers = captured["status"], captured["headers"]
            snapshot = None
            if status.startswith("200") and page.limit is not None:
                snapshot = pagination.remember(status, headers, full)
        body = full
        if status.startswith("200"):
            body = pagination.apply(page, full, snapshot)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        return self._reply(start_response, req, status, headers, body)

    def _hang(self, environ, req, latency_ms):
        """Never answer: sleep, then drop the connection, so clients can test
        their timeouts. Logged up front (status 0) since there is no reply."""
        self.log.add(req.to_log(0))
        time.sleep((latency_ms or HANG_DEFAULT_MS) / 1000)
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        # Raising makes werkzeug abandon the (now dead) connection.
        raise ConnectionAbortedError("vpcaudit fault: hang")

    def _control(self, environ, start_response, name):
        method = environ["REQUEST_METHOD"]
        store = {"requests": self.log, "faults": self.faults}.get(name.rstrip("/"))
        if store is None:
            return _json(start_response, 404, {"error": f"unknown endpoint {name}"})
        if method == "GET":
            return _json(start_response, 200, store.list())
        if method == "DELETE":
            store.clear()
            return _json(start_response, 200, {"ok": True})
        if method == "POST" and store is self.faults:
            try:
                self.faults.set(json.loads(request.read_body(environ) or b"{}"))
            except (ValueError, TypeError) as e:
                return _json(start_response, 400, {"error": str(e)})
            return _json(start_response, 200, {"ok": True})
        return _json(start_response, 405, {"error": f"{method} not allowed"})


def _json(start_response, status, payload):
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(errors.status_line(status), headers)
    return [body]
