"""Passages service against a real RabbitMQ and Postgres: one event per car, decisions, crashes."""

from __future__ import annotations

import functools
import json
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lpr.passages import PassageTracker
from services.passages.service import PassageService
from services.passages.store import PassageStore
from services.passages.worker import PassageWorker
from shared.db import make_engine, make_sessionmaker
from shared.lists import ListCache
from shared.localrun import ServiceProcesses, free_port
from shared.models import ListEntryRow, PassageReadRow, PassageRow
from shared.topology import (
    EXCHANGE_RECOGNIZED,
    QUEUE_BARRIER_DECISIONS,
    QUEUE_PASSAGE_READS,
    QUEUE_PLATES_PASSAGES,
)
from tests.pipeline.helpers import channel, get_all, make_read, queue_depth, running, send, wait_for

pytestmark = pytest.mark.integration


def _service(amqp_url: str, sessions) -> PassageService:  # noqa: ANN001
    tracker = functools.partial(PassageTracker, gap_s=1.0, announce_after_s=0.3, rearm_s=30)
    worker = PassageWorker(PassageStore(sessions), tracker, ListCache(sessions, ttl_s=0).entries)
    return PassageService(amqp_url, worker)


def _send_reads(ch, plates: list[str], start: datetime, step_s: float = 0.1) -> None:  # noqa: ANN001
    for k, plate in enumerate(plates):
        msg = make_read(
            plate, camera_id="gate-1", captured_at=start + timedelta(seconds=k * step_s)
        )
        send(ch, EXCHANGE_RECOGNIZED, msg.camera_id, msg.to_json_bytes())


def _bodies(ch, queue: str, expect: int, timeout: float = 10) -> list[dict]:  # noqa: ANN001
    return [json.loads(body) for _, _, body in get_all(ch, queue, expect, timeout)]


def test_one_announcement_a_decision_and_a_final_update(amqp_url: str, migrated_db: str) -> None:
    engine = make_engine(migrated_db)
    sessions = make_sessionmaker(engine)
    with sessions() as s, s.begin():
        s.add(ListEntryRow(list_name="deny", plate_text="AB123CD", note="stolen"))
    with running(_service(amqp_url, sessions)), channel(amqp_url) as ch:
        _send_reads(ch, ["AB123CD", "A8123CD", "AB123CD", "AB128CD"], datetime.now(UTC))
        announced = _bodies(ch, QUEUE_PLATES_PASSAGES, 1)
        (decision,) = _bodies(ch, QUEUE_BARRIER_DECISIONS, 1)
        assert announced[0]["event"] == "announced" and announced[0]["plate_text"] == "AB123CD"
        assert decision["decision"] == "deny" and decision["list_match"]["note"] == "stolen"
        (closed,) = _bodies(ch, QUEUE_PLATES_PASSAGES, 1, timeout=10)
        assert closed["event"] == "closed" and closed["passage_id"] == announced[0]["passage_id"]
        assert closed["read_count"] == 4 and closed["crop_jpeg_b64"]
        wait_for(lambda: queue_depth(ch, QUEUE_PASSAGE_READS) == 0)
        assert queue_depth(ch, QUEUE_PLATES_PASSAGES) == 0  # nothing more
    with sessions() as s:
        row = s.scalars(select(PassageRow)).one()
        assert (row.status, row.decision, row.read_count) == ("closed", "deny", 4)
    engine.dispose()


def test_a_restart_neither_loses_reads_nor_announces_twice(amqp_url: str, migrated_db: str) -> None:
    engine = make_engine(migrated_db)
    sessions = make_sessionmaker(engine)
    start = datetime.now(UTC)
    with channel(amqp_url) as ch:
        with running(_service(amqp_url, sessions)):
            _send_reads(ch, ["XY987ZZ"] * 3, start)
            (first,) = _bodies(ch, QUEUE_PLATES_PASSAGES, 1)
        # a new process: the open passage comes back from the database
        with running(_service(amqp_url, sessions)):
            _send_reads(ch, ["XY987ZZ"] * 2, start + timedelta(seconds=0.5))
            events = _bodies(ch, QUEUE_PLATES_PASSAGES, 2, timeout=8)
    assert [e["event"] for e in events] == ["closed"]
    assert events[0]["passage_id"] == first["passage_id"] and events[0]["read_count"] == 5
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PassageRow)) == 1
        assert s.scalar(select(func.count()).select_from(PassageReadRow)) == 5
    engine.dispose()


def test_process_survives_sigkill_and_serves_health(
    amqp_url: str, migrated_db: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "LPR_AMQP_URL": amqp_url,
        "LPR_DATABASE_URL": migrated_db,
        "LPR_PASSAGE_DELAY_S": "0.3",
        "LPR_PASSAGE_GAP_S": "1.5",
        "LPR_METRICS_PORT": str(port),
        "LPR_METRICS_HOST": "127.0.0.1",
        "LPR_PLATE_FORMATS": "fr_siv",
    }
    procs = ServiceProcesses(env, tmp_path)
    try:
        procs.start("passages")
        wait_for(lambda: _ready(port), timeout=60, interval=0.3)
        with channel(amqp_url) as ch:
            _send_reads(ch, ["KL555MN"] * 20, datetime.now(UTC), step_s=0.05)
            procs.kill("passages.0")  # mid-stream: some reads stored, some not acked
            procs.start("passages", replica=1)
            events = _bodies(ch, QUEUE_PLATES_PASSAGES, 3, timeout=20)
        kinds = [(e["event"], e["read_count"]) for e in events]
        print("events after SIGKILL and restart:", kinds)
        assert len({e["passage_id"] for e in events}) == 1, kinds
        assert kinds[-1] == ("closed", 20), kinds  # every read counted once
        assert [k for k, _ in kinds].count("announced") <= 2, kinds  # at most one repeat
    finally:
        codes = procs.stop()
    assert codes["passages.1"] == 0, procs.log("passages.1")


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False
