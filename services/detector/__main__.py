"""python -m services.detector: frames in, plate crops out. Replicas share the queue."""

from __future__ import annotations

import sys
import threading

from services.detector.worker import build_worker, count_dropped
from shared.consumer import Consumer
from shared.health import Health
from shared.logging import setup_logging
from shared.metrics import serve_metrics
from shared.runtime import install_stop_handlers, run_until_stopped
from shared.settings import DetectorSettings, load_settings
from shared.topology import QUEUE_DETECTOR_FRAMES, QUEUE_DETECTOR_SNAPSHOTS, QUEUE_DROPPED_FRAMES


def main() -> int:
    settings = load_settings(DetectorSettings)
    setup_logging("detector", settings.log_level, settings.log_format)
    stop = install_stop_handlers()
    worker = build_worker(settings)
    worker.warm_up()  # before consuming: load and warm at start, not on the first car
    consumer = Consumer(
        settings.amqp_url, QUEUE_DETECTOR_FRAMES, worker.handle, prefetch=settings.prefetch
    )
    # Counts the frames the broker dropped because the detectors fell behind.
    drops = Consumer(settings.amqp_url, QUEUE_DROPPED_FRAMES, count_dropped, prefetch=50)
    threading.Thread(target=drops.run, args=(stop,), name="drop-counter", daemon=True).start()
    # Stills for POST /v1/recognize: own consumer, so they never wait behind the frames backlog.
    snapshots = Consumer(settings.amqp_url, QUEUE_DETECTOR_SNAPSHOTS, worker.handle, prefetch=1)
    health = Health("detector")
    health.add("broker", consumer.ready.is_set)
    health.add("snapshots", snapshots.ready.is_set)
    # Before the snapshot thread starts: a port taken ends the process, not half of it.
    serve_metrics(settings.metrics_port, settings.metrics_host, health=health)
    snap_thread = threading.Thread(target=snapshots.run, args=(stop,), name="snapshots")
    snap_thread.start()
    code = run_until_stopped(consumer.run, stop)
    stop.set()  # the frames consumer may end on its own (bad credentials): end the other too
    snap_thread.join(timeout=30)
    return code


if __name__ == "__main__":
    sys.exit(main())
