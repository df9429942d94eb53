"""python -m services.recorder: wait for the DB, migrate, then store every read."""

from __future__ import annotations

import logging
import sys

from services.recorder.worker import RecorderWorker
from shared.consumer import Consumer
from shared.db import DbProbe, make_engine, make_sessionmaker, upgrade_to_head, wait_for_db
from shared.health import Health
from shared.logging import setup_logging
from shared.metrics import serve_metrics
from shared.retention import RetentionJob
from shared.runtime import install_stop_handlers, run_until_stopped
from shared.settings import RecorderSettings, load_settings
from shared.topology import QUEUE_RECORDER_READS

logger = logging.getLogger("services.recorder")


def main() -> int:
    settings = load_settings(RecorderSettings)
    setup_logging("recorder", settings.log_level, settings.log_format)
    stop = install_stop_handlers()
    engine = make_engine(settings.database_url)
    worker = RecorderWorker(make_sessionmaker(engine), stop)
    consumer = Consumer(
        settings.amqp_url, QUEUE_RECORDER_READS, worker.handle, prefetch=settings.prefetch
    )
    # Served before the DB wait, so /readyz says "database down" during a slow start too.
    health = Health("recorder")
    health.add("broker", consumer.ready.is_set)
    health.add("database", DbProbe(engine))
    serve_metrics(settings.metrics_port, settings.metrics_host, health=health)
    if not wait_for_db(engine, stop, settings.db_wait_s):
        return 0 if stop.is_set() else 1
    upgrade_to_head(engine)
    # Privacy: old reads, crops and passages are deleted in the background.
    RetentionJob(engine, settings.retention_days, settings.retention_interval_s).start(stop)
    try:
        return run_until_stopped(consumer.run, stop)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
