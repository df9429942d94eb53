"""Allow and deny lists: plate normalisation, fuzzy matching, and the access decision.

The gateway edits the lists (table ``list_entries``); the passages service
matches every passage against them. Matching is fuzzy (edit distance up to
``LPR_LIST_MAX_DISTANCE``) because one misread character must not keep a
resident out; the closest entry wins, and at equal distance "deny" wins, so a
stolen plate one character from a resident's is never waved through.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.messages import ListMatch
from shared.models import ListEntryRow

logger = logging.getLogger(__name__)

LIST_NAMES = ("allow", "deny")
MAX_PLATE_CHARS = 32
_PLATE_NOISE = re.compile(r"[\s\-_.·]+")


def normalise_plate(text: str) -> str:
    """Upper case without spaces, dashes, dots: how the reader writes plate text."""
    return _PLATE_NOISE.sub("", text).upper()


@dataclass(frozen=True)
class Entry:
    list_name: str
    plate_text: str
    note: str | None = None


def bounded_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:  # every path already costs more: stop early
            return limit + 1
    return row[-1]


def best_match(plate: str, entries: Iterable[Entry], max_distance: int) -> ListMatch | None:
    """The closest entry within ``max_distance`` (deny first at equal distance), or None."""
    if not plate:
        return None
    best: tuple[int, int, Entry] | None = None
    for entry in entries:
        d = bounded_distance(plate, entry.plate_text, max_distance)
        if d > max_distance:
            continue
        key = (d, 0 if entry.list_name == "deny" else 1, entry)
        if best is None or key[:2] < best[:2]:
            best = key
    if best is None:
        return None
    d, _, entry = best
    return ListMatch(
        list_name=entry.list_name, plate_text=entry.plate_text, distance=d, note=entry.note
    )


def decide(match: ListMatch | None, confidence: float, allow_min_confidence: float) -> str:
    """allow / deny / unknown for one passage.

    A deny match denies whatever the confidence (keeping a barrier closed is
    the safe side); an allow needs a confident read; anything else is for a
    person to decide.
    """
    if match is None:
        return "unknown"
    if match.list_name == "deny":
        return "deny"
    return "allow" if confidence >= allow_min_confidence else "unknown"


def load_entries(session: Session) -> list[Entry]:
    rows = session.execute(
        select(ListEntryRow.list_name, ListEntryRow.plate_text, ListEntryRow.note)
    ).all()
    return [Entry(name, plate, note) for name, plate, note in rows]


class ListCache:
    """The lists, re-read at most every ``ttl_s``: an edit at the gateway counts within seconds,
    and a busy gate does not query the database for every read."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        ttl_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.ttl_s = ttl_s
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self._loaded_at: float | None = None

    def entries(self) -> list[Entry]:
        with self._lock:
            now = self.clock()
            if self._loaded_at is None or now - self._loaded_at >= self.ttl_s:
                try:
                    with self.sessions() as session:
                        self._entries = load_entries(session)
                    self._loaded_at = now
                except Exception:
                    # Keep the last lists rather than fail the passage: the
                    # caller's own write will surface a database outage.
                    if self._loaded_at is None:
                        raise
                    logger.warning("could not refresh the lists; using the previous ones")
            return self._entries
