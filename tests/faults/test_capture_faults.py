"""Guarantee 2 for capture: a camera missing at start, dropping, or stalling is recovered.

Missing and dropping run the real process (readiness shows the camera down
meanwhile); the stall runs the worker in-process with a source whose read()
hangs, which no real camera can be made to do on cue.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest

from services.capture.worker import CaptureWorker
from shared.messages import FrameMeta
from shared.topology import QUEUE_DETECTOR_FRAMES
from tests.faults.harness import FaultPipeline
from tests.faults.oracle import report, write_frames
from tests.pipeline.helpers import channel, queue_depth, wait_for

pytestmark = pytest.mark.faults


def _camera(pipe: FaultPipeline, state: str) -> bool:
    status, body = pipe.readiness("capture.0")
    return body.get("checks", {}).get("camera") == state and (status == 200) == (state == "up")


def test_camera_missing_at_start_then_dropping(
    amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    camera = tmp_path / "camera"  # does not exist yet: the camera is not plugged in
    pipe = FaultPipeline(
        amqp_url,
        database_url,
        tmp_path,
        LPR_CAPTURE_SOURCE=str(camera),
        LPR_CAPTURE_LOOP="true",
        LPR_CAPTURE_FPS="5",
        LPR_RECONNECT_MAX_S="2",
    )
    try:
        pipe.start("capture")
        wait_for(lambda: _camera(pipe, "down"), timeout=30, interval=0.1)
        write_frames(tmp_path / "staged", "C", 5)
        shutil.copytree(tmp_path / "staged", camera)
        plugged = time.monotonic()
        wait_for(lambda: _camera(pipe, "up"), timeout=30, interval=0.1)
        missing_recovery = time.monotonic() - plugged
        with channel(amqp_url) as ch:
            wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_FRAMES) >= 3, timeout=30)
        shutil.rmtree(camera)  # the camera drops out mid-stream
        wait_for(lambda: _camera(pipe, "down"), timeout=30, interval=0.1)
        with channel(amqp_url) as ch:
            ch.queue_purge(QUEUE_DETECTOR_FRAMES)
        shutil.copytree(tmp_path / "staged", camera)
        back = time.monotonic()
        wait_for(lambda: _camera(pipe, "up"), timeout=30, interval=0.1)
        drop_recovery = time.monotonic() - back
        with channel(amqp_url) as ch:
            wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_FRAMES) >= 3, timeout=30)
        alive = pipe.alive("capture.0")
    finally:
        codes = pipe.stop()
    report(
        "camera_missing_and_dropping",
        {
            "missing_recovery_s": round(missing_recovery, 2),
            "drop_recovery_s": round(drop_recovery, 2),
        },
    )
    assert alive and codes == {"capture.0": 0}
    assert missing_recovery < 5 and drop_recovery < 5  # backoff capped at 2 s here


class _HangingSource:
    """Delivers ``frames`` frames, then read() hangs until ``release`` is set."""

    live = True

    def __init__(self, frames: int, release: threading.Event) -> None:
        self.frames = frames
        self.release = release
        self.closed = threading.Event()

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        if self.frames == 0:
            self.release.wait(30)
            return np.zeros((48, 64, 3), np.uint8)
        self.frames -= 1
        return np.full((48, 64, 3), 100, np.uint8)

    def close(self) -> None:
        self.closed.set()


class _Sink:
    def __init__(self) -> None:
        self.frames: list[FrameMeta] = []

    def submit(self, meta: FrameMeta, jpeg: bytes) -> Future:
        self.frames.append(meta)
        done: Future = Future()
        done.set_result(meta.frame_id)
        return done


def test_stalled_camera_is_reopened_and_closed_once_its_read_returns() -> None:
    release = threading.Event()
    sources = [_HangingSource(3, release), _HangingSource(1_000_000, threading.Event())]
    opened: list[_HangingSource] = []

    def factory() -> _HangingSource:
        opened.append(sources[len(opened)])
        return opened[-1]

    sink, stop = _Sink(), threading.Event()
    worker = CaptureWorker(factory, sink, "cam-s", fps=50, stall_s=1.0, reconnect_max_s=1.0)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        wait_for(lambda: len(opened) == 2 and len(sink.frames) > 10, timeout=15)
        recovered = time.monotonic() - started
        assert not sources[0].closed.is_set()  # never closed under a hanging read
        release.set()
        wait_for(sources[0].closed.is_set, timeout=5)
    finally:
        stop.set()
        thread.join(timeout=10)
    report("camera_stall", {"stall_s": 1.0, "recovery_s": round(recovered, 2)})
    assert not thread.is_alive()
    assert recovered < 1.0 + 1.0 + 3  # the stall timeout, one backoff step, margin
