"""Capture: read frames from a source at no more than LPR_CAPTURE_FPS and publish them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Protocol

import numpy as np

from services.capture.sources import FrameSource, SourceError
from shared import metrics
from shared.images import encode_jpeg
from shared.messages import FrameMeta, new_frame_id, utcnow

logger = logging.getLogger(__name__)


class FrameSubmitter(Protocol):
    def submit(self, meta: FrameMeta, jpeg: bytes) -> Future: ...


class CaptureWorker:
    def __init__(
        self,
        source_factory: Callable[[], FrameSource],
        submitter: FrameSubmitter,
        camera_id: str,
        fps: float,
        *,
        jpeg_quality: int = 90,
        reconnect_max_s: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.source_factory = source_factory
        self.submitter = submitter
        self.camera_id = camera_id
        self.interval = 1.0 / fps
        self.jpeg_quality = jpeg_quality
        self.reconnect_max_s = reconnect_max_s
        self.clock = clock
        self.published = 0
        self._flowed = False  # whether the current source delivered a frame (resets the backoff)

    def run(self, stop: threading.Event) -> None:
        """Until stopped, or until a finite source (file, folder without loop) is exhausted.

        A camera that is missing or drops is reopened with capped backoff
        (1 s more per failed try), reset once frames flow again.
        """
        failures = 0
        while not stop.is_set():
            source = self.source_factory()
            self._flowed = False
            try:
                source.open()
                logger.info("camera %s: source open", self.camera_id)
                if self._pump(source, stop):
                    logger.info(
                        "camera %s: source finished after %d frames", self.camera_id, self.published
                    )
                    return
            except SourceError as exc:
                failures = 1 if self._flowed else failures + 1
                delay = min(float(failures), self.reconnect_max_s)
                logger.warning("camera %s: %s; retry in %.0f s", self.camera_id, exc, delay)
                stop.wait(delay)
            finally:
                source.close()

    def _pump(self, source: FrameSource, stop: threading.Event) -> bool:
        """Read and publish frames; True when a finite source ran out."""
        next_due = time.monotonic()
        while not stop.is_set():
            started = time.perf_counter()
            frame = source.read()
            if frame is None:
                return True
            self._flowed = True
            metrics.FRAMES_CAPTURED.labels(self.camera_id).inc()
            now = time.monotonic()
            if now < next_due:
                if source.live:
                    # Keep reading so the stream's buffer stays fresh, publish at the cap.
                    metrics.FRAMES_DROPPED.labels(self.camera_id, "rate_limit").inc()
                    continue
                if stop.wait(next_due - now):
                    return False
                started = time.perf_counter()
            next_due = max(next_due + self.interval, time.monotonic())
            self.emit(frame, started)
        return False

    def emit(self, frame: np.ndarray, started: float) -> Future:
        captured_at = self.clock()
        jpeg = encode_jpeg(frame, self.jpeg_quality)
        height, width = frame.shape[:2]
        capture_ms = (time.perf_counter() - started) * 1000
        meta = FrameMeta(
            camera_id=self.camera_id,
            frame_id=new_frame_id(),
            captured_at=captured_at,
            width=width,
            height=height,
            capture_ms=round(capture_ms, 2),
        )
        metrics.STAGE_SECONDS.labels("capture").observe(capture_ms / 1000)
        self.published += 1
        return self.submitter.submit(meta, jpeg)
