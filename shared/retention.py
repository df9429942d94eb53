"""Privacy: delete reads (with their crops) and passages older than ``LPR_RETENTION_DAYS``.

Deletes go in small batches, each its own transaction, so a first run on a
large table neither holds long locks against the recorder's inserts nor
builds one huge transaction. Ids are selected first and deleted by id, which
works the same on Postgres and MySQL/MariaDB (MySQL refuses LIMIT inside an
``IN (subquery)``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select

from shared.messages import utcnow
from shared.models import PassageReadRow, PassageRow, PlateReadRow

logger = logging.getLogger(__name__)

BATCH = 1000

# (table, the time column that ages it): a passage ages from its last sighting,
# so one that is still going on is never cut in half.
_AGED = (
    (PlateReadRow, PlateReadRow.captured_at),
    (PassageReadRow, PassageReadRow.seen_at),
    (PassageRow, PassageRow.last_seen),
)


def purge_older_than(engine: Engine, cutoff: datetime, batch: int = BATCH) -> dict[str, int]:
    """Delete every row older than ``cutoff``; the number deleted per table."""
    counts: dict[str, int] = {}
    for model, column in _AGED:
        total = 0
        while True:
            with engine.begin() as conn:
                ids = conn.scalars(select(model.id).where(column < cutoff).limit(batch)).all()
                if ids:
                    conn.execute(delete(model).where(model.id.in_(ids)))
            total += len(ids)
            if len(ids) < batch:
                break
        counts[model.__tablename__] = total
    return counts


class RetentionJob:
    """Runs ``purge_older_than`` at start and then every ``interval_s`` until stopped."""

    def __init__(
        self,
        engine: Engine,
        days: float,
        interval_s: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.days = days
        self.interval_s = interval_s
        self.clock = clock

    def run_once(self) -> dict[str, int]:
        cutoff = self.clock() - timedelta(days=self.days)
        counts = purge_older_than(self.engine, cutoff)
        if any(counts.values()):
            logger.info("retention: deleted rows older than %s: %s", cutoff.isoformat(), counts)
        return counts

    def run(self, stop: threading.Event) -> None:
        while True:
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - a failed purge is retried next time
                logger.warning("retention purge failed; retrying later", exc_info=True)
            if stop.wait(self.interval_s):
                return

    def start(self, stop: threading.Event) -> threading.Thread | None:
        if self.days <= 0:
            logger.info("retention off (LPR_RETENTION_DAYS=0): data is kept forever")
            return None
        thread = threading.Thread(target=self.run, args=(stop,), name="retention", daemon=True)
        thread.start()
        return thread
