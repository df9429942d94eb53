"""End to end: the six services as processes, real models, frames from a folder.

Checks that the plates in the labelled images arrive on plates.recognized, in
Postgres and through the gateway, and that each car (one per sample frame)
becomes one passage on plates.passages with its decision on barrier.decisions.
Needs the trained models in models/.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.db import make_engine, make_sessionmaker, upgrade_to_head
from shared.lists import Entry, best_match, decide, normalise_plate
from shared.localrun import ROOT, SERVICES, ServiceProcesses, free_port
from shared.models import ListEntryRow, PlateReadRow
from shared.topology import (
    QUEUE_BARRIER_DECISIONS,
    QUEUE_PLATES_PASSAGES,
    QUEUE_PLATES_RECOGNIZED,
)
from tests.pipeline.helpers import channel, wait_for

pytestmark = pytest.mark.e2e

MODELS = [ROOT / "models" / "plate_detector.onnx", ROOT / "models" / "plate_recognizer.onnx"]
SAMPLES = ROOT / "samples" / "frames"
MIN_PLATE_ACCURACY = 0.8  # exact plate text, over every labelled plate
API_KEY = "e2e-key"


@pytest.fixture
def models() -> None:
    missing = [p for p in MODELS if not p.exists()]
    if missing:
        pytest.skip(f"models not trained yet: {[str(p.relative_to(ROOT)) for p in missing]}")


@pytest.fixture
def frames(models: None, tmp_path: Path) -> tuple[Path, list[dict]]:
    """A folder of frames with known plates (from samples/frames/labels.jsonl)."""
    labels_file = SAMPLES / "labels.jsonl"
    if not labels_file.exists():
        pytest.fail(
            f"{labels_file.relative_to(ROOT)} is missing: the e2e test needs labelled sample frames"
        )
    labels = [json.loads(line) for line in labels_file.read_text().splitlines() if line.strip()]
    folder = tmp_path / "frames"
    folder.mkdir()
    for entry in labels:
        shutil.copy(SAMPLES / entry["image"], folder / Path(entry["image"]).name)
    return folder, labels


def _drain(
    amqp_url: str, expect: int, timeout: float, queue: str = QUEUE_PLATES_RECOGNIZED
) -> list[dict]:
    reads: list[dict] = []
    deadline = time.monotonic() + timeout
    with channel(amqp_url) as ch:
        while time.monotonic() < deadline:
            method, _props, body = ch.basic_get(queue, auto_ack=True)
            if method is None:
                if len(reads) >= expect:
                    break  # all expected reads in, and the queue has gone quiet
                ch.connection.sleep(0.5)
                continue
            reads.append(json.loads(body))
    return reads


def _gateway(port: int, path: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-API-Key": API_KEY})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _lists(database_url: str, labels: list[dict]) -> list[Entry]:
    """Deny every other labelled plate, allow two more: the barrier sees all three decisions."""
    upgrade_to_head(database_url)  # before the services start: they find the lists at once
    plates = [normalise_plate(p["text"]) for entry in labels for p in entry["plates"]]
    entries = [Entry("deny", t) for t in plates[::2]] + [Entry("allow", t) for t in plates[1:4:2]]
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session, session.begin():
        session.add_all(
            ListEntryRow(list_name=e.list_name, plate_text=e.plate_text) for e in entries
        )
    engine.dispose()
    return entries


def _env(amqp_url: str, database_url: str, folder: Path, port: int) -> dict[str, str]:
    return {
        "LPR_AMQP_URL": amqp_url,
        "LPR_DATABASE_URL": database_url,
        "LPR_CAPTURE_SOURCE": str(folder),
        # One car per sample frame (the capture does not loop by default): 2 s apart, so
        # no two cars meet on the passage tracker's box track (1 s) nor within its gap.
        "LPR_CAPTURE_FPS": "0.5",
        "LPR_PASSAGE_GAP_S": "1",
        "LPR_PASSAGE_REARM_S": "0",
        "LPR_CAMERA_ID": "e2e-cam",
        "LPR_API_PORT": str(port),
        "LPR_API_HOST": "127.0.0.1",
        "LPR_API_KEY": API_KEY,
        "LPR_MAX_FRAME_AGE_S": "120",  # model loading on a busy CPU must not make frames "stale"
    }


def test_frames_to_backend_db_gateway_and_passages(
    amqp_url: str, database_url: str, frames, tmp_path: Path
) -> None:  # noqa: ANN001
    folder, labels = frames
    expected = sorted(p["text"] for entry in labels for p in entry["plates"])
    entries = _lists(database_url, labels)
    port = free_port()
    procs = ServiceProcesses(_env(amqp_url, database_url, folder, port), tmp_path)
    try:
        for name in SERVICES:
            procs.start(name)
        reads = _drain(amqp_url, len(expected), timeout=180)
        assert not procs.failed(), {k: procs.log(k)[-2000:] for k in procs.failed()}
        texts = sorted(r["plate_text"] for r in reads)
        hits = sum(min(texts.count(t), expected.count(t)) for t in set(expected))
        assert hits / len(expected) >= MIN_PLATE_ACCURACY, f"read {texts}, expected {expected}"
        assert {r["camera_id"] for r in reads} == {"e2e-cam"}

        engine = make_engine(database_url)
        stored = wait_for(lambda: _stored(engine, len(reads)), timeout=30)
        engine.dispose()
        assert sorted(stored) == sorted(r["read_id"] for r in reads)
        wait_for(lambda: _ready(port), timeout=30)
        items = _gateway(port, f"/v1/reads?limit={len(reads) + 10}")["items"]
        assert sorted(i["plate_text"] for i in items) == texts
        _check_passages(amqp_url, reads, entries)
    finally:
        codes = procs.stop()
    assert all(code == 0 for code in codes.values()), {
        k: procs.log(k)[-2000:] for k, c in codes.items() if c
    }


def _check_passages(amqp_url: str, reads: list[dict], entries: list[Entry]) -> None:
    """One passage per read (announced, then closed), one decision each, per the lists."""
    events = _drain(amqp_url, 2 * len(reads), timeout=30, queue=QUEUE_PLATES_PASSAGES)
    closed = {e["passage_id"]: e for e in events if e["event"] == "closed"}
    announced = {e["passage_id"] for e in events if e["event"] == "announced"}
    assert len(events) == 2 * len(reads) and announced == set(closed), events
    assert sorted(p["best_read_id"] for p in closed.values()) == sorted(r["read_id"] for r in reads)
    assert all(p["read_count"] == 1 and p["camera_id"] == "e2e-cam" for p in closed.values())
    # a decision when the passage is announced (the barrier acts on it), a final one at close
    decisions = _drain(amqp_url, 2 * len(closed), timeout=15, queue=QUEUE_BARRIER_DECISIONS)
    assert sorted((d["passage_id"], d["final"]) for d in decisions) == sorted(
        (pid, final) for pid in closed for final in (False, True)
    )
    for d in decisions:
        passage = closed[d["passage_id"]]
        match = best_match(passage["plate_text"], entries, 1)  # LPR_LIST_MAX_DISTANCE default
        want = decide(match, passage["confidence"], 0.5)  # LPR_ALLOW_MIN_CONFIDENCE default
        assert (d["decision"], passage["decision"]) == (want, want), passage
    assert {"deny", "unknown"} <= {d["decision"] for d in decisions}


def _stored(engine, expect: int) -> list[str] | None:  # noqa: ANN001
    with engine.connect() as conn:
        ids = list(conn.execute(select(PlateReadRow.read_id)).scalars())
    return ids if len(ids) >= expect else None


def _ready(port: int) -> bool:
    try:
        return _gateway(port, "/readyz")["status"] == "ready"
    except OSError:
        return False
