"""POST /v1/recognize on a real RabbitMQ, the detector and recognizer as processes (fake models).

The gateway runs in-process (Flask test clients, on threads for the concurrent case); the
workers read marker plates (shared/fake_backend.py), so the reply content is checked
exactly. The recorder runs too, to prove a snapshot never becomes a stored read.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from services.api.app import create_app
from shared.db import make_engine
from shared.fake_backend import draw_plate
from shared.images import encode_jpeg
from shared.messages import FrameMeta, meta_headers, new_frame_id, utcnow
from shared.models import PlateReadRow
from shared.topology import (
    EXCHANGE_FRAMES,
    EXCHANGE_SNAPSHOTS,
    QUEUE_DETECTOR_SNAPSHOTS,
    QUEUE_PASSAGE_READS,
    QUEUE_PLATES_RECOGNIZED,
    SNAPSHOTS_MAX_LENGTH,
)
from tests.faults.harness import FaultPipeline
from tests.pipeline.helpers import channel, get_all, queue_depth, send, wait_for

pytestmark = pytest.mark.integration

KEY = "snap-key"


def _still(*plates: str) -> bytes:
    image = np.zeros((360, 640, 3), dtype=np.uint8)
    for i, text in enumerate(plates):
        draw_plate(image, text, 40 + 10 * i, 40 + 100 * i)
    return encode_jpeg(image)


def _gateway(amqp_url: str, database_url: str, timeout_s: float) -> Any:
    config = {"AMQP_URL": amqp_url, "SNAPSHOT_TIMEOUT_S": timeout_s, "API_KEY": KEY}
    return create_app({"DATABASE_URL": database_url, **config})


def _post(app: Any, body: bytes) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = app.test_client().post(
        "/v1/recognize", data=body, content_type="image/jpeg", headers={"X-API-Key": KEY}
    )
    return response.status_code, response.get_json(), time.monotonic() - started


def _texts(body: dict) -> list[str]:
    return [p["text"] for p in body["plates"]]


@pytest.fixture
def workers(amqp_url: str, migrated_db: str, tmp_path: Path) -> Any:
    pipe = FaultPipeline(amqp_url, migrated_db, tmp_path)
    try:
        for name in ("detector", "recognizer", "recorder"):
            pipe.start(name)
        for key in ("detector.0", "recognizer.0", "recorder.0"):
            pipe.wait_ready(key, timeout=90)
        yield pipe
    finally:
        codes = pipe.stop()
    assert all(c == 0 for c in codes.values()), {k: pipe.log_tail(k) for k in codes}


def test_snapshots_are_read_answered_and_not_recorded(
    workers: FaultPipeline, amqp_url: str, migrated_db: str
) -> None:
    app = _gateway(amqp_url, migrated_db, timeout_s=20)
    status, body, _ = _post(app, _still("AB12CD"))
    assert status == 200, body
    (plate,) = body["plates"]
    assert plate["text"] == "AB12CD" and plate["confidence"] == pytest.approx(0.99)
    assert plate["box"] == [40.0, 40.0, 40.0 + 16 + 16 * 6, 40.0 + 32]
    assert plate["detector_confidence"] == pytest.approx(0.95) and plate["format"] == "fake"
    assert len(plate["char_confidences"]) == 6 and plate["candidates"][0]["text"] == "AB12CD"

    status, body, _ = _post(app, _still("X111", "Y222", "Z333"))
    assert status == 200 and sorted(_texts(body)) == ["X111", "Y222", "Z333"]

    status, body, took = _post(app, _still())
    assert (status, body["plates"]) == (200, [])
    assert took < 3.0  # answered by the detector at once, not by the timeout

    _assert_concurrent_callers_get_their_own(app)
    _assert_snapshots_not_recorded(amqp_url, migrated_db, workers)


def _assert_concurrent_callers_get_their_own(app: Any) -> None:
    plates = [f"C{i}X{i}" for i in range(4)]
    answers: dict[str, Any] = {}

    def call(text: str) -> None:
        answers[text] = _post(app, _still(text))

    threads = [threading.Thread(target=call, args=(t,)) for t in plates]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert {t: (a[0], _texts(a[1])) for t, a in answers.items()} == {t: (200, [t]) for t in plates}


def _assert_snapshots_not_recorded(amqp_url: str, database_url: str, pipe: FaultPipeline) -> None:
    """A camera frame goes all the way through; the snapshots never appear beside it."""
    body = _still("CAM9")
    meta = FrameMeta(
        camera_id="gate-1", frame_id=new_frame_id(), captured_at=utcnow(), width=640, height=360
    )
    engine = make_engine(database_url)
    try:
        with channel(amqp_url) as ch:
            send(ch, EXCHANGE_FRAMES, "gate-1", body, meta_headers(meta), "image/jpeg")

            def stored() -> list[str]:
                with engine.connect() as conn:
                    return list(conn.execute(select(PlateReadRow.plate_text)).scalars())

            assert wait_for(stored, timeout=30) == ["CAM9"], pipe.log_tail("recorder.0")
            time.sleep(0.5)  # a snapshot read, were it published, would have landed by now
            assert stored() == ["CAM9"]
            for queue in (QUEUE_PLATES_RECOGNIZED, QUEUE_PASSAGE_READS):
                assert queue_depth(ch, queue) == 1, queue
                ((_, _, read),) = get_all(ch, queue, 1)
                assert json.loads(read)["plate_text"] == "CAM9"
    finally:
        engine.dispose()


def test_without_detectors_a_snapshot_times_out_and_expires(
    amqp_url: str, migrated_db: str
) -> None:
    app = _gateway(amqp_url, migrated_db, timeout_s=1.0)
    status, body, took = _post(app, _still("AB12"))
    assert status == 504, body
    assert "within 1 s" in body["error"]["message"] and 1.0 <= took < 3.0
    with channel(amqp_url) as ch:
        # the TTL took the still out of the queue: a detector starting later will not read it
        wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_SNAPSHOTS) == 0, timeout=5)
        # a full snapshot queue refuses (never drops) a snapshot: the caller hears it at once
        for _ in range(SNAPSHOTS_MAX_LENGTH):
            send(ch, EXCHANGE_SNAPSHOTS, "snapshot", b"x", {}, "image/jpeg")
        status, body, took = _post(app, _still("AB12"))
        assert status == 503 and "too many snapshots" in body["error"]["message"]
        assert took < 1.0


def test_unreachable_broker_is_503(migrated_db: str) -> None:
    app = _gateway("amqp://guest:guest@127.0.0.1:1/%2F", migrated_db, timeout_s=2.0)
    status, body, _ = _post(app, _still("AB12"))
    assert status == 503 and "broker not reachable" in body["error"]["message"]
