"""The one inference core used by the services and the `lpr` command.

frame -> detect -> crop with margin + deskew -> read (format hint)
      -> cut boxes much wider than their text down to it, read again
      -> unsure reads voted on by reads of shifted boxes -> threshold
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lpr.detector import OnnxDetector, PlateDetector, UltralyticsDetector
from lpr.formats import FormatMatcher, patterns_named
from lpr.preprocess import crop_plate
from lpr.reader import OnnxReader, PlateReader, TorchReader
from lpr.refine import distinct, refine
from lpr.types import (
    READ_MAX_CHARS,
    READ_MIN_CHARS,
    READ_MIN_CONFIDENCE,
    Detection,
    PlateResult,
    ReadPolicy,
)
from lpr.vote import steady

logger = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DETECTORS = {"onnx": OnnxDetector, "ultralytics": UltralyticsDetector, "torch": UltralyticsDetector}
READERS = {"onnx": OnnxReader, "torch": TorchReader, "ultralytics": TorchReader}
SUFFIX = {"onnx": ".onnx", "torch": ".pt", "ultralytics": ".pt"}

__all__ = ["Pipeline", "crop_plate", "load_detector", "load_reader", "load_pipeline"]


def _path(path, stem: str, backend: str) -> Path:
    return Path(path) if path else MODELS_DIR / f"{stem}{SUFFIX[backend]}"


def load_detector(
    path=None, backend: str = "onnx", device: str = "cpu", threads: int = 1, **kwargs
) -> PlateDetector:
    if backend not in DETECTORS:
        raise ValueError(f"unknown backend {backend!r}; choose from {sorted(DETECTORS)}")
    return DETECTORS[backend](
        _path(path, "plate_detector", backend), device=device, threads=threads, **kwargs
    )


def load_reader(
    path=None, backend: str = "onnx", device: str = "cpu", threads: int = 1, **kwargs
) -> PlateReader:
    if backend not in READERS:
        raise ValueError(f"unknown backend {backend!r}; choose from {sorted(READERS)}")
    return READERS[backend](
        _path(path, "plate_recognizer", backend), device=device, threads=threads, **kwargs
    )


@dataclass
class Pipeline:
    detector: PlateDetector
    reader: PlateReader
    policy: ReadPolicy = field(default_factory=ReadPolicy)  # reads it refuses are dropped
    refine: bool = True  # cut boxes much wider than their text down to it (lpr/refine.py)
    vote: bool = True  # unsure reads voted on by reads of shifted boxes (lpr/vote.py)
    last_timings: dict = field(default_factory=dict)

    def process(self, image: np.ndarray) -> list[PlateResult]:
        t0 = time.perf_counter()
        detections = self.detector.detect(image)
        t1 = time.perf_counter()
        crops = [crop_plate(image, d.box) for d in detections]
        reads = self.reader.read(crops) if crops else []
        if self.refine:
            boxes, reads = refine(self.reader, image, [d.box for d in detections], reads)
            detections = [
                Detection(b, d.confidence) for b, d in zip(boxes, detections, strict=True)
            ]
        if self.vote:
            boxes, scores = [d.box for d in detections], [d.confidence for d in detections]
            reads = steady(self.reader, image, boxes, reads, self.policy, scores)
        t2 = time.perf_counter()
        self.last_timings = {"detect_ms": (t1 - t0) * 1e3, "read_ms": (t2 - t1) * 1e3}
        results = [
            PlateResult(det.box, det.confidence, read)
            for det, read in zip(detections, reads, strict=True)
            if self.policy.accepts(read, det.confidence, det.box)
        ]
        return distinct(results) if self.refine else results

    def read_boxes(self, image: np.ndarray, boxes: list) -> list:
        """Reads of given boxes (labelled ones, a whole plate crop): no detection, no refinement."""
        reads = self.reader.read([crop_plate(image, b) for b in boxes]) if boxes else []
        if not self.vote:
            return reads
        return steady(self.reader, image, boxes, reads, self.policy, [1.0] * len(boxes))

    def warm_up(self) -> None:
        self.detector.warm_up()
        self.reader.warm_up()


def load_pipeline(
    detector=None,
    reader=None,
    backend: str = "onnx",
    device: str = "cpu",
    threads: int = 1,
    min_confidence: float = READ_MIN_CONFIDENCE,
    long_side: int | None = None,
    formats: str | None = None,
    det_conf: float | None = None,
    min_chars: int = READ_MIN_CHARS,
    coarse_side: int | None = None,
    max_chars: int = READ_MAX_CHARS,
    dark_below: float | None = None,
    fine_side: int | None = None,
    overlay_height: float | None = None,
    grey_pass: bool = True,
) -> Pipeline:
    kwargs = {"long_side": long_side} if long_side else {}
    kwargs["grey_pass"] = grey_pass
    if coarse_side is not None:
        kwargs["coarse_side"] = coarse_side
    if fine_side is not None:
        kwargs["fine_side"] = fine_side
    if dark_below is not None:
        kwargs["dark_below"] = dark_below
    if overlay_height is not None:
        kwargs["overlay_height"] = overlay_height
    if det_conf is not None:
        kwargs["conf"] = det_conf
    matcher = FormatMatcher(patterns_named(formats) if formats else None)
    return Pipeline(
        load_detector(detector, backend, device, threads, **kwargs),
        load_reader(reader, backend, device, threads, formats=matcher),
        ReadPolicy(min_confidence, min_chars, max_chars),
    )
