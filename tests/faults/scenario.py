"""The shape every delivery scenario shares: start, feed frames, apply a fault, judge."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.topology import (
    QUEUE_DETECTOR_FRAMES,
    QUEUE_PLATES_RECOGNIZED,
    QUEUE_RECOGNIZER_CROPS,
    QUEUE_RECORDER_READS,
)
from tests.faults.harness import FaultPipeline, wait_queues_empty
from tests.faults.oracle import (
    Verdict,
    declare_audit,
    drain,
    expected_reads,
    judge,
    stored_rows,
    wait_stored,
    write_frames,
)

WORKERS = ("recorder", "detector", "recognizer")


@contextmanager
def pipeline(
    amqp_url: str,
    database_url: str,
    tmp_path: Path,
    prefix: str,
    frames: int,
    fps: float,
    **env: str,
) -> Iterator[FaultPipeline]:
    """Frames written, audit queue bound, processes configured (not started); stopped after."""
    folder = tmp_path / "frames"
    write_frames(folder, prefix, frames)
    declare_audit(amqp_url)
    pipe = FaultPipeline(
        amqp_url,
        database_url,
        tmp_path,
        LPR_CAPTURE_SOURCE=str(folder),
        LPR_CAPTURE_FPS=str(fps),
        LPR_CAMERA_ID=f"gate-{prefix.lower()}",
        **env,
    )
    try:
        yield pipe
    finally:
        codes = pipe.stop()
        bad = {k: c for k, c in codes.items() if c not in (0, -9)}
        assert not bad, {k: pipe.log_tail(k) for k in bad}


def start_workers(pipe: FaultPipeline, names: tuple[str, ...] = WORKERS, replicas: int = 1) -> None:
    keys = [pipe.start(name, r) for name in names for r in range(replicas)]
    for key in keys:
        pipe.wait_ready(key)


def wait_progress(database_url: str, at_least: int, timeout: float = 60.0) -> int:
    """Block until at least ``at_least`` reads are stored: a fault then hits a flowing pipeline."""
    deadline = time.monotonic() + timeout
    while (count := len(stored_rows(database_url))) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"only {count} reads stored after {timeout} s")
        time.sleep(0.2)
    return count


def finish(pipe: FaultPipeline, amqp_url: str, database_url: str, timeout: float = 90.0) -> Verdict:
    """Let capture run out, the queues drain, then hold Postgres and the backend queue to account."""
    capture = pipe.procs.procs["capture.0"]
    assert capture.wait(timeout=timeout) == 0, pipe.log_tail("capture.0")
    # Frames queue empty: every frame is taken or dropped, so the audit is final.
    wait_queues_empty(amqp_url, [QUEUE_DETECTOR_FRAMES], timeout)
    exp = expected_reads(amqp_url)
    wait_stored(database_url, len(exp.owed), timeout)
    wait_queues_empty(amqp_url, [QUEUE_RECOGNIZER_CROPS, QUEUE_RECORDER_READS], timeout)
    rows = stored_rows(database_url)
    recognized = [body for _props, body in drain(amqp_url, QUEUE_PLATES_RECOGNIZED)]
    return judge(exp, rows, recognized)
