"""A deterministic stand-in for the plate models, FOR FAULT TESTS ONLY (``LPR_BACKEND=fake``).

The fault suite (tests/faults) must prove delivery guarantees, not model
accuracy, and must not depend on how fast a loaded CPU runs a YOLO forward.
So the services can load this backend instead of the ONNX models. It is still
honest: the detector finds plates by looking at pixels and the reader reads
them from pixels, so a frame that is corrupted, cropped wrongly or swapped
gives a wrong or missing read, exactly as with the real models.

A "marker plate" is a magenta rectangle holding one 16x16 grey block per
character; the block's grey level encodes the character (6 levels apart, far
more than two JPEG generations move the mean of a flat block). ``draw_plate``
is the one encoder and ``FakeReader`` the one decoder, so they cannot drift.

Never use this in production: it reads nothing but its own markers.
"""

from __future__ import annotations

import os
import time

import numpy as np

from lpr.types import Detection, PlateRead

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLOCK = 16  # pixels per character block (two JPEG 8x8 cells: the centre stays flat)
PAD = 8  # magenta border around the blocks
_LEVEL0, _STEP = 16, 6
MAGENTA = (255, 0, 255)  # BGR
DELAY_ENV = "LPR_FAKE_DETECT_MS"  # simulated inference time, for the backpressure test


def _level(char: str) -> int:
    return _LEVEL0 + _STEP * CHARSET.index(char)


def plate_size(text: str) -> tuple[int, int]:
    """(width, height) in pixels of the marker plate for ``text``."""
    return 2 * PAD + BLOCK * len(text), 2 * PAD + BLOCK


def draw_plate(image: np.ndarray, text: str, x: int, y: int) -> tuple[int, int, int, int]:
    """Draw a marker plate with its top-left corner at (x, y); returns its box."""
    if not text or any(c not in CHARSET for c in text):
        raise ValueError(f"marker plates hold {CHARSET!r} only, got {text!r}")
    width, height = plate_size(text)
    image[y : y + height, x : x + width] = MAGENTA
    for i, char in enumerate(text):
        bx = x + PAD + i * BLOCK
        image[y + PAD : y + PAD + BLOCK, bx : bx + BLOCK] = _level(char)
    return x, y, x + width, y + height


def _magenta_mask(image: np.ndarray) -> np.ndarray:
    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    return ((b > 180) & (r > 180) & (g < 90)).astype(np.uint8)


class FakeDetector:
    """Finds marker plates: each connected magenta region is one plate."""

    model_version = "fake-marker-det"

    def __init__(self, delay_ms: float | None = None) -> None:
        self.delay_s = float(os.environ.get(DELAY_ENV, "0") if delay_ms is None else delay_ms) / 1e3

    def detect(self, image_bgr: np.ndarray) -> list[Detection]:
        import cv2

        if self.delay_s:
            time.sleep(self.delay_s)  # stands in for a model forward (the GIL is released)
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(_magenta_mask(image_bgr))
        found = []
        for x, y, w, h, area in stats[1:count]:
            if w >= 2 * PAD + BLOCK and h >= BLOCK and area >= 100:
                found.append(
                    Detection(box=(float(x), float(y), float(x + w), float(y + h)), confidence=0.95)
                )
        return sorted(found, key=lambda d: (d.box[1], d.box[0]))  # stable plate_index order


def crop_box(image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The exact box (the real crop adds a margin and deskews; the fake needs neither)."""
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    return np.ascontiguousarray(image[y1:y2, x1:x2])


class FakeReader:
    """Decodes the grey blocks inside the magenta frame of a crop."""

    model_version = "fake-marker-rec"

    def read(self, crops: list[np.ndarray]) -> list[PlateRead]:
        return [self._read_one(crop) for crop in crops]

    def _read_one(self, crop: np.ndarray) -> PlateRead:
        ys, xs = np.nonzero(_magenta_mask(crop))
        if len(xs) == 0:
            return PlateRead(text="", confidence=0.0, char_confidences=[])
        x0, x1, y0 = int(xs.min()), int(xs.max()) + 1, int(ys.min())
        count = round((x1 - x0 - 2 * PAD) / BLOCK)
        chars = []
        cy = y0 + PAD + BLOCK // 2
        for i in range(max(count, 0)):
            cx = x0 + PAD + i * BLOCK + BLOCK // 2
            mean = float(crop[cy - 3 : cy + 3, cx - 3 : cx + 3].mean())
            index = round((mean - _LEVEL0) / _STEP)
            if not 0 <= index < len(CHARSET):
                return PlateRead(text="", confidence=0.0, char_confidences=[])
            chars.append(CHARSET[index])
        text = "".join(chars)
        return PlateRead(
            text=text,
            confidence=0.99,
            char_confidences=[0.99] * len(text),
            candidates=[(text, 0.99)],
            format="fake",
        )
