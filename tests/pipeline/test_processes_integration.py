"""capture and api as real processes: configured by env, stop cleanly on SIGTERM."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from shared.images import encode_jpeg
from shared.localrun import ServiceProcesses, free_port
from shared.messages import FrameMeta, meta_from_headers
from shared.topology import QUEUE_DETECTOR_FRAMES
from tests.pipeline.helpers import channel, get_all, queue_depth, wait_for

pytestmark = pytest.mark.integration


def test_capture_process_publishes_a_folder_then_exits(amqp_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.jpg").write_bytes(encode_jpeg(np.full((60, 80, 3), 60 * i, dtype=np.uint8)))
    procs = ServiceProcesses(
        {
            "LPR_AMQP_URL": amqp_url,
            "LPR_CAPTURE_SOURCE": str(folder),
            "LPR_CAPTURE_FPS": "10",
            "LPR_CAMERA_ID": "p-cam",
        },
        tmp_path,
    )
    proc = procs.start("capture")
    try:
        assert proc.wait(timeout=60) == 0, procs.log("capture.0")
    finally:
        procs.stop()
    with channel(amqp_url) as ch:
        got = get_all(ch, QUEUE_DETECTOR_FRAMES, 3)
    metas = [meta_from_headers(FrameMeta, props.headers) for _, props, _ in got]
    assert [(m.camera_id, m.width, m.height) for m in metas] == [("p-cam", 80, 60)] * 3
    assert [props.content_type for _, props, _ in got] == ["image/jpeg"] * 3


def test_capture_ingest_endpoint_process(amqp_url: str, tmp_path: Path) -> None:
    port = free_port()
    procs = ServiceProcesses(
        {"LPR_AMQP_URL": amqp_url, "LPR_INGEST_PORT": str(port), "LPR_INGEST_HOST": "127.0.0.1"},
        tmp_path,
    )
    procs.start("capture")
    try:
        jpeg = encode_jpeg(np.zeros((30, 40, 3), dtype=np.uint8))

        def post() -> dict | None:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/frames?camera_id=push-1", data=jpeg, method="POST"
            )
            try:
                with urllib.request.urlopen(req, timeout=5) as resp:
                    return json.loads(resp.read()) if resp.status == 202 else None
            except (urllib.error.URLError, ConnectionError):
                return None

        answer = wait_for(post, timeout=30, interval=0.3)
        assert answer["camera_id"] == "push-1"
        with channel(amqp_url) as ch:
            wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_FRAMES) == 1)
    finally:
        codes = procs.stop()
    assert codes == {"capture.0": 0}, procs.log("capture.0")


def test_api_process_serves_and_stops_on_sigterm(migrated_db: str, tmp_path: Path) -> None:
    port = free_port()
    procs = ServiceProcesses(
        {
            "LPR_DATABASE_URL": migrated_db,
            "LPR_API_PORT": str(port),
            "LPR_API_HOST": "127.0.0.1",
            "LPR_API_KEY": "k",
        },
        tmp_path,
    )
    procs.start("api")

    def get(path: str, key: str = "k") -> tuple[int, dict] | None:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-API-Key": key})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())
        except (urllib.error.URLError, ConnectionError):
            return None

    try:
        assert wait_for(lambda: get("/readyz"), timeout=30, interval=0.3) == (
            200,
            {"status": "ready", "database": "ok"},
        )
        assert get("/v1/reads") == (200, {"items": [], "next_cursor": None})
        assert get("/v1/reads", key="wrong")[0] == 401
    finally:
        started = time.monotonic()
        codes = procs.stop()
    assert codes == {"api.0": 0}, procs.log("api.0")
    assert time.monotonic() - started < 15
