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
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lpr.evaluate import edit_distance, iou


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


def vote(sightings: Iterable[Sighting]) -> tuple[str, float]:
    """Per-character vote weighted by confidence, among reads of the winning length.

    Reads of another length (a dropped or doubled character) cannot be aligned
    position by position, so the length is voted first, by summed confidence.
    """
    sightings = [s for s in sightings if s.text]
    if not sightings:
        return "", 0.0
    by_length: dict[int, float] = defaultdict(float)
    for s in sightings:
        by_length[len(s.text)] += s.confidence
    length = max(by_length, key=lambda n: (by_length[n], n))
    aligned = [s for s in sightings if len(s.text) == length]
    chars, shares = [], []
    for i in range(length):
        weights: Counter[str] = Counter()
        for s in aligned:
            weights[s.text[i]] += (
                s.char_confidences[i] if i < len(s.char_confidences) else s.confidence
            )
        char, weight = weights.most_common(1)[0]
        chars.append(char)
        shares.append(weight / max(sum(weights.values()), 1e-9))
    mean_conf = sum(s.confidence for s in aligned) / len(aligned)
    agreement = 1.0
    for share in shares:
        agreement *= share
    return "".join(chars), round(mean_conf * agreement, 4)


@dataclass
class PassageTracker:
    gap_s: float = 3.0  # a passage closes after this long without a read
    announce_after_s: float = 0.5  # announce this long after the first read (barrier delay)
    rearm_s: float = 60.0  # same text, same spot, this soon after closing: the same car
    min_similarity: float = 0.6
    min_iou: float = 0.3
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
            passage = Passage(uuid.uuid4().hex, s.camera_id)
            self.open[s.camera_id].append(passage)
        passage.sightings.append(s)
        return passage

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
            if sim >= self.min_similarity or (overlap >= self.min_iou and sim >= 0.3):
                score = sim + overlap
                if score > best_score:
                    best, best_score = p, score
        return best
