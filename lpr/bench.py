"""Speed of the whole path for one image: JPEG decode, detect, crop, read.

The figures are given for all images and again for each frame size: the cost
follows the detector's input (a 1280x960 frame is a 640x480 pass, a 1280x720
one 640x384), so a folder of mixed sizes would hide what one camera costs.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from lpr.inference import Pipeline
from lpr.scan import IMAGE_EXTS

STAGES = ("total", "decode", "detect", "crop+read")
MIN_SIZE_IMAGES = 3  # sizes with fewer images are kept in the stats, not printed


def bench(paths: list[str], pipeline: Pipeline, repeat: int = 3) -> dict:
    """Times per image, printed; returned as {stage: {median, p95, mean}} plus
    "by_size": {"WxH": {"images": n, stage: {...}}}."""
    files = []
    for p in map(Path, paths):
        files += (
            sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_EXTS) if p.is_dir() else [p]
        )
    if not files:
        raise SystemExit("lpr bench: no images given")
    blobs = [np.fromfile(str(f), np.uint8) for f in files]
    pipeline.warm_up()
    times: dict[str, list[float]] = defaultdict(list)
    runs_of_size: dict[str, list[int]] = defaultdict(list)  # "WxH" -> indices into times
    for _ in range(repeat):
        for blob in blobs:
            t0 = time.perf_counter()
            image = cv2.imdecode(blob, cv2.IMREAD_COLOR)
            t1 = time.perf_counter()
            pipeline.process(image)
            t2 = time.perf_counter()
            runs_of_size[f"{image.shape[1]}x{image.shape[0]}"].append(len(times["total"]))
            times["total"].append((t2 - t0) * 1e3)
            times["decode"].append((t1 - t0) * 1e3)
            times["detect"].append(pipeline.last_timings["detect_ms"])
            times["crop+read"].append(pipeline.last_timings["read_ms"])
    stats = _stats(times)
    print(f"{len(files)} images x {repeat} runs")
    for name in STAGES:
        s = stats[name]
        print(
            f"{name:<10} median {s['median']:7.2f} ms   p95 {s['p95']:7.2f} ms   mean {s['mean']:7.2f} ms"
        )
    stats["by_size"] = {}
    print("by frame size: median total (decode, detect, crop+read) and p95 total, in ms")
    for size, picked in sorted(runs_of_size.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        by = _stats({name: [times[name][i] for i in picked] for name in STAGES})
        by["images"] = len(picked) // repeat
        stats["by_size"][size] = by
        if by["images"] >= MIN_SIZE_IMAGES:
            print(
                f"  {size:<10} {by['images']:4d} images  {by['total']['median']:7.2f}"
                f" ({by['decode']['median']:.1f}, {by['detect']['median']:.1f},"
                f" {by['crop+read']['median']:.1f})   p95 {by['total']['p95']:7.2f}"
            )
    rare = sum(1 for by in stats["by_size"].values() if by["images"] < MIN_SIZE_IMAGES)
    if rare:
        print(f"  and {rare} sizes of fewer than {MIN_SIZE_IMAGES} images each (in stats only)")
    return stats


def _stats(times: dict[str, list[float]]) -> dict:
    return {
        name: {
            "median": float(np.median(v)),
            "p95": float(np.percentile(v, 95)),
            "mean": float(np.mean(v)),
        }
        for name, v in times.items()
    }
