"""Pictures and emblems printed on US plates (backgrounds, separators, stickers).

Shapes are rough on purpose: the reader has to learn to ignore busy printed
graphics behind and between characters, not to recognise Lincoln.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import ImageDraw

from training.synth.fonts import get_font, pick_font
from training.synth.plates.common import (
    REF_CAP,
    Box,
    Canvas,
    Colour,
    Slot,
    cap_font_size,
    choice,
    jitter,
    quantize_size,
    screw,
    star_points,
)

Drawer = Callable[[ImageDraw.ImageDraw, Box], None]


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def mountains(
    cv: Canvas,
    rng: np.random.Generator,
    base_y: float,
    height: float,
    colour: Colour,
    peaks: int = 4,
) -> None:
    xs = np.sort(rng.uniform(0, cv.w, peaks))
    pts = [(0.0, cv.h), (0.0, base_y)]
    for x in xs:
        pts.append((float(x) - height * rng.uniform(0.6, 1.4), base_y))
        pts.append((float(x), base_y - height * rng.uniform(0.5, 1.0)))
    pts += [(float(cv.w), base_y), (float(cv.w), cv.h)]
    cv.draw.polygon(pts, fill=colour)


def hills(cv: Canvas, rng: np.random.Generator, base_y: float, amp: float, colour: Colour) -> None:
    phase, freq = rng.uniform(0, 6.3), rng.uniform(1.5, 3.5)
    xs = np.linspace(0, cv.w, 24)
    ys = base_y - amp * (0.5 + 0.5 * np.sin(phase + freq * 2 * math.pi * xs / cv.w))
    pts = [
        (0.0, float(cv.h)),
        *zip(xs.tolist(), ys.tolist(), strict=True),
        (float(cv.w), float(cv.h)),
    ]
    cv.draw.polygon(pts, fill=colour)


def waves(cv: Canvas, rng: np.random.Generator, y0: float, y1: float, colour: Colour) -> None:
    n = int(rng.integers(2, 5))
    lw = max(1, round(cv.h * 0.015))
    for k in range(n):
        y = y0 + (y1 - y0) * (k + 0.5) / n
        xs = np.linspace(0, cv.w, 30)
        ys = y + cv.h * 0.02 * np.sin(rng.uniform(0, 6.3) + xs / cv.w * 4 * math.pi)
        cv.draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=colour, width=lw)


def sun(cv: Canvas, cx: float, cy: float, r: float, colour: Colour, rays: bool = True) -> None:
    d = cv.draw
    if rays:
        for i in range(12):
            a = i * math.pi / 6
            d.line(
                (
                    cx + r * 1.2 * math.cos(a),
                    cy + r * 1.2 * math.sin(a),
                    cx + r * 1.7 * math.cos(a),
                    cy + r * 1.7 * math.sin(a),
                ),
                fill=colour,
                width=max(1, round(r * 0.12)),
            )
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)


def cactus(cv: Canvas, x: float, base: float, h: float, colour: Colour) -> None:
    d = cv.draw
    w = h * 0.16
    d.rounded_rectangle((x - w / 2, base - h, x + w / 2, base), radius=w / 2, fill=colour)
    for side, arm_y, arm_h in ((-1, 0.55, 0.3), (1, 0.4, 0.35)):
        ax = x + side * w * 1.4
        d.rounded_rectangle(
            (
                min(x, ax) - w * 0.35,
                base - h * arm_y,
                max(x, ax) + w * 0.35,
                base - h * arm_y + w * 0.7,
            ),
            radius=w * 0.35,
            fill=colour,
        )
        d.rounded_rectangle(
            (ax - w * 0.35, base - h * (arm_y + arm_h), ax + w * 0.35, base - h * arm_y + w * 0.7),
            radius=w * 0.35,
            fill=colour,
        )


def profile(cv: Canvas, cx: float, cy: float, r: float, colour: Colour) -> None:
    """A faded bust silhouette (Illinois' Lincoln)."""
    d = cv.draw
    d.ellipse((cx - r * 0.6, cy - r, cx + r * 0.6, cy + r * 0.5), fill=colour)
    d.polygon(
        [
            (cx - r * 0.55, cy),
            (cx + r * 0.45, cy),
            (cx + r * 0.2, cy + r * 0.85),
            (cx - r * 0.3, cy + r * 0.85),
        ],
        fill=colour,
    )
    d.polygon(
        [
            (cx - r * 1.5, cy + r * 2),
            (cx - r * 0.6, cy + r * 0.8),
            (cx + r * 0.6, cy + r * 0.8),
            (cx + r * 1.5, cy + r * 2),
        ],
        fill=colour,
    )


def skyline(
    cv: Canvas,
    rng: np.random.Generator,
    base: float,
    max_h: float,
    colour: Colour,
    x0: float = 0,
    x1: float | None = None,
) -> None:
    x, end = x0, cv.w if x1 is None else x1
    while x < end:
        bw = rng.uniform(0.025, 0.06) * cv.w
        bh = rng.uniform(0.3, 1.0) * max_h
        cv.draw.rectangle((x, base - bh, x + bw, base), fill=colour)
        x += bw + rng.uniform(0, 0.01) * cv.w


def sticker(cv: Canvas, rng: np.random.Generator, x: float, y: float, w: float, h: float) -> None:
    """A registration month/year sticker in a top corner."""
    bg = [
        (200, 30, 40),
        (30, 120, 60),
        (20, 70, 170),
        (240, 200, 30),
        (240, 120, 30),
        (120, 40, 140),
    ][int(rng.integers(6))]
    fg: Colour = (20, 20, 20) if sum(bg) > 450 else (250, 250, 250)
    cv.draw.rectangle((x, y, x + w, y + h), fill=bg)
    label = (
        str(int(rng.integers(20, 30)))
        if rng.random() < 0.5
        else ["JAN", "APR", "JUL", "OCT", "MAR", "DEC"][int(rng.integers(6))]
    )
    cv.caption(
        label, (x + w / 2, y + h * 0.8), h * 0.55, pick_font(rng, "small"), fg, max_width=w * 0.9
    )


def holes(cv: Canvas, rng: np.random.Generator, bg: Colour, bottom: bool) -> None:
    """US mounting holes: 7 in apart; round bolts or slotted openings."""
    r = cv.h * rng.uniform(0.025, 0.035)
    ys = (0.2, 0.8) if bottom else (0.2,)
    slotted = rng.random() < 0.4
    for fy in ys:
        for fx in (0.2, 0.8):
            cx, cy = cv.w * fx, cv.h * fy
            if slotted:
                cv.draw.rounded_rectangle(
                    (cx - r * 2, cy - r * 0.7, cx + r * 2, cy + r * 0.7),
                    radius=r * 0.7,
                    fill=mix(bg, (30, 30, 30), 0.75),
                )
            else:
                screw(cv, rng, cx, cy, r, bg)


# ----------------------------------------------------------------------------- separator slots


def star_slot(colour: Colour, width: float = 0.4) -> Slot:
    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        r = min(x1 - x0, y1 - y0) * 0.45
        d.polygon(star_points((x0 + x1) / 2, (y0 + y1) / 2, r), fill=colour)

    return Slot(width, draw)


def orange_slot(width: float = 0.6) -> Slot:
    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        r = min(x1 - x0, y1 - y0) * 0.42
        d.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 1.1), fill=(245, 140, 20))
        d.ellipse((cx - r * 0.9, cy - r * 1.35, cx - r * 0.05, cy - r * 0.75), fill=(40, 130, 50))
        d.ellipse((cx + r * 0.05, cy - r * 1.4, cx + r * 0.9, cy - r * 0.8), fill=(40, 130, 50))

    return Slot(width, draw)


def blob_slot(rng: np.random.Generator, colour: Colour, width: float = 0.35) -> Slot:
    """A small state-outline emblem (NJ, TX style): an irregular polygon."""
    angles = np.sort(rng.uniform(0, 2 * math.pi, 9))
    radii = rng.uniform(0.55, 1.0, 9)

    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        rx, ry = (x1 - x0) * 0.48, (y1 - y0) * 0.3
        pts = [
            (cx + rx * r * math.cos(a), cy + ry * r * math.sin(a))
            for a, r in zip(angles, radii, strict=True)
        ]
        d.polygon(pts, fill=colour)

    return Slot(width, draw)


def keystone_slot(colour: Colour, width: float = 0.45) -> Slot:
    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx, cy, w = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 0.45
        pts = [
            (cx - w, cy - w),
            (cx + w, cy - w),
            (cx + w * 0.7, cy),
            (cx + w * 0.8, cy + w),
            (cx - w * 0.8, cy + w),
            (cx - w * 0.7, cy),
        ]
        d.polygon(pts, outline=colour, width=max(1, round(w * 0.15)))

    return Slot(width, draw)


def stacked_slot(rng: np.random.Generator, pair: str, colour: Colour, width: float = 0.5) -> Slot:
    """Two small letters stacked vertically beside the number (not part of the label)."""
    font = pick_font(rng, "condensed_bold")

    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        h = y1 - y0
        f = get_font(font, quantize_size(h * 0.4 * cap_font_size(font) / REF_CAP))
        widest = max(f.getlength(ch) for ch in pair)
        if widest > 0.8 * (x1 - x0):  # the line was squeezed to fit: keep clear of the number
            f = get_font(font, quantize_size(f.size * 0.8 * (x1 - x0) / widest, up=False))
        for i, ch in enumerate(pair):
            d.text(
                ((x0 + x1) / 2, y0 + h * (0.45 + 0.52 * i)), ch, font=f, fill=colour, anchor="ms"
            )

    return Slot(width, draw)


def emblem_slot(rng: np.random.Generator, colour: Colour, width: float = 1.1) -> Slot:
    """A specialty-plate emblem beside the number: a seal, big figures (a race number, an
    anniversary "50") or a mascot under a short word. Not label text, though it holds
    letters and figures: readers that never saw one read it as leading characters."""
    kind = int(rng.integers(3))
    accent = jitter(
        rng, [(200, 40, 40), (30, 80, 160), (230, 170, 30), (40, 120, 60)][int(rng.integers(4))], 25
    )
    font = pick_font(rng, choice(rng, ["condensed_bold", "serif", "small"]))
    word = choice(
        rng,
        [
            f"{int(rng.integers(1, 100)):02d}",
            "50",
            "UNC",
            "ASU",
            "USA",
            "MC",
            "VFW",
            "NRA",
            "4H",
            "K9",
        ],
    )
    radii = rng.uniform(0.55, 1.0, 9)

    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
        if kind == 0:  # a seal: ringed disc with a small word in it
            r = min(w, h) * 0.5
            d.ellipse(
                (cx - r, cy - r, cx + r, cy + r),
                fill=accent,
                outline=colour,
                width=max(1, round(r * 0.1)),
            )
            d.ellipse(
                (cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7),
                outline=(240, 240, 230),
                width=max(1, round(r * 0.05)),
            )
            size, fill = r * 0.55, (245, 245, 235)
        elif kind == 1:  # big figures, outlined, as on race and anniversary plates
            size, fill = h * 0.95, accent
        else:  # a mascot: an irregular blob under a short word
            pts = [
                (cx + w * 0.45 * q * math.cos(a), cy + h * 0.2 + h * 0.3 * q * math.sin(a))
                for a, q in zip(np.linspace(0, 2 * math.pi, 9, endpoint=False), radii, strict=True)
            ]
            d.polygon(pts, fill=accent)
            size, fill, cy = h * 0.3, colour, cy - h * 0.3
        f = get_font(font, quantize_size(size * cap_font_size(font) / REF_CAP))
        if f.getlength(word) > w:
            f = get_font(font, quantize_size(f.size * w / f.getlength(word), up=False))
        d.text(
            (cx, cy),
            word,
            font=f,
            fill=fill,
            anchor="mm",
            stroke_width=max(1, round(h * 0.02)) if kind == 1 else 0,
            stroke_fill=colour,
        )

    return Slot(width, draw)


def tree_slot(colour: Colour, width: float = 0.55) -> Slot:
    """A tree between the groups (South Carolina's palmetto, Oregon's fir): a tall
    picture a reader must not take for a letter (real-dev's crops read them as 1 or 3)."""

    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
        d.rectangle((cx - w * 0.06, y0 + h * 0.45, cx + w * 0.06, y1), fill=colour)
        for i in range(4):  # fronds / tiers, widest at the bottom
            y = y0 + h * (0.05 + 0.14 * i)
            half = w * (0.2 + 0.1 * i)
            d.polygon([(cx, y), (cx - half, y + h * 0.22), (cx + half, y + h * 0.22)], fill=colour)

    return Slot(width, draw)


def heart_slot(colour: Colour, width: float = 0.8) -> Slot:
    """The heart of "I love ..." plates, between the words."""

    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0) * 0.26
        d.ellipse((cx - 2 * r, cy - 1.6 * r, cx, cy + 0.4 * r), fill=colour)
        d.ellipse((cx, cy - 1.6 * r, cx + 2 * r, cy + 0.4 * r), fill=colour)
        d.polygon(
            [(cx - 1.9 * r, cy - 0.2 * r), (cx + 1.9 * r, cy - 0.2 * r), (cx, cy + 2 * r)],
            fill=colour,
        )

    return Slot(width, draw)


def paint_random(cv: Canvas, rng: np.random.Generator, bg: Colour) -> None:
    """Busy light artwork for the generic state look."""
    kind = int(rng.integers(6))
    tint = mix(bg, jitter(rng, (90, 120, 160), 60), rng.uniform(0.2, 0.4))
    if kind == 0:
        mountains(
            cv,
            rng,
            cv.h * rng.uniform(0.75, 0.95),
            cv.h * rng.uniform(0.2, 0.45),
            tint,
            int(rng.integers(2, 6)),
        )
    elif kind == 1:
        hills(cv, rng, cv.h * rng.uniform(0.8, 0.95), cv.h * rng.uniform(0.05, 0.2), tint)
    elif kind == 2:
        waves(cv, rng, cv.h * 0.7, cv.h * 0.95, tint)
    elif kind == 3:
        sun(
            cv,
            cv.w * rng.uniform(0.2, 0.8),
            cv.h * rng.uniform(0.3, 0.6),
            cv.h * rng.uniform(0.15, 0.3),
            mix(bg, (250, 200, 60), 0.35),
        )
    elif kind == 4:
        skyline(cv, rng, cv.h * 0.92, cv.h * 0.4, tint)
    if rng.random() < 0.4:
        band = jitter(rng, (30, 60, 140), 60)
        cv.draw.rectangle((0, 0, cv.w, cv.h * rng.uniform(0.04, 0.08)), fill=band)
        cv.draw.rectangle((0, cv.h * rng.uniform(0.92, 0.96), cv.w, cv.h), fill=band)
