"""Start the pipeline services as local processes (end-to-end tests and the benchmark)."""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("recorder", "passages", "api", "detector", "recognizer", "capture")

_HANDED_OUT: set[int] = set()  # ports free_port gave out: each service gets its own


def free_port() -> int:
    """A free port for a service to listen on, below the kernel's ephemeral range.

    A port the kernel hands out (bind to 0) is an ephemeral one: between this call
    and the service binding it, any outgoing connection (a client reconnecting to
    the broker) may take it as its local port, and the service fails to start.
    A port is free only until its service binds it, so services started together
    could be handed the same one: no port is handed out twice by one process.
    """
    low = _ephemeral_low()
    for port in random.Random().sample(range(max(low - 12000, 1024), low), 200):
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free port found below the ephemeral range")


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; macOS starts at 49152, above it


class ServiceProcesses:
    """Processes of ``python -m services.<name>``, logs in files, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", **env}
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, replica: int = 0, **extra_env: str) -> subprocess.Popen:
        key = f"{name}.{replica}"
        # Append: a replica restarted under the same key keeps its predecessor's log.
        log = open(self.log_dir / f"{key}.log", "ab")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.procs[key] = proc
        return proc

    def failed(self) -> dict[str, int]:
        """Processes that exited with an error."""
        return {k: p.returncode for k, p in self.procs.items() if p.poll() not in (None, 0)}

    def log(self, key: str) -> str:
        return (self.log_dir / f"{key}.log").read_text(errors="replace")

    def kill(self, key: str) -> None:
        """SIGKILL one process (a crash: no handler runs, nothing is flushed) and reap it."""
        proc = self.procs[key]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def terminate(self, key: str, timeout: float = 30.0) -> int:
        """SIGTERM one process and wait for it; its exit code (-9 if it had to be killed)."""
        proc = self.procs[key]
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.warning("%s ignored SIGTERM; killing it", key)
            proc.kill()
            return proc.wait()

    def stop(self, timeout: float = 30.0) -> dict[str, int]:
        """SIGTERM everything, wait, kill what is left; returns exit codes."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes = {}
        for key, proc in self.procs.items():
            try:
                codes[key] = proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored SIGTERM; killing it", key)
                proc.kill()
                codes[key] = proc.wait()
        return codes
