"""python -m services.recognizer: plate crops in, plate reads (JSON) out."""

from __future__ import annotations

import sys

from services.recognizer.worker import build_worker
from shared.consumer import Consumer
from shared.health import Health
from shared.logging import setup_logging
from shared.metrics import serve_metrics
from shared.runtime import install_stop_handlers, run_until_stopped
from shared.settings import RecognizerSettings, load_settings
from shared.topology import QUEUE_RECOGNIZER_CROPS


def main() -> int:
    settings = load_settings(RecognizerSettings)
    setup_logging("recognizer", settings.log_level, settings.log_format)
    stop = install_stop_handlers()
    worker = build_worker(settings)
    worker.warm_up()
    consumer = Consumer(
        settings.amqp_url, QUEUE_RECOGNIZER_CROPS, worker.handle, prefetch=settings.prefetch
    )
    health = Health("recognizer")
    health.add("broker", consumer.ready.is_set)
    serve_metrics(settings.metrics_port, settings.metrics_host, health=health)
    return run_until_stopped(consumer.run, stop)


if __name__ == "__main__":
    sys.exit(main())
