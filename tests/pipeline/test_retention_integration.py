"""Retention: old reads, crops and passages are deleted, recent ones kept (Postgres and MySQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.db import insert_read, make_engine, make_sessionmaker, upgrade_to_head
from shared.models import PassageReadRow, PassageRow, PlateReadRow
from shared.retention import RetentionJob, purge_older_than
from tests.pipeline.helpers import make_read, wait_for

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _passage(pid: str, last_seen: datetime) -> PassageRow:
    return PassageRow(
        passage_id=pid,
        camera_id="gate-1",
        status="closed",
        plate_text="AB123CD",
        confidence=0.9,
        first_seen=last_seen - timedelta(seconds=5),
        last_seen=last_seen,
        read_count=1,
        best_read_id=pid,
        best_confidence=0.9,
        decision="unknown",
        crop_jpeg=b"\xff\xd8\xff",
    )


def _passage_read(rid: str, seen_at: datetime) -> PassageReadRow:
    return PassageReadRow(
        read_id=rid,
        passage_id=rid,
        camera_id="gate-1",
        seen_at=seen_at,
        plate_text="AB123CD",
        confidence=0.9,
        char_confidences=[0.9],
        box=[0, 0, 1, 1],
        candidates=[],
    )


def _fill(url: str) -> None:
    sessions = make_sessionmaker(make_engine(url))
    old, recent = NOW - timedelta(days=31), NOW - timedelta(days=29)
    with sessions() as s:
        for i in range(5):  # more than one batch of 2
            insert_read(s, make_read(frame_id=f"old{i}", captured_at=old))
        insert_read(s, make_read(frame_id="new", captured_at=recent))
        s.add_all([_passage("a" * 32, old), _passage("b" * 32, recent)])
        s.add_all([_passage_read("c" * 32, old), _passage_read("d" * 32, recent)])
        s.commit()


def _counts(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return {
            m.__tablename__: conn.scalar(select(func.count()).select_from(m))
            for m in (PlateReadRow, PassageRow, PassageReadRow)
        }


@pytest.mark.parametrize("backend", ["postgres", "mysql"])
def test_rows_older_than_the_retention_are_deleted(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("database_url" if backend == "postgres" else "mysql_url")
    upgrade_to_head(url)
    _fill(url)
    engine = make_engine(url)
    deleted = purge_older_than(engine, NOW - timedelta(days=30), batch=2)
    assert deleted == {"plate_reads": 5, "passage_reads": 1, "passages": 1}
    assert _counts(engine) == {"plate_reads": 1, "passages": 1, "passage_reads": 1}
    with engine.connect() as conn:
        assert conn.scalar(select(PassageRow.passage_id)) == "b" * 32
    engine.dispose()


def test_the_job_purges_at_start_and_stops_on_request(migrated_db: str) -> None:
    _fill(migrated_db)
    engine = make_engine(migrated_db)
    stop = threading.Event()
    job = RetentionJob(engine, days=30, interval_s=3600, clock=lambda: NOW)
    thread = job.start(stop)
    wait_for(lambda: _counts(engine)["plate_reads"] == 1)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert RetentionJob(engine, days=0, interval_s=1).start(stop) is None  # 0 = keep all
    engine.dispose()
