"""Recognizer: read the text of each plate crop and publish the read (JSON contract)."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from lpr.refine import box_in_crop, frame_box, refine
from lpr.types import READ_MAX_CHARS, READ_MIN_CHARS, READ_MIN_CONFIDENCE, ReadPolicy
from lpr.vote import steady
from shared import metrics
from shared.broker import Delivery, OutgoingMessage, PoisonMessage
from shared.images import ImageError, decode_image
from shared.messages import (
    MAX_CROP_BYTES,
    Candidate,
    CropMeta,
    ModelVersions,
    PlateReadMessage,
    check_size,
    make_read_id,
    meta_from_headers,
    utcnow,
)
from shared.snapshot import (
    SnapshotPlate,
    SnapshotReply,
    SnapshotRoute,
    reply_message,
    route_from_headers,
)
from shared.topology import EXCHANGE_RECOGNIZED

logger = logging.getLogger(__name__)

MAX_PLATE_CHARS = 32


class PlateReader(Protocol):
    model_version: str

    def read(self, crops: list[np.ndarray]) -> list[Any]:  # list[lpr.types.PlateRead]
        ...


def _unit(value: float) -> float:
    """Model outputs may be numpy floats a hair outside 0..1."""
    return min(max(float(value), 0.0), 1.0)


def _read_fields(read: Any) -> dict:
    """What a read message and a snapshot reply both carry of a read, bounded as the schema asks."""
    return {
        "confidence": _unit(read.confidence),
        "char_confidences": [_unit(c) for c in read.char_confidences],
        "format": read.format,
        "candidates": [
            Candidate(text=t[:MAX_PLATE_CHARS], confidence=_unit(c)) for t, c in read.candidates
        ],
    }


class RecognizerWorker:
    def __init__(
        self,
        reader: PlateReader,
        *,
        min_read_confidence: float = READ_MIN_CONFIDENCE,
        min_plate_chars: int = READ_MIN_CHARS,
        max_plate_chars: int = READ_MAX_CHARS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.reader = reader
        self.policy = ReadPolicy(min_read_confidence, min_plate_chars, max_plate_chars)
        self.clock = clock

    def warm_up(self) -> None:
        started = time.perf_counter()
        self.reader.read([np.zeros((48, 160, 3), dtype=np.uint8)])
        logger.info(
            "reader %s warm (%.0f ms)",
            self.reader.model_version,
            (time.perf_counter() - started) * 1000,
        )

    def handle(self, delivery: Delivery) -> list[OutgoingMessage]:
        try:
            check_size(delivery.body, MAX_CROP_BYTES, "crop")
            meta = meta_from_headers(CropMeta, delivery.headers)
            route = route_from_headers(delivery.headers)
            if route is not None and route.crop_count is None:
                raise ValueError("snapshot crop without crop_count")
            crop = decode_image(delivery.body)
        except (ValueError, ImageError) as exc:
            raise PoisonMessage(f"bad crop: {exc}") from exc
        started = time.perf_counter()
        (read,) = self.reader.read([crop])
        # The crop may hold a whole plate recess: read again at the plate, as `lpr scan` does.
        inner = box_in_crop(crop)
        (cut,), (read,) = refine(self.reader, crop, [inner], [read])
        (read,) = steady(self.reader, crop, [cut], [read], self.policy, [meta.detector_confidence])
        box = meta.box if cut == inner else frame_box(meta.box, cut)
        recognize_ms = (time.perf_counter() - started) * 1000
        metrics.STAGE_SECONDS.labels("recognize").observe(recognize_ms / 1000)
        if route is not None:
            # Answered to the caller only: not a sighting, so not on lpr.recognized.
            return [self._snapshot_reply(route, meta, read, box)]
        if not self.policy.accepts(read, meta.detector_confidence, box):
            logger.debug(
                "dropping read %r (%.2f) of frame %s", read.text, read.confidence, meta.frame_id
            )
            return []
        msg = self._message(meta, read, box, recognize_ms, delivery.body)
        metrics.READS_PUBLISHED.labels(meta.camera_id).inc()
        metrics.STAGE_SECONDS.labels("total").observe(msg.latency_ms["total"] / 1000)
        return [
            OutgoingMessage(
                exchange=EXCHANGE_RECOGNIZED,
                routing_key=meta.camera_id,
                body=msg.to_json_bytes(),
                content_type="application/json",
                headers={"schema_version": msg.schema_version},
                message_id=msg.read_id,
            )
        ]

    def _snapshot_reply(
        self, route: SnapshotRoute, meta: CropMeta, read: Any, box: tuple
    ) -> OutgoingMessage:
        """One reply per crop, with ``plate`` null when unreadable, so the caller can stop waiting."""
        plate = None
        if self.policy.accepts(read, meta.detector_confidence, box):
            plate = SnapshotPlate(
                text=read.text[:MAX_PLATE_CHARS],
                box=box,
                detector_confidence=meta.detector_confidence,
                **_read_fields(read),
            )
        reply = SnapshotReply(
            correlation_id=route.correlation_id,
            crop_count=route.crop_count or 0,
            plate_index=meta.plate_index,
            plate=plate,
        )
        return reply_message(route, reply)

    def _message(
        self, meta: CropMeta, read: Any, box: tuple, recognize_ms: float, crop_jpeg: bytes
    ) -> PlateReadMessage:
        now = self.clock()
        latency = dict(meta.latency_ms)
        latency["recognize"] = round(recognize_ms, 2)
        latency["total"] = round(max((now - meta.captured_at).total_seconds() * 1000, 0.0), 2)
        return PlateReadMessage(
            read_id=make_read_id(meta.frame_id, meta.plate_index),
            camera_id=meta.camera_id,
            frame_id=meta.frame_id,
            captured_at=meta.captured_at,
            recognized_at=now,
            plate_text=read.text[:MAX_PLATE_CHARS],
            box=box,
            detector_confidence=meta.detector_confidence,
            **_read_fields(read),
            model_versions=ModelVersions(
                detector=meta.detector_version, recognizer=self.reader.model_version
            ),
            latency_ms=latency,
            crop_jpeg_b64=base64.b64encode(crop_jpeg).decode("ascii"),
        )


def build_worker(settings: Any) -> RecognizerWorker:
    """Load the real model (imported here, so tests with fakes need no model files)."""
    if settings.backend == "fake":
        # Marker plates for the fault tests only (see shared/fake_backend.py).
        from shared.fake_backend import FakeReader

        logger.warning("LPR_BACKEND=fake: reading test marker plates only, not real plates")
        return RecognizerWorker(
            FakeReader(),
            min_read_confidence=settings.min_read_confidence,
            min_plate_chars=settings.min_plate_chars,
            max_plate_chars=settings.max_plate_chars,
        )
    from lpr.formats import FormatMatcher, patterns_named
    from lpr.inference import load_reader

    reader = load_reader(
        path=settings.recognizer_model,
        backend=settings.backend,
        device=settings.device,
        threads=settings.threads,
        formats=FormatMatcher(
            patterns_named(settings.plate_formats) if settings.plate_formats else None
        ),
    )
    return RecognizerWorker(
        reader,
        min_read_confidence=settings.min_read_confidence,
        min_plate_chars=settings.min_plate_chars,
        max_plate_chars=settings.max_plate_chars,
    )
