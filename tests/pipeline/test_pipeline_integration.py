"""The whole chain through a real RabbitMQ and Postgres, with fake models in-process.

Frames from a folder -> capture -> detector -> recognizer -> plates.recognized,
recorder -> Postgres -> gateway. The fake reader reads each crop as its
brightness, so every image's expected text is known.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from services.api.app import create_app
from services.capture.publisher import BackgroundPublisher
from services.capture.sources import FolderSource
from services.capture.worker import CaptureWorker
from services.detector.worker import DetectorWorker
from services.recognizer.worker import RecognizerWorker
from services.recorder.worker import RecorderWorker
from shared.broker import Publisher
from shared.consumer import Consumer
from shared.db import make_engine, make_sessionmaker
from shared.images import encode_jpeg
from shared.topology import (
    QUEUE_DETECTOR_FRAMES,
    QUEUE_PLATES_RECOGNIZED,
    QUEUE_RECOGNIZER_CROPS,
    QUEUE_RECORDER_READS,
)
from tests.pipeline.fakes import FakeDetector, FakeReader, fake_crop
from tests.pipeline.helpers import channel, get_all, running, wait_for

pytestmark = pytest.mark.integration

VALUES = [40, 90, 140, 190, 240]


def _frames(folder: Path) -> list[str]:
    for i, v in enumerate(VALUES):
        img = np.zeros((120, 160, 3), dtype=np.uint8)
        img[20:60, 20:120] = v  # the "plate" the fake detector finds
        (folder / f"{i:02d}.png").write_bytes(encode_jpeg(img, 100))
    return [f"V{v:03d}" for v in VALUES]


def test_frames_become_stored_and_queryable_reads(
    amqp_url: str, migrated_db: str, tmp_path: Path
) -> None:
    expected = _frames(tmp_path)
    engine = make_engine(migrated_db)
    stop = threading.Event()
    consumers = [
        Consumer(
            amqp_url,
            QUEUE_DETECTOR_FRAMES,
            DetectorWorker(FakeDetector([((20, 20, 120, 60), 0.9)]), fake_crop).handle,
        ),
        Consumer(amqp_url, QUEUE_RECOGNIZER_CROPS, RecognizerWorker(FakeReader(text=None)).handle),
        Consumer(
            amqp_url,
            QUEUE_RECORDER_READS,
            RecorderWorker(make_sessionmaker(engine), stop).handle,
            prefetch=8,
        ),
    ]
    with contextlib.ExitStack() as stack:
        for consumer in consumers:
            stack.enter_context(running(consumer))
        publisher = BackgroundPublisher(Publisher(amqp_url, stop)).start()
        CaptureWorker(lambda: FolderSource(tmp_path), publisher, "gate-1", fps=20).run(stop)
        publisher.close()
        with channel(amqp_url) as ch:
            got = get_all(ch, QUEUE_PLATES_RECOGNIZED, len(expected), timeout=30)
        reads = [json.loads(body) for _, _, body in got]
        assert sorted(r["plate_text"] for r in reads) == expected
        assert {r["camera_id"] for r in reads} == {"gate-1"}
        assert all(
            r["model_versions"] == {"detector": "fake-det-1", "recognizer": "fake-rec-1"}
            for r in reads
        )
        assert all(
            {"capture", "detect", "recognize", "total"} <= set(r["latency_ms"]) for r in reads
        )

        client = create_app({"DATABASE_URL": migrated_db}).test_client()
        items = wait_for(
            lambda: (lambda b: b if len(b) == len(expected) else None)(
                client.get("/v1/reads").get_json()["items"]
            ),
            30,
        )
        assert sorted(i["plate_text"] for i in items) == expected
        assert {i["read_id"] for i in items} == {r["read_id"] for r in reads}
        crop = client.get(items[0]["crop_url"])
        assert crop.status_code == 200 and crop.data[:2] == b"\xff\xd8"
    stop.set()
    engine.dispose()
