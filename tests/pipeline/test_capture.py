"""Capture: sources, pacing, reconnects, the bounded publisher and the ingest endpoint."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from services.capture.ingest import create_ingest_app
from services.capture.publisher import BackgroundPublisher, FrameDropped
from services.capture.sources import FolderSource, SourceError, open_source
from services.capture.worker import CaptureWorker
from shared.broker import OutgoingMessage, TransientError
from shared.images import decode_image, encode_jpeg
from shared.messages import FrameMeta, meta_from_headers, utcnow


class Collect:
    """A submitter that records frames and confirms them at once."""

    def __init__(self) -> None:
        self.frames: list[tuple[FrameMeta, bytes, float]] = []

    def submit(self, meta: FrameMeta, jpeg: bytes) -> Future:
        self.frames.append((meta, jpeg, time.monotonic()))
        f: Future = Future()
        f.set_result(meta.frame_id)
        return f


def _write_images(folder: Path, values: list[int]) -> None:
    folder.mkdir(exist_ok=True)
    for i, v in enumerate(values):
        (folder / f"img_{i:03d}.jpg").write_bytes(
            encode_jpeg(np.full((48, 64, 3), v, dtype=np.uint8))
        )


def test_folder_source_reads_sorted_skips_junk_and_loops(tmp_path: Path) -> None:
    _write_images(tmp_path, [10, 120, 240])
    (tmp_path / "img_001b.jpg").write_bytes(b"not an image")
    (tmp_path / "labels.jsonl").write_text("{}")
    src = FolderSource(tmp_path, loop=True)
    src.open()
    means = [int(round(src.read().mean())) for _ in range(4)]
    assert means[:3] == [10, 120, 240] and abs(means[3] - 10) < 3
    once = FolderSource(tmp_path)
    once.open()
    assert [once.read() is None for _ in range(4)] == [False, False, False, True]


def test_open_source_picks_the_kind(tmp_path: Path) -> None:
    assert open_source("0").live and open_source("rtsp://cam/stream").live
    assert isinstance(open_source(str(tmp_path)), FolderSource)
    assert not open_source(str(tmp_path / "video.mp4")).live
    with pytest.raises(SourceError):
        open_source(str(tmp_path / "missing.mp4")).open()


def test_capture_publishes_a_folder_at_the_fps_cap(tmp_path: Path) -> None:
    _write_images(tmp_path, [10, 50, 90, 130, 170])
    sink = Collect()
    worker = CaptureWorker(lambda: FolderSource(tmp_path), sink, "gate-1", fps=20)
    started = time.monotonic()
    worker.run(threading.Event())  # returns when the folder is exhausted
    assert len(sink.frames) == 5
    assert time.monotonic() - started >= 4 / 20 - 0.01
    # captured_at is stamped as each frame is emitted: no two closer than 1/fps
    gaps = np.diff([m.captured_at.timestamp() for m, _, _ in sink.frames])
    assert gaps.min() >= 1 / 20 - 0.002
    meta, jpeg, _ = sink.frames[2]
    assert (meta.camera_id, meta.width, meta.height) == ("gate-1", 64, 48)
    assert abs(decode_image(jpeg).mean() - 90) < 3
    assert len({m.frame_id for m, _, _ in sink.frames}) == 5


class FlakyCamera:
    """Missing for the first opens, then delivers frames fast, then drops."""

    live = True

    def __init__(self, log: list[str], fail_opens: int, frames: int) -> None:
        self.log, self.fail_opens, self.frames = log, fail_opens, frames

    def open(self) -> None:
        self.log.append("open")
        if self.log.count("open") <= self.fail_opens:
            raise SourceError("camera missing")

    def read(self) -> np.ndarray:
        if self.frames == 0:
            raise SourceError("stream dropped")
        self.frames -= 1
        time.sleep(0.01)
        return np.zeros((8, 8, 3), dtype=np.uint8)

    def close(self) -> None:
        self.log.append("close")


def test_live_camera_is_reopened_with_backoff_and_rate_limited() -> None:
    log: list[str] = []
    sink = Collect()
    stop = threading.Event()
    cams = iter([FlakyCamera(log, 2, 0), FlakyCamera(log, 2, 0), FlakyCamera(log, 2, 50)])
    worker = CaptureWorker(
        lambda: next(cams, FlakyCamera(log, 0, 0)), sink, "gate-1", fps=10, reconnect_max_s=30
    )
    timer = threading.Timer(4.5, stop.set)
    timer.start()
    started = time.monotonic()
    worker.run(stop)
    timer.cancel()
    # two failed opens cost 1 s + 2 s of backoff; 50 frames at ~100/s are capped to ~10/s
    assert log[:3] == ["open", "close", "open"]
    assert time.monotonic() - started >= 3
    assert 3 <= len(sink.frames) <= 8


class FakeSink:
    def __init__(self, fail: bool = False, delay: float = 0.0) -> None:
        self.sent: list[OutgoingMessage] = []
        self.fail, self.delay, self.closed = fail, delay, False

    def publish(self, msg: OutgoingMessage) -> None:
        time.sleep(self.delay)
        if self.fail:
            raise TransientError("nacked")
        self.sent.append(msg)

    def idle(self, seconds: float) -> None:
        time.sleep(seconds)

    def close(self) -> None:
        self.closed = True


def _meta(i: int) -> FrameMeta:
    return FrameMeta(camera_id="c1", frame_id=f"f{i}", captured_at=utcnow(), width=8, height=8)


def test_background_publisher_drops_the_oldest_when_the_broker_is_slow() -> None:
    sink = FakeSink(delay=0.2)
    pub = BackgroundPublisher(sink, maxsize=2).start()
    futures = [pub.submit(_meta(i), b"j") for i in range(6)]
    pub.close(flush_timeout=5)
    sent = [meta_from_headers(FrameMeta, m.headers).frame_id for m in sink.sent]
    assert (
        sent[-2:] == ["f4", "f5"] and len(sent) <= 3
    )  # the newest frames are never the ones dropped
    dropped = [f for f in futures if isinstance(f.exception(timeout=1), FrameDropped)]
    assert len(dropped) == 6 - len(sent)
    assert sink.closed


def test_ingest_publishes_and_answers_after_the_confirm() -> None:
    sink = FakeSink()
    pub = BackgroundPublisher(sink).start()
    client = TestClient(create_ingest_app(pub, "gate-9"))
    jpeg = encode_jpeg(np.full((40, 60, 3), 77, dtype=np.uint8))
    r = client.post(
        "/v1/frames?camera_id=gate-2", content=jpeg, headers={"content-type": "image/jpeg"}
    )
    assert r.status_code == 202, r.text
    pub.close()
    (msg,) = sink.sent
    meta = meta_from_headers(FrameMeta, msg.headers)
    assert (meta.camera_id, meta.frame_id, meta.width, meta.height) == (
        "gate-2",
        r.json()["frame_id"],
        60,
        40,
    )
    assert msg.body == jpeg and msg.routing_key == "gate-2"


def test_ingest_errors() -> None:
    pub = BackgroundPublisher(FakeSink(fail=True)).start()
    client = TestClient(create_ingest_app(pub, "gate-9"))
    jpeg = encode_jpeg(np.zeros((10, 10, 3), dtype=np.uint8))
    assert client.post("/v1/frames", content=b"garbage").status_code == 400
    assert client.post("/v1/frames?camera_id=bad%20id", content=jpeg).status_code == 400
    assert client.post("/v1/frames", content=jpeg).status_code == 503  # the broker refused it
    pub.close()
