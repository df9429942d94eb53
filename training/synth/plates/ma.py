"""Moroccan plates: `12345 | ب | 6` (serial, Arabic series letter, prefecture 1-89)."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from training.synth.fonts import pick_font
from training.synth.plates.common import (
    Box,
    Canvas,
    Colour,
    Foreign,
    FormatSpec,
    Item,
    Slot,
    StrokeShare,
    border,
    choice,
    jitter,
    plain,
    plate_font,
)

ARABIC_LETTERS = "أبدهوط"  # series letters in use: alif, ba, dal, ha, waw, ta
# ink height of each letter as a fraction of the digit height, as painted on plates
_LETTER_HEIGHT = {"أ": 0.9, "ب": 0.72, "د": 0.7, "ه": 0.7, "و": 0.82, "ط": 0.85}
BLACK: Colour = (15, 15, 15)
SHARE = StrokeShare(0.25, fe_p=0.3, cond=(0.8, 1.05))  # digits in a DIN/FE-like face


def ma_groups(rng: np.random.Generator) -> list[str]:
    n = int(rng.choice([1, 2, 3, 4, 5], p=[0.03, 0.07, 0.15, 0.3, 0.45]))
    serial = str(int(rng.integers(10 ** (n - 1), 10**n)))
    return [serial, choice(rng, list(ARABIC_LETTERS)), str(int(rng.integers(1, 90)))]


def _bar(width_frac: float, colour: Colour, overshoot: float) -> Slot:
    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        h = y1 - y0
        lw = max(2, round(h * 0.07))
        cx = (x0 + x1) / 2
        d.rectangle((cx - lw / 2, y0 - h * overshoot, cx + lw / 2, y1 + h * overshoot), fill=colour)

    return Slot(width_frac, draw)


def ma_render(rng: np.random.Generator) -> Canvas:
    serial, letter, region = ma_groups(rng)
    h = int(rng.integers(100, 125))
    u = h / 110
    cv = Canvas(plain(round(520 * u), h, jitter(rng, (248, 248, 246), 6)))
    fg = jitter(rng, BLACK, 10)
    cap = rng.uniform(62, 74) * u
    cap_top = (h - cap) / 2 + rng.uniform(-2, 2) * u
    bar_w = rng.uniform(0.45, 0.75)
    overshoot = rng.uniform(0.0, 0.12)
    arabic = Foreign(
        letter,
        pick_font(rng, "arabic"),
        height=_LETTER_HEIGHT[letter] * rng.uniform(0.85, 1.1),
        width=rng.uniform(0.95, 1.25),
        centre=rng.uniform(0.45, 0.55),
        ref="ا",
    )
    items: list[Item] = [
        *serial,
        _bar(bar_w, fg, overshoot),
        arabic,
        _bar(bar_w, fg, overshoot),
        *region,
    ]
    margin = rng.uniform(12, 30) * u
    cv.text_line(
        items,
        plate_font(rng, SHARE),
        margin,
        cv.w - margin,
        cap_top,
        cap,
        fg,
        squeeze=rng.uniform(0.85, 1.05),
        spacing=rng.uniform(0.1, 0.2),
        stroke=int(rng.choice([0, 1, 2])),
        mono=rng.random() < 0.4,
    )
    if rng.random() < 0.9:
        border(
            cv,
            max(1, round(rng.uniform(1, 3) * u)),
            fg,
            round(rng.uniform(2, 8) * u),
            inset=round(u * 1.5),
        )
    return cv


FORMATS: dict[str, FormatSpec] = {
    "ma": FormatSpec("ma", 2.0, lambda r: "".join(ma_groups(r)), ma_render),
}
