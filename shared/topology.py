"""Exchange and queue names (contract) and the one declaration every service runs.

Every service declares the whole topology at start, so start order does not
matter and a producer never publishes into an exchange nobody has bound yet.
Queue arguments must be identical in every declaration (RabbitMQ refuses a
re-declaration with other arguments), which is why they are constants here and
not settings.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

EXCHANGE_FRAMES = "lpr.frames"
EXCHANGE_CROPS = "lpr.crops"
EXCHANGE_RECOGNIZED = "lpr.recognized"
EXCHANGE_DEAD = "lpr.dead"
# One event per vehicle passage, and the access decision for the barrier (routing key = camera id).
EXCHANGE_PASSAGES = "lpr.passages"
EXCHANGE_DECISIONS = "lpr.decisions"
# Stills posted to the gateway's POST /v1/recognize (request/reply; see shared/snapshot.py).
EXCHANGE_SNAPSHOTS = "lpr.snapshots"

QUEUE_DETECTOR_FRAMES = "lpr.detector.frames"
QUEUE_RECOGNIZER_CROPS = "lpr.recognizer.crops"
QUEUE_PLATES_RECOGNIZED = "plates.recognized"  # contract: the parking backend reads it
QUEUE_RECORDER_READS = "lpr.recorder.reads"
QUEUE_DEAD_LETTER = "lpr.dead-letter"
QUEUE_PASSAGE_READS = "lpr.passages.reads"  # the passages service's own copy of every read
QUEUE_PLATES_PASSAGES = "plates.passages"  # the parking backend: one event per passage
QUEUE_BARRIER_DECISIONS = "barrier.decisions"  # the barrier controller: allow / deny / unknown
# The detectors count the frames RabbitMQ drops from their full queue (the
# broker keeps no such counter that Prometheus could scrape): a copy of every
# dead letter lands here, and the detector counts those with x-death "maxlen".
QUEUE_DROPPED_FRAMES = "lpr.detector.dropped"
# Snapshot frames have their own queue, which every detector consumes beside its frames
# queue: the frames queue drops its oldest frame when full, which must never be a still a
# gateway caller is waiting on, and a snapshot must not wait behind a camera backlog.
QUEUE_DETECTOR_SNAPSHOTS = "lpr.detector.snapshots"

# A car must be read from a fresh frame: at most this many frames wait for the
# detectors; beyond it RabbitMQ drops the oldest (dead-lettered with x-death
# reason "maxlen", which is how drops are counted).
FRAMES_MAX_LENGTH = 16
# The dead-letter queue is bounded too: dropped frames land there, and nothing
# should grow without limit on a site nobody watches.
DEAD_LETTER_MAX_LENGTH = 10_000
DEAD_LETTER_MAX_BYTES = 256 * 1024 * 1024

# Only a counter reads it: small, so a site without detectors running keeps no pile.
DROPPED_FRAMES_MAX_LENGTH = 1_000
DROPPED_FRAMES_MAX_BYTES = 16 * 1024 * 1024

# Small, and refusing (not dropping) when full: with publisher confirms the gateway sees the
# nack and answers 503 at once instead of a caller waiting for a reply that cannot come.
# No dead-lettering: each snapshot expires (per-message TTL) when its caller stops waiting.
SNAPSHOTS_MAX_LENGTH = 32

ALL_KEYS = "#"  # topic binding that matches every camera id

_DEAD_LETTER_ARGS = {"x-dead-letter-exchange": EXCHANGE_DEAD}

QUEUES: dict[str, dict[str, Any]] = {
    QUEUE_DETECTOR_FRAMES: {
        "exchange": EXCHANGE_FRAMES,
        "arguments": {
            "x-max-length": FRAMES_MAX_LENGTH,
            "x-overflow": "drop-head",
            **_DEAD_LETTER_ARGS,
        },
    },
    QUEUE_RECOGNIZER_CROPS: {"exchange": EXCHANGE_CROPS, "arguments": dict(_DEAD_LETTER_ARGS)},
    QUEUE_PLATES_RECOGNIZED: {"exchange": EXCHANGE_RECOGNIZED, "arguments": {}},
    QUEUE_RECORDER_READS: {"exchange": EXCHANGE_RECOGNIZED, "arguments": dict(_DEAD_LETTER_ARGS)},
    QUEUE_PASSAGE_READS: {"exchange": EXCHANGE_RECOGNIZED, "arguments": dict(_DEAD_LETTER_ARGS)},
    QUEUE_PLATES_PASSAGES: {"exchange": EXCHANGE_PASSAGES, "arguments": {}},
    QUEUE_BARRIER_DECISIONS: {"exchange": EXCHANGE_DECISIONS, "arguments": {}},
    QUEUE_DETECTOR_SNAPSHOTS: {
        "exchange": EXCHANGE_SNAPSHOTS,
        "arguments": {"x-max-length": SNAPSHOTS_MAX_LENGTH, "x-overflow": "reject-publish"},
    },
    QUEUE_DEAD_LETTER: {
        "exchange": EXCHANGE_DEAD,
        "arguments": {
            "x-max-length": DEAD_LETTER_MAX_LENGTH,
            "x-max-length-bytes": DEAD_LETTER_MAX_BYTES,
            "x-overflow": "drop-head",
        },
    },
    QUEUE_DROPPED_FRAMES: {
        "exchange": EXCHANGE_DEAD,
        "arguments": {
            "x-max-length": DROPPED_FRAMES_MAX_LENGTH,
            "x-max-length-bytes": DROPPED_FRAMES_MAX_BYTES,
            "x-overflow": "drop-head",
        },
    },
}


EXCHANGES = (
    EXCHANGE_FRAMES,
    EXCHANGE_CROPS,
    EXCHANGE_RECOGNIZED,
    EXCHANGE_DEAD,
    EXCHANGE_PASSAGES,
    EXCHANGE_DECISIONS,
    EXCHANGE_SNAPSHOTS,
)


def declare_topology(channel: Any) -> None:
    """Declare every exchange, queue and binding of the pipeline (idempotent)."""
    for name in EXCHANGES:
        channel.exchange_declare(exchange=name, exchange_type="topic", durable=True)
    for queue, spec in QUEUES.items():
        channel.queue_declare(queue=queue, durable=True, arguments=spec["arguments"] or None)
        channel.queue_bind(queue=queue, exchange=spec["exchange"], routing_key=ALL_KEYS)
    logger.debug("topology declared")
