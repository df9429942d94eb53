"""Prometheus metrics of the pipeline, and a /metrics server for the worker services.

Metrics live in the default registry, labelled by service, so the gateway's
/metrics and each worker's /metrics endpoint expose the same names.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

MESSAGES_CONSUMED = Counter(
    "lpr_messages_consumed_total",
    "Messages taken from a queue, by outcome (ok, dead_lettered, requeued)",
    ["queue", "outcome"],
)
MESSAGES_PUBLISHED = Counter(
    "lpr_messages_published_total", "Messages published and confirmed", ["exchange"]
)
HANDLER_SECONDS = Histogram(
    "lpr_handler_seconds", "Time spent handling one message", ["queue"], buckets=_LATENCY_BUCKETS
)
FRAMES_CAPTURED = Counter("lpr_frames_captured_total", "Frames read from a source", ["camera_id"])
FRAMES_DROPPED = Counter(
    "lpr_frames_dropped_total",
    "Frames not processed, by reason (rate_limit, backlog, stale, publish_error, maxlen)",
    ["camera_id", "reason"],
)
PLATES_DETECTED = Counter("lpr_plates_detected_total", "Plate crops published", ["camera_id"])
READS_PUBLISHED = Counter("lpr_reads_published_total", "Plate reads published", ["camera_id"])
READS_STORED = Counter(
    "lpr_reads_stored_total", "Reads written by the recorder, by outcome", ["outcome"]
)
STAGE_SECONDS = Histogram(
    "lpr_stage_seconds",
    "Latency per pipeline stage (capture, detect, recognize, total)",
    ["stage"],
    buckets=_LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "lpr_http_requests_total", "Gateway requests", ["endpoint", "method", "status"]
)
HTTP_SECONDS = Histogram(
    "lpr_http_request_seconds", "Gateway request latency", ["endpoint"], buckets=_LATENCY_BUCKETS
)

SNAPSHOT_SECONDS = Histogram(
    "lpr_snapshot_seconds",
    "POST /v1/recognize: image received -> plates answered, by outcome (ok, timeout, unavailable)",
    ["outcome"],
    buckets=_LATENCY_BUCKETS,
)


def serve_metrics(port: int | None, addr: str = "0.0.0.0", health: Any = None) -> Any:
    """Serve /metrics (and /healthz, /readyz from ``health``) on ``port``; None when off."""
    from shared.health import serve_health

    return serve_health(port, health, addr)
