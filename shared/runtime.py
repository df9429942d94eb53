"""What every service's ``__main__`` does around its worker: stop signals and exit codes."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from shared.broker import FATAL_ERRORS, BrokerStopped

logger = logging.getLogger(__name__)


def install_stop_handlers() -> threading.Event:
    """SIGTERM and SIGINT only set the returned event; loops check it and wind down."""
    stop = threading.Event()

    def _handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


def run_until_stopped(run: Callable[[threading.Event], None], stop: threading.Event) -> int:
    """Run a worker loop; map the ways it can end to an exit code."""
    try:
        run(stop)
    except FATAL_ERRORS as exc:
        logger.error("broker refused access (%s); check LPR_AMQP_URL", type(exc).__name__)
        return 2
    except BrokerStopped:
        pass
    logger.info("stopped")
    return 0
