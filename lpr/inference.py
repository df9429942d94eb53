"""The one inference core used by the services and the `lpr` command.

frame -> detect -> crop with margin + deskew -> read (format hint) -> threshold
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lpr.detector import OnnxDetector, PlateDetector, UltralyticsDetector
from lpr.evaluate import iou as box_iou
from lpr.formats import FormatMatcher, patterns_named
from lpr.preprocess import MARGIN_X, crop_plate
from lpr.reader import OnnxReader, PlateReader, TorchReader
from lpr.types import Detection, PlateResult, ReadPolicy

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
    refine: bool = True  # cut boxes much wider than their text down to it (see _refine)
    last_timings: dict = field(default_factory=dict)

    def process(self, image: np.ndarray) -> list[PlateResult]:
        t0 = time.perf_counter()
        detections = self.detector.detect(image)
        t1 = time.perf_counter()
        crops = [crop_plate(image, d.box) for d in detections]
        reads = self.reader.read(crops) if crops else []
        if self.refine:
            detections, reads = self._refine(image, detections, reads)
        t2 = time.perf_counter()
        self.last_timings = {"detect_ms": (t1 - t0) * 1e3, "read_ms": (t2 - t1) * 1e3}
        results = [
            PlateResult(det.box, det.confidence, read)
            for det, read in zip(detections, reads, strict=True)
            if self.policy.accepts(read)
        ]
        return _distinct(results) if self.refine else results

    def _refine(self, image, detections, reads):
        """Boxes much wider than the text they hold, cut down to the text and read again.

        On real cars the detector often boxes the whole boot-lid recess or plate
        frame around a US plate; the plate then fills a third of the reader's
        input. The CTC steps that emitted characters say where the plate is.
        That first read may miss the edge characters, so the first cut is
        generous and its own read places the final one.
        """
        detections, reads = list(detections), list(reads)
        for share in REFINE_SHARES:
            redo = [k for k, r in enumerate(reads) if _narrow(r)]
            if not redo:
                break
            h, w = image.shape[:2]
            boxes = {
                k: _clip(text_box(detections[k].box, reads[k].text_span, share), w, h) for k in redo
            }
            redo = [k for k in redo if boxes[k]]  # text at the frame's edge: nothing to cut
            if not redo:
                break
            again = self.reader.read([crop_plate(image, boxes[k]) for k in redo])
            for k, read in zip(redo, again, strict=True):
                detections[k] = Detection(boxes[k], detections[k].confidence)
                reads[k] = read
        return detections, reads

    def warm_up(self) -> None:
        self.detector.warm_up()
        self.reader.warm_up()


# A plate's characters span 70-90 % of it, and their CTC steps (which fire inside
# characters, not at their edges) ~50-75 % of its crop; much less means the box
# holds much more than the plate. Chosen on real-dev: plates whose steps span
# 0.50-0.53 (EU and Brazilian ones with a band) mostly gain IoU when cut down too.
REFINE_BELOW = 0.55
# The share of the new box the text is given: first generously (edge characters
# the first read missed come back in), then as on a plate.
REFINE_SHARES = (0.5, 0.75)


def _narrow(read) -> bool:
    """Whether the characters fill much less of the crop than they would a plate's."""
    return bool(read.text_span) and read.text_span[1] - read.text_span[0] < REFINE_BELOW


def text_box(box, span: tuple[float, float], share: float = 0.8):
    """The box around a text span (fractions of the crop of `box`) in which the text
    takes `share` of the width; the height is kept."""
    x1, y1, x2, y2 = box
    crop_x1, crop_w = x1 - MARGIN_X * (x2 - x1), (x2 - x1) * (1 + 2 * MARGIN_X)
    centre = crop_x1 + crop_w * (span[0] + span[1]) / 2
    width = crop_w * (span[1] - span[0]) / share
    return (centre - width / 2, y1, centre + width / 2, y2)


def _clip(box, width: int, height: int):
    """The box inside the frame, or None if less than 2 px of it is."""
    x1, y1, x2, y2 = max(box[0], 0.0), max(box[1], 0.0), min(box[2], width), min(box[3], height)
    return (x1, y1, x2, y2) if x2 - x1 >= 2 and y2 - y1 >= 2 else None


def _distinct(results: list[PlateResult]) -> list[PlateResult]:
    """One result per plate: two boxes cut down to the same plate keep the surer read."""
    kept: list[PlateResult] = []
    for r in sorted(results, key=lambda r: -r.read.confidence):
        if all(box_iou(r.box, k.box) < 0.5 for k in kept):
            kept.append(r)
    return kept


def load_pipeline(
    detector=None,
    reader=None,
    backend: str = "onnx",
    device: str = "cpu",
    threads: int = 1,
    min_confidence: float = 0.0,
    long_side: int | None = None,
    formats: str | None = None,
    det_conf: float | None = None,
    min_chars: int = 1,
) -> Pipeline:
    kwargs = {"long_side": long_side} if long_side else {}
    if det_conf is not None:
        kwargs["conf"] = det_conf
    matcher = FormatMatcher(patterns_named(formats) if formats else None)
    return Pipeline(
        load_detector(detector, backend, device, threads, **kwargs),
        load_reader(reader, backend, device, threads, formats=matcher),
        ReadPolicy(min_confidence, min_chars),
    )
