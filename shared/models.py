"""SQLAlchemy 2 models. The schema itself is made by the Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on every backend.

    Postgres stores timestamptz; MySQL/MariaDB DATETIME has no zone (and no
    fractions unless asked), so values are stored as naive UTC with microseconds
    and given their zone back on the way out. Keyset pagination compares these
    values for equality, so the round trip must be exact.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name in ("mysql", "mariadb") else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Plate crops are a few KB to a few hundred KB: MySQL's BLOB stops at 64 KB.
CropBytes = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
PrimaryKey = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class PlateReadRow(Base):
    __tablename__ = "plate_reads"
    __table_args__ = (
        UniqueConstraint("read_id", name="uq_plate_reads_read_id"),
        Index("ix_plate_reads_captured_at_id", "captured_at", "id"),
        Index("ix_plate_reads_camera_captured", "camera_id", "captured_at"),
        Index("ix_plate_reads_plate_text", "plate_text"),
        {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"},
    )

    id: Mapped[int] = mapped_column(PrimaryKey, primary_key=True, autoincrement=True)
    read_id: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[int] = mapped_column(Integer)
    camera_id: Mapped[str] = mapped_column(String(64))
    frame_id: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recognized_at: Mapped[datetime] = mapped_column(UtcDateTime())
    plate_text: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    char_confidences: Mapped[list[float]] = mapped_column(JSON)
    box: Mapped[list[float]] = mapped_column(JSON)
    detector_confidence: Mapped[float] = mapped_column(Float)
    format: Mapped[str | None] = mapped_column(String(64), nullable=True)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    detector_version: Mapped[str] = mapped_column(String(128))
    recognizer_version: Mapped[str] = mapped_column(String(128))
    latency_ms: Mapped[dict[str, float]] = mapped_column(JSON)
    # Deferred: listing reads must not drag every crop over the wire.
    crop_jpeg: Mapped[bytes | None] = deferred(mapped_column(CropBytes, nullable=True))
    # Set by the client in UTC: MySQL's NOW() is in the session's zone.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=lambda: datetime.now(UTC))


def _now() -> datetime:
    return datetime.now(UTC)


class PassageRow(Base):
    """One vehicle passage: its voted text, best crop, list match and decision.

    Written by the passages service, which keeps it current with every read it
    adds (so a restart can rebuild the passage from here), and stamps
    ``announced_at`` / ``closed_at`` after publishing each event.
    """

    __tablename__ = "passages"
    __table_args__ = (
        UniqueConstraint("passage_id", name="uq_passages_passage_id"),
        Index("ix_passages_first_seen_id", "first_seen", "id"),
        Index("ix_passages_camera_first_seen", "camera_id", "first_seen"),
        Index("ix_passages_plate_text", "plate_text"),
        Index("ix_passages_status_last_seen", "status", "last_seen"),
        {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"},
    )

    id: Mapped[int] = mapped_column(PrimaryKey, primary_key=True, autoincrement=True)
    passage_id: Mapped[str] = mapped_column(String(32))
    camera_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # open, announced, closed
    plate_text: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    format: Mapped[str | None] = mapped_column(String(64), nullable=True)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    read_count: Mapped[int] = mapped_column(Integer)
    best_read_id: Mapped[str] = mapped_column(String(32))
    best_confidence: Mapped[float] = mapped_column(Float)
    list_name: Mapped[str | None] = mapped_column(String(16), nullable=True)
    list_plate: Mapped[str | None] = mapped_column(String(32), nullable=True)
    list_distance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decision: Mapped[str] = mapped_column(String(16))
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    crop_jpeg: Mapped[bytes | None] = deferred(mapped_column(CropBytes, nullable=True))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class PassageReadRow(Base):
    """A read's place in a passage: what the tracker needs to rebuild it after a restart.

    ``read_id`` is unique: a read redelivered after a crash is recognised and skipped.
    """

    __tablename__ = "passage_reads"
    __table_args__ = (
        UniqueConstraint("read_id", name="uq_passage_reads_read_id"),
        Index("ix_passage_reads_passage_id", "passage_id"),
        Index("ix_passage_reads_seen_at", "seen_at"),
        {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"},
    )

    id: Mapped[int] = mapped_column(PrimaryKey, primary_key=True, autoincrement=True)
    read_id: Mapped[str] = mapped_column(String(32))
    passage_id: Mapped[str] = mapped_column(String(32))
    camera_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    plate_text: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    char_confidences: Mapped[list[float]] = mapped_column(JSON)
    box: Mapped[list[float]] = mapped_column(JSON)
    candidates: Mapped[list[list[Any]]] = mapped_column(JSON)


class ListEntryRow(Base):
    """A plate on the site's allow or deny list (plate text normalised)."""

    __tablename__ = "list_entries"
    __table_args__ = (
        UniqueConstraint("list_name", "plate_text", name="uq_list_entries_list_plate"),
        {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"},
    )

    id: Mapped[int] = mapped_column(PrimaryKey, primary_key=True, autoincrement=True)
    list_name: Mapped[str] = mapped_column(String(16))
    plate_text: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
