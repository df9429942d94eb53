"""Boxes much wider than the text they hold, cut down to the text and read again.

On real cars the detector often boxes the whole boot-lid recess or plate frame
around a US plate; the plate then fills a third of the reader's input and its
characters a few pixels. The CTC steps that emitted characters say where the
plate lies across the box. That first read may miss the edge characters, so
the first cut is generous and its own read places the final one.

Used by the pipeline (frame + detected boxes) and by the recognizer service,
which has only the detector's crop (`box_in_crop`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lpr.evaluate import iou, share_inside
from lpr.preprocess import MARGIN_X, MARGIN_Y, crop_plate, with_margin

# A plate's characters span 70-90 % of it, and their CTC steps (which fire inside
# characters, not at their edges) ~50-75 % of its crop; much less means the box
# holds much more than the plate. Chosen on real-dev: plates whose steps span
# 0.50-0.53 (EU and Brazilian ones with a band) mostly gain IoU when cut down too.
REFINE_BELOW = 0.55
# The share of the new box the text is given: first generously (edge characters
# the first read missed come back in), then as on a plate.
REFINE_SHARES = (0.5, 0.75)
# Reads of one or two characters are emblems, lamps and bolts, not plates in a
# recess (those read at least three characters, if wrong ones): not worth a re-read.
REFINE_MIN_CHARS = 3
INSIDE = 0.8  # a box this much inside another is a line of that plate


def refine(reader, image: np.ndarray, boxes: list, reads: list) -> tuple[list, list]:
    """`boxes` and their `reads`, with narrow-text ones cut down and read again."""
    boxes, reads = list(boxes), list(reads)
    h, w = image.shape[:2]
    for share in REFINE_SHARES:
        cut = {
            k: clip(text_box(boxes[k], reads[k].text_span, share), w, h)
            for k, read in enumerate(reads)
            if is_narrow(read)
        }
        redo = [k for k, box in cut.items() if box]  # text at the frame's edge: nothing to cut
        if not redo:
            break
        for k, read in zip(
            redo, reader.read([crop_plate(image, cut[k]) for k in redo]), strict=True
        ):
            boxes[k], reads[k] = cut[k], read
    return boxes, reads


def is_narrow(read) -> bool:
    """Whether the characters fill much less of the crop than they would a plate's."""
    span = getattr(read, "text_span", None)
    return bool(span) and span[1] - span[0] < REFINE_BELOW and len(read.text) >= REFINE_MIN_CHARS


def text_box(box, span: tuple[float, float], share: float = 0.75):
    """The box around a text span (fractions of the width of the crop of `box`) in
    which the text takes `share` of the width; the height is kept."""
    crop_x1, _, crop_x2, _ = with_margin(box)
    crop_w = crop_x2 - crop_x1
    centre = crop_x1 + crop_w * (span[0] + span[1]) / 2
    width = crop_w * (span[1] - span[0]) / share
    return (centre - width / 2, box[1], centre + width / 2, box[3])


def clip(box, width: int, height: int):
    """The box inside the frame, or None if less than 2 px of it is."""
    x1, y1, x2, y2 = max(box[0], 0.0), max(box[1], 0.0), min(box[2], width), min(box[3], height)
    return (x1, y1, x2, y2) if x2 - x1 >= 2 and y2 - y1 >= 2 else None


def box_in_crop(crop: np.ndarray):
    """The box that `crop_plate` cut this crop around (its margin taken off)."""
    h, w = crop.shape[:2]
    bw, bh = w / (1 + 2 * MARGIN_X), h / (1 + 2 * MARGIN_Y)
    x1, y1 = (w - bw) / 2, (h - bh) / 2
    return (x1, y1, x1 + bw, y1 + bh)


def frame_box(box, cut):
    """`cut`, a box in the crop that `crop_plate` made around `box`, in the frame's pixels."""
    left, top = (np.floor(v) for v in with_margin(box)[:2])  # the crop's corner, as cut
    return (
        float(left + cut[0]),
        float(top + cut[1]),
        float(left + cut[2]),
        float(top + cut[3]),
    )


def distinct(results: list) -> list:
    """One result per plate: two boxes cut down to the same plate, or a box inside
    another (a plate's city or state line boxed apart from it), keep the surer read.

    Where both read the same text, the plate takes the box the detector scored higher:
    the read says what the plate says, the detector's score how well a box fits it. A
    weak wide box cut down to its text keeps the wide box's height (`MJ3R1V`: 0.15,
    58 px tall for a 32 px plate, IoU 0.48 with its label), while a tighter box of 0.43
    read it a hair less surely (0.82 against 0.83). On real-dev (session 37) US scenes
    P / R / exact 0.938 / 0.957 / 0.830 -> 0.948 / 0.968 / 0.840; no other set moves.
    """
    kept: list = []
    for r in sorted(results, key=lambda r: -r.read.confidence):
        same = next((i for i, k in enumerate(kept) if _same_plate(r.box, k.box)), None)
        if same is None:
            kept.append(r)
        elif _better_box(r, kept[same]):
            kept[same] = replace(kept[same], box=r.box, detector_confidence=r.detector_confidence)
    return kept


def _better_box(result, kept) -> bool:
    """Whether `result` reads as `kept` does from a box the detector is surer of."""
    return (
        result.read.text == kept.read.text and result.detector_confidence > kept.detector_confidence
    )


def _same_plate(a, b) -> bool:
    return iou(a, b) >= 0.5 or max(share_inside(a, b), share_inside(b, a)) >= INSIDE
