"""Blocking pika helpers: connect with capped backoff, confirmed persistent publishing.

pika's BlockingConnection is not thread-safe: a connection and its channels are
used from the thread that made them, and only
``connection.add_callback_threadsafe`` may be called from elsewhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pika
import pika.exceptions as pex

from shared.topology import declare_topology

logger = logging.getLogger(__name__)

BACKOFF_STEP_S = 1.0
BACKOFF_MAX_S = 30.0

# Bad credentials or a vhost the user may not use: retrying cannot help.
FATAL_ERRORS: tuple[type[BaseException], ...] = (
    pex.ProbableAuthenticationError,
    pex.ProbableAccessDeniedError,
    pex.AuthenticationError,
)
# Everything that means "the connection or channel went away; reconnect".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    pex.AMQPConnectionError,
    pex.ConnectionClosed,
    pex.ChannelClosed,
    pex.StreamLostError,
    pex.ConnectionWrongStateError,
    pex.ChannelWrongStateError,
    ConnectionError,
    OSError,
)


class BrokerStopped(Exception):
    """The stop event was set while waiting for the broker."""


class PoisonMessage(Exception):
    """The message can never be processed: dead-letter it with this reason."""


class TransientError(Exception):
    """Processing failed for a reason outside the message: requeue it."""


@dataclass(frozen=True)
class OutgoingMessage:
    exchange: str
    routing_key: str
    body: bytes
    content_type: str
    headers: dict[str, Any] = field(default_factory=dict)
    message_id: str | None = None
    timestamp: int | None = None


@dataclass(frozen=True)
class Delivery:
    """What a handler sees of one consumed message."""

    body: bytes
    headers: dict[str, Any]
    routing_key: str
    exchange: str
    redelivered: bool
    content_type: str | None = None
    message_id: str | None = None


def backoff_delay(attempt: int) -> float:
    """1 s more per failed try, capped: 1, 2, 3 ... 30, 30."""
    return min(BACKOFF_STEP_S * max(attempt, 1), BACKOFF_MAX_S)


def connection_parameters(url: str, heartbeat: int = 30) -> pika.URLParameters:
    params = pika.URLParameters(url)
    params.heartbeat = heartbeat
    params.blocked_connection_timeout = 60
    params.connection_attempts = 1  # our own loop retries, with backoff and a stop event
    params.socket_timeout = 5
    return params


def connect(
    url: str,
    stop: threading.Event,
    *,
    heartbeat: int = 30,
    max_attempts: int | None = None,
) -> pika.BlockingConnection:
    """Connect, retrying with capped backoff until ``stop`` is set; bad credentials raise."""
    params = connection_parameters(url, heartbeat)
    attempt = 0
    while not stop.is_set():
        attempt += 1
        try:
            conn = pika.BlockingConnection(params)
            logger.info(
                "connected to broker %s:%s vhost %r", params.host, params.port, params.virtual_host
            )
            return conn
        except FATAL_ERRORS:
            logger.error("broker refused the credentials for %s (not retrying)", params.host)
            raise
        except CONNECTION_ERRORS as exc:
            if max_attempts is not None and attempt >= max_attempts:
                raise
            delay = backoff_delay(attempt)
            logger.warning(
                "broker not reachable (%s); retry %d in %.0f s",
                exc or type(exc).__name__,
                attempt,
                delay,
            )
            stop.wait(delay)
    raise BrokerStopped("stopped while connecting to the broker")


def open_channel(conn: pika.BlockingConnection) -> Any:
    """A channel with publisher confirms and the pipeline topology declared."""
    channel = conn.channel()
    channel.confirm_delivery()
    declare_topology(channel)
    return channel


def publish(channel: Any, msg: OutgoingMessage) -> None:
    """Publish persistently; with confirms on, returns only once the broker has it."""
    props = pika.BasicProperties(
        content_type=msg.content_type,
        delivery_mode=pika.DeliveryMode.Persistent,
        headers=msg.headers or None,
        message_id=msg.message_id,
        timestamp=msg.timestamp,
    )
    channel.basic_publish(
        exchange=msg.exchange, routing_key=msg.routing_key, body=msg.body, properties=props
    )


class Publisher:
    """A confirmed publisher that reconnects (with backoff) when the broker goes away.

    Use from one thread only.
    """

    def __init__(self, url: str, stop: threading.Event, *, heartbeat: int = 30) -> None:
        self._url = url
        self._stop = stop
        self._heartbeat = heartbeat
        self._conn: pika.BlockingConnection | None = None
        self._channel: Any = None

    @property
    def connected(self) -> bool:
        """Readiness: the connection is open (read from other threads; a plain flag read)."""
        conn = self._conn
        return conn is not None and conn.is_open

    def _ensure(self) -> Any:
        if (
            self._conn is None
            or self._conn.is_closed
            or self._channel is None
            or self._channel.is_closed
        ):
            self.close()
            self._conn = connect(self._url, self._stop, heartbeat=self._heartbeat)
            self._channel = open_channel(self._conn)
        return self._channel

    def publish(self, msg: OutgoingMessage) -> None:
        """Publish one message; on a lost connection reconnect and publish again.

        A message may thus reach the broker twice; consumers are idempotent
        (frame ids and read ids are unique).
        """
        attempt = 0
        while True:
            try:
                publish(self._ensure(), msg)
                return
            except FATAL_ERRORS:
                raise
            except (pex.NackError, pex.UnroutableError) as exc:
                raise TransientError(f"broker refused the message: {exc}") from exc
            except CONNECTION_ERRORS as exc:
                attempt += 1
                self.close()
                if self._stop.is_set():
                    raise BrokerStopped("stopped while publishing") from exc
                delay = backoff_delay(attempt)
                logger.warning(
                    "publish failed (%s); reconnecting in %.0f s", exc or type(exc).__name__, delay
                )
                self._stop.wait(delay)

    def idle(self, seconds: float) -> None:
        """Let the connection service heartbeats while there is nothing to publish."""
        if self._conn is not None and self._conn.is_open:
            try:
                self._conn.process_data_events(time_limit=seconds)
                return
            except CONNECTION_ERRORS:
                self.close()
        self._stop.wait(seconds)

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None and conn.is_open:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail any way
                logger.debug("error closing broker connection", exc_info=True)


Handler = Callable[[Delivery], list[OutgoingMessage]]
