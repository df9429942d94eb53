"""Capture: read frames from a source at no more than LPR_CAPTURE_FPS and publish them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
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


class SourceStalled(SourceError):
    """No frame within the stall timeout; ``pending`` is the read still hanging."""

    def __init__(self, message: str, pending: Future) -> None:
        super().__init__(message)
        self.pending = pending


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
        stall_s: float = 10.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.source_factory = source_factory
        self.submitter = submitter
        self.camera_id = camera_id
        self.interval = 1.0 / fps
        self.jpeg_quality = jpeg_quality
        self.reconnect_max_s = reconnect_max_s
        self.stall_s = stall_s
        self.clock = clock
        # Readiness: the camera delivered its last frame (False while it is away or stalled).
        self.source_ok = threading.Event()
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
            hung: Future | None = None
            try:
                source.open()
                logger.info("camera %s: source open", self.camera_id)
                if self._pump(source, stop):
                    logger.info(
                        "camera %s: source finished after %d frames", self.camera_id, self.published
                    )
                    return
            except SourceError as exc:
                self.source_ok.clear()
                hung = exc.pending if isinstance(exc, SourceStalled) else None
                failures = 1 if self._flowed else failures + 1
                delay = min(float(failures), self.reconnect_max_s)
                logger.warning("camera %s: %s; retry in %.0f s", self.camera_id, exc, delay)
                stop.wait(delay)
            finally:
                if hung is None:
                    source.close()
                else:
                    # Closing under a read that still hangs is undefined for some
                    # backends (OpenCV): close it on that thread, once it returns.
                    hung.add_done_callback(lambda _f, s=source: s.close())

    def _pump(self, source: FrameSource, stop: threading.Event) -> bool:
        """Read and publish frames; True when a finite source ran out."""
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="camera-read")
        try:
            return self._pump_frames(source, reader, stop)
        finally:
            reader.shutdown(wait=False)

    def _read(self, source: FrameSource, reader: ThreadPoolExecutor) -> np.ndarray | None:
        """source.read() on a helper thread, so a hung camera cannot hang the service."""
        pending = reader.submit(source.read)
        try:
            return pending.result(timeout=self.stall_s)
        except FutureTimeout:
            raise SourceStalled(f"no frame for {self.stall_s:.0f} s (stalled)", pending) from None

    def _pump_frames(
        self, source: FrameSource, reader: ThreadPoolExecutor, stop: threading.Event
    ) -> bool:
        next_due = time.monotonic()
        while not stop.is_set():
            started = time.perf_counter()
            frame = self._read(source, reader)
            if frame is None:
                return True
            self._flowed = True
            self.source_ok.set()
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
            # Spaced from this frame, not from a schedule: a late frame (slow decode, busy
            # CPU) must not be followed by a catch-up burst above the cap.
            next_due = time.monotonic() + self.interval
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
