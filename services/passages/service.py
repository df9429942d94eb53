"""The passages service's AMQP loop: consume reads, store them, publish events on time.

Unlike the other services this one must publish without a message coming in
(a passage is announced ``LPR_PASSAGE_DELAY_S`` after its first read, and
closed after a quiet spell), so it runs its own loop on one thread: the pika
callback only queues the delivery; between short ``process_data_events``
calls (which keep heartbeats flowing) the loop stores the queued reads, acks
each after its commit, then publishes what is due (confirmed) and stamps it
in the database. The work is a few small writes per read, no inference, so
it may run on the I/O thread; a database outage is waited out in
``process_data_events`` slices, never in a blocking sleep.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

import pika.exceptions as pex
from sqlalchemy.exc import SQLAlchemyError

from services.passages.worker import PassageWorker
from shared import metrics
from shared.broker import (
    CONNECTION_ERRORS,
    FATAL_ERRORS,
    BrokerStopped,
    PoisonMessage,
    backoff_delay,
    connect,
    open_channel,
    publish,
)
from shared.consumer import dead_letter
from shared.topology import QUEUE_PASSAGE_READS

logger = logging.getLogger(__name__)

TICK_S = 0.05  # how often due passages are looked at: well under the announce delay
DB_RETRY_MAX_S = 5.0


class PassageService:
    def __init__(self, url: str, worker: PassageWorker, *, prefetch: int = 32) -> None:
        self.url = url
        self.worker = worker
        self.prefetch = prefetch
        self.queue = QUEUE_PASSAGE_READS
        self.ready = threading.Event()
        self._pending: deque[tuple[Any, Any, bytes]] = deque()
        self._dirty = True  # memory may differ from the database: reload before any work
        self._db_attempt = 0

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set, reconnecting with capped backoff."""
        attempt = 0
        while not stop.is_set():
            try:
                conn = connect(self.url, stop)
            except BrokerStopped:
                break
            started = time.monotonic()
            try:
                self._serve(conn, stop)
            except FATAL_ERRORS:
                raise
            except CONNECTION_ERRORS as exc:
                logger.warning("lost the broker: %r", exc)
            finally:
                self.ready.clear()
                self._pending.clear()  # unacked: the broker redelivers them
                self._dirty = True
                _close_quietly(conn)
            attempt = 1 if time.monotonic() - started > 30 else attempt + 1
            if not stop.is_set():
                stop.wait(backoff_delay(attempt))
        logger.info("passages service stopped")

    def _serve(self, conn: Any, stop: threading.Event) -> None:
        channel = open_channel(conn)
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.basic_consume(
            self.queue, on_message_callback=lambda _ch, m, p, b: self._pending.append((m, p, b))
        )
        self.ready.set()
        logger.info("consuming %s (prefetch %d)", self.queue, self.prefetch)
        while not stop.is_set():
            conn.process_data_events(time_limit=TICK_S)
            if self._db_ok(conn, stop):
                self._drain(channel, stop)
                self._publish_due(channel)
        # Unacked reads go back to the queue when the channel closes; their state is
        # either committed (then skipped on redelivery) or not (then redone).
        channel.close()

    def _db_ok(self, conn: Any, stop: threading.Event) -> bool:
        """Reload the state when memory may be ahead of the database; wait while it is down."""
        if not self._dirty:
            return True
        try:
            self.worker.reload()
        except SQLAlchemyError as exc:
            self._db_attempt += 1
            delay = min(backoff_delay(self._db_attempt), DB_RETRY_MAX_S)
            logger.warning("database unavailable (%s); retry in %.0f s", _why(exc), delay)
            deadline = time.monotonic() + delay
            while not stop.is_set() and time.monotonic() < deadline:
                conn.process_data_events(time_limit=0.2)  # heartbeats keep flowing
            return False
        self._dirty, self._db_attempt = False, 0
        return True

    def _drain(self, channel: Any, stop: threading.Event) -> None:
        while self._pending and not stop.is_set():
            method, props, body = self._pending[0]
            started = time.perf_counter()
            try:
                stored = self.worker.handle(body)
            except PoisonMessage as exc:
                logger.warning("poison read on %s: %s", self.queue, exc)
                self._dead_letter(channel, method, props, body, str(exc))
                self._pending.popleft()
                continue
            except SQLAlchemyError as exc:
                # Kept at the head of the line (order matters to the tracker) and retried.
                logger.warning("could not store a read (%s)", _why(exc))
                self._dirty = True
                return
            except Exception as exc:  # noqa: BLE001 - a bug must not kill the service
                logger.exception("failed on a read")
                self._pending.popleft()
                self._dirty = True
                self._fail(channel, method, props, body, f"{type(exc).__name__}: {exc}")
                return
            self._pending.popleft()
            channel.basic_ack(method.delivery_tag)
            outcome = "ok" if stored else "duplicate"
            metrics.MESSAGES_CONSUMED.labels(self.queue, outcome).inc()
            metrics.HANDLER_SECONDS.labels(self.queue).observe(time.perf_counter() - started)

    def _publish_due(self, channel: Any) -> None:
        for due in self.worker.due():
            try:
                for msg in due.messages:
                    publish(channel, msg)
                    metrics.MESSAGES_PUBLISHED.labels(msg.exchange).inc()
            except pex.NackError:
                logger.warning("broker refused passage %s; retrying", due.passage.passage_id)
                self._dirty = True  # reload: the event is not stamped, so it comes due again
                return
            try:
                self.worker.mark(due)
            except SQLAlchemyError as exc:
                # Published but not stamped: after the reload it is published again,
                # with the same message_id (at least once, never lost).
                logger.warning("could not stamp passage %s (%s)", due.passage.passage_id, _why(exc))
                self._dirty = True
                return
            logger.info(
                "passage %s %s: %s (%.2f, %d reads) -> %s",
                due.passage.passage_id,
                due.event,
                due.summary.text,
                due.summary.confidence,
                len(due.passage.sightings),
                due.summary.decision,
            )

    def _fail(self, channel: Any, method: Any, props: Any, body: bytes, reason: str) -> None:
        """Requeue once; a second failure of the same read is the read's fault: dead-letter."""
        if method.redelivered:
            self._dead_letter(channel, method, props, body, reason)
        else:
            channel.basic_nack(method.delivery_tag, requeue=True)
            metrics.MESSAGES_CONSUMED.labels(self.queue, "requeued").inc()

    def _dead_letter(self, channel: Any, method: Any, props: Any, body: bytes, why: str) -> None:
        if dead_letter(channel, self.queue, method, props, body, why):
            metrics.MESSAGES_CONSUMED.labels(self.queue, "dead_lettered").inc()


def _why(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _close_quietly(conn: Any) -> None:
    try:
        if conn.is_open:
            conn.close()
    except Exception:  # noqa: BLE001 - the connection may already be broken
        logger.debug("error closing connection", exc_info=True)
