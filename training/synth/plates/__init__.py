"""Flat, frontal, clean licence plates of several real formats.

`render_plate(rng)` draws one plate and returns its image, label and the box
of every label character. Scene placement and degradations (perspective,
blur, light, noise, occlusion) are another module's job; only what belongs to
a plate's own look (bands, pictures, stickers, bolts, embossing) is drawn here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.synth.plates import br, eu, ma, us
from training.synth.plates.common import Box, FormatSpec

REGIONS = ("eu", "us", "br", "ma")

SPECS: dict[str, FormatSpec] = {**eu.FORMATS, **us.FORMATS, **br.FORMATS, **ma.FORMATS}

# format name -> default sampling weight (callers may rebalance)
FORMATS: dict[str, float] = {name: spec.weight for name, spec in SPECS.items()}

CHARSET: str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" + ma.ARABIC_LETTERS


@dataclass(frozen=True)
class RenderedPlate:
    image: np.ndarray  # BGR uint8, H x W x 3, the whole plate, flat and frontal
    text: str  # label: upper case, no separators, visual left-to-right order
    format: str  # key of FORMATS
    region: str  # one of REGIONS
    char_boxes: list[
        Box
    ]  # x1, y1, x2, y2 (x2/y2 exclusive) of each label character, same order as text


def _pick_format(rng: np.random.Generator) -> str:
    names = list(FORMATS)
    p = np.array([FORMATS[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def random_plate_text(rng: np.random.Generator, fmt: str) -> str:
    """A label of format `fmt`, as render_plate would draw one."""
    return SPECS[fmt].text(rng)


def render_plate(rng: np.random.Generator, fmt: str | None = None) -> RenderedPlate:
    if fmt is None:
        fmt = _pick_format(rng)
    spec = SPECS[fmt]
    cv = spec.render(rng)
    return RenderedPlate(cv.to_bgr(), "".join(cv.chars), fmt, spec.region, list(cv.boxes))


__all__ = [
    "CHARSET",
    "FORMATS",
    "REGIONS",
    "RenderedPlate",
    "random_plate_text",
    "render_plate",
]
