"""A bounded hand-off between frame producers and the broker connection.

Capture must never block on, or pile up memory behind, a slow broker: frames
wait in a small buffer that drops the oldest when full (and counts it), and
one thread owns the pika connection (pika is not thread-safe), so the camera
loop and the ingest endpoint's threads can both submit.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from concurrent.futures import Future
from typing import Protocol

from shared import metrics
from shared.broker import BrokerStopped, OutgoingMessage, TransientError
from shared.messages import FrameMeta, meta_headers
from shared.topology import EXCHANGE_FRAMES

logger = logging.getLogger(__name__)


class FrameDropped(Exception):
    """The frame was pushed out of the buffer by newer frames before it was published."""


class Sink(Protocol):
    def publish(self, msg: OutgoingMessage) -> None: ...

    def idle(self, seconds: float) -> None: ...

    def close(self) -> None: ...


def frame_message(meta: FrameMeta, jpeg: bytes) -> OutgoingMessage:
    return OutgoingMessage(
        exchange=EXCHANGE_FRAMES,
        routing_key=meta.camera_id,
        body=jpeg,
        content_type="image/jpeg",
        headers=meta_headers(meta),
        message_id=meta.frame_id,
        timestamp=int(meta.captured_at.timestamp()),
    )


class BackgroundPublisher:
    def __init__(self, sink: Sink, maxsize: int = 8) -> None:
        self.sink = sink
        self._items: collections.deque[tuple[FrameMeta, bytes, Future]] = collections.deque()
        self._maxsize = maxsize
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frame-publisher", daemon=True)

    def start(self) -> BackgroundPublisher:
        self._thread.start()
        return self

    def submit(self, meta: FrameMeta, jpeg: bytes) -> Future:
        """Queue a frame; the future resolves once the broker confirmed it."""
        future: Future = Future()
        with self._cond:
            if len(self._items) >= self._maxsize:
                old_meta, _, old_future = self._items.popleft()
                old_future.set_exception(FrameDropped(old_meta.frame_id))
                metrics.FRAMES_DROPPED.labels(old_meta.camera_id, "backlog").inc()
            self._items.append((meta, jpeg, future))
            self._cond.notify()
        return future

    def pending(self) -> int:
        with self._cond:
            return len(self._items)

    def _take(self) -> tuple[FrameMeta, bytes, Future] | None:
        with self._cond:
            if not self._items:
                self._cond.wait(0.2)
            return self._items.popleft() if self._items else None

    def _run(self) -> None:
        while not (self._closing.is_set() and not self.pending()):
            item = self._take()
            if item is None:
                self.sink.idle(0)  # service heartbeats while the camera is quiet
                continue
            meta, jpeg, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                self.sink.publish(frame_message(meta, jpeg))
                metrics.MESSAGES_PUBLISHED.labels(EXCHANGE_FRAMES).inc()
                future.set_result(meta.frame_id)
            except (BrokerStopped, TransientError) as exc:
                metrics.FRAMES_DROPPED.labels(meta.camera_id, "publish_error").inc()
                future.set_exception(exc)
            except Exception as exc:  # noqa: BLE001 - bad credentials etc.: fail this frame, log loudly
                logger.exception("publishing frame %s failed", meta.frame_id)
                future.set_exception(exc)
        self.sink.close()

    def close(self, flush_timeout: float = 5.0) -> None:
        """Publish what is buffered (up to the timeout), then close the connection."""
        deadline = time.monotonic() + flush_timeout
        while self.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._cond:
            for meta, _, future in self._items:
                future.set_exception(FrameDropped(meta.frame_id))
            self._items.clear()
        self._closing.set()
        self._thread.join(timeout=flush_timeout + 5)
