from datetime import UTC, datetime, timedelta

import numpy as np

from lpr.passages import PassageTracker, Sighting, vote

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def sighting(text, t, conf=0.9, box=(100, 100, 200, 130), camera="gate-1", chars=None):
    chars = chars or tuple([conf] * len(text))
    return Sighting(f"r{t}", camera, T0 + timedelta(seconds=t), text, conf, chars, box)


def test_vote_beats_single_noisy_frames():
    rng = np.random.default_rng(0)
    truth, confusions = "AB123CD", {"B": "8", "1": "I", "0": "D", "C": "G", "D": "0"}
    single_right = voted_right = 0
    for _ in range(200):
        reads = []
        for k in range(5):
            text = "".join(confusions.get(c, c) if rng.random() < 0.12 else c for c in truth)
            if rng.random() < 0.1:
                text = text[:-1]  # a dropped character
            reads.append(sighting(text, k * 0.2, conf=float(rng.uniform(0.5, 0.95))))
        single_right += reads[0].text == truth
        voted_right += vote(reads)[0] == truth
    assert voted_right > single_right + 40  # much more often right than one frame


def test_one_passage_per_vehicle_and_a_parked_car_makes_no_new_ones():
    tracker = PassageTracker(gap_s=3, announce_after_s=0.5, rearm_s=60)
    announced, closed = [], []
    # car 1 arrives and stays parked in view for 30 s, read every 2.5 s with noise
    for k in range(13):
        tracker.add(sighting("AB123CD" if k % 3 else "A8123CD", k * 2.5))
        a, c = tracker.due(T0 + timedelta(seconds=k * 2.5 + 1))
        announced += a
        closed += c
    # a later read of the same parked car after a short blind spot
    a, c = tracker.due(T0 + timedelta(seconds=40))
    closed += c
    tracker.add(sighting("AB123CD", 45))
    # car 2 at the same barrier
    tracker.add(sighting("XY987ZZ", 120, box=(90, 100, 190, 130)))
    a, c = tracker.due(T0 + timedelta(seconds=121))
    announced += a
    assert [p.vote()[0] for p in announced] == ["AB123CD", "XY987ZZ"]
    assert len({p.passage_id for p in announced}) == 2


def test_cameras_are_kept_apart():
    tracker = PassageTracker()
    a = tracker.add(sighting("AB123CD", 0, camera="gate-1"))
    b = tracker.add(sighting("AB123CD", 0.1, camera="gate-2"))
    assert a is not b


def test_a_garbled_frame_on_the_same_track_joins_but_a_new_car_there_does_not():
    tracker = PassageTracker(gap_s=3, track_s=1.0)
    first = tracker.add(sighting("AB123CD", 0))
    assert tracker.add(sighting("X7Q", 0.2, conf=0.2)) is first  # garbage, same box, 0.2 s later
    assert tracker.add(sighting("AB123CD", 0.4)) is first
    assert first.vote()[0] == "AB123CD"
    later = tracker.add(sighting("ZZ999QQ", 2.5))  # another car at the same spot, 2 s on
    assert later is not first


def test_passage_ids_are_derived_from_the_first_read():
    a, b = PassageTracker(), PassageTracker()
    assert a.add(sighting("AB123CD", 0)).passage_id == b.add(sighting("AB123CD", 0)).passage_id
    assert len(a.add(sighting("AB123CD", 0)).passage_id) == 32


def test_candidates_give_the_vote_its_alternatives():
    from lpr.passages import vote_candidates

    s = sighting("A8123CD", 0, conf=0.5)
    s = Sighting(
        *[
            getattr(s, f)
            for f in ("read_id", "camera_id", "at", "text", "confidence", "char_confidences", "box")
        ],
        candidates=(("A8123CD", 0.5), ("AB123CD", 0.4)),
    )
    ranked = vote_candidates([s], n=3)
    assert [t for t, _ in ranked[:2]] == ["A8123CD", "AB123CD"]
    assert ranked[0][1] > ranked[1][1] > 0
