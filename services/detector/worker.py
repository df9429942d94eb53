"""Detector: find plates in a frame, publish one JPEG crop (with its box) per plate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from shared import metrics
from shared.broker import Delivery, OutgoingMessage, PoisonMessage
from shared.images import ImageError, decode_image, encode_jpeg
from shared.messages import (
    MAX_FRAME_BYTES,
    CropMeta,
    FrameMeta,
    check_size,
    meta_from_headers,
    meta_headers,
    utcnow,
)
from shared.snapshot import (
    SnapshotReply,
    SnapshotRoute,
    reply_message,
    route_from_headers,
    route_headers,
)
from shared.topology import EXCHANGE_CROPS, QUEUE_DETECTOR_FRAMES

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]


class PlateDetector(Protocol):
    model_version: str

    def detect(self, image_bgr: np.ndarray) -> list[Any]:  # list[lpr.types.Detection]
        ...


CropFn = Callable[[np.ndarray, Box], np.ndarray]


def clip_box(box: Box, width: int, height: int) -> Box:
    x1, y1, x2, y2 = (float(v) for v in box)
    return (
        min(max(x1, 0.0), width),
        min(max(y1, 0.0), height),
        min(max(x2, 0.0), width),
        min(max(y2, 0.0), height),
    )


class DetectorWorker:
    def __init__(
        self,
        detector: PlateDetector,
        crop_fn: CropFn,
        *,
        min_confidence: float = 0.1,
        max_frame_age_s: float = 10.0,
        jpeg_quality: int = 95,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.detector = detector
        self.crop_fn = crop_fn
        self.min_confidence = min_confidence
        self.max_frame_age_s = max_frame_age_s
        self.jpeg_quality = jpeg_quality
        self.clock = clock
        # The frames and the snapshots consumers share one model: one inference at a time (an
        # ultralytics model is not thread-safe), so a snapshot waits for at most one frame.
        self._model_lock = threading.Lock()

    def warm_up(self, height: int = 720, width: int = 1280) -> None:
        """Run once before consuming, so the first car does not pay for lazy initialisation."""
        started = time.perf_counter()
        with self._model_lock:
            self.detector.detect(np.zeros((height, width, 3), dtype=np.uint8))
        logger.info(
            "detector %s warm (%.0f ms)",
            self.detector.model_version,
            (time.perf_counter() - started) * 1000,
        )

    def handle(self, delivery: Delivery) -> list[OutgoingMessage]:
        try:
            check_size(delivery.body, MAX_FRAME_BYTES, "frame")
            meta = meta_from_headers(FrameMeta, delivery.headers)
            route = route_from_headers(delivery.headers)
            image = decode_image(delivery.body)
        except (ValueError, ImageError) as exc:
            raise PoisonMessage(f"bad frame: {exc}") from exc
        age_s = (self.clock() - meta.captured_at).total_seconds()
        # A snapshot expires in the broker when its caller stops waiting, so it is never stale.
        if route is None and age_s > self.max_frame_age_s:
            # A backlog frame: the car has moved on. Ack it without running the model.
            metrics.FRAMES_DROPPED.labels(meta.camera_id, "stale").inc()
            logger.info("skipping frame %s: %.1f s old", meta.frame_id, age_s)
            return []
        started = time.perf_counter()
        with self._model_lock:
            detections = self.detector.detect(image)
        detect_ms = (time.perf_counter() - started) * 1000
        metrics.STAGE_SECONDS.labels("detect").observe(detect_ms / 1000)
        latency = {
            "capture": meta.capture_ms,
            "detect_wait": max(age_s * 1000, 0.0),
            "detect": detect_ms,
        }
        kept = sorted(
            (d for d in detections if d.confidence >= self.min_confidence),
            key=lambda d: -d.confidence,
        )
        out = [
            self._crop_message(meta, image, index, det, latency) for index, det in enumerate(kept)
        ]
        messages = [m for m in out if m is not None]
        metrics.PLATES_DETECTED.labels(meta.camera_id).inc(len(messages))
        return messages if route is None else _route_crops(route, messages)

    def _crop_message(
        self, meta: FrameMeta, image: np.ndarray, index: int, det: Any, latency: dict[str, float]
    ) -> OutgoingMessage | None:
        height, width = image.shape[:2]
        box = clip_box(det.box, width, height)
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            logger.debug("dropping degenerate box %s in frame %s", det.box, meta.frame_id)
            return None
        crop = self.crop_fn(image, box)
        if crop is None or crop.size == 0:
            return None
        crop_meta = CropMeta(
            camera_id=meta.camera_id,
            frame_id=meta.frame_id,
            plate_index=index,
            captured_at=meta.captured_at,
            box=box,
            detector_confidence=min(max(float(det.confidence), 0.0), 1.0),
            detector_version=self.detector.model_version,
            latency_ms={k: round(v, 2) for k, v in latency.items()},
        )
        return OutgoingMessage(
            exchange=EXCHANGE_CROPS,
            routing_key=meta.camera_id,
            body=encode_jpeg(np.ascontiguousarray(crop), self.jpeg_quality),
            content_type="image/jpeg",
            headers=meta_headers(crop_meta),
            message_id=f"{meta.frame_id}/{index}",
        )


def _route_crops(route: SnapshotRoute, crops: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """A snapshot's crops carry its route and how many there are; none: reply "no plate" now."""
    if not crops:
        return [
            reply_message(route, SnapshotReply(correlation_id=route.correlation_id, crop_count=0))
        ]
    routed = route_headers(route.model_copy(update={"crop_count": len(crops)}))
    return [
        OutgoingMessage(
            exchange=m.exchange,
            routing_key=m.routing_key,
            body=m.body,
            content_type=m.content_type,
            headers={**m.headers, **routed},
            message_id=m.message_id,
        )
        for m in crops
    ]


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def count_dropped(delivery: Delivery) -> list[OutgoingMessage]:
    """Count a frame RabbitMQ dropped from the full frames queue (oldest first).

    Handler of ``QUEUE_DROPPED_FRAMES``, which receives a copy of every dead
    letter: only those dead-lettered by the frames queue for ``maxlen`` count.
    """
    for death in delivery.headers.get("x-death") or []:
        if not isinstance(death, dict):
            continue
        reason, queue = _text(death.get("reason")), _text(death.get("queue"))
        if reason == "maxlen" and queue == QUEUE_DETECTOR_FRAMES:
            metrics.FRAMES_DROPPED.labels(delivery.routing_key, "maxlen").inc()
            break
    return []


def build_worker(settings: Any) -> DetectorWorker:
    """Load the real model (imported here, so tests with fakes need no model files)."""
    if settings.backend == "fake":
        # Marker plates for the fault tests only (see shared/fake_backend.py).
        from shared.fake_backend import FakeDetector, crop_box

        logger.warning("LPR_BACKEND=fake: reading test marker plates only, not real plates")
        return DetectorWorker(
            FakeDetector(),
            crop_box,
            min_confidence=settings.min_confidence,
            max_frame_age_s=settings.max_frame_age_s,
            jpeg_quality=settings.jpeg_quality,
        )
    from lpr.inference import crop_plate, load_detector

    detector = load_detector(
        path=settings.detector_model,
        backend=settings.backend,
        device=settings.device,
        threads=settings.threads,
        dark_below=settings.dark_below,
        fine_side=settings.fine_side,
        grey_pass=settings.grey_pass,
        overlay_height=settings.overlay_height,
    )
    return DetectorWorker(
        detector,
        crop_plate,
        min_confidence=settings.min_confidence,
        max_frame_age_s=settings.max_frame_age_s,
        jpeg_quality=settings.jpeg_quality,
    )
