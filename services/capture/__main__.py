"""python -m services.capture: publish frames from a camera source and/or the ingest endpoint."""

from __future__ import annotations

import logging
import sys
import threading

from services.capture.publisher import BackgroundPublisher
from services.capture.sources import open_source
from services.capture.worker import CaptureWorker
from shared.broker import Publisher
from shared.health import Health
from shared.logging import setup_logging
from shared.metrics import serve_metrics
from shared.runtime import install_stop_handlers
from shared.settings import CaptureSettings, SettingsError, load_settings

logger = logging.getLogger("services.capture")


def start_ingest(settings: CaptureSettings, publisher: BackgroundPublisher) -> object:
    import uvicorn

    from services.capture.ingest import create_ingest_app

    app = create_ingest_app(publisher, settings.camera_id, settings.jpeg_quality)
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.ingest_host, port=settings.ingest_port, log_config=None)
    )
    threading.Thread(
        target=server.run, name="ingest", daemon=True
    ).start()  # our handlers own the signals
    return server


def main() -> int:
    settings = load_settings(CaptureSettings)
    if not settings.capture_source and not settings.ingest_port:
        raise SettingsError("set LPR_CAPTURE_SOURCE, LPR_INGEST_PORT, or both")
    setup_logging("capture", settings.log_level, settings.log_format)
    stop = install_stop_handlers()
    broker = Publisher(settings.amqp_url, stop)
    publisher = BackgroundPublisher(broker, settings.capture_queue_size).start()
    health = Health("capture")
    health.add("broker", lambda: broker.connected)
    worker = None
    if settings.capture_source:
        source = settings.capture_source
        worker = CaptureWorker(
            lambda: open_source(source, settings.capture_loop),
            publisher,
            settings.camera_id,
            settings.capture_fps,
            jpeg_quality=settings.jpeg_quality,
            reconnect_max_s=settings.reconnect_max_s,
            stall_s=settings.capture_stall_s,
        )
        health.add("camera", worker.source_ok.is_set)
    serve_metrics(settings.metrics_port, settings.metrics_host, health=health)
    server = start_ingest(settings, publisher) if settings.ingest_port else None
    if worker is not None:
        worker.run(stop)
    if server is not None:
        stop.wait()  # the ingest endpoint serves until SIGTERM
        server.should_exit = True
    publisher.close()
    logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
