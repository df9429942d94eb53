"""POST /v1/recognize without a broker: the workers' snapshot paths and the route, with fakes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from services.api.app import create_app
from services.api.snapshot_client import SnapshotResult, SnapshotTimeout, SnapshotUnavailable
from services.detector.worker import DetectorWorker
from services.recognizer.worker import RecognizerWorker
from shared import metrics
from shared.broker import Delivery, PoisonMessage
from shared.images import encode_jpeg
from shared.messages import FrameMeta, meta_headers
from shared.snapshot import (
    SNAPSHOT_HEADER,
    ReplyCollector,
    SnapshotPlate,
    SnapshotReply,
    SnapshotRoute,
    route_from_headers,
    route_headers,
)
from shared.topology import EXCHANGE_CROPS
from tests.pipeline.fakes import FakeDetector, FakeReader, fake_crop

NOW = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
ROUTE = SnapshotRoute(reply_to="amq.gen-abc123", correlation_id="snap1")
KEY = "k"


def _snapshot_frame(route: SnapshotRoute = ROUTE, captured_at: datetime = NOW) -> Delivery:
    image = np.zeros((120, 200, 3), dtype=np.uint8)
    image[10:40, 10:90] = 200
    image[50:90, 100:190] = 90
    meta = FrameMeta(
        camera_id="snapshot", frame_id="snap1", captured_at=captured_at, width=200, height=120
    )
    headers = {**meta_headers(meta), **route_headers(route)}
    return Delivery(encode_jpeg(image), headers, "snapshot", "lpr.snapshots", False, "image/jpeg")


def _detector(boxes: list) -> DetectorWorker:
    return DetectorWorker(FakeDetector(boxes), fake_crop, clock=lambda: NOW)


def _recognize(crops: list, reader: FakeReader) -> list[SnapshotReply]:
    worker = RecognizerWorker(reader, min_read_confidence=0.5, clock=lambda: NOW)
    out = []
    for crop in crops:
        delivery = Delivery(crop.body, crop.headers, "snapshot", EXCHANGE_CROPS, False)
        (reply,) = worker.handle(delivery)
        assert (reply.exchange, reply.routing_key) == ("", ROUTE.reply_to)
        out.append(SnapshotReply.model_validate_json(reply.body))
    return out


def test_detector_routes_each_crop_with_the_count_and_recognizer_replies() -> None:
    boxes = [((10, 10, 90, 40), 0.7), ((100, 50, 190, 90), 0.95)]
    crops = _detector(boxes).handle(_snapshot_frame())
    assert [c.exchange for c in crops] == [EXCHANGE_CROPS] * 2
    routes = [route_from_headers(c.headers) for c in crops]
    assert {(r.reply_to, r.correlation_id, r.crop_count) for r in routes} == {
        ("amq.gen-abc123", "snap1", 2)
    }
    replies = _recognize(crops, FakeReader(text=None))
    collector = ReplyCollector("snap1")
    for reply in replies:
        assert not collector.done
        collector.add(reply.to_json_bytes())
    assert collector.done
    # best detection first: the 0.95 box (grey 90) before the 0.7 one (grey 200)
    plates = collector.plates()
    assert [p.text for p in plates] == ["V090", "V200"]
    assert plates[0].box == (100.0, 50.0, 190.0, 90.0) and plates[0].detector_confidence == 0.95


def test_no_plate_snapshot_is_answered_by_the_detector_at_once() -> None:
    (reply,) = _detector([]).handle(_snapshot_frame())
    assert (reply.exchange, reply.routing_key) == ("", ROUTE.reply_to)
    collector = ReplyCollector("snap1")
    collector.add(reply.body)
    assert collector.done and collector.plates() == []


def test_a_snapshot_is_never_skipped_as_stale() -> None:
    old = _snapshot_frame(captured_at=NOW - timedelta(minutes=5))
    assert len(_detector([((10, 10, 90, 40), 0.9)]).handle(old)) == 1


def test_unreadable_snapshot_crop_replies_with_no_plate() -> None:
    crops = _detector([((10, 10, 90, 40), 0.9)]).handle(_snapshot_frame())
    (reply,) = _recognize(crops, FakeReader(confidence=0.2))  # under min_read_confidence
    assert (reply.crop_count, reply.plate_index, reply.plate) == (1, 0, None)


@pytest.mark.parametrize(
    "header",
    [
        '{"reply_to": "plates.recognized", "correlation_id": "x"}',  # not a server-named queue
        '{"reply_to": "amq.gen-a"}',
        "not json",
        "7",
    ],
)
def test_bad_snapshot_header_is_poison(header: str) -> None:
    frame = _snapshot_frame()
    bad = Delivery(frame.body, {**frame.headers, SNAPSHOT_HEADER: header}, "s", "x", False)
    with pytest.raises(PoisonMessage):
        _detector([]).handle(bad)


def test_collector_ignores_other_requests_and_counts_redeliveries_once() -> None:
    collector = ReplyCollector("mine")
    other = SnapshotReply(correlation_id="other", crop_count=0)
    collector.add(other.to_json_bytes())
    collector.add(b"garbage")
    assert not collector.done
    reply = SnapshotReply(correlation_id="mine", crop_count=2, plate_index=0, plate=None)
    collector.add(reply.to_json_bytes())
    collector.add(reply.to_json_bytes())
    assert not collector.done


# --- the route ---------------------------------------------------------------------------


PLATE = SnapshotPlate(
    text="AB123CD",
    confidence=0.9,
    char_confidences=[0.9] * 7,
    box=(1.0, 2.0, 3.0, 4.0),
    detector_confidence=0.8,
    format="eu",
    candidates=[{"text": "AB123CD", "confidence": 0.9}],
)


class FakeClient:
    def __init__(self, outcome: Any = None) -> None:
        self.outcome = outcome
        self.calls: list[tuple[bytes, str, int, int]] = []

    def recognize(self, image: bytes, content_type: str, width: int, height: int) -> Any:
        self.calls.append((image, content_type, width, height))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return SnapshotResult(snapshot_id="s1", plates=[PLATE])


def _client(fake: Any = None, **config: Any) -> Any:
    app = create_app(
        {"DATABASE_URL": "sqlite://", "API_KEY": KEY, "SNAPSHOT_CLIENT": fake, **config}
    )
    return app.test_client()


def _png(width: int = 40, height: int = 30) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", np.full((height, width, 3), 77, dtype=np.uint8))
    assert ok
    return buf.tobytes()


def _post(client: Any, **kwargs: Any) -> tuple[int, dict]:
    response = client.post("/v1/recognize", headers={"X-API-Key": KEY}, **kwargs)
    return response.status_code, response.get_json()


def test_raw_body_is_answered_with_the_plates() -> None:
    fake = FakeClient()
    before = metrics.SNAPSHOT_SECONDS.labels("ok")._sum.get()
    status, body = _post(_client(fake), data=_png(), content_type="image/png")
    assert status == 200, body
    assert body["plates"] == [json.loads(PLATE.model_dump_json())]
    assert body["latency_ms"] >= 0 and body["snapshot_id"] == "s1"
    assert [(c[1], c[2], c[3]) for c in fake.calls] == [("image/png", 40, 30)]
    assert metrics.SNAPSHOT_SECONDS.labels("ok")._sum.get() > before


def test_multipart_field_image_is_accepted() -> None:
    fake = FakeClient()
    data = {"image": (io.BytesIO(_png()), "still.png", "image/png")}
    status, _ = _post(_client(fake), data=data, content_type="multipart/form-data")
    assert status == 200 and fake.calls[0][0] == _png()


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"data": b"hello", "content_type": "text/plain"}, 415, "image/*"),
        ({"data": b"{}", "content_type": "application/json"}, 415, "image/*"),
        ({"data": b"not an image", "content_type": "image/jpeg"}, 400, "decodable"),
        ({"data": b"", "content_type": "image/jpeg"}, 400, "empty"),
        ({"data": {"file": (io.BytesIO(b"x"), "a.png")}}, 400, "'image'"),
        ({"data": b"\xff" * 3000, "content_type": "image/jpeg"}, 413, "limit"),
        ({"data": {"image": (io.BytesIO(b"\xff" * 3000), "a.jpg")}}, 413, "limit"),
    ],
)
def test_bad_uploads_are_4xx_json(kwargs: dict, status: int, words: str) -> None:
    fake = FakeClient()
    got, body = _post(_client(fake, SNAPSHOT_MAX_BYTES=2048), **kwargs)
    assert got == status, body
    assert body["error"]["status"] == status and words in body["error"]["message"]
    assert fake.calls == []


def test_timeout_is_504_and_broker_trouble_503() -> None:
    status, body = _post(
        _client(FakeClient(SnapshotTimeout("no answer within 5 s"))),
        data=_png(),
        content_type="image/png",
    )
    assert status == 504 and "no answer" in body["error"]["message"]
    status, body = _post(
        _client(FakeClient(SnapshotUnavailable("too many"))), data=_png(), content_type="image/png"
    )
    assert status == 503 and body["error"]["message"] == "too many"
    status, body = _post(_client(None), data=_png(), content_type="image/png")
    assert status == 503 and "LPR_AMQP_URL" in body["error"]["message"]


def test_key_is_required() -> None:
    response = _client(FakeClient()).post("/v1/recognize", data=_png(), content_type="image/png")
    assert response.status_code == 401
