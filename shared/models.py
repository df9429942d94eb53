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
