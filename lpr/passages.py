"""One event per vehicle: group a camera's reads into passages and vote their text.

A car at a barrier is read in many frames. Reads of one camera join the open
passage when they come soon after its last read and either look like the
same text or sit on the same box track; the passage's text is a per-character
vote weighted by confidence, which beats any single frame when frames are
noisy. A passage is announced once, `announce_after_s` after its first read
(soon enough to open a barrier), and closed after `gap_s` without reads. A
car that stays in view keeps feeding its passage, so it never makes a new
one every few seconds; after it closes, the same text on the same spot
within `rearm_s` is still the same parked car.

Passage ids are derived from the passage's first read id, so a service that
restarts and is handed the same reads again makes the same passage, and the
parking backend does not see a second car.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lpr.evaluate import edit_distance, iou

_PASSAGE_NAMESPACE = uuid.UUID("0c9d3f5e-7a51-4c39-b2f4-5d1f0a8e6b27")
# Alternatives kept per position when listing vote candidates (a beam over positions).
_BEAM = 8


def make_passage_id(first_read_id: str) -> str:
    return uuid.uuid5(_PASSAGE_NAMESPACE, first_read_id).hex


@dataclass(frozen=True)
class Sighting:
    """One read of a plate in one frame, as the passage tracker needs it."""

    read_id: str
    camera_id: str
    at: datetime
    text: str
    confidence: float
    char_confidences: tuple[float, ...]
    box: tuple[float, float, float, float]
    # The reader's top-N (text, confidence): the alternatives a format pattern may pick from.
    candidates: tuple[tuple[str, float], ...] = ()


@dataclass
class Passage:
    passage_id: str
    camera_id: str
    sightings: list[Sighting] = field(default_factory=list)
    announced: bool = False
    closed: bool = False

    @property
    def first_seen(self) -> datetime:
        return self.sightings[0].at

    @property
    def last_seen(self) -> datetime:
        return self.sightings[-1].at

    @property
    def best(self) -> Sighting:
        return max(self.sightings, key=lambda s: s.confidence)

    def vote(self) -> tuple[str, float]:
        return vote(self.sightings)


def similarity(a: str, b: str) -> float:
    """1 - normalised edit distance."""
    return 1.0 - edit_distance(a, b) / max(len(a), len(b), 1)


def _position_weights(aligned: list[Sighting], length: int) -> list[Counter[str]]:
    """Per position, the summed confidence behind each character.

    A read's other candidates of the same length add their characters where they
    differ, weighted as the reader would rate that character: its confidence
    times the candidate's ratio to the top read (the reader's confidence is a
    product of per-character ones, so the ratio is that one character's ratio).
    """
    weights: list[Counter[str]] = [Counter() for _ in range(length)]
    for s in aligned:
        chars = [
            s.char_confidences[i] if i < len(s.char_confidences) else s.confidence
            for i in range(length)
        ]
        for i in range(length):
            weights[i][s.text[i]] += chars[i]
        for text, conf in s.candidates:
            if len(text) != length or text == s.text:
                continue
            ratio = min(conf / max(s.confidence, 1e-9), 1.0)
            for i, (a, b) in enumerate(zip(s.text, text, strict=True)):
                if a != b:
                    weights[i][b] += chars[i] * ratio
    return weights


def vote_candidates(sightings: Iterable[Sighting], n: int = 5) -> list[tuple[str, float]]:
    """The voted text and its best alternatives, most likely first, as (text, confidence).

    The length is voted first, by summed confidence: reads of another length (a
    dropped or doubled character) cannot be aligned position by position. A
    text's confidence is the mean read confidence times the product of its
    characters' vote shares, so unanimous frames keep their confidence and a
    split vote lowers it.
    """
    sightings = [s for s in sightings if s.text]
    if not sightings:
        return []
    by_length: dict[int, float] = defaultdict(float)
    for s in sightings:
        by_length[len(s.text)] += s.confidence
    length = max(by_length, key=lambda k: (by_length[k], k))
    aligned = [s for s in sightings if len(s.text) == length]
    beam: list[tuple[str, float]] = [("", 1.0)]
    for counter in _position_weights(aligned, length):
        total = max(sum(counter.values()), 1e-9)
        options = counter.most_common(_BEAM)
        beam = sorted(
            ((text + c, share * w / total) for text, share in beam for c, w in options),
            key=lambda item: -item[1],
        )[: max(n, _BEAM)]
    mean_conf = sum(s.confidence for s in aligned) / len(aligned)
    return [(text, round(mean_conf * share, 4)) for text, share in beam[:n]]


def vote(sightings: Iterable[Sighting]) -> tuple[str, float]:
    """Per-character vote weighted by confidence, among reads of the winning length."""
    ranked = vote_candidates(sightings, n=1)
    return ranked[0] if ranked else ("", 0.0)


@dataclass
class PassageTracker:
    gap_s: float = 3.0  # a passage closes after this long without a read
    announce_after_s: float = 0.5  # announce this long after the first read (barrier delay)
    rearm_s: float = 60.0  # same text, same spot, this soon after closing: the same car
    min_similarity: float = 0.6
    min_iou: float = 0.3
    # A read on the passage's box track this soon after its last read joins it whatever
    # its text: a garbled frame of the same plate. Longer gaps need the text to agree too,
    # so a car stopping where the previous one stood still gets its own passage.
    track_s: float = 1.0
    open: dict[str, list[Passage]] = field(default_factory=lambda: defaultdict(list))
    recent: dict[str, list[Passage]] = field(default_factory=lambda: defaultdict(list))

    def add(self, s: Sighting) -> Passage:
        """Put a read into its passage (new or existing) and return that passage."""
        passage = self._match(self.open[s.camera_id], s, self.gap_s)
        if passage is None:
            passage = self._match(self.recent[s.camera_id], s, self.rearm_s)
            if passage is not None:  # the parked car again: reopen, do not announce twice
                self.recent[s.camera_id].remove(passage)
                passage.closed = False
                self.open[s.camera_id].append(passage)
        if passage is None:
            passage = Passage(make_passage_id(s.read_id), s.camera_id)
            self.open[s.camera_id].append(passage)
        passage.sightings.append(s)
        return passage

    def restore(self, passage: Passage) -> None:
        """Take back a passage saved before a restart (open, or closed but recent)."""
        target = self.recent if passage.closed else self.open
        target[passage.camera_id].append(passage)

    def due(self, now: datetime) -> tuple[list[Passage], list[Passage]]:
        """Passages to announce now, and passages that have just closed."""
        to_announce, closed = [], []
        for camera, passages in self.open.items():
            for p in list(passages):
                if (
                    not p.announced
                    and (now - p.first_seen).total_seconds() >= self.announce_after_s
                ):
                    p.announced = True
                    to_announce.append(p)
                if (now - p.last_seen).total_seconds() >= self.gap_s:
                    passages.remove(p)
                    p.closed = True
                    closed.append(p)
                    self.recent[camera].append(p)
            self.recent[camera] = [
                p for p in self.recent[camera] if (now - p.last_seen).total_seconds() < self.rearm_s
            ]
        return to_announce, closed

    def _match(self, passages: list[Passage], s: Sighting, window_s: float) -> Passage | None:
        best, best_score = None, 0.0
        for p in passages:
            if (s.at - p.last_seen).total_seconds() > window_s:
                continue
            text, _ = p.vote()
            sim = similarity(s.text, text)
            overlap = iou(s.box, p.sightings[-1].box)
            on_track = overlap >= self.min_iou and (
                sim >= 0.3 or (s.at - p.last_seen).total_seconds() <= self.track_s
            )
            if sim >= self.min_similarity or on_track:
                score = sim + overlap
                if score > best_score:
                    best, best_score = p, score
        return best
