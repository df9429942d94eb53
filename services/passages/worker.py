"""Passages: reads in, one event per vehicle out (announced, then closed), with a decision.

The worker is the logic without the broker: ``handle`` puts a read into its
passage and stores it, ``due`` says which events to publish now, ``mark``
records that they were. ``services.passages.service`` drives it from AMQP.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from lpr.formats import FormatMatcher
from lpr.passages import Passage, PassageTracker, Sighting, vote_candidates
from services.passages.store import PassageStore, Summary
from shared.broker import OutgoingMessage, PoisonMessage
from shared.lists import Entry, best_match, decide
from shared.messages import (
    MAX_READ_BYTES,
    DecisionMessage,
    PassageMessage,
    PlateReadMessage,
    check_size,
    utcnow,
)
from shared.topology import EXCHANGE_DECISIONS, EXCHANGE_PASSAGES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    list_max_distance: int = 1
    allow_min_confidence: float = 0.5


@dataclass
class Due:
    """One event to publish, and what to record once the broker has it."""

    passage: Passage
    event: str
    summary: Summary
    messages: list[OutgoingMessage]


def parse_read(body: bytes) -> PlateReadMessage:
    try:
        check_size(body, MAX_READ_BYTES, "read")
        return PlateReadMessage.model_validate_json(body)
    except (ValueError, ValidationError) as exc:
        raise PoisonMessage(f"invalid read: {str(exc).splitlines()[0]}") from exc


def sighting_of(msg: PlateReadMessage) -> Sighting:
    return Sighting(
        read_id=msg.read_id,
        camera_id=msg.camera_id,
        at=msg.captured_at,
        text=msg.plate_text,
        confidence=msg.confidence,
        char_confidences=tuple(msg.char_confidences),
        box=msg.box,
        candidates=tuple((c.text, c.confidence) for c in msg.candidates),
    )


class PassageWorker:
    def __init__(
        self,
        store: PassageStore,
        tracker_factory: Callable[[], PassageTracker],
        lists: Callable[[], list[Entry]],
        *,
        formats: FormatMatcher | None = None,
        policy: Policy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.tracker_factory = tracker_factory
        self.tracker = tracker_factory()
        self.lists = lists
        self.formats = formats or FormatMatcher()
        self.policy = policy or Policy()
        self.clock = clock
        self.crops: dict[str, bytes] = {}  # best crop of each passage in memory

    def reload(self) -> None:
        """Rebuild the tracker from the database: the truth after a restart or a failed write."""
        tracker = self.tracker_factory()
        passages, crops = self.store.load(self.clock(), tracker.rearm_s)
        for passage in passages:
            tracker.restore(passage)
        self.tracker, self.crops = tracker, crops
        logger.info("passage state loaded: %d open or recent passage(s)", len(passages))

    def handle(self, body: bytes) -> bool:
        """Put one read into its passage and store both; False for a read already stored."""
        msg = parse_read(body)
        if self.store.has_read(msg.read_id):
            return False
        crop = _crop(msg)
        s = sighting_of(msg)
        passage = self.tracker.add(s)
        is_best = passage.best is s
        self.store.save_read(passage, s, self.summarise(passage), crop if is_best else None)
        if is_best and crop:
            self.crops[passage.passage_id] = crop
        return True

    def summarise(self, passage: Passage) -> Summary:
        """Vote the text, re-check it against the site's formats, match the lists, decide.

        The format pattern picks among the vote's own alternatives (an O/0 or
        B/8 the frames disagreed on), never invents a character nobody read.
        """
        text, confidence, fmt = self.formats.choose(vote_candidates(passage.sightings, n=8))
        match = best_match(text, self.lists(), self.policy.list_max_distance)
        decision = decide(match, confidence, self.policy.allow_min_confidence)
        return Summary(text, min(max(confidence, 0.0), 1.0), fmt, match, decision)

    def due(self) -> list[Due]:
        now = self.clock()
        to_announce, closed = self.tracker.due(now)
        out = [self._event(p, "announced", now) for p in to_announce]
        out += [self._event(p, "closed", now) for p in closed]
        for p in closed:
            if p.passage_id not in {q.passage_id for q in self.tracker.recent[p.camera_id]}:
                self.crops.pop(p.passage_id, None)
        return out

    def mark(self, due: Due) -> None:
        self.store.mark(due.passage, due.summary, due.event, self.clock())

    def _event(self, passage: Passage, event: str, now: datetime) -> Due:
        summary = self.summarise(passage)
        crop = self.crops.get(passage.passage_id)
        msg = PassageMessage(
            event=event,
            passage_id=passage.passage_id,
            camera_id=passage.camera_id,
            plate_text=summary.text,
            confidence=summary.confidence,
            format=summary.format,
            first_seen=passage.first_seen,
            last_seen=passage.last_seen,
            read_count=len(passage.sightings),
            best_read_id=passage.best.read_id,
            list_match=summary.match,
            decision=summary.decision,
            published_at=now,
            crop_jpeg_b64=base64.b64encode(crop).decode("ascii") if crop else None,
        )
        decision = DecisionMessage(
            passage_id=passage.passage_id,
            camera_id=passage.camera_id,
            plate_text=summary.text,
            confidence=summary.confidence,
            decision=summary.decision,
            list_match=summary.match,
            final=event == "closed",
            decided_at=now,
        )
        # message_id: the backend's idempotency key (an event may come twice after a crash).
        key = f"{passage.passage_id}/{event}/{len(passage.sightings)}"
        messages = [
            _json_message(EXCHANGE_PASSAGES, passage.camera_id, msg.to_json_bytes(), key),
            _json_message(EXCHANGE_DECISIONS, passage.camera_id, decision.to_json_bytes(), key),
        ]
        return Due(passage, event, summary, messages)


def _crop(msg: PlateReadMessage) -> bytes | None:
    if not msg.crop_jpeg_b64:
        return None
    try:
        return base64.b64decode(msg.crop_jpeg_b64, validate=True)
    except binascii.Error as exc:
        raise PoisonMessage(f"crop_jpeg_b64 is not valid base64: {exc}") from exc


def _json_message(exchange: str, key: str, body: bytes, message_id: str) -> OutgoingMessage:
    return OutgoingMessage(
        exchange=exchange,
        routing_key=key,
        body=body,
        content_type="application/json",
        headers={"schema_version": 1},
        message_id=message_id,
    )
