"""Guarantee 4: garbage on every queue is logged, dead-lettered with its reason, and survived.

Nothing may crash, loop (requeue) or stall: each bad message is dead-lettered
exactly once, and a good frame sent after the garbage is still read and stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.broker import OutgoingMessage, publish
from shared.consumer import ERROR_HEADER
from shared.messages import CropMeta, FrameMeta, new_frame_id, utcnow
from shared.topology import (
    EXCHANGE_FRAMES,
    QUEUE_DEAD_LETTER,
    QUEUE_DETECTOR_FRAMES,
    QUEUE_RECOGNIZER_CROPS,
    QUEUE_RECORDER_READS,
)
from tests.faults.harness import FaultPipeline, wait_queues_empty
from tests.faults.oracle import drain, report, wait_stored, write_frames
from tests.pipeline.helpers import channel, make_read

pytestmark = pytest.mark.faults

HUGE = 20 * 1024 * 1024  # over every body limit in shared/messages.py


def _frame_meta(**change: object) -> str:
    meta = FrameMeta(
        camera_id="gate-x", frame_id=new_frame_id(), captured_at=utcnow(), width=320, height=240
    ).model_dump(mode="json")
    return json.dumps({**meta, **change})


def _crop_meta(**change: object) -> str:
    meta = CropMeta(
        camera_id="gate-x",
        frame_id=new_frame_id(),
        plate_index=0,
        captured_at=utcnow(),
        box=(1, 2, 30, 40),
        detector_confidence=0.9,
        detector_version="t",
    ).model_dump(mode="json")
    return json.dumps({**meta, **change})


def _image_garbage(meta: object) -> list[tuple[str, dict, bytes]]:
    """(case, headers, body) for a queue whose messages are an image plus a meta header."""
    good = meta()  # type: ignore[operator]
    missing = {k: v for k, v in json.loads(good).items() if k not in ("camera_id", "captured_at")}
    return [
        ("no_header", {}, b"not json at all"),
        ("header_not_json", {"x-lpr-meta": "{{{ nope"}, b"\xff\xd8\xff"),
        ("header_not_a_string", {"x-lpr-meta": 5}, b"\xff\xd8\xff"),
        ("wrong_schema_version", {"x-lpr-meta": meta(schema_version=2)}, b"\xff\xd8\xff"),  # type: ignore[operator]
        ("missing_fields", {"x-lpr-meta": json.dumps(missing)}, b"\xff\xd8\xff"),
        ("not_an_image", {"x-lpr-meta": good}, b"GIF89a definitely not a jpeg" * 10),
        ("zero_byte_image", {"x-lpr-meta": good}, b""),
        ("huge_body", {"x-lpr-meta": good}, os.urandom(HUGE)),
    ]


def _read_garbage() -> list[tuple[str, dict, bytes]]:
    read = make_read().model_dump(mode="json")
    return [
        ("not_json", {}, b"\x00\xffgarbage"),
        ("json_array", {}, b"[1, 2, 3]"),
        ("wrong_schema_version", {}, json.dumps({**read, "schema_version": 2}).encode()),
        ("missing_fields", {}, json.dumps({"schema_version": 1, "read_id": "0" * 32}).encode()),
        ("invalid_utf8", {}, json.dumps(read).encode().replace(b"AB123CD", b"AB\xff\xfeCD")),
        ("bad_base64_crop", {}, json.dumps({**read, "crop_jpeg_b64": "@@@not-base64"}).encode()),
        ("zero_byte", {}, b""),
        ("huge_body", {}, b'{"pad": "' + b"x" * HUGE + b'"}'),
    ]


def test_garbage_on_every_queue_is_dead_lettered_once(
    amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    garbage = {
        QUEUE_DETECTOR_FRAMES: _image_garbage(_frame_meta),
        QUEUE_RECOGNIZER_CROPS: _image_garbage(_crop_meta),
        QUEUE_RECORDER_READS: _read_garbage(),
    }
    pipe = FaultPipeline(amqp_url, database_url, tmp_path)
    try:
        keys = [pipe.start(name) for name in ("recorder", "detector", "recognizer")]
        for key in keys:
            pipe.wait_ready(key)
        with channel(amqp_url) as ch:
            for queue, cases in garbage.items():
                for case, headers, body in cases:
                    # The default exchange routes straight to the queue named by the key.
                    publish(
                        ch,
                        OutgoingMessage("", queue, body, "application/octet-stream", headers, case),
                    )
            _send_good_frame(ch, tmp_path)
        stored = wait_stored(database_url, 2, timeout=60)
        wait_queues_empty(amqp_url, list(garbage), timeout=60)
        dead = [
            dict(props.headers or {}) | {"case": props.message_id}
            for props, _ in drain(amqp_url, QUEUE_DEAD_LETTER)
        ]
        requeued = {
            k: pipe.metric(k, "lpr_messages_consumed_total", outcome="requeued") for k in keys
        }
        alive = {k: pipe.alive(k) for k in keys}
    finally:
        codes = pipe.stop()
    sent = sum(len(c) for c in garbage.values())
    by_queue = {q: sorted(d["case"] for d in dead if d.get("x-lpr-queue") == q) for q in garbage}
    report(
        "poison_messages",
        {
            "sent_garbage": sent,
            "dead_lettered": len(dead),
            "requeued": requeued,
            "good_reads_stored_after": len(stored),
            "reasons": {
                f"{d.get('x-lpr-queue')}/{d['case']}": str(d.get(ERROR_HEADER))[:90] for d in dead
            },
        },
    )
    assert alive == dict.fromkeys(keys, True) and codes == dict.fromkeys(keys, 0)
    assert by_queue == {q: sorted(c[0] for c in cases) for q, cases in garbage.items()}
    assert all(d.get(ERROR_HEADER) for d in dead), "every dead letter says why"
    assert requeued == dict.fromkeys(keys, 0.0), "garbage must be recognised, not retried"
    assert sorted(r["plate_text"] for r in stored) == ["XA0000", "XB0000"]


def _send_good_frame(ch: object, tmp_path: Path) -> None:
    write_frames(tmp_path / "good", "X", 1)  # frame 0 holds two plates
    body = (tmp_path / "good" / "00000.jpg").read_bytes()
    headers = {"x-lpr-meta": _frame_meta()}
    publish(ch, OutgoingMessage(EXCHANGE_FRAMES, "gate-x", body, "image/jpeg", headers))
