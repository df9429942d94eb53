"""Migrations and the idempotent insert on Postgres and MySQL/MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from shared.db import insert_read, make_engine, make_sessionmaker, upgrade_to_head
from shared.models import Base, PlateReadRow
from tests.pipeline.helpers import jpeg, make_read

pytestmark = pytest.mark.integration


def _roundtrip(url: str) -> None:
    upgrade_to_head(url)
    upgrade_to_head(url)  # a second start (or a second replica) finds nothing to do
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    big_crop = jpeg(width=900, height=300)  # crops over 64 KB need MEDIUMBLOB on MySQL
    big_crop += b"\0" * (70_000 - len(big_crop))
    when = datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)
    msg = make_read("ب12345", captured_at=when, crop=big_crop)  # Arabic letters need utf8mb4
    with sessions() as s:
        assert insert_read(s, msg) is True
        s.commit()
    with sessions() as s:
        assert insert_read(s, msg) is False
        s.commit()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PlateReadRow)) == 1
        row = s.scalars(select(PlateReadRow)).one()
        assert row.plate_text == "ب12345"
        assert row.captured_at == when  # exact to the microsecond: keyset pagination relies on it
        assert row.crop_jpeg == big_crop
        assert row.candidates == [{"text": "ب12345", "confidence": 0.93}]
        assert row.created_at.tzinfo is not None
    engine.dispose()


def test_postgres_migrate_and_insert_idempotently(database_url: str) -> None:
    _roundtrip(database_url)


def test_mysql_migrate_and_insert_idempotently(mysql_url: str) -> None:
    _roundtrip(mysql_url)


def test_migrations_match_the_models(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        columns = {c["name"] for c in inspect(conn).get_columns("plate_reads")}
    engine.dispose()
    assert diff == []
    assert columns == set(PlateReadRow.__table__.columns.keys())
