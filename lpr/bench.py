"""Speed of the whole path for one image: JPEG decode, detect, crop, read."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from lpr.inference import Pipeline
from lpr.scan import IMAGE_EXTS


def bench(paths: list[str], pipeline: Pipeline, repeat: int = 3) -> dict:
    files = []
    for p in map(Path, paths):
        files += (
            sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_EXTS) if p.is_dir() else [p]
        )
    if not files:
        raise SystemExit("lpr bench: no images given")
    blobs = [np.fromfile(str(f), np.uint8) for f in files]
    pipeline.warm_up()
    totals, decode, detect, read = [], [], [], []
    for _ in range(repeat):
        for blob in blobs:
            t0 = time.perf_counter()
            image = cv2.imdecode(blob, cv2.IMREAD_COLOR)
            t1 = time.perf_counter()
            pipeline.process(image)
            t2 = time.perf_counter()
            totals.append((t2 - t0) * 1e3)
            decode.append((t1 - t0) * 1e3)
            detect.append(pipeline.last_timings["detect_ms"])
            read.append(pipeline.last_timings["read_ms"])
    stats = {
        name: {
            "median": float(np.median(v)),
            "p95": float(np.percentile(v, 95)),
            "mean": float(np.mean(v)),
        }
        for name, v in [
            ("total", totals),
            ("decode", decode),
            ("detect", detect),
            ("crop+read", read),
        ]
    }
    sizes = {
        f"{img.shape[1]}x{img.shape[0]}"
        for img in (cv2.imdecode(b, cv2.IMREAD_COLOR) for b in blobs[:20])
    }
    print(f"{len(files)} images x {repeat} runs, sizes {sorted(sizes)}")
    for name, s in stats.items():
        print(
            f"{name:<10} median {s['median']:7.2f} ms   p95 {s['p95']:7.2f} ms   mean {s['mean']:7.2f} ms"
        )
    return stats
