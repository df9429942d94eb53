"""Start the pipeline services as local processes (end-to-end tests and the benchmark)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("recorder", "passages", "api", "detector", "recognizer", "capture")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
