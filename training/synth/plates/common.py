"""Drawing primitives shared by the plate formats.

Registration characters are drawn from a per-font glyph cache: each glyph is
rendered once at a reference cap height, cropped to its ink, and resized per
plate. That makes per-plate sizing continuous, gives exact character boxes
(the ink box of each pasted glyph), and keeps a render to a few PIL calls.

A "font" here is either a TTF/OTF path or a `StrokeFont` face of the
constructed DIN 1451-style stroke font (training/synth/strokefont.py); both
give the same cached `Glyph` (cropped to ink, placed on the cap line), so
layout and character boxes work the same for either.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image, ImageDraw

from training.synth import strokefont
from training.synth.fonts import get_font, pick_font
from training.synth.strokefont import StrokeFont

Colour = tuple[int, int, int]
Box = tuple[int, int, int, int]
Font = Path | StrokeFont  # a font file, or a face of the stroke font
T = TypeVar("T")

REF_CAP = 64  # cap height (px) at which glyphs are rasterised and cached

EU_BLUE: Colour = (0, 51, 153)
EU_YELLOW: Colour = (255, 204, 0)


@dataclass(frozen=True)
class Glyph:
    mask: Image.Image  # "L", cropped to ink
    top: float  # ink top below the cap line, in reference pixels (negative: above it)
    width: int
    height: int


@functools.lru_cache(maxsize=128)
def cap_font_size(path: Path, ref: str = "H") -> int:
    """Font size whose `ref` letter is REF_CAP pixels tall (fonts differ a lot in cap/em)."""
    bbox = get_font(path, 200).getbbox(ref, anchor="ls")
    return max(4, round(200 * REF_CAP / max(1, -bbox[1])))


def glyph(font: Font, ch: str, stroke: int = 0, ref: str = "H") -> Glyph:
    """The cached glyph of `ch`: TTF glyphs rasterised by FreeType (`stroke` px bolder),
    stroke-font glyphs drawn from their centre lines (their weight is the face's own, so
    `stroke` and `ref` do not apply); both at REF_CAP, cropped to ink."""
    if isinstance(font, StrokeFont):
        g = strokefont.render_glyph(ch, REF_CAP, font)  # bounded LRU cache there
        return Glyph(g.image, float(g.top), g.width, g.height)
    return _ttf_glyph(font, ch, stroke, ref)


@functools.lru_cache(maxsize=16384)
def _ttf_glyph(path: Path, ch: str, stroke: int = 0, ref: str = "H") -> Glyph:
    font = get_font(path, cap_font_size(path, ref))
    left, top, right, bottom = font.getbbox(ch, anchor="ls", stroke_width=stroke)
    pad = 2 + stroke
    img = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(img).text(
        (pad - left, pad - top),
        ch,
        font=font,
        fill=255,
        anchor="ls",
        stroke_width=stroke,
        stroke_fill=255,
    )
    arr = np.asarray(img)
    ys, xs = np.nonzero(arr > 24)  # ignore faint antialiasing fringes for the box
    if len(xs) == 0:
        return Glyph(Image.new("L", (1, 1), 0), 0.0, 1, 1)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    crop = img.crop((int(x0), int(y0), int(x1), int(y1)))
    ink_top = top - pad + int(y0)  # relative to baseline
    height = int(y1 - y0)
    max_bottom = round(REF_CAP * 0.08)  # plate faces keep J and Q (almost) on the baseline
    if ref == "H" and ch.isalnum() and ink_top + height > max_bottom:
        height = max_bottom - ink_top
        crop = crop.resize((crop.width, height), Image.Resampling.LANCZOS)
    return Glyph(crop, float(ink_top + REF_CAP), int(x1 - x0), height)


@functools.lru_cache(maxsize=512)
def mono_cell(font: Font) -> int:
    """Widest digit (but 1) of a font: the cell of fixed-pitch layouts; wider letters just overflow it."""
    return max(glyph(font, c).width for c in "023456789")


@dataclass(frozen=True)
class StrokeShare:
    """How often a format letters its registration in the stroke font, and in which faces."""

    p: float  # share of plates in the stroke font (the rest: installed condensed TTFs)
    fe_p: float = 0.0  # of those, share in the FE-Schrift-like variant
    cond: tuple[float, float] = (0.75, 1.05)  # condensation range (Engschrift .. Mittelschrift+)
    round_p: float = 0.15  # round free terminals (pen/stencil lettering)
    weight: tuple[float, float] = (0.115, 0.155)  # stroke width / cap height
    br_p: float = 0.0  # of the non-FE faces, share in the Brazilian Mandatory-like variant
    serif_p: float = 0.0  # share of faces with a serifed I (US faces)
    foot_p: float = 0.2  # share of DIN faces whose 1 stands on a foot
    narrow_w_p: float = 0.0  # share of faces with a narrow W (US faces)
    open_four_p: float = 0.0  # share of faces with an open-top 4 (US faces)
    flag: tuple[float, float] = (1.0, 1.0)  # size of the 1's flag, 0 a stub .. 1 DIN's
    serif_w: tuple[float, float] = (0.34, 0.34)  # width of the serifed I's bars
    w_inner: tuple[float, float] = (1.0, 1.0)  # narrow W's inner V, of the stroke width
    four_top: tuple[float, float] = (1.0, 1.0)  # height the open 4's stem reaches
    q_tail: tuple[float, float] = (1.0, 1.0)  # length of the Q's tail, 0 a stub .. 1 DIN's


def plate_font(rng: np.random.Generator, share: StrokeShare | None = None) -> Font:
    """The registration font of one plate: a stroke-font face or an installed condensed TTF."""
    if share is not None and rng.random() < share.p:
        return strokefont.sample_font(
            rng,
            fe_p=share.fe_p,
            cond=share.cond,
            round_p=share.round_p,
            weight=share.weight,
            br_p=share.br_p,
            serif_p=share.serif_p,
            foot_p=share.foot_p,
            narrow_w_p=share.narrow_w_p,
            open_four_p=share.open_four_p,
            flag=share.flag,
            serif_w=share.serif_w,
            w_inner=share.w_inner,
            four_top=share.four_top,
            q_tail=share.q_tail,
        )
    return pick_font(rng, "condensed_bold")


@dataclass(frozen=True)
class Slot:
    """Horizontal room in a text line (in cap heights) that is not a label character."""

    width: float
    draw: Callable[[ImageDraw.ImageDraw, Box], None] | None = None


@dataclass(frozen=True)
class Foreign:
    """A character from another font/script (an Arabic letter) placed on the line.

    Its ink is scaled to fit `height` x `width` cap heights and centred at
    `centre` (fraction of the cap height from the cap top): plate makers size
    such letters by eye, not by the font's own metrics.
    """

    ch: str
    font: Path
    height: float = 0.75
    width: float = 0.9
    centre: float = 0.5
    ref: str = "H"  # a tall letter of that font, to rasterise it at a sensible size


Item = str | Slot | Foreign


def is_label_char(ch: str) -> bool:
    return ch.isalnum()


@dataclass
class Canvas:
    img: Image.Image
    chars: list[str] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.img)

    @property
    def w(self) -> int:
        return self.img.width

    @property
    def h(self) -> int:
        return self.img.height

    def paste_glyph(self, g: Glyph, x: int, y: int, w: int, h: int, colour: Colour) -> None:
        mask = (
            g.mask
            if (w, h) == (g.width, g.height)
            else g.mask.resize((w, h), Image.Resampling.BILINEAR)
        )
        self.img.paste(colour, (x, y, x + w, y + h), mask)

    def add_char(self, ch: str, box: Box) -> None:
        x1, y1, x2, y2 = box
        self.chars.append(ch)
        self.boxes.append((max(0, x1), max(0, y1), min(self.w, x2), min(self.h, y2)))

    def text_line(
        self,
        items: Sequence[Item],
        font: Font,
        x0: float,
        x1: float,
        cap_top: float,
        cap_h: float,
        colour: Colour,
        *,
        squeeze: float = 1.0,
        spacing: float = 0.12,
        space: float = 0.45,
        align: str = "center",
        stroke: int = 0,
        mono: bool = False,
        label: bool = True,
        shade: tuple[Colour, int] | None = None,
    ) -> tuple[float, float]:
        """Lay out one line of glyphs between x0 and x1, squeezing it if needed.

        Returns the x extent actually used. Alphanumeric characters are
        recorded as label characters (when `label`); anything else ("-", Slot)
        only takes room.
        """
        s = cap_h / REF_CAP
        sx = s * squeeze
        cell = mono_cell(font) if mono else 0
        # (item, glyph, vertical scale, top offset in px, width in px before the fit)
        parts: list[tuple[Item, Glyph | None, float, float, float]] = []
        for it in items:
            if isinstance(it, Slot):
                parts.append((it, None, 0.0, 0.0, it.width * cap_h))
            elif isinstance(it, Foreign):
                g = glyph(it.font, it.ch, stroke, it.ref)
                k = min(it.height * cap_h / g.height, it.width * cap_h / g.width)
                parts.append((it, g, k, it.centre * cap_h - g.height * k / 2, g.width * k))
            elif it == " ":
                parts.append((Slot(space), None, 0.0, 0.0, space * cap_h))
            else:
                g = glyph(font, it, stroke)
                w = max(g.width, cell) if is_label_char(it) else g.width
                parts.append((it, g, s, g.top * s, w * sx))
        # Descending J/Q tails of some fonts must stay on the plate, inside its rim:
        # move the line up if there is room, else shrink it.
        ink = [(p[3], p[3] + p[1].height * p[2]) for p in parts if p[1] is not None]
        if ink:
            lo, hi = cap_top + min(t for t, _ in ink), cap_top + max(b for _, b in ink)
            edge = 0.035 * self.h
            over = hi - (self.h - edge)
            if over > 0 and lo - edge >= over:
                cap_top, over = cap_top - over, 0.0
            if over > 0 or lo < edge:
                f = min((self.h - edge - cap_top) / (hi - cap_top), 1.0)
                if lo < cap_top:
                    f = min(f, (cap_top - edge) / (cap_top - lo))
                if f < 0.999:
                    return self.text_line(
                        items, font, x0, x1, cap_top, cap_h * max(f, 0.3), colour,
                        squeeze=squeeze, spacing=spacing, space=space, align=align,
                        stroke=stroke, mono=mono, label=label, shade=shade,
                    )  # fmt: skip
        gap = spacing * cap_h
        total = sum(p[4] for p in parts) + gap * max(0, len(parts) - 1)
        avail = x1 - x0
        fit = min(1.0, avail / total) if total > 0 else 1.0
        gap, total = gap * fit, total * fit
        if align == "left":
            pen = x0
        elif align == "right":
            pen = x1 - total
        else:
            pen = x0 + (avail - total) / 2
        start = pen
        for it, g, k, top, wpx in parts:
            cw = wpx * fit
            if g is None:
                assert isinstance(it, Slot)
                if it.draw is not None:
                    it.draw(
                        self.draw,
                        (round(pen), round(cap_top), round(pen + cw), round(cap_top + cap_h)),
                    )
            else:
                kx = k * fit * (1.0 if isinstance(it, Foreign) else squeeze)
                gw, gh = max(1, round(g.width * kx)), max(1, round(g.height * k))
                gx = round(pen + (cw - g.width * kx) / 2)
                gy = round(cap_top + top)
                if shade is not None:
                    shade_colour, d = shade
                    self.paste_glyph(g, gx + d, gy + d, gw, gh, shade_colour)
                self.paste_glyph(g, gx, gy, gw, gh, colour)
                ch = it.ch if isinstance(it, Foreign) else str(it)
                if label and is_label_char(ch):
                    self.add_char(ch, (gx, gy, gx + gw, gy + gh))
            pen += cw + gap
        return start, pen - gap

    def fit_glyph(self, g: Glyph, rect: Box, colour: Colour, label_char: str | None = None) -> Box:
        """Scale a glyph to fit inside rect (keeping aspect), centred; for glyphs off the cap grid."""
        x1, y1, x2, y2 = rect
        k = min((x2 - x1) / g.width, (y2 - y1) / g.height)
        w, h = max(1, round(g.width * k)), max(1, round(g.height * k))
        x, y = round((x1 + x2 - w) / 2), round((y1 + y2 - h) / 2)
        self.paste_glyph(g, x, y, w, h, colour)
        box = (x, y, x + w, y + h)
        if label_char is not None:
            self.add_char(label_char, box)
        return box

    def caption(
        self,
        text: str,
        xy: tuple[float, float],
        cap_h: float,
        font: Path,
        colour: Colour,
        *,
        anchor: str = "ms",
        max_width: float | None = None,
        stroke: int = 0,
        stroke_fill: Colour | None = None,
    ) -> None:
        """Small unlabelled text (state names, slogans, city lines); xy is at the baseline for 's' anchors."""
        size = cap_h * cap_font_size(font) / REF_CAP
        f = get_font(font, quantize_size(size))
        if max_width is not None:
            length = f.getlength(text)
            if length > max_width:
                f = get_font(font, quantize_size(f.size * max_width / length, up=False))
        self.draw.text(
            xy,
            text,
            font=f,
            fill=colour,
            anchor=anchor,
            stroke_width=stroke,
            stroke_fill=stroke_fill,
        )

    def to_bgr(self) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(self.img.convert("RGB"))[:, :, ::-1])


@dataclass(frozen=True)
class FormatSpec:
    region: str
    weight: float
    text: Callable[[np.random.Generator], str]  # a label drawn the way `render` draws one
    render: Callable[[np.random.Generator], Canvas]


def choice(rng: np.random.Generator, seq: Sequence[T]) -> T:
    return seq[int(rng.integers(len(seq)))]


def letters(rng: np.random.Generator, alphabet: str, n: int) -> str:
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), n))


def quantize_size(size: float, up: bool = True) -> int:
    """Snap caption font sizes to a coarse ladder so the FreeType font cache stays small."""
    step = 1 if size < 16 else 2 if size < 40 else 4
    q = (round if up else math.floor)(size / step) * step
    return max(6, int(q))


def jitter(rng: np.random.Generator, c: Colour, amount: int = 12) -> Colour:
    d = rng.integers(-amount, amount + 1, 3)
    return (
        int(np.clip(c[0] + d[0], 0, 255)),
        int(np.clip(c[1] + d[1], 0, 255)),
        int(np.clip(c[2] + d[2], 0, 255)),
    )


def gradient(
    w: int, h: int, stops: Sequence[tuple[float, Colour]], vertical: bool = True
) -> Image.Image:
    """Linear gradient through colour stops at positions 0..1."""
    n = h if vertical else w
    t = np.linspace(0.0, 1.0, n)
    pos = [p for p, _ in stops]
    line = np.stack(
        [np.interp(t, pos, [c[i] for _, c in stops]) for i in range(3)], axis=-1
    ).astype(np.uint8)
    arr = (
        np.broadcast_to(line[:, None, :], (h, w, 3))
        if vertical
        else np.broadcast_to(line[None, :, :], (h, w, 3))
    )
    return Image.fromarray(np.ascontiguousarray(arr), "RGB")


def plain(w: int, h: int, colour: Colour) -> Image.Image:
    return Image.new("RGB", (w, h), colour)


def star_points(
    cx: float, cy: float, r: float, points: int = 5, inner: float = 0.45
) -> list[tuple[float, float]]:
    out = []
    for i in range(points * 2):
        rr = r if i % 2 == 0 else r * inner
        a = -math.pi / 2 + i * math.pi / points
        out.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return out


def border(cv: Canvas, width: int, colour: Colour, radius: int, inset: int = 0) -> None:
    if width <= 0:
        return
    cv.draw.rounded_rectangle(
        (inset, inset, cv.w - 1 - inset, cv.h - 1 - inset),
        radius=radius,
        outline=colour,
        width=width,
    )


def screw(cv: Canvas, rng: np.random.Generator, cx: float, cy: float, r: float, bg: Colour) -> None:
    """A bolt head or an empty mounting hole."""
    d = cv.draw
    if rng.random() < 0.5:
        grey = int(rng.integers(120, 200))
        d.ellipse(
            (cx - r, cy - r, cx + r, cy + r), fill=(grey, grey, grey + 5), outline=(60, 60, 60)
        )
        if rng.random() < 0.6:
            a = rng.uniform(0, math.pi)
            dx, dy = 0.7 * r * math.cos(a), 0.7 * r * math.sin(a)
            d.line(
                (cx - dx, cy - dy, cx + dx, cy + dy), fill=(70, 70, 70), width=max(1, round(r / 4))
            )
    else:
        dark = tuple(int(v * 0.45) for v in bg)
        d.ellipse((cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7), fill=dark)


def eu_band(
    cv: Canvas, rng: np.random.Generator, x0: int, x1: int, code: str, inset: int = 0
) -> None:
    """Blue EU strip: ring of 12 yellow stars and the country code."""
    d = cv.draw
    h = cv.h
    blue = jitter(rng, EU_BLUE, 10)
    d.rectangle((x0, inset, x1, h - 1 - inset), fill=blue)
    bw = x1 - x0
    cx, cy = (x0 + x1) / 2, h * 0.3
    ring = min(bw * 0.34, h * 0.17)
    star_r = max(1.5, ring * 0.22)
    yellow = jitter(rng, EU_YELLOW, 8)
    for i in range(12):
        a = i * math.pi / 6
        d.polygon(
            star_points(cx + ring * math.cos(a), cy + ring * math.sin(a), star_r), fill=yellow
        )
    font = pick_font(rng, "small")
    cv.caption(code, (cx, h * 0.86), h * 0.24, font, (255, 255, 255), max_width=bw * 0.86)
