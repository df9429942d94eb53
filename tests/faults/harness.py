"""The pipeline as real processes (fake marker models), and the faults applied to it.

Everything is scoped to the test: its own vhost (connections are closed by
vhost, never broker-wide), its own database, and a TCP proxy on loopback in
front of Postgres that the test can cut without touching the shared server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from shared.localrun import ServiceProcesses, free_port

RABBITMQCTL_TIMEOUT_S = 60


def vhost_of(amqp_url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(amqp_url).path.lstrip("/"))


def rabbitmqctl(*args: str) -> str:
    done = subprocess.run(
        ["rabbitmqctl", "-q", *args],
        capture_output=True,
        text=True,
        timeout=RABBITMQCTL_TIMEOUT_S,
        check=True,
    )
    return done.stdout


def close_vhost_connections(amqp_url: str) -> int:
    """Drop every broker connection of this test's vhost (no other test's); how many there were."""
    vhost = vhost_of(amqp_url)
    before = connection_count(amqp_url)
    rabbitmqctl("close_all_connections", "--vhost", vhost, "fault test: connection dropped")
    return before


def connection_count(amqp_url: str) -> int:
    out = rabbitmqctl("list_connections", "vhost")
    return sum(1 for line in out.splitlines() if line.strip() == vhost_of(amqp_url))


def queue_totals(amqp_url: str) -> dict[str, int]:
    """Messages per queue, ready plus unacked (pika's passive declare counts only ready)."""
    out = rabbitmqctl("list_queues", "-p", vhost_of(amqp_url), "name", "messages")
    totals = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            totals[parts[0]] = int(parts[1])
    return totals


def wait_queues_empty(amqp_url: str, queues: list[str], timeout: float) -> float:
    """Wait until none of ``queues`` holds a message (ready or unacked); seconds waited."""
    started = time.monotonic()
    while True:
        totals = queue_totals(amqp_url)
        if all(totals.get(q, 0) == 0 for q in queues):
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"queues not drained within {timeout} s: {totals}")
        time.sleep(0.5)


def http_get(port: int, path: str, timeout: float = 3.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except (urllib.error.URLError, OSError):
        return 0, ""


class FaultPipeline:
    """The five services as processes, each with its metrics/health port, fake models."""

    def __init__(self, amqp_url: str, database_url: str, log_dir: Path, **env: str) -> None:
        base = {
            "LPR_AMQP_URL": amqp_url,
            "LPR_DATABASE_URL": database_url,
            "LPR_BACKEND": "fake",  # marker plates: see shared/fake_backend.py
            "LPR_MAX_FRAME_AGE_S": "600",  # no frame is "stale" on a loaded test machine
            "LPR_LOG_LEVEL": "INFO",
            "LPR_METRICS_HOST": "127.0.0.1",  # loopback only
            "OMP_NUM_THREADS": "1",
        }
        self.procs = ServiceProcesses({**base, **env}, log_dir)
        self.ports: dict[str, int] = {}

    def start(self, name: str, replica: int = 0, **env: str) -> str:
        key = f"{name}.{replica}"
        self.ports[key] = free_port()
        self.procs.start(name, replica, LPR_METRICS_PORT=str(self.ports[key]), **env)
        return key

    def pid(self, key: str) -> int:
        return self.procs.procs[key].pid

    def alive(self, key: str) -> bool:
        return self.procs.procs[key].poll() is None

    def readiness(self, key: str) -> tuple[int, dict[str, Any]]:
        status, body = http_get(self.ports[key], "/readyz")
        try:
            return status, json.loads(body) if body else {}
        except json.JSONDecodeError:
            return status, {}

    def wait_ready(self, key: str, timeout: float = 60.0) -> float:
        """Seconds until /readyz answers 200; fails with the log tail when it does not."""
        started = time.monotonic()
        while self.readiness(key)[0] != 200:
            if not self.alive(key):
                raise AssertionError(f"{key} exited: {self.log_tail(key)}")
            if time.monotonic() - started > timeout:
                raise AssertionError(f"{key} not ready in {timeout} s: {self.log_tail(key)}")
            time.sleep(0.1)
        return time.monotonic() - started

    def metric(self, key: str, name: str, **labels: str) -> float:
        """Sum of the samples of ``name`` whose labels include ``labels``."""
        _status, text = http_get(self.ports[key], "/metrics")
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{") and not line.startswith(name + " "):
                continue
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def rss_mb(self, key: str) -> float:
        for line in Path(f"/proc/{self.pid(key)}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def log_tail(self, key: str, chars: int = 3000) -> str:
        return self.procs.log(key)[-chars:]

    def failed(self) -> dict[str, int]:
        return self.procs.failed()

    def stop(self) -> dict[str, int]:
        return self.procs.stop()


class TcpProxy:
    """A loopback TCP proxy the test can cut: Postgres stays up for everyone else.

    Cut: live connections are reset and new ones are accepted and closed at
    once (what a client sees when the database restarts or the network drops).
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._live: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="pg-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._live.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                self._drop(s)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._live.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            live = list(self._live)
        for sock in live:
            self._drop(sock)

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._server.close()


def proxied_url(database_url: str, port: int) -> str:
    from sqlalchemy import make_url

    return make_url(database_url).set(host="127.0.0.1", port=port).render_as_string(False)


def env_seconds(name: str, default: float) -> float:
    return float(os.environ.get(name, default))
