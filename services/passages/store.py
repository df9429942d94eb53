"""Passage state in the database: each read's place in its passage, and the passage itself.

Everything the tracker holds is written here before the read is acked, so a
restart (or a SIGKILL) loses nothing: the open passages are rebuilt from
``passage_reads`` and the unacked reads are redelivered, and a redelivered
read that was already stored is recognised by its ``read_id`` and skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker, undefer

from lpr.passages import Passage, Sighting
from shared.messages import ListMatch
from shared.models import PassageReadRow, PassageRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Summary:
    """What a passage says now: voted text, format, list match, decision."""

    text: str
    confidence: float
    format: str | None
    match: ListMatch | None
    decision: str


def status_of(passage: Passage) -> str:
    if passage.closed:
        return "closed"
    return "announced" if passage.announced else "open"


class PassageStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def has_read(self, read_id: str) -> bool:
        with self.sessions() as session:
            stmt = select(PassageReadRow.id).where(PassageReadRow.read_id == read_id)
            return session.execute(stmt).first() is not None

    def save_read(
        self, passage: Passage, s: Sighting, summary: Summary, best_crop: bytes | None
    ) -> None:
        """Store the read and the passage as it now stands, in one transaction (then: ack)."""
        with self.sessions() as session, session.begin():
            session.add(
                PassageReadRow(
                    read_id=s.read_id,
                    passage_id=passage.passage_id,
                    camera_id=s.camera_id,
                    seen_at=s.at,
                    plate_text=s.text,
                    confidence=s.confidence,
                    char_confidences=list(s.char_confidences),
                    box=list(s.box),
                    candidates=[[t, c] for t, c in s.candidates],
                )
            )
            row = session.scalars(
                select(PassageRow).where(PassageRow.passage_id == passage.passage_id)
            ).first()
            if row is None:
                row = PassageRow(passage_id=passage.passage_id, camera_id=passage.camera_id)
                session.add(row)
            _apply(row, passage, summary)
            if best_crop is not None:
                row.crop_jpeg = best_crop

    def mark(self, passage: Passage, summary: Summary, event: str, at: datetime) -> None:
        """Stamp an event as published (after the broker confirmed it)."""
        values = {"status": status_of(passage), "decision": summary.decision}
        values["announced_at" if event == "announced" else "closed_at"] = at
        with self.sessions() as session, session.begin():
            session.execute(
                update(PassageRow)
                .where(PassageRow.passage_id == passage.passage_id)
                .values(**values)
            )

    def load(self, now: datetime, rearm_s: float) -> tuple[list[Passage], dict[str, bytes]]:
        """Open passages, and closed ones recent enough to re-arm, with their best crops."""
        since = now - timedelta(seconds=rearm_s)
        with self.sessions() as session:
            rows = session.scalars(
                select(PassageRow)
                .where((PassageRow.status != "closed") | (PassageRow.last_seen >= since))
                .options(undefer(PassageRow.crop_jpeg))
                .order_by(PassageRow.first_seen)
            ).all()
            ids = [r.passage_id for r in rows]
            reads = (
                session.scalars(
                    select(PassageReadRow)
                    .where(PassageReadRow.passage_id.in_(ids))
                    .order_by(PassageReadRow.seen_at, PassageReadRow.id)
                ).all()
                if ids
                else []
            )
        by_passage: dict[str, list[Sighting]] = {pid: [] for pid in ids}
        for r in reads:
            by_passage[r.passage_id].append(_sighting(r))
        passages, crops = [], {}
        for row in rows:
            passage = Passage(
                row.passage_id,
                row.camera_id,
                sightings=by_passage[row.passage_id],
                announced=row.announced_at is not None,
                closed=row.status == "closed",
            )
            if passage.sightings:
                passages.append(passage)
                if row.crop_jpeg:
                    crops[row.passage_id] = row.crop_jpeg
        return passages, crops


def _sighting(r: PassageReadRow) -> Sighting:
    return Sighting(
        read_id=r.read_id,
        camera_id=r.camera_id,
        at=r.seen_at,
        text=r.plate_text,
        confidence=r.confidence,
        char_confidences=tuple(r.char_confidences),
        box=tuple(r.box),  # type: ignore[arg-type]
        candidates=tuple((t, c) for t, c in r.candidates),
    )


def _apply(row: PassageRow, passage: Passage, summary: Summary) -> None:
    best = passage.best
    row.status = status_of(passage)
    row.plate_text = summary.text
    row.confidence = summary.confidence
    row.format = summary.format
    row.first_seen = passage.first_seen
    row.last_seen = passage.last_seen
    row.read_count = len(passage.sightings)
    row.best_read_id = best.read_id
    row.best_confidence = best.confidence
    row.list_name = summary.match.list_name if summary.match else None
    row.list_plate = summary.match.plate_text if summary.match else None
    row.list_distance = summary.match.distance if summary.match else None
    row.decision = summary.decision
