"""Message schemas: strict, frozen, UTC, and stable on the wire."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.messages import (
    META_HEADER,
    FrameMeta,
    PlateReadMessage,
    make_read_id,
    meta_from_headers,
    meta_headers,
)
from tests.pipeline.helpers import make_read


def _frame(**kw: object) -> FrameMeta:
    base = {
        "camera_id": "cam1",
        "frame_id": "f1",
        "captured_at": datetime.now(UTC),
        "width": 640,
        "height": 480,
    }
    return FrameMeta(**(base | kw))


def test_read_round_trips_through_json() -> None:
    msg = make_read()
    doc = json.loads(msg.to_json_bytes())
    assert PlateReadMessage.model_validate(doc) == msg
    assert doc["captured_at"].endswith("Z")
    required = {
        "schema_version",
        "read_id",
        "camera_id",
        "frame_id",
        "captured_at",
        "plate_text",
        "confidence",
        "char_confidences",
        "box",
        "detector_confidence",
        "model_versions",
        "latency_ms",
    }
    assert required <= set(doc)
    assert set(doc["model_versions"]) == {"detector", "recognizer"}


def test_times_are_converted_to_utc_and_naive_times_refused() -> None:
    paris = timezone(timedelta(hours=2))
    meta = _frame(captured_at=datetime(2024, 5, 1, 10, 0, tzinfo=paris))
    assert meta.captured_at == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert meta.captured_at.tzinfo == UTC
    with pytest.raises(ValidationError):
        _frame(captured_at=datetime(2024, 5, 1, 10, 0))


@pytest.mark.parametrize(
    "change",
    [
        {"unexpected": 1},
        {"schema_version": 2},
        {"confidence": 1.5},
        {"read_id": "not-hex"},
        {"camera_id": "has.dot"},
        {"box": [1, 2, 3]},
    ],
)
def test_reads_are_strict(change: dict) -> None:
    doc = make_read().model_dump(mode="json") | change
    with pytest.raises(ValidationError):
        PlateReadMessage.model_validate(doc)


def test_messages_are_frozen() -> None:
    with pytest.raises(ValidationError):
        make_read().plate_text = "CHANGED"  # type: ignore[misc]


def test_meta_header_round_trip_and_errors() -> None:
    meta = _frame()
    assert meta_from_headers(FrameMeta, meta_headers(meta)) == meta
    assert meta_from_headers(FrameMeta, {META_HEADER: meta.model_dump_json().encode()}) == meta
    for bad in (None, {}, {META_HEADER: 5}, {META_HEADER: "{}"}):
        with pytest.raises(ValueError):
            meta_from_headers(FrameMeta, bad)


def test_read_ids_are_deterministic_per_frame_and_plate() -> None:
    assert make_read_id("f1", 0) == make_read_id("f1", 0)
    assert len({make_read_id("f1", 0), make_read_id("f1", 1), make_read_id("f2", 0)}) == 3
    assert len(make_read_id("f1", 0)) == 32
