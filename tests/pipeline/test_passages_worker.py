"""Passages worker and lists with a SQLite database: reads in, events out, state persisted."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from lpr.formats import FormatMatcher, patterns_named
from lpr.passages import PassageTracker
from services.passages.store import PassageStore
from services.passages.worker import PassageWorker, Policy
from shared.broker import PoisonMessage
from shared.db import make_sessionmaker
from shared.lists import Entry, best_match, bounded_distance, decide, normalise_plate
from shared.messages import DecisionMessage, PassageMessage
from shared.models import Base, PassageReadRow, PassageRow
from shared.topology import EXCHANGE_DECISIONS, EXCHANGE_PASSAGES
from tests.pipeline.helpers import make_read

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sessions():  # noqa: ANN201
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _worker(sessions, clock, entries=(), formats=None, **policy):  # noqa: ANN001, ANN003, ANN202
    tracker = functools.partial(PassageTracker, gap_s=3, announce_after_s=0.5, rearm_s=60)
    return PassageWorker(
        PassageStore(sessions),
        tracker,
        lambda: list(entries),
        formats=FormatMatcher(formats),
        policy=Policy(**policy),
        clock=clock,
    )


def _read(plate: str, t: float, frame: str | None = None, conf: float = 0.9, **kw):  # noqa: ANN003, ANN202
    return make_read(
        plate,
        frame_id=frame or f"f{t}",
        captured_at=T0 + timedelta(seconds=t),
        confidence=conf,
        **kw,
    )


def _events(dues) -> list[tuple[str, dict]]:  # noqa: ANN001
    out = []
    for due in dues:
        for msg in due.messages:
            out.append((msg.exchange, json.loads(msg.body)))
    return out


def test_a_car_makes_one_announcement_then_one_final_update(sessions) -> None:  # noqa: ANN001
    clock = Clock()
    worker = _worker(sessions, clock, entries=[Entry("allow", "AB123CD", "resident")])
    for k, plate in enumerate(["AB123CD", "A8123CD", "AB123CD", "AB123CD"]):
        clock.now = T0 + timedelta(seconds=k * 0.1)
        assert worker.handle(_read(plate, k * 0.1).to_json_bytes())
        assert worker.due() == []  # not before LPR_PASSAGE_DELAY_S
    clock.now = T0 + timedelta(seconds=0.7)
    dues = worker.due()
    events = _events(dues)
    assert [e[0] for e in events] == [EXCHANGE_PASSAGES, EXCHANGE_DECISIONS]
    passage = PassageMessage.model_validate(events[0][1])
    assert (passage.event, passage.plate_text, passage.read_count) == ("announced", "AB123CD", 4)
    assert passage.decision == "allow" and passage.list_match.note == "resident"
    assert passage.crop_jpeg_b64 and passage.format is not None
    decision = DecisionMessage.model_validate(events[1][1])
    assert decision.decision == "allow" and not decision.final
    for due in dues:
        worker.mark(due)
    clock.now = T0 + timedelta(seconds=5)
    (closed,) = worker.due()
    worker.mark(closed)
    final = PassageMessage.model_validate(_events([closed])[0][1])
    assert final.event == "closed" and final.passage_id == passage.passage_id
    with sessions() as s:
        row = s.scalars(select(PassageRow)).one()
        assert (row.status, row.read_count, row.decision) == ("closed", 4, "allow")
        assert row.announced_at and row.closed_at and row.crop_jpeg


def test_a_redelivered_read_is_skipped_and_poison_is_refused(sessions) -> None:  # noqa: ANN001
    worker = _worker(sessions, Clock())
    body = _read("AB123CD", 0).to_json_bytes()
    assert worker.handle(body) is True
    assert worker.handle(body) is False
    with pytest.raises(PoisonMessage):
        worker.handle(b"{not json")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(PassageReadRow)) == 1


def test_state_survives_a_restart_without_a_second_announcement(sessions) -> None:  # noqa: ANN001
    clock = Clock()
    first = _worker(sessions, clock)
    first.handle(_read("XY987ZZ", 0).to_json_bytes())
    clock.now = T0 + timedelta(seconds=0.6)
    (due,) = first.due()
    first.mark(due)
    # a new process: state from the database, then more reads of the same car
    second = _worker(sessions, clock)
    second.reload()
    clock.now = T0 + timedelta(seconds=1)
    second.handle(_read("XY987ZZ", 1).to_json_bytes())
    assert second.due() == []  # already announced before the restart
    clock.now = T0 + timedelta(seconds=10)
    (closed,) = second.due()
    assert closed.event == "closed" and closed.passage.passage_id == due.passage.passage_id
    assert len(closed.passage.sightings) == 2


def test_an_unstamped_announcement_comes_again_with_the_same_id(sessions) -> None:  # noqa: ANN001
    clock = Clock()
    first = _worker(sessions, clock)
    first.handle(_read("XY987ZZ", 0).to_json_bytes())
    clock.now = T0 + timedelta(seconds=0.6)
    (due,) = first.due()  # published, then the process dies before mark()
    second = _worker(sessions, clock)
    second.reload()
    (again,) = second.due()
    assert again.event == "announced"
    assert again.messages[0].message_id == due.messages[0].message_id


def test_the_site_format_picks_among_what_the_frames_read(sessions) -> None:  # noqa: ANN001
    clock = Clock()
    worker = _worker(sessions, clock, formats=patterns_named("fr_siv"))
    # frames split on one character: B (a letter, fits fr_siv) vs 8 (does not)
    for k, plate in enumerate(["A8123CD", "A8123CD", "AB123CD"]):
        worker.handle(_read(plate, k * 0.1).to_json_bytes())
    clock.now = T0 + timedelta(seconds=1)
    (due,) = worker.due()
    assert (due.summary.text, due.summary.format) == ("AB123CD", "fr_siv")
    # a character no frame read is never invented: a lone unreadable read keeps its text
    worker2 = _worker(sessions, clock, formats=patterns_named("fr_siv"))
    worker2.handle(_read("A81Z3CD", 2, frame="other").to_json_bytes())
    clock.now = T0 + timedelta(seconds=3)
    texts = [d.summary.text for d in worker2.due()]
    assert texts == ["A81Z3CD"]


def test_list_matching_is_fuzzy_and_deny_wins_a_tie() -> None:
    entries = [Entry("allow", "AB123CD"), Entry("deny", "AB123CF"), Entry("allow", "ZZ111ZZ")]
    assert best_match("AB123CD", entries, 1).list_name == "allow"  # exact beats fuzzy deny
    assert best_match("AB123CE", entries, 1).list_name == "deny"  # 1 from both: deny
    assert best_match("ZZ1112Z", entries, 1).plate_text == "ZZ111ZZ"
    assert best_match("ZZ1112Z", entries, 0) is None
    assert best_match("QQ000QQ", entries, 1) is None
    assert bounded_distance("AB123CD", "AB123C", 1) == 1
    assert bounded_distance("AB123CD", "XY987ZZ", 1) == 2
    assert normalise_plate(" ab-123 cd ") == "AB123CD"


def test_decisions() -> None:
    allow = best_match("AB123CD", [Entry("allow", "AB123CD")], 1)
    deny = best_match("AB123CD", [Entry("deny", "AB123CD")], 1)
    assert decide(allow, 0.9, 0.5) == "allow"
    assert decide(allow, 0.3, 0.5) == "unknown"  # not sure enough to open
    assert decide(deny, 0.1, 0.5) == "deny"
    assert decide(None, 0.99, 0.5) == "unknown"
