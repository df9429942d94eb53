"""Helpers shared by the pipeline tests: broker plumbing, sample messages, waiting."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pika

from shared.broker import OutgoingMessage, publish
from shared.consumer import Consumer
from shared.images import encode_jpeg
from shared.messages import PlateReadMessage, make_read_id
from shared.topology import declare_topology


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@contextmanager
def channel(url: str, declare: bool = True) -> Iterator[Any]:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        if declare:
            declare_topology(ch)
        yield ch
    finally:
        if conn.is_open:
            conn.close()


def queue_depth(ch: Any, queue: str) -> int:
    return ch.queue_declare(queue=queue, passive=True).method.message_count


def get_all(
    ch: Any, queue: str, expect: int, timeout: float = 10.0
) -> list[tuple[Any, Any, bytes]]:
    """basic_get (with ack) until ``expect`` messages were taken or the timeout passes."""
    got: list[tuple[Any, Any, bytes]] = []
    deadline = time.monotonic() + timeout
    while len(got) < expect and time.monotonic() < deadline:
        method, props, body = ch.basic_get(queue, auto_ack=False)
        if method is None:
            ch.connection.sleep(0.05)
            continue
        ch.basic_ack(method.delivery_tag)
        got.append((method, props, body))
    return got


def send(
    ch: Any,
    exchange: str,
    routing_key: str,
    body: bytes,
    headers: dict | None = None,
    content_type: str = "application/json",
) -> None:
    publish(ch, OutgoingMessage(exchange, routing_key, body, content_type, headers or {}))


@contextmanager
def running(consumer: Consumer, timeout: float = 15.0) -> Iterator[threading.Event]:
    """Run a consumer in a thread until the block ends; re-raise what killed it."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            consumer.run(stop)
        except BaseException as exc:  # noqa: BLE001 - surfaced to the test below
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    wait_for(lambda: consumer.ready.is_set() or errors, timeout)
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "consumer did not stop"
    if errors:
        raise errors[0]


def jpeg(width: int = 64, height: int = 24, value: int = 128) -> bytes:
    img = np.full((height, width, 3), value, dtype=np.uint8)
    img[:, : width // 2] = 255 - value  # not flat, so the JPEG is not trivial
    return encode_jpeg(img)


def make_read(
    plate: str = "AB123CD",
    camera_id: str = "cam1",
    frame_id: str | None = None,
    index: int = 0,
    captured_at: datetime | None = None,
    confidence: float = 0.93,
    crop: bytes | None = None,
) -> PlateReadMessage:
    frame_id = frame_id or f"f{time.monotonic_ns()}"
    captured = captured_at or datetime.now(UTC)
    crop = jpeg() if crop is None else crop
    return PlateReadMessage(
        read_id=make_read_id(frame_id, index),
        camera_id=camera_id,
        frame_id=frame_id,
        captured_at=captured,
        recognized_at=captured + timedelta(milliseconds=80),
        plate_text=plate,
        confidence=confidence,
        char_confidences=[confidence] * len(plate),
        box=(10.0, 20.0, 110.0, 50.0),
        detector_confidence=0.88,
        format="generic",
        candidates=[{"text": plate, "confidence": confidence}],
        model_versions={"detector": "det-test", "recognizer": "rec-test"},
        latency_ms={"capture": 1.0, "detect": 30.0, "recognize": 5.0, "total": 80.0},
        crop_jpeg_b64=base64.b64encode(crop).decode() if crop else None,
    )
