"""python -m services.api: serve the Flask gateway with uvicorn (WSGI interface)."""

from __future__ import annotations

import logging
import sys
import threading

import uvicorn

from services.api.app import create_app
from shared.logging import setup_logging
from shared.runtime import install_stop_handlers
from shared.settings import ApiSettings, load_settings

logger = logging.getLogger("services.api")


def main() -> int:
    settings = load_settings(ApiSettings)
    setup_logging("api", settings.log_level, settings.log_format)
    stop = install_stop_handlers()
    app = create_app()
    if settings.api_key is None:
        logger.warning(
            "LPR_API_KEY is not set: /v1 is open to anyone who can reach port %d", settings.api_port
        )
    config = uvicorn.Config(
        app,
        host=settings.api_host,
        port=settings.api_port,
        interface="wsgi",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    # uvicorn runs in a thread so that our handlers, not uvicorn's, own the signals.
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    logger.info("gateway on http://%s:%d", settings.api_host, settings.api_port)
    while not stop.wait(0.5):
        if not thread.is_alive():
            logger.error("HTTP server exited (port %d in use?)", settings.api_port)
            return 1
    server.should_exit = True
    thread.join(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
