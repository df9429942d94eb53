"""Database access: engine, DB wait, migrations, idempotent insert of a read."""

from __future__ import annotations

import base64
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, insert, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.messages import PlateReadMessage
from shared.models import PlateReadRow

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_LOCK_KEY = 4_242_017  # any constant: replicas of the recorder share it


# libpq waits forever by default for a connect, and a half-open socket (a
# network cut, not a refusal) blocks a query until the kernel gives up, many
# minutes later: bounded waits and TCP keepalives turn both into errors the
# recorder retries.
_PG_CONNECT_ARGS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql") and "connect_args" not in kwargs:
        kwargs["connect_args"] = dict(_PG_CONNECT_ARGS)
    # pre_ping: a connection dropped by a Postgres restart is replaced, not handed out.
    return create_engine(url, pool_pre_ping=True, future=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


class DbProbe:
    """Readiness check: does the database answer? Cached, so scrapes cannot hammer it."""

    def __init__(self, engine: Engine, ttl_s: float = 2.0) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._checked_at = -1e9
        self._up = False

    def __call__(self) -> bool:
        with self._lock:
            if time.monotonic() - self._checked_at >= self.ttl_s:
                try:
                    ping(self.engine)
                    self._up = True
                except Exception:  # noqa: BLE001 - any failure means "down"
                    self._up = False
                self._checked_at = time.monotonic()
            return self._up


def wait_for_db(engine: Engine, stop: threading.Event, timeout_s: float = 60.0) -> bool:
    """``SELECT 1`` until it answers (True), the timeout passes or ``stop`` is set (False)."""
    deadline = time.monotonic() + timeout_s
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            ping(engine)
            return True
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                logger.error("database not reachable after %.0f s: %s", timeout_s, exc.orig)
                return False
            logger.warning("database not ready (try %d): %s", attempt, str(exc.orig).strip())
            stop.wait(min(attempt, 5))
    return False


@contextmanager
def _migration_lock(conn: Connection) -> Any:
    """Serialise concurrent migrations (several recorder replicas start together)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
    elif dialect in ("mysql", "mariadb"):
        conn.execute(text("SELECT GET_LOCK('lpr_migrations', 60)"))
    try:
        yield
    finally:
        if dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        elif dialect in ("mysql", "mariadb"):
            conn.execute(text("SELECT RELEASE_LOCK('lpr_migrations')"))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_to_head(url_or_engine: str | Engine) -> None:
    """Bring the schema to the newest revision (safe to run from several processes)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    cfg = alembic_config()
    with engine.connect() as lock_conn, _migration_lock(lock_conn):
        lock_conn.commit()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    logger.info("database schema at head")
    if isinstance(url_or_engine, str):
        engine.dispose()


def row_values(msg: PlateReadMessage) -> dict[str, Any]:
    crop = base64.b64decode(msg.crop_jpeg_b64, validate=True) if msg.crop_jpeg_b64 else None
    return {
        "read_id": msg.read_id,
        "schema_version": msg.schema_version,
        "camera_id": msg.camera_id,
        "frame_id": msg.frame_id,
        "captured_at": msg.captured_at,
        "recognized_at": msg.recognized_at,
        "plate_text": msg.plate_text,
        "confidence": msg.confidence,
        "char_confidences": list(msg.char_confidences),
        "box": list(msg.box),
        "detector_confidence": msg.detector_confidence,
        "format": msg.format,
        "candidates": [c.model_dump() for c in msg.candidates],
        "detector_version": msg.model_versions.detector,
        "recognizer_version": msg.model_versions.recognizer,
        "latency_ms": dict(msg.latency_ms),
        "crop_jpeg": crop,
    }


def insert_read(session: Session, msg: PlateReadMessage) -> bool:
    """Insert a read unless its read_id is stored already; True when a row was added.

    Does not commit: the caller commits, then acks.
    """
    values = row_values(msg)
    dialect = session.get_bind().dialect.name
    table = PlateReadRow.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=["read_id"])
        return session.execute(stmt).rowcount == 1
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as my_insert

        # A no-op update on the duplicate key (INSERT IGNORE would also swallow
        # truncation and other errors). With CLIENT_FOUND_ROWS, which the
        # pymysql dialect sets, a new row counts 1 and a duplicate 0 or 1, so
        # look the duplicate up to tell them apart.
        exists = session.execute(
            text("SELECT 1 FROM plate_reads WHERE read_id = :r"), {"r": msg.read_id}
        ).first()
        stmt = my_insert(table).values(**values).on_duplicate_key_update(read_id=table.c.read_id)
        session.execute(stmt)
        return exists is None
    # Anything else (sqlite in quick tests): a savepoint around a plain insert.
    try:
        with session.begin_nested():
            session.execute(insert(table).values(**values))
        return True
    except IntegrityError:
        return False
