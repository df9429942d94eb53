"""Passages on image sequences: passages per vehicle, voted vs single-frame text accuracy.

Each vehicle is one synthetic frame (training.synth.scenes.clean_frame) seen in
several frames, each degraded independently (lighting, blur, noise, JPEG:
training.synth.degrade) and with a slightly different plate box, as a car
approaching a barrier is. Every frame goes through the real models; the
reads go through the same tracker and vote as the passages service, with the
site's formats re-checking the voted text. A last vehicle stays parked in
view for a minute, read every 2 s, to count the passages a parked car makes.

    OMP_NUM_THREADS=1 python scripts/bench_passages.py --vehicles 40 --frames 6
    ... --oracle-boxes --backend torch    # reader only, boxes from the generator
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lpr.formats import FormatMatcher, patterns_named  # noqa: E402
from lpr.passages import PassageTracker, Sighting, vote_candidates  # noqa: E402

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
FRAME_STEP_S = 0.2  # 5 frames/s from the capture service
VEHICLE_STEP_S = 20.0  # one car every 20 s at the barrier


@dataclass
class Tally:
    vehicles: int = 0
    frames: int = 0
    frames_right: int = 0
    voted_right: int = 0
    passages: Counter = None  # passages per vehicle -> count

    def __post_init__(self) -> None:
        self.passages = Counter()


class Reader:
    """Frame -> [(text, confidence, char_confidences, box, candidates)] with the real models."""

    def __init__(self, args: argparse.Namespace) -> None:
        from lpr.inference import crop_plate, load_pipeline, load_reader

        self.crop = crop_plate
        self.oracle = args.oracle_boxes
        matcher = FormatMatcher(patterns_named(args.formats) if args.formats else None)
        if self.oracle:
            self.reader = load_reader(None, args.backend, threads=1, formats=matcher)
        else:
            self.pipeline = load_pipeline(
                backend=args.backend,
                threads=1,
                formats=args.formats,
                min_confidence=args.min_confidence,
            )

    def __call__(self, frame: np.ndarray, box: list[float]) -> list[tuple]:
        if self.oracle:
            (read,) = self.reader.read([self.crop(frame, box)])
            return [(read, tuple(box))] if read.text else []
        return [(r.read, tuple(r.box)) for r in self.pipeline.process(frame)]


def frames_of(rng: np.random.Generator, n: int) -> tuple[str, list[tuple[np.ndarray, list]]]:
    from training.synth import degrade
    from training.synth.scenes import clean_frame

    clean, plate, box = clean_frame(rng, plate_width=float(rng.uniform(110, 260)))
    out = []
    bw, bh = box[2] - box[0], box[3] - box[1]
    for _ in range(n):
        noisy = degrade.degrade(rng, clean, blur_strength=float(rng.uniform(0.5, 2.0)))
        jitter = rng.normal(0, 0.03, 4) * [bw, bh, bw, bh]  # the detector's box wobbles
        out.append((noisy, list(np.asarray(box) + jitter)))
    return plate.text, out


def run_vehicle(reader: Reader, tracker: PassageTracker, rng, start: float, n: int, tally: Tally):
    """Feed one vehicle's frames; True when its frame-level best read was right, per frame."""
    truth, frames = frames_of(rng, n)
    seen: set[str] = set()
    for k, (frame, box) in enumerate(frames):
        at = T0 + timedelta(seconds=start + k * FRAME_STEP_S)
        reads = reader(frame, box)
        tally.frames += 1
        best = max(reads, key=lambda r: r[0].confidence, default=None)
        tally.frames_right += best is not None and best[0].text == truth
        for i, (read, rbox) in enumerate(reads):
            s = Sighting(
                f"{start}-{k}-{i}",
                "gate-1",
                at,
                read.text,
                read.confidence,
                tuple(read.char_confidences),
                rbox,
                tuple(read.candidates),
            )
            seen.add(tracker.add(s).passage_id)
    tracker.due(T0 + timedelta(seconds=start + n * FRAME_STEP_S + tracker.gap_s + 0.1))
    return truth, seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=30)
    parser.add_argument("--frames", type=int, default=6, help="frames per vehicle")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    parser.add_argument("--formats", default="", help="site formats, e.g. fr_siv,sk")
    parser.add_argument(
        "--min-confidence", type=float, default=0.2, help="drop reads below it, as `lpr scan` does"
    )
    parser.add_argument("--oracle-boxes", action="store_true", help="reader only (no detector)")
    args = parser.parse_args()
    try:
        reader = Reader(args)
    except (FileNotFoundError, OSError, RuntimeError) as exc:
        print(f"models not available ({exc}); train or copy them into models/", file=sys.stderr)
        return 2
    matcher = FormatMatcher(patterns_named(args.formats) if args.formats else None)
    rng = np.random.default_rng(args.seed)
    tracker = PassageTracker()
    tally = Tally()
    for v in range(args.vehicles):
        truth, passage_ids = run_vehicle(
            reader, tracker, rng, v * VEHICLE_STEP_S, args.frames, tally
        )
        tally.vehicles += 1
        tally.passages[len(passage_ids)] += 1
        closed = [p for ps in tracker.recent.values() for p in ps if p.passage_id in passage_ids]
        main_passage = max(closed, key=lambda p: len(p.sightings), default=None)
        if main_passage is not None:
            text, _, _ = matcher.choose(vote_candidates(main_passage.sightings, n=8))
            tally.voted_right += text == truth
    parked = parked_car(reader, rng, args.vehicles * VEHICLE_STEP_S)
    report(args, tally, parked)
    return 0


def parked_car(reader: Reader, rng, start: float) -> int:
    """Passages made by one car parked in view for 60 s, read every 2 s."""
    tracker = PassageTracker()
    truth, frames = frames_of(rng, 30)
    ids: set[str] = set()
    for k, (frame, box) in enumerate(frames):
        at = T0 + timedelta(seconds=start + 2.0 * k)
        for i, (read, rbox) in enumerate(reader(frame, box)):
            chars = tuple(read.char_confidences)
            s = Sighting(f"p{k}-{i}", "gate-1", at, read.text, read.confidence, chars, rbox)
            ids.add(tracker.add(s).passage_id)
        tracker.due(at + timedelta(seconds=1.0))
    return len(ids)


def report(args: argparse.Namespace, tally: Tally, parked: int) -> None:
    mode = "reader only, generator boxes" if args.oracle_boxes else "detector + reader"
    print(
        f"passages bench: {tally.vehicles} vehicles x {args.frames} frames ({mode}, {args.backend})"
    )
    print(f"  passages per vehicle:        {dict(sorted(tally.passages.items()))}")
    print(f"  single-frame text accuracy:  {tally.frames_right / max(tally.frames, 1):.3f}")
    print(f"  voted passage text accuracy: {tally.voted_right / max(tally.vehicles, 1):.3f}")
    print(f"  parked car, 60 s in view:    {parked} passage(s)")


if __name__ == "__main__":
    sys.exit(main())
