"""The gateway's side of a snapshot: publish one still, wait for the pipeline's replies.

One short-lived AMQP connection per request, with its own exclusive, auto-delete reply
queue. pika's BlockingConnection is not thread-safe and the gateway serves requests on
threads, so sharing one connection would need a consumer thread, a lock around every
publish and a table of pending futures; a connection per request costs a few
milliseconds on a LAN (small beside one model forward) and cannot mix up two callers'
replies. A barrier loop triggers a still per car, not hundreds per second; a site that
needs more should put a pool here.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pika
import pika.exceptions as pex

from shared.broker import CONNECTION_ERRORS, FATAL_ERRORS, connection_parameters
from shared.messages import FrameMeta, meta_headers, utcnow
from shared.snapshot import (
    SNAPSHOT_CAMERA_ID,
    ReplyCollector,
    SnapshotPlate,
    SnapshotRoute,
    route_headers,
)
from shared.topology import EXCHANGE_SNAPSHOTS, declare_topology

logger = logging.getLogger(__name__)

_POLL_S = 0.05


class SnapshotUnavailable(Exception):
    """The broker cannot take the snapshot now (down, refused, or the snapshot queue full)."""


class SnapshotTimeout(Exception):
    """No complete answer within the timeout (no detector or recognizer running, or overloaded)."""


@dataclass(frozen=True)
class SnapshotResult:
    snapshot_id: str
    plates: list[SnapshotPlate]


class SnapshotClient:
    def __init__(self, amqp_url: str, timeout_s: float = 5.0) -> None:
        self.amqp_url = amqp_url
        self.timeout_s = timeout_s
        self._declared = False  # the topology outlives us in the broker: declare it once
        self._declare_lock = threading.Lock()

    def recognize(self, image: bytes, content_type: str, width: int, height: int) -> SnapshotResult:
        """Read the plates of one still through the detector and recognizer replicas."""
        deadline = time.monotonic() + self.timeout_s
        meta = FrameMeta(
            camera_id=SNAPSHOT_CAMERA_ID,
            frame_id=uuid.uuid4().hex,
            captured_at=utcnow(),
            width=width,
            height=height,
        )
        params = connection_parameters(self.amqp_url)
        params.socket_timeout = params.stack_timeout = min(self.timeout_s, 5.0)
        try:
            conn = pika.BlockingConnection(params)
        except FATAL_ERRORS as exc:
            logger.error("broker refused the gateway's credentials (check LPR_AMQP_URL)")
            raise SnapshotUnavailable("the broker refused the gateway's credentials") from exc
        except CONNECTION_ERRORS as exc:
            raise SnapshotUnavailable(f"broker not reachable: {exc or type(exc).__name__}") from exc
        try:
            return self._exchange(conn, meta, image, content_type, deadline)
        except CONNECTION_ERRORS as exc:
            self._declared = False  # e.g. a deleted exchange (404): declare again next time
            raise SnapshotUnavailable(f"broker error: {exc or type(exc).__name__}") from exc
        finally:
            if conn.is_open:
                try:
                    conn.close()  # also deletes the exclusive reply queue
                except CONNECTION_ERRORS:
                    logger.debug("error closing the snapshot connection", exc_info=True)

    def _exchange(
        self, conn: Any, meta: FrameMeta, image: bytes, content_type: str, deadline: float
    ) -> SnapshotResult:
        channel = conn.channel()
        channel.confirm_delivery()
        self._declare(channel)
        reply_to = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        collector = ReplyCollector(meta.frame_id)
        channel.basic_consume(
            reply_to,
            on_message_callback=lambda _c, _m, _p, body: collector.add(body),
            auto_ack=True,
        )
        route = SnapshotRoute(reply_to=reply_to, correlation_id=meta.frame_id)
        self._publish(channel, meta, route, image, content_type, deadline)
        while not collector.done:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SnapshotTimeout(
                    f"no answer from the detector and recognizer within {self.timeout_s:g} s"
                    " (are they running?)"
                )
            conn.process_data_events(time_limit=min(left, _POLL_S))
        return SnapshotResult(snapshot_id=meta.frame_id, plates=collector.plates())

    def _declare(self, channel: Any) -> None:
        with self._declare_lock:
            if not self._declared:
                declare_topology(channel)
                self._declared = True

    def _publish(
        self,
        channel: Any,
        meta: FrameMeta,
        route: SnapshotRoute,
        image: bytes,
        content_type: str,
        deadline: float,
    ) -> None:
        # Transient: a snapshot is worth nothing after a broker restart (its caller is gone).
        # The TTL drops it from the queue once the caller stops waiting, so a detector that
        # comes up late does not read stills nobody wants. Mandatory: an unroutable snapshot
        # is an error now, not a timeout later.
        ttl_ms = max(int((deadline - time.monotonic()) * 1000), 1)
        props = pika.BasicProperties(
            content_type=content_type,
            delivery_mode=pika.DeliveryMode.Transient,
            headers={**meta_headers(meta), **route_headers(route)},
            message_id=meta.frame_id,
            expiration=str(ttl_ms),
        )
        try:
            channel.basic_publish(
                EXCHANGE_SNAPSHOTS, SNAPSHOT_CAMERA_ID, image, properties=props, mandatory=True
            )
        except pex.NackError as exc:  # the snapshot queue is full (x-overflow reject-publish)
            raise SnapshotUnavailable("too many snapshots waiting for a detector") from exc
        except pex.UnroutableError as exc:
            self._declared = False
            raise SnapshotUnavailable("the snapshot queue does not exist") from exc
