"""Recorder: store each read in the database (idempotent on read_id), commit, then ack."""

from __future__ import annotations

import binascii
import logging
import threading

from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared import metrics
from shared.broker import Delivery, OutgoingMessage, PoisonMessage, TransientError, backoff_delay
from shared.db import insert_read
from shared.messages import MAX_READ_BYTES, PlateReadMessage, check_size

logger = logging.getLogger(__name__)

DB_RETRY_MAX_S = 5.0


def parse_read(body: bytes) -> PlateReadMessage:
    try:
        check_size(body, MAX_READ_BYTES, "read")
    except ValueError as exc:
        raise PoisonMessage(str(exc)) from exc
    try:
        msg = PlateReadMessage.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        raise PoisonMessage(
            f"invalid read ({exc.error_count()} errors; first: {where}: {first['msg']})"
        ) from exc
    if msg.crop_jpeg_b64:
        try:
            binascii.a2b_base64(msg.crop_jpeg_b64, strict_mode=True)
        except binascii.Error as exc:
            raise PoisonMessage(f"crop_jpeg_b64 is not valid base64: {exc}") from exc
    return msg


class RecorderWorker:
    def __init__(self, sessions: sessionmaker[Session], stop: threading.Event) -> None:
        self.sessions = sessions
        self.stop = stop

    def handle(self, delivery: Delivery) -> list[OutgoingMessage]:
        msg = parse_read(delivery.body)
        attempt = 0
        while True:
            try:
                inserted = self._store(msg)
                break
            except (DataError, IntegrityError) as exc:
                # Not a duplicate (those are absorbed by the insert): a value the schema refuses.
                raise PoisonMessage(f"database refused read {msg.read_id}: {exc.orig}") from exc
            except DBAPIError as exc:
                if not isinstance(exc, OperationalError) and not exc.connection_invalidated:
                    raise
                # The database is away: keep the message (unacked) and retry,
                # rather than requeue it into a hot loop.
                if self.stop.is_set():
                    raise TransientError(f"database unavailable: {exc.orig}") from exc
                attempt += 1
                # Capped low: a ping is cheap, and the site wants its reads stored
                # seconds after the database is back, not up to 30 s later.
                delay = min(backoff_delay(attempt), DB_RETRY_MAX_S)
                logger.warning(
                    "database write failed (%s); retry %d in %.0f s",
                    str(exc.orig).strip(),
                    attempt,
                    delay,
                )
                self.stop.wait(delay)
        metrics.READS_STORED.labels("inserted" if inserted else "duplicate").inc()
        logger.debug("read %s %s", msg.read_id, "stored" if inserted else "was already stored")
        return []

    def _store(self, msg: PlateReadMessage) -> bool:
        with self.sessions() as session:
            inserted = insert_read(session, msg)
            session.commit()
        return inserted
