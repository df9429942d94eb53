"""Snapshot requests: one still from the gateway, read by the same detector and recognizer replicas.

Flow (request/reply over RabbitMQ, see DESIGN.md and README "Snapshot API"):

1. The gateway publishes the image to ``lpr.snapshots`` (queue ``lpr.detector.snapshots``) with
   the usual frame metadata header plus ``SNAPSHOT_HEADER``: where to reply (its own exclusive,
   server-named queue) and a correlation id.
2. The detector copies that header onto each crop it publishes to ``lpr.crops``, adding
   ``crop_count`` (how many crops the frame gave); with no plate it replies at once with
   ``crop_count`` 0.
3. The recognizer, for a crop carrying the header, replies to the gateway's queue (one reply per
   crop, ``plate`` null when nothing readable) instead of publishing on ``lpr.recognized``.
   Snapshots are thus answers to a caller, not sightings: they never reach
   ``plates.recognized``, the recorder (Postgres) or the passages service.
4. The gateway waits until it holds ``crop_count`` replies, or its timeout.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from shared.broker import OutgoingMessage
from shared.messages import Box, Candidate, Id, Unit, _Message

SNAPSHOT_HEADER = "x-lpr-snapshot"
SNAPSHOT_CAMERA_ID = "snapshot"  # camera id (and routing key) of every snapshot frame and crop
# Replies go through the default exchange straight to ``reply_to``: only a server-named queue
# is accepted there, so a forged header cannot steer a reply into plates.recognized or any
# other named queue of the pipeline.
_REPLY_QUEUE = r"^amq\.gen-[A-Za-z0-9_-]{1,100}$"


class SnapshotRoute(_Message):
    """Where a snapshot's answer goes; travels (as JSON) in ``SNAPSHOT_HEADER``."""

    schema_version: Literal[1] = 1
    reply_to: Annotated[str, Field(pattern=_REPLY_QUEUE)]
    correlation_id: Id
    # Set by the detector on each crop: how many crops (hence replies) the frame gave.
    crop_count: int | None = Field(default=None, ge=0, le=1000)


class SnapshotPlate(_Message):
    """One plate of a snapshot, as the gateway answers it."""

    text: Annotated[str, Field(max_length=32)]
    confidence: Unit
    char_confidences: list[Unit]
    box: Box
    detector_confidence: Unit
    format: str | None = None
    candidates: list[Candidate] = Field(default_factory=list)


class SnapshotReply(_Message):
    """One reply on the gateway's queue: from the detector (no plate found) or per crop."""

    schema_version: Literal[1] = 1
    correlation_id: Id
    crop_count: int = Field(ge=0, le=1000)
    plate_index: int | None = Field(default=None, ge=0)
    plate: SnapshotPlate | None = None


def route_from_headers(headers: dict | None) -> SnapshotRoute | None:
    """The snapshot route of a frame or crop; None for camera traffic, ValueError when bad."""
    raw = (headers or {}).get(SNAPSHOT_HEADER)
    if raw is None:
        return None
    if not isinstance(raw, str | bytes):
        raise ValueError(f"{SNAPSHOT_HEADER} header is {type(raw).__name__}, not a string")
    try:
        return SnapshotRoute.model_validate_json(raw)
    except ValidationError as exc:
        raise ValueError(f"bad {SNAPSHOT_HEADER} header: {str(exc).splitlines()[0]}") from exc


def route_headers(route: SnapshotRoute) -> dict[str, str]:
    return {SNAPSHOT_HEADER: route.model_dump_json()}


def reply_message(route: SnapshotRoute, reply: SnapshotReply) -> OutgoingMessage:
    """The reply, addressed to the caller's queue through the default exchange.

    If the caller gave up (timeout), its exclusive queue is gone and the broker drops the
    reply: it is published without ``mandatory``, so that is not an error for the worker.
    """
    return OutgoingMessage(
        exchange="",
        routing_key=route.reply_to,
        body=reply.to_json_bytes(),
        content_type="application/json",
        headers={"correlation_id": route.correlation_id},
    )


class ReplyCollector:
    """Gathers the replies of one snapshot until the announced number of crops has answered.

    Keyed by plate index, so a reply redelivered after a worker crash counts once.
    """

    def __init__(self, correlation_id: str) -> None:
        self.correlation_id = correlation_id
        self.expected: int | None = None
        self._plates: dict[int, SnapshotPlate | None] = {}

    def add(self, body: bytes) -> None:
        """Take one raw reply; replies of another request or not parseable are ignored."""
        try:
            reply = SnapshotReply.model_validate_json(body)
        except (ValidationError, json.JSONDecodeError, UnicodeDecodeError):
            return
        if reply.correlation_id != self.correlation_id:
            return
        self.expected = reply.crop_count
        if reply.plate_index is not None:
            self._plates[reply.plate_index] = reply.plate

    @property
    def done(self) -> bool:
        return self.expected is not None and len(self._plates) >= self.expected

    def plates(self) -> list[SnapshotPlate]:
        """The plates read, in the detector's order (best detection first)."""
        return [p for _, p in sorted(self._plates.items()) if p is not None]
