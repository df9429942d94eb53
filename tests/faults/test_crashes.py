"""Guarantees 1 and 5: SIGKILL of any worker, and a rolling SIGTERM restart of replicas.

Proven from Postgres and plates.recognized against the oracle (tests/faults/oracle.py):
every plate of every frame a detector took is stored exactly once, and reached
the backend queue.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.oracle import report
from tests.faults.scenario import finish, pipeline, start_workers, wait_progress

pytestmark = pytest.mark.faults


def test_sigkill_any_worker_loses_and_duplicates_nothing(
    amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    # A 100 ms "inference" keeps the detector busy, so a kill lands on work in flight.
    with pipeline(
        amqp_url, database_url, tmp_path, "K", frames=90, fps=6, LPR_FAKE_DETECT_MS="100"
    ) as pipe:
        start_workers(pipe)
        pipe.start("capture")
        recovery: dict[str, float] = {}
        stored = 0
        for victim in ("detector.0", "recognizer.0", "recorder.0"):
            stored = wait_progress(database_url, stored + 12)
            killed_at = time.monotonic()
            pipe.procs.kill(victim)
            pipe.start(victim.split(".")[0])
            pipe.wait_ready(victim)
            recovery[victim] = round(time.monotonic() - killed_at, 2)
        verdict = finish(pipe, amqp_url, database_url)
    report("sigkill_workers", {**verdict.figures, "recovery_s": recovery})
    assert not verdict.problems, verdict.problems
    assert verdict.figures["reads_stored"] >= 60  # the run really flowed through the kills


def test_rolling_restart_of_replicas_loses_nothing(
    amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    with pipeline(
        amqp_url, database_url, tmp_path, "R", frames=110, fps=6, LPR_FAKE_DETECT_MS="100"
    ) as pipe:
        start_workers(pipe, replicas=2)
        pipe.start("capture")
        exit_codes: dict[str, int] = {}
        stop_s: dict[str, float] = {}
        wait_progress(database_url, 8)
        for name in ("detector", "recognizer", "recorder"):
            for replica in (0, 1):
                key = f"{name}.{replica}"
                started = time.monotonic()
                exit_codes[key] = pipe.procs.terminate(key, timeout=30)
                stop_s[key] = round(time.monotonic() - started, 2)
                pipe.start(name, replica)
                pipe.wait_ready(key)
        verdict = finish(pipe, amqp_url, database_url)
    report(
        "rolling_restart", {**verdict.figures, "sigterm_exit_codes": exit_codes, "stop_s": stop_s}
    )
    assert exit_codes == dict.fromkeys(exit_codes, 0), exit_codes
    assert not verdict.problems, verdict.problems
    assert verdict.figures["reads_stored"] >= 80
