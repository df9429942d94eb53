"""Liveness and readiness of a worker service, served with /metrics on LPR_METRICS_PORT.

``/healthz`` answers 200 while the process serves at all (compose and k8s
restart it otherwise). ``/readyz`` answers 200 only while every dependency the
service registered is up, and 503 with the name of each one that is down, so
an operator sees at a glance that, say, the recorder is waiting for Postgres
while its reads wait safely in the queue.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

logger = logging.getLogger(__name__)

Check = Callable[[], bool]


class Health:
    """Named readiness checks; each is a cheap callable returning True when that part is up."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def status(self) -> tuple[bool, dict[str, str]]:
        parts: dict[str, str] = {}
        for name, check in self._checks.items():
            try:
                parts[name] = "up" if check() else "down"
            except Exception:  # noqa: BLE001 - a failing probe means "down", never a 500
                logger.debug("readiness check %s failed", name, exc_info=True)
                parts[name] = "down"
        return all(v == "up" for v in parts.values()), parts


def _handler_for(health: Health | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                self._json(200, {"status": "ok"})
            elif path == "/readyz":
                ready, parts = health.status() if health else (True, {})
                body = {"status": "ready" if ready else "unavailable", "checks": parts}
                self._json(200 if ready else 503, body)
            else:
                self._json(404, {"error": {"status": 404, "message": f"no route {path}"}})

        def _json(self, status: int, doc: dict[str, Any]) -> None:
            self._send(status, json.dumps(doc).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            logger.debug("metrics http: " + format, *args)

    return Handler


def serve_health(port: int | None, health: Health | None, addr: str = "0.0.0.0") -> Any:
    """Serve /metrics, /healthz and /readyz on ``port`` in a daemon thread (None when off)."""
    if not port:
        return None
    server = ThreadingHTTPServer((addr, port), _handler_for(health))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    logger.info("metrics and health on http://%s:%d (/metrics /healthz /readyz)", addr, port)
    return server
