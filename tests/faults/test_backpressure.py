"""Guarantee 3: detectors fed twice what they can take.

The frames queue must stay at its bound, the oldest frames be dropped and
counted (in the dead-letter queue and the detector's metrics), the detector's
memory stay flat, capture-to-read latency stay bounded, and every frame that
was taken still give its reads exactly once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.topology import FRAMES_MAX_LENGTH, QUEUE_DETECTOR_FRAMES
from tests.faults.oracle import latency_figures, report, stored_rows
from tests.faults.scenario import finish, pipeline, start_workers
from tests.pipeline.helpers import channel, queue_depth, wait_for

pytestmark = pytest.mark.faults

DETECT_MS = 200  # one replica takes at most 5 frames/s ...
FPS = 10  # ... and capture offers 10/s: 2x overload
FRAMES = 200
# Waiting behind a full queue costs FRAMES_MAX_LENGTH x DETECT_MS (3.2 s); the
# rest is margin for a loaded 2-core machine. Unbounded backlogs blow past it.
P95_BOUND_S = 8.0


def test_overload_keeps_queue_bounded_drops_oldest_and_latency_low(
    amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    with pipeline(
        amqp_url,
        database_url,
        tmp_path,
        "P",
        frames=FRAMES,
        fps=FPS,
        LPR_FAKE_DETECT_MS=str(DETECT_MS),
    ) as pipe:
        start_workers(pipe)
        pipe.start("capture")
        depths, rss = [], []
        with channel(amqp_url) as ch:
            while pipe.alive("capture.0"):
                depths.append(queue_depth(ch, QUEUE_DETECTOR_FRAMES))
                rss.append(pipe.rss_mb("detector.0"))
                ch.connection.sleep(0.5)
        verdict = finish(pipe, amqp_url, database_url)
        dropped = verdict.figures["frames_dropped_maxlen"]
        # Every drop the broker made reaches the detector's counter (exactly, not roughly).
        wait_for(
            lambda: (
                pipe.metric("detector.0", "lpr_frames_dropped_total", reason="maxlen") == dropped
            ),
            timeout=20,
        )
        counted = pipe.metric("detector.0", "lpr_frames_dropped_total", reason="maxlen")
        rows = stored_rows(database_url)
    took = verdict.figures["frames_sent"] - dropped
    quarter = max(len(rss) // 4, 1)
    figures = {
        **verdict.figures,
        "offered_fps": FPS,
        "detector_capacity_fps": round(1000 / DETECT_MS, 1),
        "frames_taken": took,
        "drops_counted_in_metrics": counted,
        "max_frames_queue_depth": max(depths),
        "detector_rss_mb_first_quarter": round(max(rss[:quarter]), 1),
        "detector_rss_mb_last_quarter": round(max(rss[-quarter:]), 1),
        **latency_figures(rows),
    }
    report("backpressure_2x", figures)
    assert not verdict.problems, verdict.problems
    assert max(depths) <= FRAMES_MAX_LENGTH
    assert dropped >= FRAMES * 0.25  # really overloaded: at 2x, about half must go
    assert figures["detector_rss_mb_last_quarter"] - figures["detector_rss_mb_first_quarter"] < 15
    assert figures["capture_to_read_p95_s"] < P95_BOUND_S
    assert figures["capture_to_stored_p95_s"] < P95_BOUND_S + 2
