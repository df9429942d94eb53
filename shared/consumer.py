"""A reconnecting consumer that runs its handler off the AMQP I/O thread.

The handler runs on a worker thread so a long inference never blocks pika's
I/O loop (heartbeats keep flowing); its outputs are published and the message
acked back on the I/O thread through ``connection.add_callback_threadsafe``,
publishing first and acking after, so a crash in between redelivers rather
than loses.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pika.exceptions as pex

from shared import metrics
from shared.broker import (
    CONNECTION_ERRORS,
    FATAL_ERRORS,
    BrokerStopped,
    Delivery,
    Handler,
    OutgoingMessage,
    PoisonMessage,
    TransientError,
    backoff_delay,
    connect,
    open_channel,
    publish,
)
from shared.topology import EXCHANGE_DEAD

logger = logging.getLogger(__name__)

ERROR_HEADER = "x-lpr-error"
_REQUEUE_PAUSE_S = 1.0  # keeps a failing dependency from turning into a hot redelivery loop
_HEALTHY_AFTER_S = 30.0


class Consumer:
    def __init__(
        self,
        url: str,
        queue: str,
        handler: Handler,
        *,
        prefetch: int = 1,
        heartbeat: int = 30,
        grace_s: float = 10.0,
    ) -> None:
        self.url = url
        self.queue = queue
        self.handler = handler
        self.prefetch = prefetch
        self.heartbeat = heartbeat
        self.grace_s = grace_s
        self.ready = threading.Event()  # set while consuming (tests and readiness use it)
        self._outstanding = 0
        self._futures: list[Future] = []

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set, reconnecting with capped backoff."""
        attempt = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                conn = connect(self.url, stop, heartbeat=self.heartbeat)
            except BrokerStopped:
                break
            try:
                self._consume(conn, stop)
            except FATAL_ERRORS:
                raise
            except CONNECTION_ERRORS as exc:
                logger.warning("lost the broker while consuming %s: %r", self.queue, exc)
            finally:
                self.ready.clear()
                _close_quietly(conn)
            if stop.is_set():
                break
            attempt = 1 if time.monotonic() - started > _HEALTHY_AFTER_S else attempt + 1
            stop.wait(backoff_delay(attempt))
        logger.info("consumer of %s stopped", self.queue)

    def _consume(self, conn: Any, stop: threading.Event) -> None:
        channel = open_channel(conn)
        channel.basic_qos(prefetch_count=self.prefetch)
        self._outstanding = 0
        self._futures = []
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"work-{self.queue}")
        try:
            on_message = functools.partial(self._on_message, conn, channel, pool, stop)
            tag = channel.basic_consume(self.queue, on_message_callback=on_message)
            self.ready.set()
            logger.info("consuming %s (prefetch %d)", self.queue, self.prefetch)
            while not stop.is_set():
                conn.process_data_events(time_limit=0.5)
            self._drain(conn, channel, tag)
        finally:
            # On a lost connection, work not yet started is pointless: the broker redelivers it.
            pool.shutdown(wait=True, cancel_futures=True)

    def _drain(self, conn: Any, channel: Any, tag: str) -> None:
        """Stop taking work, let the running message finish and ack, leave the rest queued."""
        channel.basic_cancel(tag)
        for fut in self._futures:
            if fut.cancel():  # not started: unacked, so the broker redelivers it
                self._outstanding -= 1
        deadline = time.monotonic() + self.grace_s
        while self._outstanding > 0 and time.monotonic() < deadline:
            conn.process_data_events(time_limit=0.2)
        if self._outstanding > 0:
            logger.warning(
                "%d message(s) still in flight at shutdown; they will be redelivered",
                self._outstanding,
            )
        channel.close()

    def _on_message(
        self,
        conn: Any,
        channel: Any,
        pool: ThreadPoolExecutor,
        stop: threading.Event,
        ch: Any,
        method: Any,
        props: Any,
        body: bytes,
    ) -> None:
        self._outstanding += 1
        self._futures = [f for f in self._futures if not f.done()]
        self._futures.append(pool.submit(self._work, conn, channel, method, props, body, stop))

    def _work(
        self, conn: Any, channel: Any, method: Any, props: Any, body: bytes, stop: threading.Event
    ) -> None:
        """Worker thread: run the handler, then hand the outcome back to the I/O thread."""
        delivery = Delivery(
            body=body,
            headers=dict(props.headers or {}),
            routing_key=method.routing_key,
            exchange=method.exchange,
            redelivered=bool(method.redelivered),
            content_type=props.content_type,
            message_id=props.message_id,
        )
        started = time.perf_counter()
        outcome: tuple[str, Any]
        try:
            outcome = ("ok", self.handler(delivery))
        except PoisonMessage as exc:
            logger.warning("poison message on %s: %s", self.queue, exc)
            outcome = ("dead", str(exc))
        except TransientError as exc:
            logger.warning("transient failure on %s, requeueing: %s", self.queue, exc)
            stop.wait(_REQUEUE_PAUSE_S)
            outcome = ("requeue", str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the service
            logger.exception("handler failed on %s", self.queue)
            reason = f"{type(exc).__name__}: {exc}"
            # Second failure of the same message: it is the message, not the moment.
            outcome = ("dead", reason) if method.redelivered else ("requeue", reason)
        metrics.HANDLER_SECONDS.labels(self.queue).observe(time.perf_counter() - started)
        callback = functools.partial(self._complete, channel, method, props, body, outcome)
        try:
            conn.add_callback_threadsafe(callback)
        except pex.ConnectionWrongStateError:
            logger.warning("connection closed before the ack; the broker will redeliver")

    def _complete(
        self, channel: Any, method: Any, props: Any, body: bytes, outcome: tuple[str, Any]
    ) -> None:
        """I/O thread: publish outputs (confirmed), then ack; or dead-letter; or requeue."""
        self._outstanding -= 1
        if not channel.is_open:
            return
        kind, payload = outcome
        tag = method.delivery_tag
        if kind == "ok":
            try:
                for msg in payload:
                    publish(channel, msg)
                    metrics.MESSAGES_PUBLISHED.labels(msg.exchange).inc()
            except (pex.NackError, pex.UnroutableError) as exc:
                logger.warning("broker refused an output (%s); requeueing the input", exc)
                channel.basic_nack(tag, requeue=True)
                metrics.MESSAGES_CONSUMED.labels(self.queue, "requeued").inc()
                return
            channel.basic_ack(tag)
            metrics.MESSAGES_CONSUMED.labels(self.queue, "ok").inc()
        elif kind == "dead":
            self._dead_letter(channel, method, props, body, payload)
            metrics.MESSAGES_CONSUMED.labels(self.queue, "dead_lettered").inc()
        else:
            channel.basic_nack(tag, requeue=True)
            metrics.MESSAGES_CONSUMED.labels(self.queue, "requeued").inc()

    def _dead_letter(self, channel: Any, method: Any, props: Any, body: bytes, reason: str) -> None:
        dead_letter(channel, self.queue, method, props, body, reason)


def dead_letter(
    channel: Any, queue: str, method: Any, props: Any, body: bytes, reason: str
) -> bool:
    """Copy a message to the dead-letter exchange with the reason, then ack it.

    A plain reject would dead-letter it too, but without saying why. Returns
    False when the copy could not be published and the message was rejected.
    """
    headers = dict(props.headers or {})
    headers.update(
        {
            ERROR_HEADER: reason[:2000],
            "x-lpr-queue": queue,
            "x-lpr-original-exchange": method.exchange,
            "x-lpr-original-routing-key": method.routing_key,
        }
    )
    msg = OutgoingMessage(
        exchange=EXCHANGE_DEAD,
        routing_key=queue,
        body=body,
        content_type=props.content_type or "application/octet-stream",
        headers=headers,
        message_id=props.message_id,
    )
    try:
        publish(channel, msg)
    except (pex.NackError, pex.UnroutableError):
        channel.basic_reject(method.delivery_tag, requeue=False)
        return False
    channel.basic_ack(method.delivery_tag)
    return True


def _close_quietly(conn: Any) -> None:
    try:
        if conn.is_open:
            conn.close()
    except Exception:  # noqa: BLE001 - the connection may already be broken
        logger.debug("error closing connection", exc_info=True)
