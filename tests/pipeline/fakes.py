"""Fake model backends with the lpr.inference interface, for tests without model files."""

from __future__ import annotations

import numpy as np

from lpr.types import Detection, PlateRead


class FakeDetector:
    model_version = "fake-det-1"

    def __init__(
        self, boxes: list[tuple[tuple[float, float, float, float], float]] | None = None
    ) -> None:
        self.boxes = boxes if boxes is not None else [((10, 10, 90, 40), 0.9)]
        self.calls = 0

    def detect(self, image_bgr: np.ndarray) -> list[Detection]:
        assert image_bgr.ndim == 3 and image_bgr.dtype == np.uint8
        self.calls += 1
        return [Detection(box=box, confidence=conf) for box, conf in self.boxes]


def fake_crop(image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    return image[y1:y2, x1:x2].copy()


class FakeReader:
    """Reads a crop as the text it was told, or as its mean brightness to the nearest ten
    (JPEG moves the mean by a level or two)."""

    model_version = "fake-rec-1"

    def __init__(self, text: str | None = "AB123CD", confidence: float = 0.9) -> None:
        self.text = text
        self.confidence = confidence

    def read(self, crops: list[np.ndarray]) -> list[PlateRead]:
        out = []
        for crop in crops:
            text = (
                self.text if self.text is not None else f"V{int(round(crop.mean() / 10)) * 10:03d}"
            )
            out.append(
                PlateRead(
                    text=text,
                    confidence=self.confidence,
                    char_confidences=[self.confidence] * len(text),
                    candidates=[(text, self.confidence), (text[::-1], 0.01)],
                    format="generic",
                )
            )
        return out
