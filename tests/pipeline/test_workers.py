"""Detector and recognizer workers with fake models: message in, messages out."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from services.detector.worker import DetectorWorker
from services.recognizer.worker import RecognizerWorker
from shared.broker import Delivery, PoisonMessage
from shared.images import decode_image, encode_jpeg
from shared.messages import (
    CropMeta,
    FrameMeta,
    PlateReadMessage,
    make_read_id,
    meta_from_headers,
    meta_headers,
)
from shared.topology import EXCHANGE_CROPS, EXCHANGE_RECOGNIZED
from tests.pipeline.fakes import FakeDetector, FakeReader, fake_crop

NOW = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)


def _frame_delivery(
    image: np.ndarray, captured_at: datetime = NOW, camera: str = "gate-1"
) -> Delivery:
    meta = FrameMeta(
        camera_id=camera,
        frame_id="frame1",
        captured_at=captured_at,
        width=image.shape[1],
        height=image.shape[0],
        capture_ms=3.0,
    )
    return Delivery(
        encode_jpeg(image), meta_headers(meta), camera, "lpr.frames", False, "image/jpeg"
    )


def _image() -> np.ndarray:
    img = np.zeros((120, 200, 3), dtype=np.uint8)
    img[10:40, 10:90] = 200
    return img


def _detector(boxes=None, **kw) -> DetectorWorker:  # noqa: ANN001, ANN003
    return DetectorWorker(
        FakeDetector(boxes), fake_crop, clock=lambda: NOW + timedelta(milliseconds=50), **kw
    )


def test_detector_publishes_one_crop_per_plate_best_first() -> None:
    boxes = [((10, 10, 90, 40), 0.7), ((100, 50, 190, 90), 0.95), ((0, 0, 5, 5), 0.05)]
    out = _detector(boxes).handle(_frame_delivery(_image()))
    assert len(out) == 2  # the 0.05 detection is under min_confidence (0.1)
    metas = [meta_from_headers(CropMeta, m.headers) for m in out]
    assert [m.plate_index for m in metas] == [0, 1]
    assert [m.detector_confidence for m in metas] == [0.95, 0.7]
    assert metas[1].box == (10.0, 10.0, 90.0, 40.0)
    assert all(m.exchange == EXCHANGE_CROPS and m.routing_key == "gate-1" for m in out)
    assert all(m.frame_id == "frame1" and m.captured_at == NOW for m in metas)
    assert metas[0].latency_ms["capture"] == 3.0 and metas[0].latency_ms[
        "detect_wait"
    ] == pytest.approx(50.0)
    crop = decode_image(out[1].body)
    assert crop.shape[:2] == (30, 80) and crop.mean() > 150


def test_detector_clips_boxes_to_the_frame() -> None:
    (out,) = _detector([((-20, -5, 500, 60), 0.9)]).handle(_frame_delivery(_image()))
    assert meta_from_headers(CropMeta, out.headers).box == (0.0, 0.0, 200.0, 60.0)


def test_detector_skips_stale_frames_without_running_the_model() -> None:
    worker = _detector(max_frame_age_s=2.0)
    assert worker.handle(_frame_delivery(_image(), captured_at=NOW - timedelta(seconds=5))) == []
    assert worker.detector.calls == 0


def test_detector_with_no_plates_publishes_nothing() -> None:
    assert _detector([]).handle(_frame_delivery(_image())) == []


@pytest.mark.parametrize("broken", ["body", "header", "meta"])
def test_detector_rejects_bad_frames_as_poison(broken: str) -> None:
    good = _frame_delivery(_image())
    bad = {
        "body": Delivery(b"\x00garbage", good.headers, "gate-1", "lpr.frames", False),
        "header": Delivery(good.body, {}, "gate-1", "lpr.frames", False),
        "meta": Delivery(
            good.body, {"x-lpr-meta": '{"camera_id": "x"}'}, "gate-1", "lpr.frames", False
        ),
    }[broken]
    with pytest.raises(PoisonMessage):
        _detector().handle(bad)


def _crop_delivery(index: int = 0, detector_confidence: float = 0.9) -> Delivery:
    meta = CropMeta(
        camera_id="gate-1",
        frame_id="frame1",
        plate_index=index,
        captured_at=NOW,
        box=(10, 10, 90, 40),
        detector_confidence=detector_confidence,
        detector_version="det-7",
        latency_ms={"capture": 3.0, "detect": 30.0},
    )
    crop = encode_jpeg(np.full((30, 80, 3), 180, dtype=np.uint8))
    return Delivery(crop, meta_headers(meta), "gate-1", "lpr.crops", False, "image/jpeg")


def test_recognizer_publishes_the_read_contract() -> None:
    worker = RecognizerWorker(
        FakeReader("AB123CD", 0.9), clock=lambda: NOW + timedelta(milliseconds=120)
    )
    delivery = _crop_delivery(index=1)
    (out,) = worker.handle(delivery)
    assert (out.exchange, out.routing_key, out.content_type) == (
        EXCHANGE_RECOGNIZED,
        "gate-1",
        "application/json",
    )
    msg = PlateReadMessage.model_validate_json(out.body)
    assert msg.read_id == make_read_id("frame1", 1) == out.message_id
    assert (msg.plate_text, msg.confidence, msg.format) == ("AB123CD", 0.9, "generic")
    assert msg.model_versions.detector == "det-7" and msg.model_versions.recognizer == "fake-rec-1"
    assert msg.box == (10, 10, 90, 40) and msg.detector_confidence == 0.9
    assert msg.latency_ms["total"] == pytest.approx(120.0) and "recognize" in msg.latency_ms
    assert msg.latency_ms["detect"] == 30.0
    assert [c.text for c in msg.candidates] == ["AB123CD", "DC321BA"]
    assert base64.b64decode(msg.crop_jpeg_b64) == delivery.body


def test_recognizer_drops_empty_and_low_confidence_reads() -> None:
    assert RecognizerWorker(FakeReader("", 0.9)).handle(_crop_delivery()) == []
    assert (
        RecognizerWorker(FakeReader("AB1", 0.3), min_read_confidence=0.5).handle(_crop_delivery())
        == []
    )


class SurerOnSecondLook(FakeReader):
    """Reads at 0.05 the first time, at 0.6 after (the vote's moved boxes)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, 0.05)

    def read(self, crops: list[np.ndarray]) -> list:
        reads = super().read(crops)
        self.confidence = 0.6
        return reads


@pytest.mark.parametrize("detector_confidence, published", [(0.9, True), (0.3, False)])
def test_recognizer_votes_on_an_unsure_read_of_a_box_the_detector_is_sure_of(
    detector_confidence: float, published: bool
) -> None:
    worker = RecognizerWorker(SurerOnSecondLook("AB123CD"), min_read_confidence=0.2)
    out = worker.handle(_crop_delivery(detector_confidence=detector_confidence))
    assert len(out) == int(published)


def test_recognizer_drops_reads_shorter_than_a_plate() -> None:
    short = RecognizerWorker(FakeReader("AB1", 0.9), min_plate_chars=4)
    assert short.handle(_crop_delivery()) == []
    (out,) = RecognizerWorker(FakeReader("AB12", 0.9), min_plate_chars=4).handle(_crop_delivery())
    assert PlateReadMessage.model_validate_json(out.body).plate_text == "AB12"


def test_recognizer_drops_reads_longer_than_a_plate() -> None:
    overlay = RecognizerWorker(FakeReader("20140813170", 0.9), max_plate_chars=10)
    assert overlay.handle(_crop_delivery()) == []
    (out,) = RecognizerWorker(FakeReader("MH12AB1234", 0.9), max_plate_chars=10).handle(
        _crop_delivery()
    )
    assert PlateReadMessage.model_validate_json(out.body).plate_text == "MH12AB1234"


def test_recognizer_rejects_bad_crops_as_poison() -> None:
    good = _crop_delivery()
    with pytest.raises(PoisonMessage):
        RecognizerWorker(FakeReader()).handle(
            Delivery(b"nope", good.headers, "gate-1", "lpr.crops", False)
        )


@pytest.mark.parametrize("detector_confidence, published", [(0.9, True), (0.3, False)])
def test_recognizer_publishes_a_read_without_digits_only_from_a_sure_box(
    detector_confidence: float, published: bool
) -> None:
    worker = RecognizerWorker(FakeReader("RESIDENT", 0.9), min_plate_chars=4)
    out = worker.handle(_crop_delivery(detector_confidence=detector_confidence))
    assert len(out) == int(published)
