"""python -m services.passages: reads in, one event per vehicle passage out, with a decision."""

from __future__ import annotations

import functools
import logging
import sys

from lpr.formats import FormatMatcher, patterns_named
from lpr.passages import PassageTracker
from services.passages.service import PassageService
from services.passages.store import PassageStore
from services.passages.worker import PassageWorker, Policy
from shared.db import DbProbe, make_engine, make_sessionmaker, upgrade_to_head, wait_for_db
from shared.health import Health
from shared.lists import ListCache
from shared.logging import setup_logging
from shared.metrics import serve_metrics
from shared.runtime import install_stop_handlers, run_until_stopped
from shared.settings import PassagesSettings, load_settings

logger = logging.getLogger("services.passages")


def main() -> int:
    settings = load_settings(PassagesSettings)
    setup_logging("passages", settings.log_level, settings.log_format)
    stop = install_stop_handlers()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    tracker = functools.partial(
        PassageTracker,
        gap_s=settings.passage_gap_s,
        announce_after_s=settings.passage_delay_s,
        rearm_s=settings.passage_rearm_s,
    )
    formats = patterns_named(settings.plate_formats) if settings.plate_formats else None
    worker = PassageWorker(
        PassageStore(sessions),
        tracker,
        ListCache(sessions).entries,
        formats=FormatMatcher(formats),
        policy=Policy(settings.list_max_distance, settings.allow_min_confidence),
    )
    service = PassageService(settings.amqp_url, worker, prefetch=settings.prefetch)
    health = Health("passages")
    health.add("broker", service.ready.is_set)
    health.add("database", DbProbe(engine))
    serve_metrics(settings.metrics_port, settings.metrics_host, health=health)
    if not wait_for_db(engine, stop, settings.db_wait_s):
        return 0 if stop.is_set() else 1
    upgrade_to_head(engine)  # the same lock as the recorder's: whichever starts first migrates
    try:
        return run_until_stopped(service.run, stop)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
